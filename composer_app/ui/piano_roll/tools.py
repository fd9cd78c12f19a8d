"""Mouse tools as objects: select (move, resize either end, marquee), draw and erase. Each gesture
previews in the scene and commits one edit on release."""

from __future__ import annotations

import math
from dataclasses import replace

from PySide6.QtCore import QPointF, QRectF, Qt
from PySide6.QtGui import QColor, QPen
from PySide6.QtWidgets import QGraphicsRectItem

from composer_app.core.song import Note
from composer_app.ui.piano_roll import ops
from composer_app.ui.piano_roll.note_item import NoteItem, note_rect
from composer_app.ui.piano_roll.tool_base import DRAG_THRESHOLD, Mods, Tool, ToolEvent, ToolHost, edge_of


class SelectTool(Tool):
    """Click to select (Shift/Ctrl toggle), drag notes to move (Ctrl-drag copies), drag an end to
    resize, drag on empty space for a marquee."""

    name = "select"

    def __init__(self) -> None:
        self._mode: str | None = None
        self._press: ToolEvent | None = None
        self._anchor: Note | None = None
        self._ids: list[str] = []
        self._dragging = False
        self._delta = (0, 0)
        self._base: set[str] = set()
        self._band: QGraphicsRectItem | None = None
        self._untoggle: str | None = None

    # ------------------------------------------------------------ press
    def press(self, host: ToolHost, ev: ToolEvent) -> None:
        scene = host.scene_
        if scene.clip is None:
            return
        self._press, self._dragging, self._delta, self._untoggle = ev, False, (0, 0), None
        item = scene.note_at(ev.scene)
        if item is None:
            self._start_marquee(host, ev)
            return
        nid = item.note.id
        ctrl = bool(ev.modifiers & Mods.ControlModifier)
        if ev.toggles and nid in scene.selected:
            self._untoggle = nid  # deselect on release unless the press becomes a drag
        elif ev.toggles:
            scene.set_selection(scene.selected | {nid})
        elif nid not in scene.selected:
            scene.set_selection({nid})
        self._anchor = item.note
        self._ids = list(scene.selected)
        edge = edge_of(host, item, ev.view.x())
        self._mode = "copy" if ctrl and edge == "move" else edge
        host.audition(item.note.pitch, item.note.velocity)

    def _start_marquee(self, host: ToolHost, ev: ToolEvent) -> None:
        scene = host.scene_
        self._mode = "marquee"
        self._base = set(scene.selected) if ev.toggles else set()
        if not ev.toggles:
            scene.set_selection(())
        band = QGraphicsRectItem(QRectF(ev.scene, ev.scene))
        pen = QPen(QColor(240, 200, 120))
        pen.setCosmetic(True)
        band.setPen(pen)
        band.setBrush(QColor(240, 200, 120, 40))
        band.setZValue(100)
        scene.addItem(band)
        self._band = band

    # ------------------------------------------------------------ move
    def move(self, host: ToolHost, ev: ToolEvent) -> None:
        if self._press is None or self._mode is None:
            return
        if not self._dragging:
            if abs(ev.view.x() - self._press.view.x()) + abs(ev.view.y() - self._press.view.y()) < DRAG_THRESHOLD:
                return
            self._dragging = True
            if self._untoggle is not None and self._mode != "marquee":
                self._untoggle = None
        if self._mode == "marquee":
            self._marquee(host, ev)
        elif self._mode in ("move", "copy"):
            self._move(host, ev)
        else:
            self._resize(host, ev)

    def _marquee(self, host: ToolHost, ev: ToolEvent) -> None:
        assert self._band is not None and self._press is not None
        rect = QRectF(self._press.scene, ev.scene).normalized()
        self._band.setRect(rect)
        inside = {i.note.id for i in host.scene_.notes_in(rect)}
        host.scene_.set_selection(self._base ^ inside if self._base else inside)

    def _time_delta(self, host: ToolHost, ev: ToolEvent) -> int:
        """Relative snap: the drag moves by whole grid steps, so notes keep their offsets from the grid."""
        assert self._press is not None
        raw = ev.scene.x() - self._press.scene.x()
        if ev.free or host.state.grid.is_off:
            return round(raw)
        step = host.state.step(host.document.song.meter_map, round(self._press.tick))
        return round(raw / step) * step

    def _move(self, host: ToolHost, ev: ToolEvent) -> None:
        assert self._press is not None and self._anchor is not None
        scene = host.scene_
        notes = scene.selected_notes()
        dt = max(self._time_delta(host, ev), -min(n.start for n in notes))
        dp = math.floor(self._press.scene.y()) - math.floor(ev.scene.y())
        dp = max(-min(n.pitch for n in notes), min(127 - max(n.pitch for n in notes), dp))
        if (dt, dp) != self._delta:
            if dp != self._delta[1]:
                host.audition(self._anchor.pitch + dp, self._anchor.velocity)
            self._delta = (dt, dp)
            scene.preview_move(self._ids, dt, dp)

    def _resize(self, host: ToolHost, ev: ToolEvent) -> None:
        assert self._press is not None and self._anchor is not None
        scene = host.scene_
        clip_start = scene.clip.start if scene.clip else 0
        a = self._anchor
        meters = host.document.song.meter_map
        raw_edge = (a.start if self._mode == "start" else a.end) + clip_start + ev.scene.x() - self._press.scene.x()
        edge = host.state.snap(raw_edge, meters, ev.free) - clip_start
        if self._mode == "start":
            d = (edge - a.start, 0)
        else:
            d = (0, edge - a.end)
        if d != self._delta:
            self._delta = d
            scene.preview_notes(ops.resized(n, d[0], d[1], self._min_len(host, ev)) for n in scene.selected_notes())

    def _min_len(self, host: ToolHost, ev: ToolEvent) -> int:
        if ev.free or host.state.grid.is_off:
            return 1
        return min(host.state.step(host.document.song.meter_map, 0), min(n.duration for n in
                                                                      host.scene_.selected_notes()))

    # ------------------------------------------------------------ release
    def release(self, host: ToolHost, ev: ToolEvent) -> None:
        mode, self._mode = self._mode, None
        scene = host.scene_
        if self._band is not None:
            scene.removeItem(self._band)
            self._band = None
        if self._untoggle is not None:
            scene.set_selection(scene.selected - {self._untoggle})
        if mode is None or mode == "marquee" or not self._dragging or scene.clip_id is None:
            self._press = None
            return
        song, cid = host.document.song, scene.clip_id
        dt, dp = self._delta
        if mode == "move":
            result = ops.move(song, cid, self._ids, dt, dp)
        elif mode == "copy":
            moved = [Note(min(127, max(0, n.pitch + dp)), n.start + dt, n.duration, n.velocity)
                     for n in scene.selected_notes()]
            result = ops.add(song, cid, moved, "Copy") if (dt or dp) else None
        else:
            result = ops.resize(song, cid, self._ids, dt, dp, self._min_len(host, ev))
            if result is not None and self._anchor is not None:
                host.state.last_length = ops.resized(self._anchor, dt, dp).duration
        self._press = None
        scene.clear_preview()
        host.commit(result)

    def cancel(self, host: ToolHost) -> None:
        if self._band is not None:
            host.scene_.removeItem(self._band)
            self._band = None
        self._mode, self._press = None, None
        super().cancel(host)

    def double_click(self, host: ToolHost, ev: ToolEvent) -> None:
        """Double-click on empty space draws a note (as the draw tool would)."""
        if host.scene_.clip is not None and host.scene_.note_at(ev.scene) is None:
            DrawTool.add_note_at(host, ev)

    def hover_cursor(self, host: ToolHost, ev: ToolEvent) -> Qt.CursorShape:
        item = host.scene_.note_at(ev.scene)
        if item is None:
            return self.cursor
        edge = edge_of(host, item, ev.view.x())
        return Qt.CursorShape.SizeHorCursor if edge != "move" else Qt.CursorShape.SizeAllCursor


