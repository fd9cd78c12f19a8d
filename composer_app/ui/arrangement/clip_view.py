"""ClipView: the scrolling clip area; picks a mouse tool per press, zooms, renames in place, takes drops."""

from __future__ import annotations

from PySide6.QtCore import QPoint, QPointF, QRectF, Qt, Signal
from PySide6.QtGui import (
    QContextMenuEvent,
    QDragEnterEvent,
    QDragMoveEvent,
    QDropEvent,
    QKeyEvent,
    QMouseEvent,
    QPainter,
    QWheelEvent,
)
from PySide6.QtWidgets import QGraphicsView, QWidget

from composer_app.core.errors import SongFileError
from composer_app.core.excerpt import only_clips
from composer_app.ui.arrangement import drops
from composer_app.ui.arrangement.clip_commands import ClipCommands, bar_span
from composer_app.ui.arrangement.clip_item import NAME_STRIP, ClipItem
from composer_app.ui.arrangement.inline_editor import InlineEditor
from composer_app.ui.arrangement.scene import ArrangementScene
from composer_app.ui.arrangement.tools import MarqueeTool, MoveTool, PencilTool, ResizeTool, Tool
from composer_app.ui.midi_drag import start_midi_drag
from composer_app.ui.timeline.grid import grid_by_label

EDGE = 6.0
DRAG_OUT_MARGIN = 24
"""Dragging clips this far past the clip area takes them out of the window as a MIDI file."""
ZOOM_STEP = 1.25
Mods = Qt.KeyboardModifier


