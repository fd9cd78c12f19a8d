"""Music-theory scores for the harmonizer (reference key): melody/chord fit, style priors, the diatonic-triad rule."""

from __future__ import annotations

from collections.abc import Sequence
from functools import lru_cache

import numpy as np

from composer_app.model import harmony_crf as crf
from composer_app.model.harmony_features import Slot
from composer_app.model.harmony_vocab import (
    N_CLASS,
    N_QUALITIES,
    QUALITY_CLASSES,
    SEVENTHS,
    VOCAB_SIZE,
    class_pitch_classes,
    class_quality,
    class_root,
)
from composer_app.model.heard_chords import evidence

# the diatonic triads of C major and A minor (harmonic V), most preferred first (the rule's tie-break)
DIATONIC = {
    "major": ((0, "maj"), (7, "maj"), (5, "maj"), (9, "min"), (2, "min"), (4, "min"), (11, "dim")),
    "minor": ((9, "min"), (4, "maj"), (2, "min"), (5, "maj"), (0, "maj"), (7, "maj"), (11, "dim")),
}
RULE_HOLD = 0.05
"""The rule's bonus for keeping the chord from one slot to the next (it decides ties)."""
STRONG_WEIGHT = 1.0
"""Extra weight of the pitch class sounding at the slot's start (its strong beat) over its duration share."""


def class_of(root: int, quality: str) -> int:
    return 1 + (root % 12) * N_QUALITIES + QUALITY_CLASSES.index(quality)


def melody_weights(feats: np.ndarray) -> np.ndarray:
    """(T, 12) weight of each melody pitch class per slot: duration share plus the strong-beat pitch class."""
    return feats[:, :12] + STRONG_WEIGHT * feats[:, 12:24]


@lru_cache(maxsize=8)
def fit_matrix(non_chord: float = 0.5, avoid: float = 1.0) -> np.ndarray:
    """(12, V) score of a melody pitch class against each chord: +1 chord tone, -``non_chord`` otherwise, and
    -``avoid`` more when it lies a semitone above a chord tone (an avoid note: F over C, C over Cmaj7)."""
    tones = class_pitch_classes().astype(np.float64)  # (V, 12)
    below = np.roll(tones, 1, axis=1)  # below[c, p] = 1 when p - 1 is a chord tone
    score = tones - non_chord * (1.0 - tones) - avoid * below
    score[N_CLASS] = 0.0
    return score.T.copy()


def melody_fit(feats: np.ndarray) -> np.ndarray:
    """(T, V) melody/chord fit of every class in every slot (features in the reference key)."""
    return melody_weights(feats).astype(np.float64) @ fit_matrix()


BASS_AS_TONE = 0.3
"""A bass note's score against a chord that has it as a tone other than the root (an inversion), against +1 as the
root and -1 outside the chord (set with ``harmony.BASS_FIT`` on the valid split; 0.5 did worse on both sources)."""


@lru_cache(maxsize=1)
def bass_matrix() -> np.ndarray:
    """(12, V) score of a bass pitch class against each chord: +1 its root, ``BASS_AS_TONE`` another of its tones,
    -1 outside it (0 for no chord)."""
    tones = class_pitch_classes().astype(np.float64).T  # (12, V)
    roots = class_roots()
    root = (roots[None, :] == np.arange(12)[:, None]).astype(np.float64)
    score = root + BASS_AS_TONE * tones * (1.0 - root) - (1.0 - tones)
    score[:, N_CLASS] = 0.0
    return score


def bass_fit(bass: Sequence[tuple[int, int, int]], slots: Sequence[Slot], shift: int) -> np.ndarray:
    """(T, V) fit of every class with a bass line (pitch, start, duration; moved by ``shift`` into the reference key)
    in every slot: each pitch class weighted by the share of the slot it sounds in (at most 1)."""
    pcs, _ = evidence([(p + shift, s, d) for p, s, d in bass], slots)
    return np.minimum(pcs, 1.0) @ bass_matrix()


@lru_cache(maxsize=2)
def diatonic_mask(mode: str) -> np.ndarray:
    """(V,) True for the diatonic triads of the reference key of ``mode``."""
    out = np.zeros(VOCAB_SIZE, dtype=bool)
    for root, quality in DIATONIC[mode]:
        out[class_of(root, quality)] = True
    return out


def rule_unary(feats: np.ndarray, minor: bool) -> np.ndarray:
    """(T, V) scores of the diatonic-triad rule: the triad covering most melody weight (strong beat counted
    twice), ties to the more common function (I, V, IV, vi, ii, iii, vii); every other class is impossible."""
    mode = "minor" if minor else "major"
    cover = melody_weights(feats).astype(np.float64) @ class_pitch_classes().T.astype(np.float64)
    out = np.full(cover.shape, -np.inf)
    for rank, (root, quality) in enumerate(DIATONIC[mode]):
        c = class_of(root, quality)
        out[:, c] = 10.0 * cover[:, c] - 0.01 * rank
    return out


