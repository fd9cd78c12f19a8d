"""What ``suggest`` and ``eval`` read from a song: the part to continue, its role, conditions; engine loading."""

from __future__ import annotations

import json
import re
import zipfile
from collections import Counter
from dataclasses import replace
from pathlib import Path

import numpy as np

from composer_app.core.errors import SongFileError
from composer_app.core.song import DRUM_CHANNEL, Clip, Song, Track
from composer_app.core.song import Note as SongNote
from composer_app.midi.leadsheet import is_chords_track_name
from composer_app.model import tokens as tk

Note = tuple[int, int, int, int]
POLYPHONY_SHARE = 0.25
"""A part with more than this share of onsets holding several notes is accompaniment, else melody."""
_STYLE_TAG = re.compile(r"\[(" + "|".join(tk.STYLES) + r")\]")


def pick_track(song: Song, name: str | None, path: str | Path) -> Track:
    """``name`` (any case), else the first track named melody, else the pitched track with most notes."""
    pitched = [t for t in song.tracks if not t.is_drum and t.channel != DRUM_CHANNEL
               and not is_chords_track_name(t.name)]
    if name is not None:
        for t in song.tracks:
            if t.name.strip().lower() == name.strip().lower():
                return t
        names = ", ".join(repr(t.name) for t in song.tracks) or "none"
        raise SongFileError(path, f"no track named {name!r} (tracks: {names})")
    for t in pitched:
        if t.name.strip().lower() == "melody":
            return t
    best = max(pitched, key=lambda t: t.note_count, default=None)
    if best is None or best.note_count == 0:
        raise SongFileError(path, "no pitched track with notes to continue")
    return best


def track_notes(track: Track) -> tuple[Note, ...]:
    return tuple((n.pitch, n.start, n.duration, n.velocity) for n in track.notes_absolute())


def infer_role(notes: tuple[Note, ...]) -> str:
    """'accompaniment' when many onsets hold several notes (chords), else 'melody'."""
    onsets = Counter(s for _, s, _, _ in notes)
    if not onsets:
        return "melody"
    stacked = sum(1 for c in onsets.values() if c > 1)
    return "accompaniment" if stacked / len(onsets) > POLYPHONY_SHARE else "melody"


def song_style(song: Song, default: str = "pop") -> str:
    """A ``[folk]``-style tag in the title (lead sheets written by the exporter), else ``default``."""
    m = _STYLE_TAG.search(song.title or "")
    return m.group(1) if m else default


def meters_of(song: Song) -> tuple[tuple[int, int, int], ...]:
    return tuple((m.tick, m.numerator, m.denominator) for m in song.meters)


def chords_of(song: Song) -> tuple[tuple[int, int, str], ...]:
    return tuple((c.start, c.duration, c.label) for c in song.chords)


def load_engine(path: str | Path | None):
    """The transformer engine, or the n-gram engine for an n-gram file; SongFileError when unusable."""
    from composer_app.model.continuation import DEFAULT_WEIGHTS, ContinuationEngine
    from composer_app.model.ngram import FORMAT as NGRAM_FORMAT
    from composer_app.model.ngram_engine import NgramEngine

    path = Path(path or DEFAULT_WEIGHTS)
    if not path.is_file():
        hint = "" if path.exists() else "; train one with python -m composer_app.training.continuation.train"
        raise SongFileError(path, f"no model file{hint}")
    if not zipfile.is_zipfile(path):
        raise SongFileError(path, "not a usable continuation model (not an .npz file)")
    try:
        with np.load(path, allow_pickle=False) as data:
            fmt = json.loads(bytes(data["__meta__"]).decode()).get("format") if "__meta__" in data.files else None
        if fmt == NGRAM_FORMAT:
            return NgramEngine.load(path)
        return ContinuationEngine.load(path)
    except Exception as exc:  # any unreadable or foreign file: one line, never a traceback
        detail = str(exc).splitlines()[0] if str(exc) else type(exc).__name__
        raise SongFileError(path, f"not a usable continuation model ({detail[:120]})") from None


def candidate_song(song: Song, track: Track, notes: tuple[Note, ...], start: int, end: int, name: str) -> Song:
    """A song holding only ``notes`` (one clip from ``start`` to ``end``), with the input's tempo, meter and key."""
    clip_notes = tuple(SongNote(p, s - start, max(1, d), min(max(v, 1), 127)) for p, s, d, v in notes)
    clip = Clip(start, max(1, end - start), clip_notes, name=name)
    out = replace(track, name=name, mute=False, solo=False, clips=(clip,))
    return Song(tracks=(out,), tempos=song.tempos, meters=song.meters, keys=song.keys, title=song.title)