class DrawTool(SelectTool):
    """Click to place a note of the current length; drag right to stretch it. On a note it moves
    or resizes like the select tool."""

    name = "draw"
    cursor = Qt.CursorShape.CrossCursor

    def __init__(self) -> None:
        super().__init__()
        self._new: Note | None = None
        self._item: QGraphicsRectItem | None = None

    def press(self, host: ToolHost, ev: ToolEvent) -> None:
        scene = host.scene_
        if scene.clip is None:
            return
        item = scene.note_at(ev.scene)
        if item is not None:
            host.state.last_length = item.note.duration
            super().press(host, ev)
            return
        meters = host.document.song.meter_map
        start = host.state.snap(ev.tick, meters, ev.free, mode="floor") - scene.clip.start
        if start < 0:
            return
        length = host.state.draw_length(meters, start + scene.clip.start)
        self._new = Note(ev.pitch, start, length, host.state.last_velocity)
        self._press = ev
        self._item = NoteItem(self._new, scene.clip.start)
        self._item.set_selected(True)
        scene.addItem(self._item)
        host.audition(ev.pitch, self._new.velocity)

    def move(self, host: ToolHost, ev: ToolEvent) -> None:
        if self._new is None:
            super().move(host, ev)
            return
        scene = host.scene_
        assert scene.clip is not None and self._item is not None
        meters = host.document.song.meter_map
        start_abs = scene.clip.start + self._new.start
        end = host.state.snap(ev.tick, meters, ev.free, mode="nearest")
        if end - start_abs >= 1:
            self._new = replace(self._new, duration=end - start_abs)
            self._item.setRect(note_rect(self._new, scene.clip.start))

    def release(self, host: ToolHost, ev: ToolEvent) -> None:
        if self._new is None:
            super().release(host, ev)
            return
        scene = host.scene_
        if self._item is not None:
            scene.removeItem(self._item)
        note, self._new, self._item, self._press = self._new, None, None, None
        host.state.last_length = note.duration
        host.commit(ops.add(host.document.song, scene.clip_id or "", [note], "Draw"))

    def cancel(self, host: ToolHost) -> None:
        if self._item is not None:
            host.scene_.removeItem(self._item)
        self._new, self._item = None, None
        super().cancel(host)

    def hover_cursor(self, host: ToolHost, ev: ToolEvent) -> Qt.CursorShape:
        return super().hover_cursor(host, ev) if host.scene_.note_at(ev.scene) else self.cursor

    @staticmethod
    def add_note_at(host: ToolHost, ev: ToolEvent) -> None:
        scene = host.scene_
        assert scene.clip is not None and scene.clip_id is not None
        meters = host.document.song.meter_map
        start = host.state.snap(ev.tick, meters, ev.free, mode="floor") - scene.clip.start
        if start >= 0:
            note = Note(ev.pitch, start, host.state.draw_length(meters, start + scene.clip.start),
                        host.state.last_velocity)
            host.commit(ops.add(host.document.song, scene.clip_id, [note], "Draw"))


