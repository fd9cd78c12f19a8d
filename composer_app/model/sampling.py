"""Batched categorical sampling under masks, with temperature and nucleus (top-p) truncation."""

from __future__ import annotations

import numpy as np


def log_softmax(x: np.ndarray) -> np.ndarray:
    """Log-probabilities along the last axis (rows that are all -inf stay -inf, without warnings)."""
    m = np.max(x, axis=-1, keepdims=True)
    z = x - np.where(np.isfinite(m), m, 0.0)
    return z - np.log(np.sum(np.exp(z), axis=-1, keepdims=True))


def sample(logits: np.ndarray, allowed: np.ndarray, rng: np.random.Generator, temperature: float = 1.0,
           top_p: float = 1.0) -> tuple[np.ndarray, np.ndarray]:
    """One index per row of ``logits`` (B, V) among ``allowed`` (B, V) classes.

    Returns the indices and their log-probabilities under the masked model distribution at temperature 1
    (what a candidate's score adds up). A row with nothing allowed gets index 0 and log-probability 0.
    Always draws exactly B uniforms from ``rng``, so results depend only on the seed and the inputs.
    """
    b, v = logits.shape
    empty = ~allowed.any(axis=1)
    if empty.any():
        allowed = allowed | empty[:, None]
    masked = np.where(allowed, logits.astype(np.float64), -np.inf)
    z = masked - masked.max(axis=1, keepdims=True)
    e = np.exp(z)
    log_total = np.log(e.sum(axis=1))
    probs = e if temperature == 1.0 else np.exp(z / max(temperature, 1e-4))
    if top_p < 1.0:
        sorted_p = -np.sort(-probs, axis=1)
        before = np.cumsum(sorted_p, axis=1) - sorted_p
        kept = (before < top_p * sorted_p.sum(axis=1, keepdims=True)).sum(axis=1)
        threshold = sorted_p[np.arange(b), np.maximum(kept, 1) - 1]
        probs = np.where(probs >= threshold[:, None], probs, 0.0)
    cdf = np.cumsum(probs, axis=1)
    idx = np.minimum((cdf < (rng.random(b) * cdf[:, -1])[:, None]).sum(axis=1), v - 1)
    rows = np.arange(b)
    bad = probs[rows, idx] <= 0  # never land on a zero-probability class through rounding
    if bad.any():
        idx[bad] = np.argmax(probs[bad], axis=1)
    lp = z[rows, idx] - log_total
    if empty.any():
        idx[empty] = 0
        lp[empty] = 0.0
    return idx.astype(np.int64), lp


def merge_into(logits: np.ndarray, target: int, sources: np.ndarray) -> np.ndarray:
    """Copy of ``logits`` (B, V) where class ``target`` also holds the probability mass of ``sources`` (B, V) bool."""
    pool = np.where(sources, logits, -np.inf)
    pool[:, target] = logits[:, target]
    m = pool.max(axis=1)
    merged = m + np.log(np.exp(pool - m[:, None]).sum(axis=1))
    out = logits.copy()
    out[:, target] = merged
    return out
