"""Auditioning candidates: loop one with the bar before it as lead-in; another one takes over at once."""

from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtCore import QObject, Signal

from composer_app.core.song import Note, Song
from composer_app.ui.assistant.session import Suggestion

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

    def play(self, suggestion: Suggestion, song: Song, track_id: str) -> bool:
        """Loop ``suggestion`` over ``song`` with one bar of lead-in, on its track's instrument."""
        if self.audio is None:
            return False
        try:
            track = song.track(track_id)
            program, channel = track.program, track.channel
        except KeyError:
            program, channel = 0, 0
        start = suggestion.start_tick
        notes = [Note(p, s - start, max(1, d), min(max(v, 1), 127)) for p, s, d, v in suggestion.notes]
        self.playing = suggestion
        self.audio.audition_notes(notes, start, program=program, channel=channel, lead_in_bars=LEAD_IN_BARS,
                                  loop=True)
        self.playing_changed.emit(suggestion)
        return True

    def toggle(self, suggestion: Suggestion, song: Song, track_id: str) -> bool:
        """Play ``suggestion``, or stop when it is the one playing. True when it now plays."""
        if self.playing is not None and self.playing == suggestion:
            self.stop()
            return False
        return self.play(suggestion, song, track_id)

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
