"""Voiced chords to notes in the pattern of each voicing style (block, pop piano, broken chords that follow
the meter, SATB), with every accompaniment note cut where it would clash (m2/m9) with the melody."""

from __future__ import annotations

from bisect import bisect_left
from collections.abc import Callable, Sequence

from composer_app.model.continuation import Cancelled
from composer_app.model.harmony_features import slot_grid
from composer_app.model.voicing import ChordSpan, MelodyNote, Voicing, voice_chords

Note = tuple[int, int, int, int]
"""(pitch, start, duration, velocity)."""
MIN_PIECE = 60


def clashes(p: int, m: int) -> bool:
    """True when accompaniment pitch ``p`` is a minor second/ninth (plus octaves) from melody pitch ``m``."""
    d = m - p
    return d != 0 and abs(d) % 12 == 1


def _strikes(start: int, end: int, bar_starts: Sequence[int]) -> list[tuple[int, int]]:
    cuts = [start] + [b for b in bar_starts if start < b < end] + [end]
    return [(a, b) for a, b in zip(cuts, cuts[1:]) if b > a]


def render(voicing: Voicing, meters: Sequence[tuple[int, int, int]], style: str,
           melody: Sequence[MelodyNote] = ()) -> list[Note]:
    """Notes of the accompaniment for ``voicing`` in ``style``."""
    if not voicing.spans:
        return []
    end = max(s + d for s, d, _ in voicing.spans)
    beats = slot_grid(meters, end, "beat")
    bar_starts = sorted({b.start for b in beats if b.pos == 0})
    beat_starts = [b.start for b in beats]
    notes: list[Note] = []
    for (start, dur, _), pitches in zip(voicing.spans, voicing.pitches):
        stop = start + dur
        if style == "pop":
            bass = pitches[0]
            for a, b in _strikes(start, stop, bar_starts):
                notes.append((bass, a, b - a, 78))
                if bass + 12 < pitches[1]:
                    notes.append((bass + 12, a, b - a, 70))
            hits = [t for t in beat_starts if start <= t < stop] or [start]
            for i, t in enumerate(hits):
                nxt = hits[i + 1] if i + 1 < len(hits) else stop
                notes.extend((p, t, max(1, nxt - t - 20), 66) for p in pitches[1:])
        elif style == "broken":
            notes.extend(_arpeggio(pitches, start, stop, beats))
        else:
            voices = pitches
            if style == "satb" and melody and any(s0 <= start < s0 + d0 and p0 == pitches[-1]
                                                  for p0, s0, d0 in melody):
                voices = pitches[:-1]  # the soprano is the melody itself
            for a, b in _strikes(start, stop, bar_starts):
                notes.extend((p, a, b - a, 72 if i else 78) for i, p in enumerate(voices))
    return avoid_clashes(notes, melody)


def _arpeggio(pitches: tuple[int, ...], start: int, stop: int, beats: Sequence) -> list[Note]:
    order = [pitches[0], *pitches[1:], *reversed(pitches[1:-1])]
    out: list[Note] = []
    k = 0
    for b in beats:
        if b.end <= start or b.start >= stop:
            continue
        length = b.end - b.start
        parts = 3 if length % 3 == 0 and length >= 720 else 2
        step = length // parts
        for j in range(parts):
            t = b.start + j * step
            if start <= t < stop:
                out.append((order[k % len(order)], t, min(step, stop - t), 74 if k % len(order) == 0 else 64))
                k += 1
    return out


def avoid_clashes(notes: Sequence[Note], melody: Sequence[MelodyNote]) -> list[Note]:
    """Each note with the stretches where it clashes with a melody note removed (short leftovers dropped)."""
    out: list[Note] = []
    mel = sorted(melody, key=lambda n: n[1])
    starts = [n[1] for n in mel]
    longest = max((n[2] for n in mel), default=0)
    for p, s, d, v in notes:
        window = mel[bisect_left(starts, s - longest):bisect_left(starts, s + d)]
        cuts = [(max(s, ms), min(s + d, ms + md)) for mp, ms, md in window
                if ms < s + d and ms + md > s and clashes(p, mp)]
        if not cuts:
            out.append((p, s, d, v))
            continue
        t = s
        for a, b in sorted(cuts):
            if a - t >= MIN_PIECE:
                out.append((p, t, a - t, v))
            t = max(t, b)
        if s + d - t >= MIN_PIECE:
            out.append((p, t, s + d - t, v))
    out.sort(key=lambda n: (n[1], n[0]))
    return out


def accompany(chords: Sequence[ChordSpan], melody: Sequence[MelodyNote], meters: Sequence[tuple[int, int, int]],
              style: str = "close", cancel: Callable[[], bool] | None = None) -> tuple[Voicing, list[Note]]:
    """Voice and render a progression against a melody in one call; ``cancel`` is asked before the voicing
    search and before rendering (``Cancelled`` when it answers True)."""
    if cancel is not None and cancel():
        raise Cancelled("voicing was cancelled")
    voicing = voice_chords(chords, melody, style)
    if cancel is not None and cancel():
        raise Cancelled("voicing was cancelled")
    return voicing, render(voicing, meters, style, melody)
