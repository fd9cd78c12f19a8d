"""Quality figures of sampled continuations against the real continuation: key, bars, histograms, copying."""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence

from composer_app.core.pitch import KeySignature
from composer_app.core.song import NoteTuple as Note
from composer_app.model import tokens as tk


def in_key_share(notes: Sequence[Note], key: KeySignature) -> float | None:
    """Share of notes whose pitch class is in the key's scale (``KeySignature.lock_scale``: natural minor with its
    raised leading tone for minor, since session 17); None for no notes."""
    if not notes:
        return None
    scale = key.lock_scale
    return sum(n[0] % 12 in scale for n in notes) / len(notes)


def exact_bars(notes: Sequence[Note], grid: tk.BarGrid, first_bar: int, bars: int) -> bool:
    """Every note starts and ends inside bars first_bar..first_bar+bars-1 and the last bar has an onset."""
    if not notes:
        return False
    start, end = grid.start(first_bar), grid.start(first_bar + bars)
    last = grid.start(first_bar + bars - 1)
    inside = all(start <= s and s + d <= end for _, s, d, _ in notes)
    return inside and any(s >= last for _, s, _, _ in notes)


def phrase_ending(notes: Sequence[Note], grid: tk.BarGrid, first_bar: int, bars: int) -> tuple[int, float] | None:
    """How the last bar of the span first_bar..first_bar+bars-1 ends: its number of onsets, and the share of it
    after the last onset (the last note's room: 0 when it starts at the barline's end, near 1 for a phrase
    ending on the bar's downbeat); None when that bar has no onset."""
    last, end = grid.start(first_bar + bars - 1), grid.start(first_bar + bars)
    onsets = [s for _, s, _, _ in notes if last <= s < end]
    if not onsets:
        return None
    return len(onsets), (end - max(onsets)) / (end - last)


def pitch_class_histogram(notes: Sequence[Note], by_duration: bool = False) -> list[float]:
    """Pitch-class shares of the notes, counted or (``by_duration``) weighted by how long they sound."""
    counts: Counter = Counter()
    for n in notes:
        counts[n[0] % 12] += n[2] if by_duration else 1
    total = sum(counts.values()) or 1
    return [counts[i] / total for i in range(12)]


def onset_histogram(notes: Sequence[Note], grid: tk.BarGrid) -> dict[int, float]:
    """Onset positions inside the bar (grid steps, 1/12 quarter), as shares."""
    counts = Counter(grid.locate(s)[1] for _, s, _, _ in notes)
    total = sum(counts.values()) or 1
    return {k: v / total for k, v in counts.items()}


def overlap(a: dict | list, b: dict | list) -> float:
    """Histogram intersection (sum of the smaller shares): 1 for equal histograms, 0 for disjoint ones."""
    da = dict(enumerate(a)) if isinstance(a, list) else a
    db = dict(enumerate(b)) if isinstance(b, list) else b
    return sum(min(v, db.get(k, 0.0)) for k, v in da.items())


def bar_patterns(notes: Sequence[Note], grid: tk.BarGrid) -> dict[int, tuple]:
    """Per bar: its (position, pitch) pairs, the fingerprint that copy detection compares."""
    out: dict[int, list] = {}
    for p, s, _, _ in sorted(notes, key=lambda n: (n[1], n[0])):
        bar, pos = grid.locate(s)
        out.setdefault(bar, []).append((pos, p))
    return {b: tuple(v) for b, v in out.items()}


def copy_share(candidate: Sequence[Note], prompt: Sequence[Note], grid: tk.BarGrid) -> float | None:
    """Share of the candidate's non-empty bars that repeat a prompt bar exactly (same onsets and pitches)."""
    cand = bar_patterns(candidate, grid)
    if not cand:
        return None
    known = set(bar_patterns(prompt, grid).values())
    return sum(v in known for v in cand.values()) / len(cand)


def distinct_share(candidates: Sequence[Sequence[Note]]) -> float:
    """Distinct candidates (by their notes' pitch and onset) over all candidates."""
    if not candidates:
        return 0.0
    return len({tuple((n[0], n[1]) for n in c) for c in candidates}) / len(candidates)


def mean(values: Sequence[float | None]) -> float | None:
    vals = [v for v in values if v is not None]
    return sum(vals) / len(vals) if vals else None


def phrase_origin(notes, grid) -> int:
    """The first full bar of a tune: the bar of its first note, or the next one when that bar is a short
    pickup bar (an upbeat written as a bar of its own), so that "4 bars after 4" counts whole bars."""
    bar = grid.locate(min(n[1] for n in notes))[0]
    if grid.start(bar + 1) - grid.start(bar) < grid.start(bar + 2) - grid.start(bar + 1):
        return bar + 1
    return bar
