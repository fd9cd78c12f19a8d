"""Ruler: bar and beat numbers that follow the meter, the playhead, and a loop region to draw or drag."""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import QPointF, QRectF, Qt, Signal
from PySide6.QtGui import QColor, QMouseEvent, QPainter, QPaintEvent, QPen
from PySide6.QtWidgets import QWidget

from composer_app.core.song import Song
from composer_app.ui.timeline.grid import GRID_VALUES, GridValue, snap
from composer_app.ui.timeline.scale import TimeScale
from composer_app.ui.timeline.transport import TransportState

BEAT_GRID = GRID_VALUES[4]  # loop edges snap to beats unless the caller's grid is finer
DRAG_THRESHOLD = 4


class Ruler(QWidget):
    """Click to move the playhead; drag to draw a loop; drag inside the loop to move it."""

    seek_requested = Signal(int)

    def __init__(self, scale: TimeScale, transport: TransportState, song: Callable[[], Song],
                 parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._scale = scale
        self._transport = transport
        self._song = song
        self._offset = 0.0  # horizontal scroll in pixels
        self._grid: GridValue = BEAT_GRID
        self._press: QPointF | None = None
        self._drag: str | None = None  # 'draw' | 'move'
        self._press_tick = 0
        self._loop_at_press = (0, 0)
        self.setFixedHeight(26)
        self.setMouseTracking(True)
        scale.changed.connect(self.update)
        transport.playhead_changed.connect(self.update)
        transport.loop_changed.connect(self.update)

    # ------------------------------------------------------------ state
    def set_offset(self, pixels: float) -> None:
        if pixels != self._offset:
            self._offset = pixels
            self.update()

    def set_grid(self, grid: GridValue) -> None:
        self._grid = BEAT_GRID if grid.is_off else grid

    def tick_at(self, x: float) -> int:
        return max(0, self._scale.tick(x + self._offset))

    def x_of(self, tick: int) -> float:
        return self._scale.x(tick) - self._offset

    # ------------------------------------------------------------ painting
    def paintEvent(self, _event: QPaintEvent) -> None:  # noqa: N802 (Qt override)
        p = QPainter(self)
        pal = self.palette()
        p.fillRect(self.rect(), pal.window().color().darker(108))
        song = self._song()
        meters = song.meter_map
        h = self.height()
        start_tick, end_tick = self.tick_at(0), self.tick_at(self.width()) + 1
        # loop region
        ls, le = self._transport.loop
        if le > ls:
            colour = QColor(70, 130, 200, 110 if self._transport.loop_enabled else 45)
            p.fillRect(QRectF(self.x_of(ls), h * 0.5, self.x_of(le) - self.x_of(ls), h * 0.5), colour)
        # bars and beats
        bar = meters.bar_of(start_tick)
        bar_px = self._scale.width(meters.meter_at(start_tick).bar_ticks)
        label_every = 1 if bar_px >= 36 else (4 if bar_px >= 9 else 16)
        text_pen = QPen(pal.windowText().color())
        line_pen = QPen(pal.mid().color())
        while True:
            tick = meters.bar_start(bar)
            if tick > end_tick:
                break
            m = meters.meter_at(tick)
            x = self.x_of(tick)
            p.setPen(line_pen)
            p.drawLine(QPointF(x, h * 0.35), QPointF(x, h))
            if bar % label_every == 0:
                p.setPen(text_pen)
                p.drawText(QPointF(x + 3, h * 0.5), str(bar + 1))
            if self._scale.width(m.beat_ticks) >= 8:
                p.setPen(line_pen)
                for beat in range(1, m.numerator):
                    bx = self.x_of(tick + beat * m.beat_ticks)
                    p.drawLine(QPointF(bx, h * 0.75), QPointF(bx, h))
            bar += 1
        # playhead
        x = self.x_of(self._transport.playhead)
        p.setPen(QPen(QColor(220, 80, 60), 2))
        p.drawLine(QPointF(x, 0), QPointF(x, h))
        p.end()

    # ------------------------------------------------------------ mouse
    def _snapped(self, x: float) -> int:
        return snap(self.tick_at(x), self._grid, self._song().meter_map)

    def mousePressEvent(self, event: QMouseEvent) -> None:  # noqa: N802
        if event.button() != Qt.MouseButton.LeftButton:
            return
        self._press = event.position()
        self._press_tick = self.tick_at(event.position().x())
        self._loop_at_press = self._transport.loop
        ls, le = self._loop_at_press
        self._drag = "move" if le > ls and ls <= self._press_tick < le else None

    def mouseMoveEvent(self, event: QMouseEvent) -> None:  # noqa: N802
        if self._press is None:
            return
        if self._drag is None or (self._drag == "move" and not self._moved(event)):
            if not self._moved(event):
                return
            self._drag = self._drag or "draw"
        meters = self._song().meter_map
        if self._drag == "draw":
            a = snap(self._press_tick, self._grid, meters)
            b = self._snapped(event.position().x())
            self._transport.set_loop(min(a, b), max(a, b), enabled=True)
        elif self._drag == "move":
            ls, le = self._loop_at_press
            delta = self.tick_at(event.position().x()) - self._press_tick
            new_start = snap(max(0, ls + delta), self._grid, meters)
            self._transport.set_loop(new_start, new_start + (le - ls))

    def _moved(self, event: QMouseEvent) -> bool:
        assert self._press is not None
        return abs(event.position().x() - self._press.x()) >= DRAG_THRESHOLD

    def mouseReleaseEvent(self, event: QMouseEvent) -> None:  # noqa: N802
        if self._press is None:
            return
        if not self._moved(event):
            tick = self._snapped(event.position().x()) if not (
                event.modifiers() & Qt.KeyboardModifier.AltModifier) else self.tick_at(event.position().x())
            self._transport.set_playhead(tick)
            self.seek_requested.emit(tick)
        self._press = None
        self._drag = None

    def mouseDoubleClickEvent(self, event: QMouseEvent) -> None:  # noqa: N802
        """Double-click inside the loop toggles it on and off."""
        ls, le = self._transport.loop
        tick = self.tick_at(event.position().x())
        if le > ls and ls <= tick < le:
            self._transport.set_loop_enabled(not self._transport.loop_enabled)
