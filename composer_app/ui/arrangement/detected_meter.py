"""DetectedMeterButton: "Detected: 3/4" (or 4/4) beside the time signature where the song's notes are felt in
another meter than its bars say: music in three written in 2/4 or 4/4 (a MIDI file without a time signature reads
as 4/4), or bars of one beat (1/4, as most of POP909's files are written); one click sets the meter found from its
first downbeat, one undo step."""

from __future__ import annotations

from PySide6.QtWidgets import QWidget

from composer_app.core.song import Song
from composer_app.model.felt_meter import FeltMeter, in_meter, one_beat_bars, song_meter
from composer_app.ui.arrangement.link_button import LinkButton
from composer_app.ui.document import SongDocument


def undo_text(found: FeltMeter) -> str:
    return f"Set time signature {found.name}"


class DetectedMeterButton(LinkButton):
    """Hidden unless the notes are felt in another meter than the song's bars."""

    def __init__(self, document: SongDocument, parent: QWidget | None = None) -> None:
        super().__init__(document, parent)
        self.found: FeltMeter | None = None
        self._meters: object = None
        self.setText("Detected: 3/4")
        self.clicked.connect(self.adopt)
        self.detect()

    def song_changed(self, song: Song) -> None:
        if song.meters is not self._meters:
            self.detect()  # a time signature set by hand hides or shows it at once

    def judge(self, song: Song) -> None:
        self._meters = song.meters
        self.found = song_meter(song)
        self.setVisible(self.found is not None)
        if self.found is not None:
            self.setText(f"Detected: {self.found.name}")
            self.setToolTip(_why(song, self.found))

    def adopt(self) -> None:
        """Set the meter found, from the music's first downbeat (one undo step)."""
        self.detect()
        if self.found is not None:
            self.document.apply(undo_text(self.found), in_meter(self.document.song, self.found))
            self.detect()


def _why(song: Song, found: FeltMeter) -> str:
    """The tooltip: what the notes do, what the bars say, and what a click does."""
    where = (f"; the first downbeat is beat {found.pickup + 1}, so the beats before it become a pickup bar"
             if found.pickup else "")
    every = {3: "third", 4: "fourth"}[found.beats]
    if one_beat_bars(song):
        said = (f"The song's bars are one beat long ({song.meters[0]}), as in MIDI files written to follow a "
                f"recording's beats, so 'Suggest next 4 bars' would write four beats. The notes lean on every {every} "
                f"beat{where}.")
    else:
        said = (f"The notes lean on every third beat: the music moves in three, though the song's bars have "
                f"{song.meters[0].numerator} beats (a MIDI file without a time signature reads as 4/4){where}.")
    return f"{said} Click to set {found.name} (undo with Ctrl+Z)."
