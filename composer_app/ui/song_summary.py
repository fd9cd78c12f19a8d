"""Plain-text descriptions of a song and its tracks, as the track list and status bar show them."""

from __future__ import annotations

import math
from pathlib import Path

from composer_app.core.gm import family, program_name
from composer_app.core.pitch import KeySignature
from composer_app.core.song import DRUM_CHANNEL, Song, Track

DASH = "\u2014"
EN_DASH = "\u2013"


def plural(n: int, word: str, words: str | None = None) -> str:
    return f"{n:,} {word if n == 1 else (words or word + 's')}"


def _changes(n: int) -> str:
    return f" (+{plural(n, 'change')})" if n > 0 else ""


def is_drum_track(track: Track) -> bool:
    return track.is_drum or track.channel == DRUM_CHANNEL


def channel_text(track: Track) -> str:
    return f"{track.channel + 1} (drums)" if is_drum_track(track) else str(track.channel + 1)


def instrument_text(track: Track) -> str:
    return program_name(track.program, is_drum_track(track))


def instrument_tooltip(track: Track) -> str:
    if is_drum_track(track):
        return f"Drum kit, program {track.program + 1}"
    return f"Program {track.program + 1} \u00b7 {family(track.program)}"


def pitch_range(track: Track) -> tuple[int, int] | None:
    pitches = [n.pitch for c in track.clips for n in c.notes]
    return (min(pitches), max(pitches)) if pitches else None


def range_text(track: Track, key: KeySignature) -> str:
    """The track's lowest to highest note, spelt as ``key`` spells them."""
    span = pitch_range(track)
    if span is None:
        return DASH
    low, high = span
    return key.spell(low) if low == high else f"{key.spell(low)}{EN_DASH}{key.spell(high)}"


def clock(seconds: float) -> str:
    """Seconds as m:ss (h:mm:ss past an hour)."""
    total = int(round(seconds))
    hours, rest = divmod(total, 3600)
    minutes, secs = divmod(rest, 60)
    return f"{hours}:{minutes:02d}:{secs:02d}" if hours else f"{minutes}:{secs:02d}"


def bpm_text(bpm: float) -> str:
    return f"{bpm:.0f}" if abs(bpm - round(bpm)) < 0.05 else f"{bpm:.1f}"


def bars_text(song: Song) -> str:
    return plural(math.ceil(song.length_bars - 1e-9), "bar")


def tempo_text(song: Song) -> str:
    return f"{bpm_text(song.tempos[0].bpm)} BPM{_changes(len(song.tempos) - 1)}"


def meter_text(song: Song) -> str:
    return f"{song.meters[0]}{_changes(len(song.meters) - 1)}"


def key_text(song: Song) -> str:
    return f"{song.keys[0].name}{_changes(len(song.keys) - 1)}"


def chords_text(song: Song) -> str:
    return plural(len(song.chords), "chord") if song.chords else "no chords"


def title_text(song: Song, path: Path | None) -> str:
    if song.title.strip():
        return song.title.strip()
    return path.stem if path is not None else "Untitled"


def facts(song: Song) -> list[str]:
    """The one-line facts under the title: length, tempo, meter, key, chords."""
    return [bars_text(song), clock(song.length_seconds), tempo_text(song), meter_text(song),
            key_text(song), chords_text(song)]


def opened_message(path: Path, song: Song) -> str:
    return f"Opened {path.name}: {plural(len(song.tracks), 'track')}, {plural(song.note_count, 'note')}"
