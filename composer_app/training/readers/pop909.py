"""POP909 songs: MELODY and PIANO+BRIDGE tracks, chords, meter from beat_midi.txt, keys from key_audio."""

from __future__ import annotations

from bisect import bisect_left
from collections import Counter
from collections.abc import Iterator
from pathlib import Path

from composer_app.core.pitch import KeySignature
from composer_app.core.timing import PPQ, TempoChange, TempoMap
from composer_app.training.corpus import Part, Piece, SkipPiece, harte, make_notes
from composer_app.training.midifile import read_midi
from composer_app.training.skips import SkipLog

SOURCE = "pop909"
LICENCE = "MIT (POP909 dataset, Music X Lab); arrangements of commercial songs: never ship the MIDI itself"


def _read_rows(path: Path) -> list[list[str]]:
    return [line.split() for line in path.read_text().splitlines() if line.strip()]


def _downbeats(beat_rows: list[list[str]]) -> tuple[list[int], int]:
    """Indices of bar downbeats and the beats per bar.

    beat_midi.txt columns: seconds, 1.0 on every 2nd (or 3rd) beat, 1.0 on every 4th (or 6th) beat.
    A song whose column-2 marks come every 3 beats is in 3/4 (bars from column 2); otherwise 4/4
    (bars from column 3).
    """
    col2 = [i for i, r in enumerate(beat_rows) if float(r[1]) == 1.0]
    col3 = [i for i, r in enumerate(beat_rows) if float(r[2]) == 1.0]
    gaps = Counter(b - a for a, b in zip(col2, col2[1:]))
    if gaps and gaps.most_common(1)[0][0] == 3:
        return col2, 3
    return col3, 4


def read_song(folder: Path) -> Piece:
    name = folder.name
    data = read_midi(folder / f"{name}.mid")
    if data.warnings:  # a damaged file: never train on part of a tune
        raise SkipPiece("; ".join(data.warnings))
    tempo_map = TempoMap([TempoChange(t, us) for t, us in data.tempos])
    beats = _read_rows(folder / "beat_midi.txt")
    if len(beats) < 8:
        raise SkipPiece("beat_midi.txt has fewer than 8 beats")
    beat_ticks = [tempo_map.tick_at(float(r[0])) for r in beats]
    # The MIDI's tick grid is offset from the beat grid: shift everything so beats fall on multiples of PPQ.
    shift = (PPQ - beat_ticks[0] % PPQ) % PPQ
    beat_ticks = [round((t + shift) / PPQ) * PPQ for t in beat_ticks]

    downs, per_bar = _downbeats(beats)
    if not downs:
        raise SkipPiece("no downbeats in beat_midi.txt")
    meters: list[tuple[int, int, int]] = []
    first = beat_ticks[downs[0]]
    pickup = (first // PPQ) % per_bar
    if pickup:
        meters.append((0, pickup, 4))
    current = None
    for i, d in enumerate(downs):
        length = (downs[i + 1] - d) if i + 1 < len(downs) else per_bar
        if length != current and 1 <= length <= 16:
            meters.append((beat_ticks[d], length, 4))
            current = length
    if meters[0][0] != 0:
        meters.insert(0, (0, per_bar, 4))
    bar_ticks = sorted({beat_ticks[d] for d in downs})

    def to_tick(seconds: float) -> int:
        return tempo_map.tick_at(seconds) + shift

    def shifted(notes):
        return make_notes((p, s + shift, d, v) for p, s, d, v in notes)

    melody_track = data.track("MELODY")
    if melody_track is None or not melody_track.notes:
        raise SkipPiece("no MELODY notes")
    accompaniment = [n for t in (data.track("PIANO"), data.track("BRIDGE")) if t for n in t.notes]
    parts = [Part("melody", shifted(melody_track.notes), "MELODY")]
    if accompaniment:
        parts.append(Part("accompaniment", shifted(accompaniment), "PIANO+BRIDGE"))

    chords = []
    for row in _read_rows(folder / "chord_midi.txt"):
        start, end = to_tick(float(row[0])), to_tick(float(row[1]))
        if end > start:
            chords.append((start, end - start, harte(row[2])))

    keys: list[KeySignature] = []
    for row in _read_rows(folder / "key_audio.txt"):
        tick = 0
        if keys:  # later changes snap to the nearest bar line
            t = to_tick(float(row[0]))
            i = bisect_left(bar_ticks, t)
            near = [b for b in bar_ticks[max(i - 1, 0): i + 1]]
            tick = min(near, key=lambda b: abs(b - t)) if near else t
        key = KeySignature.parse(tick, row[2])
        if keys and key.tick <= keys[-1].tick:
            continue
        if not keys or (key.tonic, key.mode) != (keys[-1].tonic, keys[-1].mode):
            keys.append(key)
    tempos = tuple(sorted({(t + shift if t else 0, us) for t, us in data.tempos})) or ((0, 500_000),)
    return Piece(
        id=f"{SOURCE}/{name}", source=SOURCE, style="pop", meters=tuple(meters), keys=tuple(keys),
        chords=tuple(chords), parts=tuple(parts), licence=LICENCE, tempos=tempos,
    )


def iter_pieces(root: Path, limit: int | None = None, skips: SkipLog | None = None) -> Iterator[Piece]:
    """Pieces from ``root`` (the pop909 folder), in song-number order."""
    skips = skips if skips is not None else SkipLog()
    count = 0
    for folder in sorted(p for p in (root / "POP909").iterdir() if p.is_dir() and p.name.isdigit()):
        if limit is not None and count >= limit:
            return
        try:
            piece = read_song(folder)
        except SkipPiece as exc:
            skips.add(SOURCE, folder.name, str(exc))
            continue
        except Exception as exc:  # noqa: BLE001 - a broken file is counted, not fatal
            skips.add(SOURCE, folder.name, f"{type(exc).__name__}: {exc}")
            continue
        count += 1
        yield piece
