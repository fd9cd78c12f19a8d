"""Songs in and out of the harmonizer: pick the melody track, build a request, write lead-sheet songs."""

from __future__ import annotations

from dataclasses import replace

import numpy as np

from composer_app.core.pitch import KeySignature
from composer_app.core.song import ChordSymbol, Clip, Note, Song, Track
from composer_app.model.harmony import ChordSpan, HarmonyRequest, MelodyNote


def pick_melody(song: Song, name: str | None = None) -> Track:
    """The track named ``name``, else the first named 'melody', else the highest mostly monophonic track."""
    tracks = [t for t in song.tracks if t.note_count and not t.is_drum]
    if not tracks:
        raise ValueError("the song has no notes to harmonize")
    if name is not None:
        for t in song.tracks:
            if t.name.strip().lower() == name.strip().lower():
                return t
        raise ValueError(f"no track named {name!r}")
    for t in tracks:
        if t.name.strip().lower() == "melody":
            return t

    def score(t: Track) -> tuple[bool, float]:
        notes = t.notes_absolute()
        onsets = [n.start for n in notes]
        poly = 1 - len(set(onsets)) / len(onsets)
        return poly < 0.2, sum(n.pitch for n in notes) / len(notes)

    return max(tracks, key=score)


def melody_notes(track: Track) -> tuple[MelodyNote, ...]:
    """(pitch, start, duration) of a track, absolute ticks."""
    return tuple((n.pitch, n.start, n.duration) for n in track.notes_absolute())


# Krumhansl-Kessler key profiles (major, minor), tonic first
_PROFILES = {"major": (6.35, 2.23, 3.48, 2.33, 4.38, 4.09, 2.52, 5.19, 2.39, 3.66, 2.29, 2.88),
             "minor": (6.33, 2.68, 3.52, 5.38, 2.60, 3.53, 2.54, 4.75, 3.98, 2.69, 3.34, 3.17)}


def estimate_key(melody: tuple[MelodyNote, ...]) -> KeySignature:
    """The key whose profile best correlates with the melody's duration-weighted pitch classes."""
    hist = np.zeros(12)
    for p, _, d in melody:
        hist[p % 12] += d
    if not hist.any():
        return KeySignature(0)
    best, best_r = KeySignature(0), -2.0
    for mode, profile in _PROFILES.items():
        for tonic in range(12):
            r = float(np.corrcoef(hist, np.roll(profile, tonic))[0, 1])
            if r > best_r + 1e-9:
                best, best_r = KeySignature(0, tonic, mode), r
    return best


def song_key(song: Song, melody: tuple[MelodyNote, ...]) -> KeySignature:
    """The song's first key; estimated from the melody when the song only has the default (no key event)."""
    if song.keys == (KeySignature(0),):
        return estimate_key(melody)
    return song.keys[0]


def request_for(song: Song, track: Track, **options) -> HarmonyRequest:
    """A request for ``track`` of ``song`` with its meters, first key (or an estimate) and existing chords."""
    melody = melody_notes(track)
    fields = {"melody": melody,
              "meters": tuple((m.tick, m.numerator, m.denominator) for m in song.meters),
              "key": song_key(song, melody), "end": max((n.end for n in track.notes_absolute()), default=0),
              "existing": tuple((c.start, c.duration, c.label) for c in song.chords)}
    fields.update(options)
    return HarmonyRequest(**fields)


def lead_sheet(song: Song, track: Track, chords: tuple[ChordSpan, ...],
               accompaniment: list[tuple[int, int, int, int]]) -> Song:
    """A lead-sheet song: track 'melody' (the input melody), 'accompaniment', and the chord symbols."""
    melody = replace(track, name="melody", channel=0, id=track.id)
    tracks = [melody]
    if accompaniment:
        end = max(s + d for _, s, d, _ in accompaniment)
        notes = tuple(Note(p, s, d, v) for p, s, d, v in accompaniment)
        tracks.append(Track(name="accompaniment", program=0, channel=1, volume=90,
                            clips=(Clip(0, max(1, end), notes, name="accompaniment"),)))
    symbols = tuple(ChordSymbol(s, d, lab) for s, d, lab in chords)
    return Song(tracks=tuple(tracks), tempos=song.tempos, meters=song.meters, keys=song.keys, chords=symbols,
                title=song.title)
