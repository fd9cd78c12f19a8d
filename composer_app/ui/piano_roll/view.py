"""PianoRollView: zoom (Ctrl+wheel across, Shift+wheel up-down, keys), scrolling, playhead follow, and
routing mouse gestures to the current tool."""

from __future__ import annotations

from PySide6.QtCore import QPointF, QRect, Qt, Signal
from PySide6.QtGui import QMouseEvent, QPainter, QTransform, QWheelEvent
from PySide6.QtWidgets import QFrame, QGraphicsView, QWidget

from composer_app.core.timing import PPQ
from composer_app.ui.piano_roll import ops
from composer_app.ui.piano_roll.scene import PianoRollScene
from composer_app.ui.piano_roll.tools import TOOLS, EraseTool, Tool, ToolEvent
from composer_app.ui.timeline.scale import TimeScale

MIN_ROW_PX, MAX_ROW_PX = 5.0, 40.0
ZOOM_STEP = 1.25
FOLLOW_MARGIN = 0.9  # page when the playhead passes this fraction of the width


class PianoRollView(QGraphicsView):
    """Shows a PianoRollScene at the shared TimeScale; emits ``viewport_moved`` for the lanes beside it."""

    viewport_moved = Signal()
    note_preview = Signal(int, int)  # pitch, velocity (0 = release)
    tool_changed = Signal(str)

    def __init__(self, scene: PianoRollScene, scale: TimeScale, parent: QWidget | None = None) -> None:
        super().__init__(scene, parent)
        self.scene_ = scene
        self.state = scene.state
        self.document = scene.document
        self.time_scale = scale
        self.row_px = 14.0
        self.tools: dict[str, Tool] = {name: cls() for name, cls in TOOLS.items()}
        self.tool: Tool = self.tools["draw"]
        self._active: Tool | None = None  # the tool handling the gesture in progress
        self._sounding: int | None = None
        self.setFrameShape(QFrame.Shape.NoFrame)
        self.setAlignment(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignTop)
        self.setTransformationAnchor(QGraphicsView.ViewportAnchor.NoAnchor)
        self.setResizeAnchor(QGraphicsView.ViewportAnchor.NoAnchor)
        self.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOn)
        self.setVerticalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOn)
        self.setOptimizationFlags(QGraphicsView.OptimizationFlag.DontSavePainterState
                                  | QGraphicsView.OptimizationFlag.DontAdjustForAntialiasing)
        self.setRenderHint(QPainter.RenderHint.Antialiasing, False)
        self.setViewportUpdateMode(QGraphicsView.ViewportUpdateMode.MinimalViewportUpdate)
        self.setMouseTracking(True)
        self.setFocusPolicy(Qt.FocusPolicy.StrongFocus)
        self.horizontalScrollBar().valueChanged.connect(self.viewport_moved)
        self.verticalScrollBar().valueChanged.connect(self.viewport_moved)
        scale.changed.connect(self._apply_transform)
        scene.transport.playhead_changed.connect(self._on_playhead)
        scene.transport.loop_changed.connect(lambda *_: self.viewport().update())
        self._last_playhead = scene.transport.playhead
        self._apply_transform()

    # ------------------------------------------------------------ geometry
    def _apply_transform(self) -> None:
        self.setTransform(QTransform.fromScale(self.time_scale.pixels_per_quarter / PPQ, self.row_px))
        self.viewport_moved.emit()

    def view_x(self, tick: float) -> float:
        return self._map_x(tick)

    def _map_x(self, tick: float) -> float:
        return self.viewportTransform().map(QPointF(tick, 0)).x()

    def view_y(self, row: float) -> float:
        return self.viewportTransform().map(QPointF(0, row)).y()

    def tick_at(self, x: float) -> float:
        return self.viewportTransform().inverted()[0].map(QPointF(x, 0)).x()

    def h_offset(self) -> float:
        """Pixels scrolled off the left: song tick t shows at ``time_scale.x(t) - h_offset()``."""
        return -self._map_x(0)

    def v_offset(self) -> float:
        return -self.view_y(0)

    def set_row_px(self, px: float, anchor_y: float | None = None) -> None:
        px = max(MIN_ROW_PX, min(MAX_ROW_PX, px))
        if px == self.row_px:
            return
        y = self.viewport().height() / 2 if anchor_y is None else anchor_y
        row = self.viewportTransform().inverted()[0].map(QPointF(0, y)).y()
        self.row_px = px
        self._apply_transform()
        self.verticalScrollBar().setValue(self.verticalScrollBar().value() + round(self.view_y(row) - y))

    def zoom_time(self, factor: float, anchor_x: float | None = None) -> None:
        """Zoom horizontally keeping the tick under ``anchor_x`` (default: the centre) in place."""
        x = self.viewport().width() / 2 if anchor_x is None else anchor_x
        tick = self.tick_at(x)
        self.time_scale.zoom(factor)
        self.horizontalScrollBar().setValue(self.horizontalScrollBar().value() + round(self._map_x(tick) - x))

    def scroll_to(self, tick: float, pitch: int | None = None) -> None:
        """Put ``tick`` at the left edge (a little margin) and ``pitch`` in the middle."""
        bar = self.horizontalScrollBar()
        bar.setValue(bar.value() + round(self._map_x(tick) - 8))
        if pitch is not None:
            vbar = self.verticalScrollBar()
            vbar.setValue(vbar.value() + round(self.view_y(127 - pitch) - self.viewport().height() / 2))

    # ------------------------------------------------------------ playhead
    def _on_playhead(self, tick: int) -> None:
        vp = self.viewport()
        for t in (self._last_playhead, tick):
            x = round(self._map_x(t))
            vp.update(QRect(x - 3, 0, 6, vp.height()))
        self._last_playhead = tick
        transport = self.scene_.transport
        if transport.playing and self.state.follow_playhead:
            x = self._map_x(tick)
            if x > vp.width() * FOLLOW_MARGIN or x < 0:
                self.horizontalScrollBar().setValue(self.horizontalScrollBar().value() + round(x - vp.width() * 0.1))

    # ------------------------------------------------------------ tools
    def set_tool(self, name: str) -> None:
        if self._active is not None:
            self._active.cancel(self)
            self._active = None
        self.tool = self.tools[name]
        self.viewport().setCursor(self.tool.cursor)
        self.tool_changed.emit(name)

    def commit(self, result: ops.Result | None) -> None:
        if result is None:
            return
        self.document.apply(result.text, result.song)
        self.scene_.set_selection(result.selection)

    def audition(self, pitch: int, velocity: int) -> None:
        if self._sounding is not None and self._sounding != pitch:
            self.note_preview.emit(self._sounding, 0)
        self._sounding = pitch
        self.note_preview.emit(pitch, velocity)

    def _stop_audition(self) -> None:
        if self._sounding is not None:
            self.note_preview.emit(self._sounding, 0)
            self._sounding = None

    def _event(self, event: QMouseEvent) -> ToolEvent:
        pos = event.position()
        return ToolEvent(self._to_scene(pos), pos, event.modifiers())

    def _to_scene(self, pos: QPointF) -> QPointF:
        return self.viewportTransform().inverted()[0].map(pos)

    def mousePressEvent(self, event: QMouseEvent) -> None:  # noqa: N802 (Qt override)
        self.setFocus(Qt.FocusReason.MouseFocusReason)
        if self._active is not None:
            return
        if event.button() == Qt.MouseButton.RightButton:
            self._active = self.tools.setdefault("_right_erase", EraseTool())
        elif event.button() == Qt.MouseButton.LeftButton:
            self._active = self.tool
        else:
            super().mousePressEvent(event)
            return
        self._active.press(self, self._event(event))

    def mouseMoveEvent(self, event: QMouseEvent) -> None:  # noqa: N802
        ev = self._event(event)
        if self._active is not None:
            self._active.move(self, ev)
        else:
            self.viewport().setCursor(self.tool.hover_cursor(self, ev))

    def mouseReleaseEvent(self, event: QMouseEvent) -> None:  # noqa: N802
        tool, self._active = self._active, None
        if tool is not None:
            tool.release(self, self._event(event))
        self._stop_audition()

    def mouseDoubleClickEvent(self, event: QMouseEvent) -> None:  # noqa: N802
        if event.button() == Qt.MouseButton.LeftButton and self._active is None:
            self.tool.double_click(self, self._event(event))

    def cancel_gesture(self) -> bool:
        """Escape: drop the gesture in progress; False if there was none."""
        if self._active is None:
            return False
        self._active.cancel(self)
        self._active = None
        self._stop_audition()
        return True

    # ------------------------------------------------------------ wheel
    def wheelEvent(self, event: QWheelEvent) -> None:  # noqa: N802
        mods = event.modifiers()
        delta = event.angleDelta()
        steps = (delta.y() or delta.x()) / 120
        if mods & Qt.KeyboardModifier.ControlModifier:
            self.zoom_time(ZOOM_STEP ** steps, event.position().x())
        elif mods & Qt.KeyboardModifier.ShiftModifier:
            self.set_row_px(self.row_px * ZOOM_STEP ** steps, event.position().y())
        elif mods & Qt.KeyboardModifier.AltModifier:
            bar = self.horizontalScrollBar()
            bar.setValue(bar.value() - round(steps * 120))
        else:
            super().wheelEvent(event)
