"""Voicing a chord progression: candidate voicings per chord and a Viterbi search minimising voice-leading
cost (small motion, ranges, spacing, no m9 clash with the melody, bass on the slash/inversion bass, and no
parallel fifths or octaves in SATB). Rendering into notes is in ``voicing_render``."""

from __future__ import annotations

from bisect import bisect_left
from collections.abc import Sequence
from dataclasses import dataclass
from functools import lru_cache
from itertools import combinations

import numpy as np

from composer_app.core.chords import Chord, parse_chord

VOICINGS = ("close", "open", "drop2", "pop", "broken", "satb")
ChordSpan = tuple[int, int, str]
MelodyNote = tuple[int, int, int]
MAX_CANDIDATES = 300
FORBIDDEN = 1000.0
_VOICE_PAIRS = tuple(np.array(side) for side in zip(*combinations(range(4), 2)))
"""The six pairs of SATB voices (lower voice indices, upper voice indices)."""
SATB_RANGES = ((40, 60), (48, 67), (55, 74), (60, 81))
_CENTRES = {"close": (45, 62), "open": (43, 64), "drop2": (43, 64), "pop": (40, 66), "broken": (43, 62),
            "satb": (50, 66)}


@dataclass(frozen=True)
class Voicing:
    """The chosen voicing (pitches, bass first) of each chord span, and the spans themselves."""

    spans: tuple[ChordSpan, ...]
    pitches: tuple[tuple[int, ...], ...]
    cost: float


def required_pcs(chord: Chord, voices: int) -> frozenset[int]:
    """Pitch classes a voicing must hold: all of a triad; without the fifth (and ninth) for larger chords."""
    assert chord.root is not None
    ivs = sorted({i for i in chord.intervals})
    if len(ivs) > 3:
        ivs = [i for i in ivs if i != 7]
    while len(ivs) > voices:
        drop = next((i for i in (14, 2, 17, 5) if i in ivs and len(ivs) > voices), None)
        if drop is None:
            ivs = ivs[:voices]
            break
        ivs.remove(drop)
    return frozenset((chord.root + i) % 12 for i in ivs)


@lru_cache(maxsize=512)
def _upper_sets(pcs: frozenset[int], lo: int, hi: int, k: int) -> tuple[tuple[int, ...], ...]:
    pitches = [p for p in range(lo, hi + 1) if p % 12 in pcs]
    return tuple(combinations(pitches, k))


def _shape_ok(style: str, upper: tuple[int, ...]) -> bool:
    span = upper[-1] - upper[0]
    gaps = [b - a for a, b in zip(upper, upper[1:])]
    if style in ("close", "pop"):
        return span <= 12
    if style in ("open", "broken"):
        return 12 <= span <= 24 and min(gaps) >= 3
    if style == "drop2":
        # a close voicing with its second note from the top dropped an octave
        return upper[2] < upper[0] + 12 < upper[3] and upper[3] - upper[1] <= 12
    return True


def _relaxations(chord: Chord, voices: int) -> list[frozenset[int]]:
    """Pitch-class sets to require, strictest first: the full set, then the third and seventh, then nothing."""
    assert chord.root is not None
    full = required_pcs(chord, voices)
    core = frozenset((chord.root + i) % 12 for i in chord.intervals if i in (3, 4, 10, 11, 2, 5) and i < 12)
    return [full, full & (core | {chord.root}), frozenset()]


@lru_cache(maxsize=1024)
def candidates(label: str, style: str, soprano: int | None = None) -> np.ndarray:
    """(C, voices) candidate voicings, bass first; SATB holds the soprano at ``soprano`` when given."""
    chord = parse_chord(label)
    for req in _relaxations(chord, 4 if style in ("satb",) else 5 if style == "drop2" else 4):
        rows = _enumerate(chord, style, soprano, req)
        if rows:
            return np.array(rows, dtype=np.int64)
    bass_pc = chord.bass_pitch_class or 0
    b = 36 + (bass_pc - 36) % 12
    ups = sorted(56 + (pc - 56) % 12 for pc in chord.pitch_classes)[: 4 if style == "drop2" else 3]
    while len(ups) < (4 if style == "drop2" else 3):
        ups.append(ups[-1] + 12 if ups else 60)
    row = (b, *sorted(ups)) if style != "satb" else (b, *sorted(ups)[:2], soprano or max(ups) + 5)
    return np.array([row], dtype=np.int64)


def _enumerate(chord: Chord, style: str, soprano: int | None, req: frozenset[int]) -> list[tuple[int, ...]]:
    pcs = chord.pitch_classes
    bass_pc = chord.bass_pitch_class
    rows: list[tuple[int, ...]] = []
    if style == "satb":
        sopranos = [soprano] if soprano is not None else [p for p in range(*SATB_RANGES[3]) if p % 12 in pcs]
        basses = [p for p in range(*SATB_RANGES[0]) if p % 12 == bass_pc]
        for s in sopranos:
            for t, a in _upper_sets(pcs, SATB_RANGES[1][0], SATB_RANGES[2][1], 2):
                if not (SATB_RANGES[1][0] <= t <= SATB_RANGES[1][1] and SATB_RANGES[2][0] <= a <= SATB_RANGES[2][1]):
                    continue
                if a > s or s - a > 12 or a - t > 12:
                    continue
                for b in basses:
                    if b <= t and t - b <= 19 and req <= {b % 12, t % 12, a % 12, s % 12}:
                        rows.append((b, t, a, s))
        return rows
    k = 4 if style == "drop2" else 3
    lo, hi = {"close": (52, 76), "pop": (55, 79), "drop2": (48, 79)}.get(style, (48, 79))
    basses = [p for p in range(36, 53) if p % 12 == bass_pc]
    for upper in _upper_sets(pcs, lo, hi, k):
        if not _shape_ok(style, upper):
            continue
        for b in basses:
            if b < upper[0] and req <= {b % 12, *(p % 12 for p in upper)}:
                rows.append((b, *upper))
    return rows


