"""OffBeatButton: "Off the beat: align" beside the time signature, shown only where the notes keep to beats of their
own between the grid's (a MIDI file aligned to a recording, a take played without the click). One click moves the
music onto the beat grid, one undo step; the assistant, quantize and the metronome then work with its beats."""

from __future__ import annotations

from PySide6.QtCore import Signal
from PySide6.QtWidgets import QWidget

from composer_app.core.song import Song
from composer_app.model.beat_offset import BeatOffset, on_the_beat, song_offset
from composer_app.ui.arrangement.link_button import LinkButton
from composer_app.ui.document import SongDocument

UNDO_TEXT = "Align notes to the beat"


class OffBeatButton(LinkButton):
    """Hidden while the notes keep to the grid; otherwise says how far off they are, and aligns them on a click."""

    found = Signal(bool)
    """After each judgement: whether the notes are off the beat (the menu's "Align Notes to the Beat" follows it)."""

    def __init__(self, document: SongDocument, parent: QWidget | None = None) -> None:
        super().__init__(document, parent)
        self.offset: BeatOffset | None = None
        self.setText("Off the beat: align")
        self.clicked.connect(self.align)
        self.detect()

    def judge(self, song: Song) -> None:
        self.offset = song_offset(song)
        self.setVisible(self.offset is not None)
        self.found.emit(self.offset is not None)
        if self.offset is not None:
            self.setToolTip(f"The notes keep to beats of their own, {self.offset.describe()} against the bar lines "
                            "(a MIDI file aligned to a recording, or played without the click): every note reads as "
                            "off the beat, and suggestions come out of step with the song. Click to move the music "
                            "onto the beat (undo with Ctrl+Z).")

    def align(self) -> None:
        """Move the music onto the beat grid (one undo step); nothing when it already keeps to it."""
        self.detect()
        if self.offset is not None:
            self.document.apply(UNDO_TEXT, on_the_beat(self.document.song, self.offset))
            self.detect()
