"""OffBeatButton: "Off the beat" beside the time signature, shown only where the notes keep to beats of their own and
not the grid's: a fixed part of a beat off it (a MIDI file aligned to a recording: "align"), or drifting across it (a
take played without the click: "follow the playing"). One click puts the music on the beat, one undo step; the
assistant, quantize and the metronome then work with its beats."""

from __future__ import annotations

from PySide6.QtCore import Signal
from PySide6.QtWidgets import QWidget

from composer_app.core.song import Song
from composer_app.model.as_played import off_the_beat
from composer_app.model.beat_offset import BeatOffset, on_the_beat
from composer_app.model.played_tempo import PlayedTempo, follow
from composer_app.ui.arrangement.link_button import LinkButton
from composer_app.ui.document import SongDocument

UNDO_TEXT = "Align notes to the beat"
FOLLOW_TEXT = "Follow the playing's tempo"


class OffBeatButton(LinkButton):
    """Hidden while the notes keep to the grid; otherwise says how they are off it, and puts them on the beat on a
    click."""

    found = Signal(bool)
    """After each judgement: whether the notes are off the beat (the menu's "Align Notes to the Beat" follows it)."""

    def __init__(self, document: SongDocument, parent: QWidget | None = None) -> None:
        super().__init__(document, parent)
        self.offset: BeatOffset | None = None
        self.tempo: PlayedTempo | None = None
        self.setText("Off the beat: align")
        self.clicked.connect(self.align)
        self.detect()

    def judge(self, song: Song) -> None:
        found = off_the_beat(song)
        self.offset = found if isinstance(found, BeatOffset) else None
        self.tempo = found if isinstance(found, PlayedTempo) else None
        off = found is not None
        self.setVisible(off)
        self.found.emit(off)
        if self.offset is not None:
            self.setText("Off the beat: align")
            self.setToolTip(f"The notes keep to beats of their own, {self.offset.describe()} against the bar lines "
                            "(a MIDI file aligned to a recording): every note reads as off the beat, and suggestions "
                            "come out of step with the song. Click to move the music onto the beat (undo with "
                            "Ctrl+Z).")
        elif self.tempo is not None:
            self.setText("Off the beat: follow the playing")
            self.setToolTip(f"The notes drift across the song's beats: a take played without the click "
                            f"({self.tempo.describe()}), so its bars and beats mean nothing and suggestions come out "
                            "of time with it. Click to give the song a tempo map that follows the playing, each of its "
                            "beats a beat, in the bars its notes are felt in; it sounds as before (undo with Ctrl+Z).")

    def align(self) -> None:
        """Put the music on the beat (one undo step); nothing when it already keeps to the grid."""
        self.detect()
        if self.offset is not None:
            self.document.apply(UNDO_TEXT, on_the_beat(self.document.song, self.offset))
        elif self.tempo is not None:
            self.document.apply(FOLLOW_TEXT, follow(self.document.song, self.tempo))
        self.detect()