def _unary(cands: np.ndarray, style: str, melody: Sequence[tuple[int, float]], chord: Chord) -> np.ndarray:
    bass_c, upper_c = _CENTRES[style]
    cost = 0.08 * np.abs(cands[:, 0] - bass_c) + 0.1 * np.abs(cands[:, 1:].mean(axis=1) - upper_c)
    if melody:
        upper = cands if style != "satb" else cands[:, :3]
        mp = np.array([m for m, _ in melody])
        mw = np.array([w for _, w in melody])
        d = mp[None, None, :] - upper[:, :, None]
        clash = (d != 0) & (np.abs(d) % 12 == 1)
        cost = cost + 20.0 * (clash * mw).sum(axis=(1, 2))
        if style != "satb":
            cost = cost + 3.0 * ((upper[:, 1:, None] >= mp) * mw).sum(axis=(1, 2))
    if style == "satb" and chord.root is not None:
        pcs = cands % 12
        root_count = (pcs == chord.root).sum(axis=1)
        cost = cost + 0.5 * (root_count < 2) * (pcs[:, 0] == chord.root)
    return cost


def _pair_cost(a: np.ndarray, b: np.ndarray, style: str) -> np.ndarray:
    w = np.ones(a.shape[1])
    w[0] = 0.3
    cost = (np.abs(a[:, None, :] - b[None, :, :]) * w).sum(axis=2) * 0.5
    if style == "satb":  # consecutive fifths or octaves: every pair of voices at once
        lower, upper = _VOICE_PAIRS
        ia, ib = (a[:, upper] - a[:, lower]) % 12, (b[:, upper] - b[:, lower]) % 12  # (A, 6), (B, 6)
        same = (ia[:, None, :] == ib[None, :, :]) & ((ia == 0) | (ia == 7))[:, None, :]
        voice_moved = a[:, None, :] != b[None, :, :]  # (A, B, 4)
        same &= voice_moved[..., lower] | voice_moved[..., upper]
        cost = cost + FORBIDDEN * same.sum(axis=2)
    return cost


def melody_in(melody: Sequence[MelodyNote], start: int, end: int) -> list[tuple[int, float]]:
    """(pitch, weight) of the melody notes sounding in [start, end): overlap fraction, doubled at the onset.

    ``melody`` must be sorted by start.
    """
    out = []
    for p, s, d in melody[:bisect_left(melody, (-1, end, 0), key=lambda n: (-1, n[1], 0))]:
        overlap = min(s + d, end) - max(s, start)
        if overlap > 0:
            out.append((p, overlap / max(1, end - start) + (1.0 if s <= start < s + d else 0.0)))
    return out


def voice_chords(chords: Sequence[ChordSpan], melody: Sequence[MelodyNote], style: str = "close") -> Voicing:
    """The minimum-cost voicing of every chord span (spans with 'N' or bad labels are skipped)."""
    if style not in VOICINGS:
        raise ValueError(f"voicing must be one of {VOICINGS}")
    spans, cands, unaries = [], [], []
    melody = sorted(melody, key=lambda n: (n[1], n[0]))
    for s, d, label in sorted(chords):
        try:
            chord = parse_chord(label)
        except ValueError:
            continue
        if chord.root is None:
            continue
        mel = melody_in(melody, s, s + d)
        soprano = None
        if style == "satb":
            onset = [p for p, s0, d0 in melody if s0 <= s < s0 + d0]
            soprano = max(onset) if onset else None
        c = candidates(chord.label(), style, soprano)
        u = _unary(c, style, mel, chord)
        if len(c) > MAX_CANDIDATES:
            keep = np.argsort(u, kind="stable")[:MAX_CANDIDATES]
            c, u = c[keep], u[keep]
        spans.append((s, d, label))
        cands.append(c)
        unaries.append(u)
    if not spans:
        return Voicing((), (), 0.0)
    score = unaries[0].copy()
    backs = []
    for i in range(1, len(spans)):
        total = score[:, None] + _pair_cost(cands[i - 1], cands[i], style)
        back = np.argmin(total, axis=0)
        backs.append(back)
        score = total[back, np.arange(len(back))] + unaries[i]
    idx = [int(np.argmin(score))]
    for back in reversed(backs):
        idx.append(int(back[idx[-1]]))
    idx.reverse()
    pitches = tuple(tuple(int(p) for p in cands[i][k]) for i, k in enumerate(idx))
    return Voicing(tuple(spans), pitches, float(score.min()))
