"""Krumhansl-Schmuckler key finding: correlate a duration-weighted pitch-class profile with 24 keys."""

from __future__ import annotations

from collections.abc import Iterable

import numpy as np

from composer_app.core.pitch import KeySignature

# Krumhansl & Kessler (1982) probe-tone profiles, tonic first
MAJOR_PROFILE = np.array([6.35, 2.23, 3.48, 2.33, 4.38, 4.09, 2.52, 5.19, 2.39, 3.66, 2.29, 2.88])
MINOR_PROFILE = np.array([6.33, 2.68, 3.52, 5.38, 2.60, 3.53, 2.54, 4.75, 3.98, 2.69, 3.34, 3.17])


def pitch_class_histogram(notes: Iterable[tuple[int, int, int, int]]) -> np.ndarray:
    """Total duration per pitch class of (pitch, start, duration, velocity) notes."""
    hist = np.zeros(12)
    for pitch, _, duration, _ in notes:
        hist[pitch % 12] += duration
    return hist


def key_scores(hist: np.ndarray) -> np.ndarray:
    """Correlation of ``hist`` with each key: shape (2, 12), row 0 major, row 1 minor, column = tonic."""
    scores = np.zeros((2, 12))
    if not np.any(hist) or np.all(hist == hist[0]):
        return scores
    for tonic in range(12):
        for row, profile in enumerate((MAJOR_PROFILE, MINOR_PROFILE)):
            scores[row, tonic] = np.corrcoef(hist, np.roll(profile, tonic))[0, 1]
    return scores


def find_key(notes: Iterable[tuple[int, int, int, int]], tick: int = 0) -> KeySignature:
    """The best-correlating key for ``notes`` (C major when there is nothing to go on)."""
    scores = key_scores(pitch_class_histogram(notes))
    row, tonic = np.unravel_index(int(np.argmax(scores)), scores.shape)
    return KeySignature(tick, int(tonic), "major" if row == 0 else "minor")
