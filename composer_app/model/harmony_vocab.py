"""The harmonizer's chord vocabulary: root x quality classes plus N, an inversion head, label mapping."""

from __future__ import annotations

from functools import lru_cache

import numpy as np

from composer_app.core.chords import QUALITIES, Chord, parse_chord

TRIADS = ("maj", "min", "dim", "aug", "sus4", "sus2")
SEVENTHS = ("7", "maj7", "min7", "hdim7", "dim7", "7sus4", "maj6", "min6")
EXTENDED = ("9", "maj9", "min9", "13")
QUALITY_CLASSES = TRIADS + SEVENTHS + EXTENDED
COMPLEXITIES = ("triads", "sevenths", "extended")
N_QUALITIES = len(QUALITY_CLASSES)
N_CLASS = 0
"""Class 0 is 'no chord'; class 1 + root * N_QUALITIES + quality index is a chord."""
VOCAB_SIZE = 1 + 12 * N_QUALITIES
INVERSIONS = ("root", "third", "fifth", "seventh")

# qualities outside the classes -> the nearest class
_FOLD = {"11": "9", "min11": "min9", "maj13": "maj9", "min13": "min9", "minmaj7": "min", "5": "maj",
         "1": "maj"}


def quality_class(chord: Chord) -> str:
    """The vocabulary quality for a parsed chord (added/omitted degrees are mostly ignored)."""
    q = _FOLD.get(chord.quality, chord.quality)
    added = set(chord.added)
    if q == "maj" and 10 in added:
        q = "7"
    elif q == "min" and 10 in added:
        q = "min7"
    elif q == "aug" and 10 in added:
        q = "7"
    elif q == "sus4" and 10 in added:
        q = "7sus4"
    return q


def inversion_of(chord: Chord) -> int:
    """0..3: which chord member the bass is (other basses count as root position)."""
    if chord.bass == 0:
        return 0
    ivs = QUALITIES[quality_class(chord)]
    for inv, want in ((1, (3, 4)), (2, (6, 7, 8)), (3, (9, 10, 11))):
        if chord.bass in want and chord.bass in ivs:
            return inv
    return 0


def chord_class(chord: Chord) -> int:
    """Vocabulary class of a parsed chord."""
    if chord.root is None:
        return N_CLASS
    return 1 + chord.root * N_QUALITIES + QUALITY_CLASSES.index(quality_class(chord))


@lru_cache(maxsize=4096)
def label_to_class(label: str) -> tuple[int, int]:
    """(class, inversion) of a Harte label; unparseable labels are no chord."""
    try:
        chord = parse_chord(label)
    except ValueError:
        return N_CLASS, 0
    return chord_class(chord), inversion_of(chord)


def class_root(cls: int) -> int | None:
    return None if cls == N_CLASS else (cls - 1) // N_QUALITIES


def class_quality(cls: int) -> str | None:
    return None if cls == N_CLASS else QUALITY_CLASSES[(cls - 1) % N_QUALITIES]


def inversion_bass(quality: str, inversion: int) -> int:
    """Bass interval above the root for ``inversion`` of ``quality`` (0 when the member is missing)."""
    ivs = QUALITIES[quality]
    want = {1: (3, 4), 2: (6, 7, 8), 3: (9, 10, 11)}.get(inversion, ())
    return next((i for i in ivs if i in want), 0)


def class_chord(cls: int, inversion: int = 0, transpose: int = 0) -> Chord:
    """The Chord for a class (and inversion), moved by ``transpose`` semitones."""
    root, quality = class_root(cls), class_quality(cls)
    if root is None or quality is None:
        return Chord(None)
    return Chord((root + transpose) % 12, quality, inversion_bass(quality, inversion))


def class_label(cls: int, inversion: int = 0, transpose: int = 0, flats: bool = False) -> str:
    return class_chord(cls, inversion, transpose).label(flats)