def rule_chain(feats: np.ndarray, minor: bool) -> crf.Chain:
    """The rule as a chain: its unary scores, no transition scores and a small bonus for holding a chord, so
    that a tie (or a slot without melody) keeps the chord before it."""
    unary = rule_unary(feats, minor)
    zeros = np.zeros(unary.shape[1])
    return crf.Chain(unary, rule_transitions(), np.full(len(unary), RULE_HOLD), zeros, zeros)


def rule_roots(feats: np.ndarray, minor: bool) -> np.ndarray:
    """(T, V) 1.0 for every chord (any quality) on the root of the triad the rule picks in each slot, else 0."""
    chain = rule_chain(feats, minor)
    sub, keep = chain.restricted(np.isfinite(chain.unary))
    pick = class_roots()[keep[crf.viterbi(sub)]]
    return (class_roots()[None, :] == pick[:, None]).astype(np.float64)


@lru_cache(maxsize=1)
def class_roots() -> np.ndarray:
    """(V,) root pitch class of every class (-1 for 'no chord')."""
    return np.array([-1 if class_root(c) is None else class_root(c) for c in range(VOCAB_SIZE)])


def rule_transitions() -> np.ndarray:
    """(V, V) transitions of the rule: none, so a slot without melody keeps the chord before it."""
    return np.zeros((VOCAB_SIZE, VOCAB_SIZE))


def recolor(unary: np.ndarray, bonus: np.ndarray) -> np.ndarray:
    """``unary`` (T, V) plus a per-class ``bonus`` (V,) that only moves the choice among the qualities of one
    root: each root's best score stays what it was, so colour changes a chord's quality, never its root."""
    t_len = unary.shape[0]
    chords = unary[:, 1:].reshape(t_len, 12, N_QUALITIES)
    coloured = chords + bonus[1:].reshape(12, N_QUALITIES)
    with np.errstate(invalid="ignore"):
        shift = chords.max(axis=2) - coloured.max(axis=2)
    shift = np.where(np.isfinite(shift), shift, 0.0)
    out = unary.copy()
    out[:, 1:] = (coloured + shift[..., None]).reshape(t_len, -1)
    return out


# --- style --------------------------------------------------------------------------------------------

_DOMINANTS = ("7", "9", "13", "7sus4")
_QUALITY_BONUS = {
    # added to a class's log-score per style (sevenths only where the complexity allows them)
    "jazz": {"7": 0.9, "maj7": 0.9, "min7": 1.0, "hdim7": 0.8, "dim7": 0.3, "maj6": 0.5, "min6": 0.3,
             "9": 0.6, "maj9": 0.6, "min9": 0.6, "13": 0.5, "maj": -0.6, "min": -0.6},
    "pop": {"7": 0.1, "min7": 0.1, "maj7": 0.0, "sus4": 0.1, "sus2": 0.1},
    "folk": {"7": 0.1},
    "chorale": {"7": 0.1},
}
_RESOLUTION = {"jazz": 1.2, "pop": 0.4, "folk": 0.4, "chorale": 0.4}
_TWO_FIVE = {"jazz": 1.2, "pop": 0.2, "folk": 0.0, "chorale": 0.0}


@lru_cache(maxsize=1)
def _root_and_dominant() -> tuple[np.ndarray, np.ndarray]:
    """Per class: its root (-1 for N) and whether its quality is a dominant seventh (7, 9, 13, 7sus4)."""
    roots = np.array([-1 if r is None else r for r in map(class_root, range(VOCAB_SIZE))])
    return roots, np.array([class_quality(c) in _DOMINANTS for c in range(VOCAB_SIZE)])


def home_classes(minor: bool) -> np.ndarray:
    """(V,) bool: the home chords of the reference key, every class on its tonic (C, or A in minor) that is not a
    dominant seventh (I, I6, Imaj7, i7 ... but not I7, which leads away)."""
    roots, dominant = _root_and_dominant()
    return (roots == (9 if minor else 0)) & ~dominant


