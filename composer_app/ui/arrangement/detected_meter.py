"""DetectedMeterButton: "Detected: 3/4" beside the time signature where a song written in 2/4 or 4/4 (a MIDI file
without a time signature reads as 4/4) moves in three; one click sets 3/4 from its first downbeat, one undo step."""

from __future__ import annotations

from PySide6.QtWidgets import QWidget

from composer_app.core.song import Song
from composer_app.model.triple_meter import TripleMeter, in_three, song_in_three
from composer_app.ui.arrangement.link_button import LinkButton
from composer_app.ui.document import SongDocument

UNDO_TEXT = "Set time signature 3/4"


class DetectedMeterButton(LinkButton):
    """Hidden unless the notes move in three where the song's bars have two or four beats."""

    def __init__(self, document: SongDocument, parent: QWidget | None = None) -> None:
        super().__init__(document, parent)
        self.found: TripleMeter | None = None
        self._meters: object = None
        self.setText("Detected: 3/4")
        self.clicked.connect(self.adopt)
        self.detect()

    def song_changed(self, song: Song) -> None:
        if song.meters is not self._meters:
            self.detect()  # a time signature set by hand hides or shows it at once

    def judge(self, song: Song) -> None:
        self._meters = song.meters
        self.found = song_in_three(song)
        self.setVisible(self.found is not None)
        if self.found is not None:
            where = (f"; the first downbeat is beat {self.found.pickup + 1}, so the beats before it become a pickup bar"
                     if self.found.pickup else "")
            self.setToolTip(f"The notes lean on every third beat: the music moves in three, though the song's bars "
                            f"have {song.meters[0].numerator} beats (a MIDI file without a time signature reads as "
                            f"4/4){where}. Click to set 3/4 (undo with Ctrl+Z).")

    def adopt(self) -> None:
        """Set 3/4 from the music's first downbeat (one undo step)."""
        self.detect()
        if self.found is not None:
            self.document.apply(UNDO_TEXT, in_three(self.document.song, self.found))
            self.detect()
