"""LinkButton: a hint shown as a link in the transport bar ("Detected: Gb major", "Off the beat: align", "Detected:
3/4") that judges the song again a moment after what it judges changes (never on each step of a drag)."""

from __future__ import annotations

from PySide6.QtCore import Qt, QTimer
from PySide6.QtWidgets import QToolButton, QWidget

from composer_app.core.song import Song
from composer_app.ui.document import SongDocument

DEBOUNCE_MS = 400
"""Judging runs this long after the last edit of what a hint judges."""


class LinkButton(QToolButton):
    """Subclasses judge the song in ``judge`` (called by ``detect``); ``judged`` names the parts of the song whose
    change calls for judging again after the pause; ``song_changed`` reacts at once to every change."""

    def __init__(self, document: SongDocument, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.document = document
        self._seen: tuple[object, ...] = ()
        self.setAutoRaise(True)
        self.setStyleSheet("QToolButton:enabled { color: palette(link); text-decoration: underline; }")
        self.setCursor(Qt.CursorShape.PointingHandCursor)
        self._timer = QTimer(self)
        self._timer.setSingleShot(True)
        self._timer.setInterval(DEBOUNCE_MS)
        self._timer.timeout.connect(self.detect)
        document.song_changed.connect(self._song_changed)

    def judged(self, song: Song) -> tuple[object, ...]:
        """The parts of ``song`` the hint judges (by identity: the song's values are never changed in place)."""
        return (song.tracks,)

    def _song_changed(self, _old: Song, new: Song) -> None:
        if any(a is not b for a, b in zip(self.judged(new), self._seen)):
            self._timer.start()
        self.song_changed(new)

    def song_changed(self, song: Song) -> None:
        """At once, on every change of the song (nothing by default)."""

    def detect(self) -> None:
        """Judge the song now (the pause's end calls it); stops a pending judgement."""
        self._timer.stop()
        song = self.document.song
        self._seen = self.judged(song)
        self.judge(song)

    def judge(self, song: Song) -> None:
        raise NotImplementedError
