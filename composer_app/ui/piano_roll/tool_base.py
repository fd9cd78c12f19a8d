"""What every mouse tool shares: the ToolEvent it receives, the host (view) it acts through, the base class."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Protocol

from PySide6.QtCore import QPointF, Qt

from composer_app.ui.document import SongDocument
from composer_app.ui.piano_roll import ops
from composer_app.ui.piano_roll.note_item import NoteItem, pitch_of_row
from composer_app.ui.piano_roll.scene import PianoRollScene
from composer_app.ui.piano_roll.state import RollState

DRAG_THRESHOLD = 3  # pixels
EDGE_PX = 6  # grab zone at each end of a note
Mods = Qt.KeyboardModifier


@dataclass(frozen=True)
class ToolEvent:
    """A mouse event in scene units (x = song tick, y = row) and viewport pixels."""

    scene: QPointF
    view: QPointF
    modifiers: Qt.KeyboardModifier

    @property
    def tick(self) -> float:
        return max(0.0, self.scene.x())

    @property
    def pitch(self) -> int:
        return pitch_of_row(self.scene.y())

    @property
    def free(self) -> bool:
        """Alt bypasses snapping."""
        return bool(self.modifiers & Mods.AltModifier)

    @property
    def toggles(self) -> bool:
        return bool(self.modifiers & (Mods.ShiftModifier | Mods.ControlModifier))


class ToolHost(Protocol):
    """What tools need from the view."""

    scene_: PianoRollScene
    state: RollState
    document: SongDocument

    def view_x(self, tick: float) -> float: ...
    def commit(self, result: ops.Result | None) -> None: ...
    def audition(self, pitch: int, velocity: int) -> None: ...


class Tool:
    """Base tool: does nothing."""

    name = "tool"
    cursor = Qt.CursorShape.ArrowCursor

    def press(self, host: ToolHost, ev: ToolEvent) -> None: ...
    def move(self, host: ToolHost, ev: ToolEvent) -> None: ...
    def release(self, host: ToolHost, ev: ToolEvent) -> None: ...
    def double_click(self, host: ToolHost, ev: ToolEvent) -> None: ...

    def cancel(self, host: ToolHost) -> None:
        host.scene_.clear_preview()

    def hover_cursor(self, host: ToolHost, ev: ToolEvent) -> Qt.CursorShape:
        return self.cursor


def edge_of(host: ToolHost, item: NoteItem, view_x: float) -> str:
    """'start', 'end' or 'move' depending on where the note was grabbed."""
    r = item.rect()
    x0, x1 = host.view_x(r.left()), host.view_x(r.right())
    zone = min(EDGE_PX, (x1 - x0) / 4)
    if view_x >= x1 - zone:
        return "end"
    if view_x <= x0 + zone:
        return "start"
    return "move"
