"""Dataset MIDI files through the app's own reader (composer_app.midi): the tracks and ticks the window sees."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from composer_app.core.song import Song
from composer_app.midi import load_midi
from composer_app.training.corpus import Note, make_notes


@dataclass
class MidiTrack:
    """One track as the app shows it (a file track with several channels is one track per channel)."""

    name: str
    notes: tuple[Note, ...]


@dataclass
class MidiData:
    """A MIDI file as the app reads it, at PPQ 480: its tracks, tempo changes and the reading's warnings."""

    song: Song
    tracks: list[MidiTrack]
    tempos: list[tuple[int, int]] = field(default_factory=list)  # (tick, us per quarter), from tick 0
    warnings: tuple[str, ...] = ()

    def track(self, name: str) -> MidiTrack | None:
        wanted = name.strip().lower()
        return next((t for t in self.tracks if t.name.strip().lower() == wanted), None)


def read_midi(path: Path) -> MidiData:
    """Read ``path`` with ``composer_app.midi.load_midi``; raises SongFileError on a file it cannot read."""
    read = load_midi(path)
    song = read.song
    tracks = [MidiTrack(t.name, make_notes((n.pitch, n.start, n.duration, n.velocity) for n in t.notes_absolute()))
              for t in song.tracks]
    tempos = [(t.tick, t.us_per_quarter) for t in song.tempos]
    return MidiData(song, tracks, tempos, read.warnings)
