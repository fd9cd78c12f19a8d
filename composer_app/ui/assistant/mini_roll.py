"""A miniature piano roll of one candidate for its card (bar lines, notes in the candidate's colour)."""

from __future__ import annotations

from PySide6.QtCore import QRectF, QSize
from PySide6.QtGui import QColor, QPainter, QPaintEvent
from PySide6.QtWidgets import QWidget

from composer_app.ui.assistant.colors import candidate_color
from composer_app.ui.assistant.session import Suggestion


class MiniRoll(QWidget):
    """Paints ``suggestion``'s notes scaled to the widget; ``bar_ticks`` gives the bar lines."""

    def __init__(self, suggestion: Suggestion, bar_starts: list[int], parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.suggestion = suggestion
        self.bar_starts = bar_starts
        self.setMinimumHeight(44)

    def sizeHint(self) -> QSize:  # noqa: N802 (Qt override)
        return QSize(220, 48)

    def paintEvent(self, _event: QPaintEvent) -> None:  # noqa: N802
        s = self.suggestion
        painter = QPainter(self)
        painter.fillRect(self.rect(), QColor(31, 33, 39))
        w, h = self.width(), self.height()
        t0, t1 = s.start_tick, max(s.end_tick, s.start_tick + 1)
        pitches = [n[0] for n in s.notes] or [60]
        lo, hi = min(pitches) - 2, max(pitches) + 2
        x = lambda tick: (tick - t0) / (t1 - t0) * w  # noqa: E731
        painter.setPen(QColor(70, 74, 84))
        for bar in self.bar_starts:
            if t0 <= bar <= t1:
                painter.drawLine(round(x(bar)), 0, round(x(bar)), h)
        row = h / max(1, hi - lo + 1)
        painter.setPen(QColor(14, 22, 32))
        painter.setBrush(candidate_color(s.index))
        for pitch, start, duration, _v in s.notes:
            painter.drawRect(QRectF(x(start), (hi - pitch) * row, max(2.0, x(start + duration) - x(start)),
                                    max(2.0, row)))
        painter.end()
