"""A part played in by hand, read as it would be written: its onsets on the grid the player meant.

A take recorded from a MIDI keyboard without input quantize (the app's default), or a performance saved by a DAW,
has its onsets a few milliseconds either side of the beat, and its notes released early (detached) or late
(legato). The network learnt from written music: every source it trained on has its onsets on the grid (POP909's
too, once its reader lines the beats up), so a take rounded to the model's fine grid (1/12 quarter) put notes on
positions written music hardly uses, and the candidates answered that rhythm rather than the player's.

``as_written`` takes off how late (or early) the player is throughout, hears beat by beat whether the notes there
are straight (16ths) or in triplets (8th triplets; a swing feel turns the whole take towards them), and puts each
onset on that beat's nearest point. A note is written up to the next onset when it sounded through most of the time
to it, else it ends on the nearest 16th (a rest follows). The last note ends on the first beat no more than a 16th
before its release, so a phrase held a little past its bar line does not make the next idea start a bar late. A
part whose onsets already lie on the written grid is left as it is.
"""

from __future__ import annotations

from bisect import bisect_right
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import replace
from statistics import median
from typing import Any

from composer_app.core.song import NoteTuple as Note
from composer_app.core.timing import PPQ
from composer_app.model.tokens import GRID, BarGrid

WRITTEN_GRIDS = (GRID, PPQ // 8)
"""Where written onsets lie: 1/12 quarter (16ths, 8th and 16th triplets) and 1/8 quarter (32nds)."""
TOLERANCE = 3
"""Ticks a written onset may be off its grid (a file at another resolution, rescaled to 480 per quarter)."""
WRITTEN_SHARE = 0.6
"""A part with fewer of its onsets than this on the written grid was played in (a played take has about 0.2 there by
chance; written music, POP909's transcriptions included, 0.9 or more)."""
MIN_ONSETS = 4
STRAIGHT, TRIPLET = PPQ // 4, PPQ // 3
NEAR_BEAT = 100
"""Onsets this close to a beat (ticks) tell how late the player is; 16ths and triplets lie 120 and 160 from one."""
TRIPLET_EVIDENCE = 900
"""How much smaller (squared ticks, summed over the beat's onsets) the error from the triplet points must be than
from the 16ths for a beat to be heard in triplets: about twice a player's spread (15 ticks, 15 ms at 120 bpm)
squared, so a lone 16th played a little late stays a 16th, and an 8th triplet (40 ticks from any 16th) does not.
In a take where most beats with notes between their points lie closer to the triplets (a swing feel, whose off-beat
8th may lie anywhere from 60 % to 70 % of the beat), the prior turns: a beat goes to the 16ths only where they fit
better by as much."""
SWING_SHARE = 0.5
TOGETHER = 30
"""Onsets closer than this (ticks) are one chord; two onsets further apart that land on one point are two notes."""
HELD = 0.5
"""A note sounding through at least this share of the time to the next onset is written up to it."""
CHORDS = 0.1
"""A part with at least this share of its onsets striking several notes plays chords (a piano's two hands) ..."""
NEIGHBOUR = 5
"""... and a note's own hand is the notes within this many semitones of it (a fourth)."""
LEGATO = STRAIGHT // 2
"""A note sounding less than this (ticks) into the next onset was played legato: it is written up to it."""


def is_played(notes: Sequence[Note]) -> bool:
    """Whether ``notes`` were played in by hand: too few of their onsets lie on the written grid."""
    onsets = {n[1] for n in notes}
    if len(onsets) < MIN_ONSETS:
        return False
    written = sum(any(min(s % g, g - s % g) <= TOLERANCE for g in WRITTEN_GRIDS) for s in onsets)
    return written < WRITTEN_SHARE * len(onsets)


def _written_starts(notes: Sequence[Note], grid: BarGrid, late: int) -> list[int]:
    """Each played note's onset as written (same order as ``notes``), its player ``late`` (ticks) throughout: on the
    grid each beat is heard in."""
    played = [max(n[1] - late, 0) for n in notes]
    windows: dict[tuple[int, int], list[int]] = {}  # (beat start, beat end) -> indices of the notes in it
    for i, s in enumerate(played):
        windows.setdefault(_beat(grid, s), []).append(i)
    beats = {w: [played[i] for i in members] for w, members in windows.items()}
    evidence = [_triplet_evidence(starts, a, b) for (a, b), starts in beats.items()]
    told = [e for e in evidence if e]
    swings = len(told) > 0 and sum(e > 0 for e in told) > SWING_SHARE * len(told)
    out = [n[1] for n in notes]
    for ((a, b), starts), members in zip(beats.items(), windows.values()):
        for i, s in zip(members, _snapped(starts, a, b, -TRIPLET_EVIDENCE if swings else TRIPLET_EVIDENCE)):
            out[i] = s
    return out


def _lateness(starts: list[int], grid: BarGrid) -> int:
    """How late (ticks; negative: early) the player is throughout: the median distance of the onsets near a beat (within
    NEAR_BEAT of it: no 16th, triplet or swung 8th) from it. A take recorded while the click sounded through a sound
    card's buffer comes in about that much late."""
    near = []
    for s in starts:
        bar = grid.map.bar_of(max(s, 0))
        r = (s - grid.start(bar)) % PPQ
        r = r - PPQ if r > PPQ // 2 else r
        if abs(r) < NEAR_BEAT:
            near.append(r)
    return int(median(near)) if near else 0


def _beat(grid: BarGrid, tick: int) -> tuple[int, int]:
    """The quarter-note beat ``tick`` falls in, counted from its bar line (the last one cut short by the bar's end)."""
    bar = grid.map.bar_of(tick)
    start, end = grid.start(bar), grid.start(bar + 1)
    a = start + (tick - start) // PPQ * PPQ
    return a, min(a + PPQ, end)


def _triplet_evidence(starts: list[int], a: int, b: int) -> int:
    """How much closer (squared ticks) the onsets of the beat ``a``..``b`` lie to its triplet points than to its
    16ths (0 for a beat cut short, or whose onsets lie on points both share)."""
    if b - a != PPQ:
        return 0
    return _error(starts, _nearest(starts, a, b, STRAIGHT)) - _error(starts, _nearest(starts, a, b, TRIPLET))


def _snapped(starts: list[int], a: int, b: int, evidence: int) -> list[int]:
    """The onsets of one beat ``a``..``b`` on its triplet points where they fit them better than its 16ths by more than
    ``evidence``, else on its 16ths; on the model's fine grid where that would put two separate onsets together
    (32nds, fast triplets)."""
    best = _nearest(starts, a, b, STRAIGHT)
    if _triplet_evidence(starts, a, b) > evidence:
        best = _nearest(starts, a, b, TRIPLET)
    if _merges(starts, best):
        best = _nearest(starts, a, b, GRID)
    return best


def _nearest(starts: list[int], a: int, b: int, step: int) -> list[int]:
    """Each of ``starts`` on the nearest of the points ``a``, ``a + step`` ... before ``b``, and ``b``."""
    out = []
    for s in starts:
        p = min(a + round((s - a) / step) * step, b)
        out.append(b if abs(b - s) < abs(s - p) else p)
    return out


def _error(starts: list[int], snapped: list[int]) -> int:
    return sum((s - p) ** 2 for s, p in zip(starts, snapped))


def _merges(starts: list[int], snapped: list[int]) -> bool:
    by_point: dict[int, list[int]] = {}
    for s, p in zip(starts, snapped):
        by_point.setdefault(p, []).append(s)
    return any(max(v) - min(v) > TOGETHER for v in by_point.values())


def written_each(notes: Sequence[Note], meters: Sequence[tuple[int, int, int]]) -> list[Note]:
    """Each of ``notes`` (pitch, start, duration, velocity) as written, in the same order; ``notes`` as they are when
    they were not played in (``is_played``)."""
    if not is_played(notes):
        return list(notes)
    grid = BarGrid(meters or ((0, 4, 4),))
    late = _lateness([n[1] for n in notes], grid)
    starts = _written_starts(notes, grid, late)
    every = sorted(set(starts))
    out = []
    for (p, s, d, v), w, own in zip(notes, starts, _own_onsets(notes, starts)):
        end = _written_end(s + d - late, w, every, grid)
        if own is not None:  # or up to its own hand's next note, when it was held most of the way to that
            end = max(end, _written_end(s + d - late, w, own, grid))
        out.append((p, w, end - w, v))
    return out


def _own_onsets(notes: Sequence[Note], starts: list[int]) -> list[list[int] | None]:
    """Per note, where the part strikes chords (CHORDS of its onsets): the written onsets (sorted) of the notes within
    NEIGHBOUR semitones of it, its own hand. A tune note held over the left hand's next notes is written up to the
    tune's next note, as a bass note is up to the chord after it. None for every note of a line (a tune, a bass
    line): any onset ends a note there."""
    struck = Counter(starts)
    if sum(c > 1 for c in struck.values()) < CHORDS * len(struck):
        return [None] * len(notes)
    by_pitch: dict[int, list[int]] = {}
    for n, w in zip(notes, starts):
        by_pitch.setdefault(n[0], []).append(w)
    near = {p: sorted({w for q, ws in by_pitch.items() if abs(q - p) <= NEIGHBOUR for w in ws}) for p in by_pitch}
    return [near[n[0]] for n in notes]


def as_written(notes: Sequence[Note], meters: Sequence[tuple[int, int, int]]) -> tuple[Note, ...]:
    """``notes`` as written (``written_each``), in time order; a key struck twice on one written onset is one note."""
    return deduped(written_each(notes, meters))


def deduped(notes: Iterable[Note]) -> tuple[Note, ...]:
    """``notes`` in time order (onset, pitch), one per pitch and onset (the longest)."""
    out: dict[tuple[int, int], Note] = {}
    for n in notes:
        if (n[0], n[1]) not in out or n[2] > out[(n[0], n[1])][2]:
            out[(n[0], n[1])] = n
    return tuple(sorted(out.values(), key=lambda n: (n[1], n[0])))


def _written_end(end: int, start: int, onsets: list[int], grid: BarGrid) -> int:
    """A played note's end as written, from its release ``end`` (the player's lateness taken off) among the part's
    written ``onsets`` (sorted), the note written at ``start``.

    Released less than LEGATO after an onset: up to it (legato playing). Released between two onsets: up to the later
    one when it sounded through HELD of the time between them, else on the nearest 16th (a rest follows, or a held
    note ends there). Released after every onset: up to the first beat no more than a 16th before its release."""
    j = max(bisect_right(onsets, end - LEGATO), bisect_right(onsets, start))
    if j == len(onsets):
        a, b = _beat(grid, max(end - STRAIGHT, 0))
        return max(b if end - STRAIGHT > a else a, start + STRAIGHT)
    nxt = onsets[j]
    prev = max(onsets[j - 1] if j else start, start)
    if end >= nxt or end - prev >= HELD * (nxt - prev):
        return nxt
    a, b = _beat(grid, max(end, 0))
    return max(_nearest([end], a, b, STRAIGHT)[0], start + GRID)


def written_request(request: Any) -> Any:
    """``request`` (a ContinuationRequest) with its context as written when it was played in; else ``request``."""
    if not is_played(request.context):
        return request
    return replace(request, context=as_written(request.context, request.meters))
