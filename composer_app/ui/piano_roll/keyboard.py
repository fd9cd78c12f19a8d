"""Keyboard column: piano keys beside the roll with note names (C4 = middle C marked); click to hear a key."""

from __future__ import annotations

from PySide6.QtCore import QRectF, Qt, Signal
from PySide6.QtGui import QColor, QMouseEvent, QPainter, QPaintEvent, QPen
from PySide6.QtWidgets import QWidget

from composer_app.core.pitch import note_name
from composer_app.ui.piano_roll.backdrop import BLACK_KEYS
from composer_app.ui.piano_roll.view import PianoRollView

WIDTH = 62
BLACK_WIDTH = 0.6
MIDDLE_C = 60


class KeyboardColumn(QWidget):
    """Follows the view's vertical scroll and row height. ``note_preview(pitch, velocity)`` fires on
    press (velocity from how far right the key was hit) and with velocity 0 on release."""

    note_preview = Signal(int, int)

    def __init__(self, view: PianoRollView, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._view = view
        self.pressed: int | None = None
        self.setFixedWidth(WIDTH)
        view.viewport_moved.connect(self.update)

    def pitch_at(self, y: float) -> int:
        row = (y + self._view.v_offset()) / self._view.row_px
        return max(0, min(127, 127 - int(row // 1)))

    def y_of(self, pitch: int) -> float:
        return (127 - pitch) * self._view.row_px - self._view.v_offset()

    def paintEvent(self, _event: QPaintEvent) -> None:  # noqa: N802 (Qt override)
        p = QPainter(self)
        h, w, rh = self.height(), self.width(), self._view.row_px
        p.fillRect(self.rect(), QColor(232, 232, 228))
        top, bottom = self.pitch_at(h), self.pitch_at(0)
        font = p.font()
        font.setPixelSize(max(8, min(11, int(rh * 0.75))))
        p.setFont(font)
        every = rh >= 15
        for pitch in range(top, bottom + 1):
            y = self.y_of(pitch)
            pc = pitch % 12
            if pc in BLACK_KEYS:
                colour = QColor(235, 150, 70) if pitch == self.pressed else QColor(38, 40, 46)
                p.fillRect(QRectF(0, y, w * BLACK_WIDTH, rh), colour)
                p.setPen(QPen(QColor(150, 150, 146)))
                p.drawLine(QRectF(w * BLACK_WIDTH, y + rh / 2, w, 0).topLeft(), QRectF(w, y + rh / 2, 0, 0).topLeft())
            else:
                if pitch == self.pressed:
                    p.fillRect(QRectF(0, y, w, rh), QColor(250, 200, 140))
                if pc in (4, 11):  # the seam between E-F and B-C
                    p.setPen(QPen(QColor(150, 150, 146)))
                    p.drawLine(QRectF(0, y, w, 0).topLeft(), QRectF(w, y, 0, 0).topLeft())
            if pc == 0 or (every and pc not in BLACK_KEYS):
                text = note_name(pitch)
                bold = pitch == MIDDLE_C
                font.setBold(bold)
                p.setFont(font)
                colour = QColor(190, 70, 40) if bold else QColor(70, 72, 78) if pc == 0 else QColor(130, 130, 130)
                p.setPen(QPen(colour))
                p.drawText(QRectF(0, y, w - 4, rh), Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter, text)
        p.setPen(QPen(QColor(120, 120, 116)))
        p.drawLine(w - 1, 0, w - 1, h)
        p.end()

    # ------------------------------------------------------------ mouse
    def mousePressEvent(self, event: QMouseEvent) -> None:  # noqa: N802
        if event.button() == Qt.MouseButton.LeftButton:
            self._sound(self.pitch_at(event.position().y()), event.position().x())

    def mouseMoveEvent(self, event: QMouseEvent) -> None:  # noqa: N802
        if self.pressed is not None:
            pitch = self.pitch_at(event.position().y())
            if pitch != self.pressed:
                self._sound(pitch, event.position().x())

    def mouseReleaseEvent(self, _event: QMouseEvent) -> None:  # noqa: N802
        if self.pressed is not None:
            self.note_preview.emit(self.pressed, 0)
            self.pressed = None
            self.update()

    def _sound(self, pitch: int, x: float) -> None:
        if self.pressed is not None:
            self.note_preview.emit(self.pressed, 0)
        self.pressed = pitch
        velocity = max(30, min(127, round(40 + 87 * x / max(1, self.width()))))
        self.note_preview.emit(pitch, velocity)
        self.update()
