"""Auditioning candidates: loop one with the bar before it as lead-in; another one takes over at once."""

from __future__ import annotations

from dataclasses import replace
from typing import TYPE_CHECKING

from PySide6.QtCore import QObject, Signal

from composer_app.audio.audition import candidate_song
from composer_app.core.song import Note, Song
from composer_app.ui.assistant.controller import accepted_song
from composer_app.ui.assistant.session import Suggestion, Target

if TYPE_CHECKING:
    from composer_app.ui.audio_service import AudioService

NO_OUTPUT = "No sound output in this window: auditioning is off"
NO_DEVICE = "No audio device: auditions are silent"
LEAD_IN_BARS = 1


class CandidateAudition(QObject):
    """Plays through the window's audio service (None: no sound at all); ``playing_changed`` follows it."""

    playing_changed = Signal(object)  # the Suggestion playing, or None

    def __init__(self, audio: AudioService | None, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.audio = audio
        self.playing: Suggestion | None = None
        if audio is not None:
            audio.transport.playing_changed.connect(self._on_transport)

    def device_note(self) -> str:
        """'' when candidates can be heard, else one line saying why not (shown on the cards)."""
        if self.audio is None:
            return NO_OUTPUT
        if not self.audio.output.audible:
            return NO_DEVICE
        return ""

    def play(self, suggestion: Suggestion, song: Song, target: Target) -> bool:
        """Loop ``suggestion`` with one bar of lead-in as the song would sound with it kept (``heard_song``)."""
        if self.audio is None:
            return False
        self.playing = suggestion
        self.audio.audition_song(heard_song(song, target, suggestion), suggestion.start_tick, suggestion.end_tick,
                                 lead_in_bars=LEAD_IN_BARS, loop=True)
        self.playing_changed.emit(suggestion)
        return True

    def toggle(self, suggestion: Suggestion, song: Song, target: Target) -> bool:
        """Play ``suggestion``, or stop when it is the one playing. True when it now plays."""
        if self.playing is not None and self.playing == suggestion:
            self.stop()
            return False
        return self.play(suggestion, song, target)

    def stop(self) -> None:
        if self.playing is None:
            return
        self.playing = None
        if self.audio is not None and self.audio.mode == "audition":
            self.audio.stop()
        self.playing_changed.emit(None)

    def _on_transport(self, playing: bool) -> None:
        if not playing and self.playing is not None:
            self.playing = None
            self.playing_changed.emit(None)


def heard_song(song: Song, target: Target, suggestion: Suggestion) -> Song:
    """The song with ``suggestion`` kept, as Keep would leave it (``accepted_song``): a fill or variation replaces
    the notes of its span, a harmonization the chords and the accompaniment of its span, so what it replaces is
    not heard under it. The tracks the candidate lands on sound even when muted (and are soloed along with a
    soloed track). Where it cannot be kept (its track is gone), its notes play over the song on their own track."""
    try:
        kept = accepted_song(song, target, suggestion)
    except (KeyError, ValueError):
        start = suggestion.start_tick
        notes = [Note(p, s - start, max(1, d), min(max(v, 1), 127)) for p, s, d, v in suggestion.notes]
        return candidate_song(notes, song, at=start)[0]
    before = {t.id: t for t in song.tracks}
    changed = {t.id for t in kept.tracks if before.get(t.id) != t}
    solo = any(t.solo for t in kept.tracks)
    return replace(kept, tracks=tuple(replace(t, mute=False, solo=t.solo or solo) if t.id in changed else t
                                      for t in kept.tracks))