class EraseTool(Tool):
    """Click or drag over notes to delete them (one undo step per gesture). Right-drag erases with any tool."""

    name = "erase"
    cursor = Qt.CursorShape.PointingHandCursor

    def __init__(self) -> None:
        self._hit: set[str] = set()
        self._last: ToolEvent | None = None
        self._active = False

    def press(self, host: ToolHost, ev: ToolEvent) -> None:
        self._hit, self._last, self._active = set(), ev, host.scene_.clip is not None
        self._erase_at(host, ev)

    def move(self, host: ToolHost, ev: ToolEvent) -> None:
        if not self._active or self._last is None:
            return
        a, b = self._last.scene, ev.scene
        steps = max(1, int(abs(ev.view.x() - self._last.view.x()) + abs(ev.view.y() - self._last.view.y())) // 3)
        for i in range(1, steps + 1):
            f = i / steps
            pos = QPointF(a.x() + (b.x() - a.x()) * f, a.y() + (b.y() - a.y()) * f)
            self._erase_at(host, ToolEvent(pos, ev.view, ev.modifiers))
        self._last = ev

    def _erase_at(self, host: ToolHost, ev: ToolEvent) -> None:
        item = host.scene_.note_at(ev.scene)
        if item is not None and item.isVisible():
            self._hit.add(item.note.id)
            host.scene_.preview_hidden([item.note.id])

    def release(self, host: ToolHost, ev: ToolEvent) -> None:
        if not self._active:
            return
        self._active = False
        hit, self._hit = self._hit, set()
        host.scene_.clear_preview()
        if hit and host.scene_.clip_id is not None:
            host.commit(ops.delete(host.document.song, host.scene_.clip_id, hit))

    def cancel(self, host: ToolHost) -> None:
        self._active, self._hit = False, set()
        super().cancel(host)


TOOLS = {"select": SelectTool, "draw": DrawTool, "erase": EraseTool}
