"""The baseline: an HMM harmonizer (naive-Bayes melody emissions, chord bigram per harmonic rhythm)."""

from __future__ import annotations

from collections.abc import Iterable

import numpy as np

from composer_app.model.harmony_features import RHYTHMS
from composer_app.model.harmony_vocab import VOCAB_SIZE


def fit_hmm(sequences: Iterable[tuple[int, np.ndarray, np.ndarray]], alpha: float = 0.5,
            trans_alpha: float = 0.1) -> dict[str, np.ndarray]:
    """Count-based fit from (rhythm index, chord classes (T,), melody beats per pitch class (T, 12)).

    Returns log-probability arrays ``hmm.emit`` (V, 12), ``hmm.trans`` (3, V, V), ``hmm.start`` (3, V).
    """
    emit = np.zeros((VOCAB_SIZE, 12))
    trans = np.zeros((len(RHYTHMS), VOCAB_SIZE, VOCAB_SIZE))
    start = np.zeros((len(RHYTHMS), VOCAB_SIZE))
    for rhythm, classes, beats in sequences:
        if len(classes) == 0:
            continue
        np.add.at(emit, classes, beats)
        start[rhythm, classes[0]] += 1
        np.add.at(trans[rhythm], (classes[:-1], classes[1:]), 1.0)
    emit += alpha
    trans += trans_alpha
    start += 1.0
    return {
        "hmm.emit": np.log(emit / emit.sum(axis=1, keepdims=True)),
        "hmm.trans": np.log(trans / trans.sum(axis=2, keepdims=True)),
        "hmm.start": np.log(start / start.sum(axis=1, keepdims=True)),
    }


def hmm_unary(weights: dict[str, np.ndarray], beats: np.ndarray) -> np.ndarray:
    """Emission log-likelihoods (T, V) of the melody beats per pitch class (T, 12)."""
    return beats @ weights["hmm.emit"].T