@lru_cache(maxsize=4)
def complexity_mask(complexity: str) -> np.ndarray:
    """Boolean mask over the vocabulary of the classes allowed at ``complexity``."""
    if complexity not in COMPLEXITIES:
        raise ValueError(f"complexity must be one of {COMPLEXITIES}")
    allowed = set(TRIADS)
    if complexity != "triads":
        allowed |= set(SEVENTHS)
    if complexity == "extended":
        allowed |= set(EXTENDED)
    mask = np.zeros(VOCAB_SIZE, dtype=bool)
    mask[N_CLASS] = True
    for c in range(1, VOCAB_SIZE):
        mask[c] = class_quality(c) in allowed
    return mask


_REDUCE = {
    "triads": {"7": "maj", "maj7": "maj", "min7": "min", "hdim7": "dim", "dim7": "dim", "7sus4": "sus4",
               "maj6": "maj", "min6": "min", "9": "maj", "maj9": "maj", "min9": "min", "13": "maj"},
    "sevenths": {"9": "7", "maj9": "maj7", "min9": "min7", "13": "7"},
    "extended": {},
}


@lru_cache(maxsize=4)
def reduction_matrix(complexity: str) -> np.ndarray:
    """(V, V) 0/1 matrix sending each class to its reduction at ``complexity`` (G:9 -> G:7 -> G:maj)."""
    out = np.zeros((VOCAB_SIZE, VOCAB_SIZE))
    out[N_CLASS, N_CLASS] = 1.0
    for c in range(1, VOCAB_SIZE):
        q = class_quality(c) or "maj"
        target = QUALITY_CLASSES.index(_REDUCE[complexity].get(q, q))
        out[c, c - QUALITY_CLASSES.index(q) + target] = 1.0
    return out


def fold_scores(scores: np.ndarray, complexity: str) -> np.ndarray:
    """Per-slot log scores (T, V) with each class's probability moved onto its reduction at ``complexity``."""
    if complexity == "extended":
        return scores
    top = scores.max(axis=1, keepdims=True)
    with np.errstate(divide="ignore"):
        return np.log(np.exp(scores - top) @ reduction_matrix(complexity)) + top


@lru_cache(maxsize=4)
def complexity_bonus(complexity: str) -> np.ndarray:
    """Log-score bonus per class that makes the richer qualities of ``complexity`` actually appear."""
    bonus = {"triads": {}, "sevenths": {q: 0.7 for q in SEVENTHS},
             "extended": {**{q: 0.7 for q in SEVENTHS}, **{q: 2.0 for q in EXTENDED}}}[complexity]
    out = np.zeros(VOCAB_SIZE)
    for c in range(1, VOCAB_SIZE):
        out[c] = bonus.get(class_quality(c) or "", 0.0)
    return out


@lru_cache(maxsize=1)
def inversion_valid() -> np.ndarray:
    """(VOCAB_SIZE, 4) mask of the inversions each class has."""
    out = np.zeros((VOCAB_SIZE, len(INVERSIONS)), dtype=bool)
    out[:, 0] = True
    for c in range(1, VOCAB_SIZE):
        q = class_quality(c) or "maj"
        for inv in (1, 2, 3):
            out[c, inv] = inversion_bass(q, inv) != 0
    return out


@lru_cache(maxsize=1)
def class_pitch_classes() -> np.ndarray:
    """(VOCAB_SIZE, 12) 0/1 chord-tone matrix (row 0, no chord, is empty)."""
    out = np.zeros((VOCAB_SIZE, 12), dtype=np.float32)
    for c in range(1, VOCAB_SIZE):
        for pc in class_chord(c).pitch_classes:
            out[c, pc] = 1.0
    return out


def reduce_majmin(label: str) -> str:
    """Root plus major/minor/other third: the 'majmin' reduction used by the accuracy metric."""
    try:
        chord = parse_chord(label)
    except ValueError:
        return "N"
    if chord.root is None:
        return "N"
    ivs = set(chord.intervals)
    kind = "min" if 3 in ivs and 4 not in ivs else "maj" if 4 in ivs else "other"
    return f"{chord.root}:{kind}"
