"""Batched categorical sampling under masks, with temperature and nucleus (top-p) truncation.

The batches are small (a few candidates, at most a few hundred classes), so the cost is the number of numpy
calls: each function here keeps to a handful of whole-batch operations and never loops over rows.
"""

from __future__ import annotations

import functools

import numpy as np

_BELOW_ONE = 1.0 - 2.0**-24


def log_softmax(x: np.ndarray) -> np.ndarray:
    """Log-probabilities along the last axis (rows that are all -inf stay -inf, without warnings)."""
    m = np.max(x, axis=-1, keepdims=True)
    z = x - np.where(np.isfinite(m), m, 0.0)
    return z - np.log(np.sum(np.exp(z), axis=-1, keepdims=True))


@functools.lru_cache(maxsize=32)
def _rows(n: int) -> np.ndarray:
    """0..n-1, read-only (the row index of a per-row pick)."""
    out = np.arange(n)
    out.flags.writeable = False
    return out


def nucleus(probs: np.ndarray, top_p: float) -> np.ndarray:
    """``probs`` (B, V, unnormalised) with every class outside each row's top-p nucleus set to 0, in place: the
    smallest set of most likely classes whose mass reaches ``top_p`` (classes tied with its least likely
    member stay in). In ascending order, a class is kept when the mass up to and including it exceeds
    1 - top_p; the first such class is the threshold."""
    ascending = probs.copy()
    ascending.sort(axis=1)
    mass = np.add.accumulate(ascending, axis=1)
    cut = (mass > (1.0 - top_p) * mass[:, -1:]).argmax(axis=1)
    probs *= probs >= ascending[_rows(len(probs)), cut][:, None]
    return probs


def draw(probs: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    """One class per row of ``probs`` (B, V, unnormalised, each row with some mass): the first whose cumulative
    mass exceeds a uniform draw (exactly B uniforms from ``rng``). The draw is scaled to stay below the total
    even after rounding, so the class found always has a positive probability."""
    cdf = np.add.accumulate(probs, axis=1)
    return (cdf > (rng.random(len(probs)) * (cdf[:, -1] * _BELOW_ONE))[:, None]).argmax(axis=1)


def masked_logits(logits: np.ndarray, allowed: np.ndarray | None) -> tuple[np.ndarray, np.ndarray | None]:
    """``logits`` minus each row's largest allowed logit, -inf where not allowed (``allowed`` None: all are),
    and the rows with nothing allowed (None when there is none), which allow every class instead."""
    if allowed is None:
        return logits - np.maximum.reduce(logits, axis=1, keepdims=True), None
    z = np.where(allowed, logits, -np.inf)
    top = np.maximum.reduce(z, axis=1, keepdims=True)
    if np.minimum.reduce(top, axis=None) > -np.inf:
        z -= top
        return z, None
    return masked_logits(logits, allowed | (top == -np.inf))[0], top[:, 0] == -np.inf


def sample(logits: np.ndarray, allowed: np.ndarray | None, rng: np.random.Generator,
           temperature: float | np.ndarray = 1.0, top_p: float = 1.0) -> tuple[np.ndarray, np.ndarray]:
    """One index per row of ``logits`` (B, V) among ``allowed`` (B, V) classes (None: every class), at
    ``temperature`` (one for all rows, or one per row).

    Returns the indices and their log-probabilities under the masked model distribution at temperature 1
    (what a candidate's score adds up), in the logits' precision. A row with nothing allowed gets index 0
    and log-probability 0. Always draws exactly B uniforms from ``rng``, so results depend only on the seed
    and the inputs.
    """
    z, empty = masked_logits(logits, allowed)
    probs = np.exp(z)
    log_total = np.log(np.add.reduce(probs, axis=1))
    if isinstance(temperature, np.ndarray):  # one temperature per row
        probs = np.exp(z / np.maximum(temperature, 1e-4)[:, None])
    elif temperature != 1.0:
        probs = np.exp(z / max(temperature, 1e-4))
    if top_p < 1.0:
        probs = nucleus(probs, top_p)
    idx = draw(probs, rng)
    lp = z[_rows(len(idx)), idx]
    lp -= log_total
    if empty is not None:
        idx[empty] = 0
        lp[empty] = 0.0
    return idx, lp


def merge_into(logits: np.ndarray, target: int, sources: np.ndarray) -> np.ndarray:
    """Copy of ``logits`` (B, V) where class ``target`` also holds the probability mass of ``sources`` (B, V) bool."""
    pool = np.where(sources, logits, -np.inf)
    pool[:, target] = logits[:, target]
    out = logits.copy()
    out[:, target] = np.logaddexp.reduce(pool, axis=1)
    return out
