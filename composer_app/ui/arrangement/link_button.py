"""LinkButton: a hint shown as a link in the transport bar ("Detected: Gb major", "Off the beat: align") that judges
the song again a moment after its notes change (never on each step of a drag)."""

from __future__ import annotations

from PySide6.QtCore import Qt, QTimer
from PySide6.QtWidgets import QToolButton, QWidget

DEBOUNCE_MS = 400
"""Judging runs this long after the last note edit."""


class LinkButton(QToolButton):
    """Subclasses judge the song in ``detect``; ``detect_soon`` asks for it after the pause."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setAutoRaise(True)
        self.setStyleSheet("QToolButton:enabled { color: palette(link); text-decoration: underline; }")
        self.setCursor(Qt.CursorShape.PointingHandCursor)
        self._timer = QTimer(self)
        self._timer.setSingleShot(True)
        self._timer.setInterval(DEBOUNCE_MS)
        self._timer.timeout.connect(self.detect)

    def detect_soon(self) -> None:
        self._timer.start()

    def detect(self) -> None:
        """Judge the song now (the pause's end calls it); stops a pending judgement."""
        self._timer.stop()