class ClipView(QGraphicsView):
    """Shows an ArrangementScene. Edits go through ``commands``; the scene only previews."""

    open_clip_requested = Signal(str)
    current_track_changed = Signal(str)
    context_menu_requested = Signal(QPoint, str)  # global position, clip id ('' on empty space)
    error_reported = Signal(str)

    def __init__(self, scene: ArrangementScene, commands: ClipCommands, parent: QWidget | None = None) -> None:
        super().__init__(scene, parent)
        self.arr_scene = scene
        self.commands = commands
        self.grid = grid_by_label("Bar")
        self.pencil = False
        self._tool: Tool | None = None
        self._toggle_on_release: ClipItem | None = None
        self._drop_length = 0
        self.start_drag_out = start_midi_drag  # (source, song, name): tests replace the blocking QDrag
        self.setAlignment(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignTop)
        self.setTransformationAnchor(QGraphicsView.ViewportAnchor.NoAnchor)
        self.setDragMode(QGraphicsView.DragMode.NoDrag)
        self.setRenderHint(QPainter.RenderHint.Antialiasing, False)
        self.setOptimizationFlag(QGraphicsView.OptimizationFlag.DontSavePainterState, True)
        self.setViewportUpdateMode(QGraphicsView.ViewportUpdateMode.MinimalViewportUpdate)
        self.setFocusPolicy(Qt.FocusPolicy.StrongFocus)
        self.setAcceptDrops(True)
        self.setMouseTracking(True)
        self.setFrameShape(QGraphicsView.Shape.NoFrame)

    # ------------------------------------------------------------ lookups
    def scene_pos(self, pos: QPointF | QPoint) -> QPointF:
        p = pos.toPoint() if isinstance(pos, QPointF) else pos
        return self.mapToScene(p)

    def clip_at(self, scene_pos: QPointF) -> ClipItem | None:
        for item in self.arr_scene.items(scene_pos):
            if isinstance(item, ClipItem):
                return item
        return None

    def _edge(self, item: ClipItem, scene_pos: QPointF) -> str | None:
        x = scene_pos.x() - item.pos().x()
        edge = min(EDGE, item.width / 4)
        if x >= item.width - edge:
            return "right"
        if x <= edge:
            return "left"
        return None

    def track_id_at(self, scene_pos: QPointF) -> str | None:
        row = self.arr_scene.row_of_y(scene_pos.y())
        tracks = self.arr_scene.song.tracks
        return tracks[row].id if 0 <= row < len(tracks) else None

    def viewport_rect_of(self, item: ClipItem) -> QRectF:
        return self.mapFromScene(item.sceneBoundingRect()).boundingRect().toRectF()

    # ------------------------------------------------------------ mouse
    def mousePressEvent(self, event: QMouseEvent) -> None:  # noqa: N802 (Qt override)
        self.setFocus(Qt.FocusReason.MouseFocusReason)
        pos = self.scene_pos(event.position())
        mods = event.modifiers()
        track_id = self.track_id_at(pos)
        if track_id is not None:
            self.arr_scene.set_current_track(track_id)
            self.current_track_changed.emit(track_id)
        item = self.clip_at(pos)
        if event.button() == Qt.MouseButton.RightButton:
            if item is not None and not item.isSelected():
                self.arr_scene.select_clips([item.clip_id])
            return
        if event.button() != Qt.MouseButton.LeftButton:
            return
        scene, cmds = self.arr_scene, self.commands
        if item is not None:
            if mods & (Mods.ControlModifier | Mods.ShiftModifier):
                if item.isSelected() and mods & Mods.ControlModifier:
                    self._toggle_on_release = item
                item.setSelected(True)
            elif not item.isSelected():
                scene.select_clips([item.clip_id])
            edge = self._edge(item, pos)
            if edge is not None and not mods & (Mods.ControlModifier | Mods.ShiftModifier):
                scene.select_clips([item.clip_id])
                self._tool = ResizeTool(scene, cmds, self.grid, pos, item, edge)
            else:
                self._tool = MoveTool(scene, cmds, self.grid, pos, item)
        elif self.pencil and track_id is not None:
            scene.select_clips([])
            self._tool = PencilTool(scene, cmds, self.grid, pos, track_id)
            self._tool.move(pos, mods)
        else:
            additive = bool(mods & (Mods.ControlModifier | Mods.ShiftModifier))
            if not additive:
                scene.select_clips([])
            self._tool = MarqueeTool(scene, cmds, self.grid, pos, additive)

    def mouseMoveEvent(self, event: QMouseEvent) -> None:  # noqa: N802
        pos = self.scene_pos(event.position())
        if isinstance(self._tool, MoveTool) and self._outside(event.position()):
            self.drag_out(self._tool.ids)
            return
        if self._tool is not None:
            self._tool.move(pos, event.modifiers())
            return
        item = self.clip_at(pos)
        edge = self._edge(item, pos) if item is not None else None
        shape = Qt.CursorShape.SizeHorCursor if edge else (
            Qt.CursorShape.CrossCursor if self.pencil and item is None else Qt.CursorShape.ArrowCursor)
        self.viewport().setCursor(shape)

    def _outside(self, pos: QPointF) -> bool:
        rect = QRectF(self.viewport().rect()).adjusted(-DRAG_OUT_MARGIN, -DRAG_OUT_MARGIN, DRAG_OUT_MARGIN,
                                                         DRAG_OUT_MARGIN)
        return not rect.contains(pos)

    def drag_out(self, clip_ids: list[str]) -> None:
        """Stop moving and drag these clips out of the window as a .mid file (starting at their first bar)."""
        if self._tool is not None:
            self._tool.cancel()
            self._tool = None
        song = self.arr_scene.song
        clips = [song.clip(c) for c in clip_ids]
        if not clips:
            return
        names = {c.name or song.track_of_clip(c.id).name for c in clips}
        name = names.pop() if len(names) == 1 else f"{len(clips)} clips"
        self.start_drag_out(self, only_clips(song, clip_ids), name)

    def mouseReleaseEvent(self, event: QMouseEvent) -> None:  # noqa: N802
        tool, self._tool = self._tool, None
        if tool is not None:
            tool.release(self.scene_pos(event.position()), event.modifiers())
            if self._toggle_on_release is not None and not tool.active:
                self._toggle_on_release.setSelected(False)
        self._toggle_on_release = None

    def mouseDoubleClickEvent(self, event: QMouseEvent) -> None:  # noqa: N802
        if event.button() != Qt.MouseButton.LeftButton:
            return
        pos = self.scene_pos(event.position())
        item = self.clip_at(pos)
        if item is not None:
            self.open_clip_requested.emit(item.clip_id)
            return
        track_id = self.track_id_at(pos)
        if track_id is not None and not self.pencil:
            meters = self.arr_scene.song.meter_map
            start = meters.bar_start(meters.bar_of(max(0, self.arr_scene.scale.tick(pos.x()))))
            cid = self.commands.create(track_id, start, meters.meter_at(start).bar_ticks)
            self.arr_scene.select_clips([cid])
            self.open_clip_requested.emit(cid)  # a new clip is made to be drawn in: open it in the piano roll

    def contextMenuEvent(self, event: QContextMenuEvent) -> None:  # noqa: N802
        item = self.clip_at(self.scene_pos(event.pos()))
        self.context_menu_requested.emit(event.globalPos(), item.clip_id if item is not None else "")

    def keyPressEvent(self, event: QKeyEvent) -> None:  # noqa: N802
        if event.key() == Qt.Key.Key_Escape:
            if self._tool is not None:
                self._tool.cancel()
                self._tool = None
            else:
                self.arr_scene.select_clips([])
            return
        super().keyPressEvent(event)

    # ------------------------------------------------------------ zoom and scroll
    def wheelEvent(self, event: QWheelEvent) -> None:  # noqa: N802
        mods = event.modifiers()
        delta = event.angleDelta().y() or event.angleDelta().x()
        if mods & Mods.ControlModifier and mods & Mods.ShiftModifier:
            self.arr_scene.set_row_height(self.arr_scene.row_height + (8 if delta > 0 else -8))
        elif mods & Mods.ControlModifier:
            self.zoom_at(ZOOM_STEP if delta > 0 else 1 / ZOOM_STEP, event.position().x())
        elif mods & Mods.ShiftModifier:
            bar = self.horizontalScrollBar()
            bar.setValue(bar.value() - delta)
        else:
            super().wheelEvent(event)
            return
        event.accept()

    def zoom_at(self, factor: float, viewport_x: float | None = None) -> None:
        """Zoom horizontally keeping the tick under ``viewport_x`` (default: the playhead or centre) still."""
        scale = self.arr_scene.scale
        bar = self.horizontalScrollBar()
        if viewport_x is None:
            px = scale.x(self.arr_scene.transport.playhead) - bar.value()
            viewport_x = px if 0 <= px <= self.viewport().width() else self.viewport().width() / 2
        tick = scale.tick(bar.value() + viewport_x)
        scale.zoom(factor)
        bar.setValue(round(scale.x(tick) - viewport_x))

    def resizeEvent(self, event) -> None:  # noqa: N802
        super().resizeEvent(event)
        self.arr_scene.set_view_width(self.viewport().width())

    # ------------------------------------------------------------ rename in place
    def start_rename(self, clip_id: str) -> InlineEditor | None:
        item = self.arr_scene.clip_item(clip_id)
        if item is None:
            return None
        self.ensureVisible(item, 40, 0)
        r = self.viewport_rect_of(item)
        rect = QRectF(max(0.0, r.left()), r.top(), max(140.0, min(r.width(), 260.0)), NAME_STRIP + 8).toRect()
        editor = InlineEditor(self.viewport(), rect, item.clip.name or item.track_name)
        editor.committed.connect(lambda text: self.commands.rename(clip_id, text.strip()))
        return editor

    # ------------------------------------------------------------ drops
    def drop_target(self, scene_pos: QPointF) -> tuple[str | None, int]:
        """Track id (None below the last track: a new one) and bar under ``scene_pos``."""
        meters = self.arr_scene.song.meter_map
        bar = meters.bar_of(max(0, self.arr_scene.scale.tick(scene_pos.x())))
        return self.track_id_at(QPointF(scene_pos.x(), max(0.0, scene_pos.y()))), bar

    def _accepts(self, event: QDragEnterEvent | QDragMoveEvent) -> bool:
        mime = event.mimeData()
        return mime.hasFormat(drops.NOTES_MIME) or bool(drops.midi_paths(mime))

    def dragEnterEvent(self, event: QDragEnterEvent) -> None:  # noqa: N802
        if not self._accepts(event):
            event.ignore()
            return
        decoded = drops.decode_notes(event.mimeData())
        self._drop_length = max((n.end for n in decoded[0]), default=0) if decoded else 0
        event.acceptProposedAction()
        self._show_ghost(event.position())

    def dragMoveEvent(self, event: QDragMoveEvent) -> None:  # noqa: N802
        if self._accepts(event):
            event.acceptProposedAction()
            self._show_ghost(event.position())
        else:
            event.ignore()

    def dragLeaveEvent(self, event) -> None:  # noqa: N802
        self.arr_scene.ghost.hide()

    def _show_ghost(self, pos: QPointF) -> None:
        scene = self.arr_scene
        track_id, bar = self.drop_target(self.scene_pos(pos))
        song = scene.song
        row = [t.id for t in song.tracks].index(track_id) if track_id else len(song.tracks)
        start = song.meter_map.bar_start(bar)
        scene.ghost.setRect(scene.clip_rect(start, bar_span(song, start, start + max(1, self._drop_length)), row))
        scene.ghost.show()

    def dropEvent(self, event: QDropEvent) -> None:  # noqa: N802
        self.arr_scene.ghost.hide()
        track_id, bar = self.drop_target(self.scene_pos(event.position()))
        mime = event.mimeData()
        decoded = drops.decode_notes(mime)
        if decoded is not None:
            event.acceptProposedAction()
            self.arr_scene.select_clips([self.commands.drop_notes(track_id, bar, decoded[0], decoded[1])])
            return
        paths = drops.midi_paths(mime)
        if not paths:
            event.ignore()
            return
        event.acceptProposedAction()
        self.import_midi(paths[0], track_id, bar)

    def import_midi(self, path, track_id: str | None, bar: int) -> str | None:
        """Put the first track with notes of a MIDI file at ``bar``; a problem is reported, never raised."""
        try:
            notes, name = drops.midi_notes(path)
        except SongFileError as exc:
            self.error_reported.emit(str(exc))
            return None
        except Exception as exc:  # a broken file must never take the app down
            self.error_reported.emit(f"{path}: {exc}")
            return None
        cid = self.commands.drop_notes(track_id, bar, notes, name)
        self.arr_scene.select_clips([cid])
        return cid
