"""Velocity lane: a bar per note under the roll; drag a bar to set it, drag elsewhere to draw a ramp. A strip along
its foot shows where the sustain pedal is down."""

from __future__ import annotations

from bisect import bisect_left, bisect_right

from PySide6.QtCore import QLineF, QPointF, QRectF, Qt
from PySide6.QtGui import QColor, QMouseEvent, QPainter, QPaintEvent, QPen
from PySide6.QtWidgets import QWidget

from composer_app.core.controls import pedal_spans
from composer_app.core.song import Note
from composer_app.ui.piano_roll import ops
from composer_app.ui.piano_roll.view import PianoRollView

HEIGHT = 84
PAD = 6
GRAB_PX = 5
PEDAL_PX = 3
"""Height of the sustain pedal's strip along the lane's foot."""


class VelocityLane(QWidget):
    """Drag a note's bar to set its velocity (all selected notes move together when it is selected);
    drag from empty space to draw a line: notes under it (selected ones if any) ramp along it."""

    def __init__(self, view: PianoRollView, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._view = view
        self._scene = view.scene_
        self._preview: dict[str, int] = {}
        self._grab: Note | None = None
        self._line: tuple[QPointF, QPointF] | None = None
        self._starts_of: tuple[object, list[int]] = (None, [])
        self.setFixedHeight(HEIGHT)
        self.setMouseTracking(True)
        view.viewport_moved.connect(self.update)
        view.document.song_changed.connect(lambda *_: self.update())
        self._scene.selection_changed.connect(self.update)

    # ------------------------------------------------------------ geometry
    def x_of(self, note: Note) -> float:
        clip = self._scene.clip
        return self._view.view_x((clip.start if clip else 0) + note.start)

    def y_of(self, velocity: float) -> float:
        return self.height() - PAD - (self.height() - 2 * PAD) * velocity / 127

    def velocity_at(self, y: float) -> int:
        return max(1, min(127, round((self.height() - PAD - y) * 127 / (self.height() - 2 * PAD))))

    def visible_notes(self, x0: float = -GRAB_PX, x1: float | None = None) -> list[Note]:
        clip = self._scene.clip
        if clip is None:
            return []
        if self._starts_of[0] is not clip:
            self._starts_of = (clip, [n.start for n in clip.notes])
        starts = self._starts_of[1]
        x1 = self.width() + GRAB_PX if x1 is None else x1
        t0 = self._view.tick_at(x0) - clip.start
        t1 = self._view.tick_at(x1) - clip.start
        return list(clip.notes[bisect_left(starts, t0):bisect_right(starts, t1)])

    # ------------------------------------------------------------ painting
    def paintEvent(self, _event: QPaintEvent) -> None:  # noqa: N802 (Qt override)
        p = QPainter(self)
        p.fillRect(self.rect(), QColor(36, 39, 45))
        p.setPen(QPen(QColor(60, 64, 72)))
        for v in (32, 64, 96, 127):
            y = round(self.y_of(v)) + 0.5
            p.drawLine(QLineF(0, y, self.width(), y))
        self._paint_pedal(p)
        selected = self._scene.selected
        base = self.y_of(0)
        normal, chosen = QPen(QColor(110, 175, 215), 2), QPen(QColor(250, 180, 90), 2)
        for n in self.visible_notes():
            v = self._preview.get(n.id, n.velocity)
            x = round(self.x_of(n)) + 0.5
            y = self.y_of(v)
            pen = chosen if n.id in selected else normal
            p.setPen(pen)
            p.drawLine(QLineF(x, base, x, y))
            p.fillRect(QRectF(x - 2, y - 2, 5, 4), pen.color())
        if self._line is not None:
            p.setPen(QPen(QColor(240, 240, 240), 1, Qt.PenStyle.DashLine))
            p.drawLine(QLineF(*self._line))
        p.end()

    def _paint_pedal(self, p: QPainter) -> None:
        clip = self._scene.clip
        if clip is None or not clip.controls:
            return
        color = QColor(150, 120, 200)
        for start, end in pedal_spans(clip):
            x0 = self._view.view_x(clip.start + start)
            x1 = self._view.view_x(clip.start + end)
            if x1 >= 0 and x0 <= self.width():
                p.fillRect(QRectF(x0, self.height() - PEDAL_PX, max(1.0, x1 - x0 - 1), PEDAL_PX), color)

    # ------------------------------------------------------------ mouse
    def _note_near(self, x: float) -> Note | None:
        near = self.visible_notes(x - GRAB_PX, x + GRAB_PX)
        if not near:
            return None
        selected = self._scene.selected
        return min(near, key=lambda n: (n.id not in selected, abs(self.x_of(n) - x)))

    def mousePressEvent(self, event: QMouseEvent) -> None:  # noqa: N802
        if event.button() != Qt.MouseButton.LeftButton or self._scene.clip is None:
            return
        pos = event.position()
        self._grab = None if event.modifiers() & Qt.KeyboardModifier.ShiftModifier else self._note_near(pos.x())
        if self._grab is None:
            self._line = (pos, pos)
        self._drag(pos)

    def mouseMoveEvent(self, event: QMouseEvent) -> None:  # noqa: N802
        if self._grab is not None or self._line is not None:
            self._drag(event.position())
        else:
            near = self._note_near(event.position().x())
            self.setCursor(Qt.CursorShape.SizeVerCursor if near else Qt.CursorShape.CrossCursor)

    def _drag(self, pos: QPointF) -> None:
        if self._grab is not None:
            v = self.velocity_at(pos.y())
            if self._grab.id in self._scene.selected:
                delta = v - self._grab.velocity
                self._preview = {n.id: n.velocity + delta for n in self._scene.selected_notes()}
            else:
                self._preview = {self._grab.id: v}
        elif self._line is not None:
            a = self._line[0]
            self._line = (a, pos)
            self._preview = self.ramp(a, pos)
        self.update()

    def ramp(self, a: QPointF, b: QPointF) -> dict[str, int]:
        """Velocities along the line a-b for the notes whose starts lie under it."""
        (x0, y0), (x1, y1) = sorted(((a.x(), a.y()), (b.x(), b.y())))
        selected = self._scene.selected
        out = {}
        for n in self.visible_notes(x0, x1):
            if selected and n.id not in selected:
                continue
            x = self.x_of(n)
            f = 0.0 if x1 == x0 else (x - x0) / (x1 - x0)
            out[n.id] = self.velocity_at(y0 + (y1 - y0) * f)
        return out

    def mouseReleaseEvent(self, _event: QMouseEvent) -> None:  # noqa: N802
        preview, self._preview, self._grab, self._line = self._preview, {}, None, None
        clip_id = self._scene.clip_id
        if preview and clip_id is not None:
            result = ops.velocities(self._view.document.song, clip_id, preview)
            if result is not None:
                self._view.document.apply(result.text, result.song)
        self.update()
