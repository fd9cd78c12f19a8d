"""Mouse tools of the clip area: each drag previews in the scene and commits once on release."""

from __future__ import annotations

from PySide6.QtCore import QPointF, QRectF, Qt
from PySide6.QtWidgets import QGraphicsRectItem

from composer_app.ui.arrangement.clip_commands import ClipCommands
from composer_app.ui.arrangement.clip_item import ClipItem
from composer_app.ui.arrangement.scene import ArrangementScene
from composer_app.ui.timeline.grid import GridValue, snap, step_at

DRAG_THRESHOLD = 3.0
MIN_FREE_LENGTH = 120  # shortest clip when snap is off (a sixteenth)
Mods = Qt.KeyboardModifier


class Tool:
    """A gesture from press to release. ``release`` is the only place that edits the song."""

    def __init__(self, scene: ArrangementScene, commands: ClipCommands, grid: GridValue, press: QPointF) -> None:
        self.scene = scene
        self.commands = commands
        self.grid = grid
        self.press = press
        self.active = False

    def snap(self, tick: float, mods: Qt.KeyboardModifier, mode: str = "nearest") -> int:
        if mods & Mods.AltModifier:
            return max(0, round(tick))
        return snap(tick, self.grid, self.scene.song.meter_map, mode=mode)

    def min_length(self, tick: int) -> int:
        if self.grid.is_off:
            return MIN_FREE_LENGTH
        return step_at(self.grid, self.scene.song.meter_map, tick)

    def _started(self, pos: QPointF) -> bool:
        if not self.active and (pos - self.press).manhattanLength() >= DRAG_THRESHOLD:
            self.active = True
        return self.active

    def move(self, pos: QPointF, mods: Qt.KeyboardModifier) -> None:
        raise NotImplementedError

    def release(self, pos: QPointF, mods: Qt.KeyboardModifier) -> None:
        raise NotImplementedError

    def cancel(self) -> None:
        self.scene.relayout()


class MoveTool(Tool):
    """Drag selected clips in time (snapped) and across tracks; Ctrl on release copies them."""

    def __init__(self, scene, commands, grid, press, anchor: ClipItem) -> None:
        super().__init__(scene, commands, grid, press)
        self.anchor = anchor
        self.ids = scene.selected_clip_ids()
        song = scene.song
        self.rows = {cid: [t.id for t in song.tracks].index(song.track_of_clip(cid).id) for cid in self.ids}
        self.dt = 0
        self.drow = 0

    def _delta(self, pos: QPointF, mods: Qt.KeyboardModifier) -> tuple[int, int]:
        song = self.scene.song
        clip = self.anchor.clip
        raw = clip.start + self.scene.scale.tick(pos.x() - self.press.x())
        dt = self.snap(raw, mods) - clip.start
        dt = max(dt, -min(song.clip(c).start for c in self.ids))
        drow = self.scene.row_of_y(pos.y()) - self.scene.row_of_y(self.press.y())
        rows = self.rows.values()
        drow = max(-min(rows), min(drow, len(song.tracks) - 1 - max(rows)))
        return dt, drow

    def move(self, pos, mods) -> None:
        if not self._started(pos):
            return
        self.dt, self.drow = self._delta(pos, mods)
        for cid in self.ids:
            clip = self.scene.song.clip(cid)
            item = self.scene.clip_item(cid)
            if item is not None:
                rect = self.scene.clip_rect(clip.start + self.dt, clip.length, self.rows[cid] + self.drow)
                item.setPos(rect.topLeft())

    def release(self, pos, mods) -> None:
        if not self.active:
            return
        self.dt, self.drow = self._delta(pos, mods)
        copy = bool(mods & Mods.ControlModifier)
        new_ids = self.commands.move(self.ids, self.dt, self.drow, copy=copy)
        self.scene.relayout()
        self.scene.select_clips(new_ids)


class ResizeTool(Tool):
    """Drag a clip's left or right edge; the left edge keeps the notes where they sound."""

    def __init__(self, scene, commands, grid, press, item: ClipItem, edge: str) -> None:
        super().__init__(scene, commands, grid, press)
        self.item = item
        self.edge = edge
        self.span = (item.clip.start, item.clip.length)

    def _span(self, pos: QPointF, mods) -> tuple[int, int]:
        clip = self.item.clip
        tick = self.scene.scale.tick(pos.x())
        if self.edge == "right":
            end = max(self.snap(tick, mods), clip.start + self.min_length(clip.start))
            return clip.start, end - clip.start
        start = min(self.snap(tick, mods), clip.end - self.min_length(clip.start))
        start = max(0, start)
        return start, clip.end - start

    def move(self, pos, mods) -> None:
        if not self._started(pos):
            return
        self.span = self._span(pos, mods)
        row = self.scene.row_of_y(self.item.pos().y())
        r = self.scene.clip_rect(self.span[0], self.span[1], row)
        self.item.setPos(r.topLeft())
        self.item.set_size(r.width(), r.height())

    def release(self, pos, mods) -> None:
        if self.active:
            self.commands.resize(self.item.clip_id, *self._span(pos, mods))
        self.scene.relayout()


class MarqueeTool(Tool):
    """Drag a rectangle over empty space to select the clips it touches (Ctrl/Shift adds)."""

    def __init__(self, scene, commands, grid, press, additive: bool) -> None:
        super().__init__(scene, commands, grid, press)
        self.keep = set(scene.selected_clip_ids()) if additive else set()
        self.band = QGraphicsRectItem()
        self.band.setPen(scene.ghost.pen())
        self.band.setBrush(scene.ghost.brush())
        self.band.setZValue(95)

    def move(self, pos, mods) -> None:
        if not self._started(pos):
            return
        if self.band.scene() is None:
            self.scene.addItem(self.band)
        rect = QRectF(self.press, pos).normalized()
        self.band.setRect(rect)
        hit = {i.clip_id for i in self.scene.items(rect) if isinstance(i, ClipItem)}
        self.scene.select_clips(self.keep | hit)

    def release(self, pos, mods) -> None:
        if self.band.scene() is not None:
            self.scene.removeItem(self.band)

    def cancel(self) -> None:
        self.release(self.press, Mods.NoModifier)


class PencilTool(Tool):
    """Draw a new clip on an empty lane: from the press to the release, snapped, at least one bar."""

    def __init__(self, scene, commands, grid, press, track_id: str) -> None:
        super().__init__(scene, commands, grid, press)
        self.track_id = track_id
        self.row = scene.row_of_y(press.y())

    def _span(self, pos: QPointF, mods) -> tuple[int, int]:
        meters = self.scene.song.meter_map
        a = self.scene.scale.tick(min(pos.x(), self.press.x()))
        b = self.scene.scale.tick(max(pos.x(), self.press.x()))
        start = self.snap(a, mods, "floor")
        if self.grid.is_off or mods & Mods.AltModifier:
            start = meters.bar_start(meters.bar_of(start)) if not self.active else start
        end = max(self.snap(b, mods, "ceil"), start + meters.meter_at(start).bar_ticks)
        return start, end - start

    def move(self, pos, mods) -> None:
        self._started(pos)
        start, length = self._span(pos, mods)
        self.scene.ghost.setRect(self.scene.clip_rect(start, length, self.row))
        self.scene.ghost.show()

    def release(self, pos, mods) -> None:
        self.scene.ghost.hide()
        start, length = self._span(pos, mods)
        cid = self.commands.create(self.track_id, start, length)
        self.scene.select_clips([cid])

    def cancel(self) -> None:
        self.scene.ghost.hide()