def settle_home(classes: np.ndarray, unary: np.ndarray, free: np.ndarray, minor: bool,
                bars: np.ndarray | None = None) -> np.ndarray:
    """``classes`` (T,) of a decoded path with a dominant seventh on the tonic (C:7, or A:7 in the reference minor
    key) kept only where it leads to IV (V7 of IV): in the bar (``bars``, the slots' bars; None: each slot its own)
    of the last slot before a chord on IV. Elsewhere the tonic takes its best other quality in ``unary`` (T, V; -inf
    where not allowed): colour makes the home chord Imaj7 or I6, while I7 there sounds like the blues or a dominant
    that never resolves, and a run of I7 bars before IV (six bars of Eb7 under Ode to Joy in jazz) keeps only its
    last bar. Roots never change."""
    tonic = 9 if minor else 0
    roots, dominant = _root_and_dominant()
    home = home_classes(minor)
    bar_of = np.arange(len(classes)) if bars is None else np.asarray(bars)
    out = classes.copy()
    for i, c in enumerate(classes):
        if not free[i] or roots[c] != tonic or not dominant[c]:
            continue
        end = i  # the run of this chord: its last slot, and the chord after it
        while end + 1 < len(classes) and classes[end + 1] == c:
            end += 1
        if end + 1 < len(classes) and roots[classes[end + 1]] == (tonic + 5) % 12 and bar_of[i] == bar_of[end]:
            continue
        scores = np.where(home, unary[i], -np.inf)
        if np.isfinite(scores).any():
            out[i] = int(np.argmax(scores))
    return out


@lru_cache(maxsize=8)
def style_quality_bonus(style: str) -> np.ndarray:
    """(V,) log-score bonus per class for ``style`` (jazz: sevenths over bare triads)."""
    bonus = _QUALITY_BONUS.get(style, {})
    out = np.zeros(VOCAB_SIZE)
    for c in range(1, VOCAB_SIZE):
        out[c] = bonus.get(class_quality(c) or "", 0.0)
    return out


@lru_cache(maxsize=8)
def style_transitions(style: str) -> np.ndarray:
    """(V, V) transition bonus for ``style``: a dominant resolving down a fifth (V7-I and secondary dominants),
    and ii-V (a minor seventh or half-diminished chord to the dominant a fourth above)."""
    out = np.zeros((VOCAB_SIZE, VOCAB_SIZE))
    res, two_five = _RESOLUTION.get(style, 0.0), _TWO_FIVE.get(style, 0.0)
    for a in range(1, VOCAB_SIZE):
        qa, ra = class_quality(a), class_root(a)
        if ra is None:
            continue
        target = (ra + 5) % 12
        lo, hi = 1 + target * N_QUALITIES, 1 + (target + 1) * N_QUALITIES
        if qa in _DOMINANTS:
            out[a, lo:hi] += res
        if qa in ("min7", "hdim7", "min9"):
            for q in _DOMINANTS:
                out[a, class_of(target, q)] += two_five
    return out


def seventh_share(labels: list[str]) -> float:
    """Fraction of chord labels with a seventh or richer quality."""
    from composer_app.model.harmony_vocab import label_to_class

    chords = [class_quality(label_to_class(lab)[0]) for lab in labels if lab != "N"]
    rich = set(SEVENTHS) | {"9", "maj9", "min9", "13"}
    return sum(q in rich for q in chords) / len(chords) if chords else 0.0


def _up_a_fourth(labels: list[str]) -> list[tuple[str | None, str | None, int]]:
    """(quality, next quality, root) of each change of chord whose root rises a fourth (falls a fifth)."""
    from composer_app.model.harmony_vocab import label_to_class

    classes = [label_to_class(lab)[0] for lab in labels]
    merged = [c for i, c in enumerate(classes) if i == 0 or c != classes[i - 1]]
    out = []
    for a, b in zip(merged, merged[1:]):
        ra, rb = class_root(a), class_root(b)
        if ra is not None and rb is not None and (rb - ra) % 12 == 5:
            out.append((class_quality(a), class_quality(b), ra))
    return out


def two_five_count(labels: list[str]) -> int:
    """How many times a minor seventh (or half-diminished) chord moves to the dominant a fourth above."""
    return sum(qa in ("min7", "hdim7", "min9") and qb in _DOMINANTS for qa, qb, _ in _up_a_fourth(labels))


def dominant_resolutions(labels: list[str]) -> int:
    """How many dominant-seventh chords resolve down a fifth (V7-I and secondary dominants)."""
    return sum(qa in _DOMINANTS for qa, _, _ in _up_a_fourth(labels))


def secondary_dominants(labels: list[str], tonic: int) -> int:
    """How many dominant-seventh chords on a root other than the key's fifth degree (``tonic`` + 7) resolve down a
    fifth: V7 of ii, of IV, of V, ... (A7 to Dm7 in C major), not V7 to I."""
    return sum(qa in _DOMINANTS and (root - tonic) % 12 != 7 for qa, _, root in _up_a_fourth(labels))
