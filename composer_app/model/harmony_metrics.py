"""Melody/chord metrics of Yeh et al. (2021): CHE, CC, CTD, CTnCTR, PCS, MCTD; per-beat chord accuracy."""

from __future__ import annotations

from bisect import bisect_right
from collections import Counter
from collections.abc import Sequence
from functools import lru_cache

import numpy as np

from composer_app.core.chords import parse_chord
from composer_app.model.harmony_features import Slot, slot_labels
from composer_app.model.harmony_vocab import label_to_class, reduce_majmin

ChordSpan = tuple[int, int, str]
MelodyNote = tuple[int, int, int]
SIXTEENTH = 120
_CONSONANT = {0, 3, 4, 7, 8, 9}


@lru_cache(maxsize=4096)
def chord_pcs(label: str) -> frozenset[int]:
    try:
        return parse_chord(label).pitch_classes
    except ValueError:
        return frozenset()


def tonal_centroid(pcs: Sequence[int] | frozenset[int]) -> np.ndarray:
    """Harte's 6-D tonal centroid of a pitch-class set (fifths, minor thirds, major thirds circles)."""
    out = np.zeros(6)
    pcs = list(pcs)
    if not pcs:
        return out
    for pc in pcs:
        for k, (r, ang) in enumerate(((1.0, 7 * np.pi / 6), (1.0, 3 * np.pi / 2), (0.5, 2 * np.pi / 3))):
            out[2 * k] += r * np.sin(pc * ang)
            out[2 * k + 1] += r * np.cos(pc * ang)
    return out / len(pcs)


def _chord_at(spans: Sequence[ChordSpan], starts: list[int], tick: int) -> str | None:
    i = bisect_right(starts, tick) - 1
    if i >= 0 and tick < spans[i][0] + spans[i][1]:
        return spans[i][2]
    return None


def fit_metrics(melody: Sequence[MelodyNote], chords: Sequence[ChordSpan], beats: Sequence[Slot]) -> dict[str, float]:
    """CHE, CC, CTD (chord sequence), CTnCTR, PCS, MCTD (melody against chords) of one piece."""
    spans = sorted((s, d, lab) for s, d, lab in chords if chord_pcs(lab))
    starts = [s for s, _, _ in spans]
    per_beat = [lab for lab in slot_labels(spans, beats) if lab != "N"]
    counts = Counter(per_beat)
    total = sum(counts.values())
    probs = np.array([c / total for c in counts.values()]) if total else np.zeros(0)
    che = float(-(probs * np.log(probs)).sum()) if total else 0.0
    cents = [tonal_centroid(chord_pcs(lab)) for _, _, lab in spans]
    ctd = float(np.mean([np.linalg.norm(a - b) for a, b in zip(cents, cents[1:])])) if len(cents) > 1 else 0.0
    notes = sorted(melody, key=lambda n: n[1])
    n_c = n_n = n_p = 0
    mctd_num = mctd_den = 0.0
    pcs_scores: list[float] = []
    for i, (pitch, start, dur) in enumerate(notes):
        lab = _chord_at(spans, starts, start)
        if lab is None:
            continue
        tones = chord_pcs(lab)
        if pitch % 12 in tones:
            n_c += 1
        else:
            n_n += 1
            if i + 1 < len(notes) and abs(notes[i + 1][0] - pitch) <= 2:
                n_p += 1
        mctd_num += dur * float(np.linalg.norm(tonal_centroid([pitch % 12]) - tonal_centroid(tones)))
        mctd_den += dur
        for tick in range(start, start + dur, SIXTEENTH):
            here = _chord_at(spans, starts, tick)
            if here is None:
                continue
            for pc in chord_pcs(here):
                iv = (pitch - pc) % 12
                pcs_scores.append(1.0 if iv in _CONSONANT else 0.0 if iv == 5 else -1.0)
    return {"CHE": che, "CC": float(len(counts)), "CTD": ctd,
            "CTnCTR": (n_c + n_p) / (n_c + n_n) if n_c + n_n else 0.0,
            "PCS": float(np.mean(pcs_scores)) if pcs_scores else 0.0,
            "MCTD": mctd_num / mctd_den if mctd_den else 0.0}


def beat_accuracy(predicted: Sequence[ChordSpan], reference: Sequence[ChordSpan],
                  beats: Sequence[Slot]) -> dict[str, float]:
    """Fractions of beats (where the reference has a chord) with the same vocabulary class and inversion
    ('exact'), the same root ('root') and the same root plus major/minor third ('majmin')."""
    pred, ref = slot_labels(predicted, beats), slot_labels(reference, beats)
    pairs = [(p, r) for p, r in zip(pred, ref) if r != "N"]
    if not pairs:
        return {"exact": 0.0, "root": 0.0, "majmin": 0.0, "beats": 0}
    exact = sum(label_to_class(p) == label_to_class(r) for p, r in pairs)
    root = sum(_root(p) == _root(r) for p, r in pairs)
    mm = sum(reduce_majmin(p) == reduce_majmin(r) for p, r in pairs)
    n = len(pairs)
    return {"exact": exact / n, "root": root / n, "majmin": mm / n, "beats": n}


def _root(label: str) -> int | None:
    try:
        return parse_chord(label).root
    except ValueError:
        return None


def distinctness(alternatives: Sequence[Sequence[str]]) -> float:
    """Mean over pairs of alternatives of the fraction of slots whose labels differ (0 for fewer than 2)."""
    fr = [float(np.mean([x != y for x, y in zip(a, b)])) for i, a in enumerate(alternatives)
          for b in alternatives[i + 1:] if len(a)]
    return float(np.mean(fr)) if fr else 0.0
