"""TimeScale: the horizontal zoom, mapping song ticks to pixels and back."""

from __future__ import annotations

from PySide6.QtCore import QObject, Signal

from composer_app.core.timing import PPQ


class TimeScale(QObject):
    """Pixels per quarter note; views that share one zoom together."""

    changed = Signal()

    MIN_PPQN = 2.0
    MAX_PPQN = 1200.0

    def __init__(self, pixels_per_quarter: float = 80.0, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._ppqn = self._clamp(pixels_per_quarter)

    def _clamp(self, value: float) -> float:
        return max(self.MIN_PPQN, min(self.MAX_PPQN, float(value)))

    @property
    def pixels_per_quarter(self) -> float:
        return self._ppqn

    def set_pixels_per_quarter(self, value: float) -> None:
        value = self._clamp(value)
        if value != self._ppqn:
            self._ppqn = value
            self.changed.emit()

    def zoom(self, factor: float) -> None:
        self.set_pixels_per_quarter(self._ppqn * factor)

    def x(self, tick: float) -> float:
        return tick * self._ppqn / PPQ

    def tick(self, x: float) -> int:
        return round(x * PPQ / self._ppqn)

    def width(self, ticks: float) -> float:
        return ticks * self._ppqn / PPQ
