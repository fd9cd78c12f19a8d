"""Exact inference for a linear-chain chord model: scaled forward pass, Viterbi, forward-filtering
backward-sampling, path scores. Potentials are log-space; classes outside ``allowed`` never occur."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np


@dataclass(frozen=True)
class Chain:
    """Log potentials: unary (T, V), transition (V, V), diagonal bonus per step (T,), start and end (V,)."""

    unary: np.ndarray
    trans: np.ndarray
    diag: np.ndarray
    start: np.ndarray
    end: np.ndarray

    def restricted(self, allowed: np.ndarray) -> tuple[Chain, np.ndarray]:
        """The chain over the classes some step allows (``allowed`` is (T, V) bool), and their indices."""
        keep = np.flatnonzero(allowed.any(axis=0))
        unary = np.where(allowed[:, keep], self.unary[:, keep], -np.inf)
        sub = Chain(unary, self.trans[np.ix_(keep, keep)], self.diag, self.start[keep], self.end[keep])
        return sub, keep


def _exp(x: np.ndarray) -> tuple[np.ndarray, float]:
    top = float(np.max(x[np.isfinite(x)])) if np.isfinite(x).any() else 0.0
    return np.exp(x - top), top


def forward(chain: Chain, temperature: float = 1.0) -> tuple[np.ndarray, float]:
    """Normalised forward messages (T, V) and log Z, with every potential divided by ``temperature``."""
    t_len, _ = chain.unary.shape
    e_trans, c_trans = _exp(chain.trans / temperature)
    diag_t = np.diagonal(e_trans)
    u = chain.unary / temperature
    finite = np.isfinite(u)
    c_u = np.where(finite.any(axis=1), np.max(np.where(finite, u, -np.inf), axis=1), 0.0)
    e_u = np.exp(u - c_u[:, None])
    bonus = np.expm1(chain.diag / temperature)
    e_s, c_s = _exp(chain.start / temperature)
    alphas = np.zeros_like(e_u)
    log_z = c_s + float(c_u.sum()) + c_trans * (t_len - 1)
    a = e_s * e_u[0]
    for t in range(t_len):
        if t:
            prev = alphas[t - 1]
            a = (prev @ e_trans + prev * diag_t * bonus[t]) * e_u[t]
        total = a.sum()
        if total <= 0:
            raise ValueError("no chord sequence satisfies the constraints")
        alphas[t] = a / total
        log_z += float(np.log(total))
    e_end, c_end = _exp(chain.end / temperature)
    log_z += c_end + float(np.log((alphas[-1] * e_end).sum()))
    return alphas, log_z


def viterbi(chain: Chain) -> np.ndarray:
    """The highest-scoring path (T,) of class indices."""
    t_len, v = chain.unary.shape
    score = chain.start + chain.unary[0]
    back = np.zeros((t_len, v), dtype=np.int64)
    eye = np.arange(v)
    for t in range(1, t_len):
        cand = score[:, None] + chain.trans
        cand[eye, eye] += chain.diag[t]
        back[t] = np.argmax(cand, axis=0)
        score = cand[back[t], eye] + chain.unary[t]
    path = np.zeros(t_len, dtype=np.int64)
    path[-1] = int(np.argmax(score + chain.end))
    for t in range(t_len - 1, 0, -1):
        path[t - 1] = back[t, path[t]]
    return path


def sample(chain: Chain, n: int, rng: np.random.Generator, temperature: float = 1.0,
           alphas: np.ndarray | None = None) -> np.ndarray:
    """``n`` exact samples (n, T) from the chain at ``temperature`` (forward filtering, backward sampling);
    ``alphas``: the forward messages at that temperature when already computed."""
    if alphas is None:
        alphas, _ = forward(chain, temperature)
    t_len, v = alphas.shape
    e_trans, _ = _exp(chain.trans / temperature)
    e_end, _ = _exp(chain.end / temperature)
    paths = np.zeros((n, t_len), dtype=np.int64)
    paths[:, -1] = _draw(np.broadcast_to(alphas[-1] * e_end, (n, v)), rng)
    for t in range(t_len - 2, -1, -1):
        nxt = paths[:, t + 1]
        w = alphas[t][None, :] * e_trans[:, nxt].T
        bonus = np.expm1(chain.diag[t + 1] / temperature)
        w[np.arange(n), nxt] *= 1.0 + bonus
        paths[:, t] = _draw(w, rng)
    return paths


def _draw(weights: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    cum = np.cumsum(weights, axis=1)
    u = rng.random(weights.shape[0]) * cum[:, -1]
    idx = (cum < u[:, None]).sum(axis=1)
    return np.minimum(idx, weights.shape[1] - 1)


def path_scores(chain: Chain, paths: np.ndarray) -> np.ndarray:
    """Unnormalised log scores (n,) of paths (n, T)."""
    t_len = chain.unary.shape[0]
    steps = np.arange(t_len)
    s = chain.start[paths[:, 0]] + chain.end[paths[:, -1]] + chain.unary[steps, paths].sum(axis=1)
    if t_len > 1:
        prev, nxt = paths[:, :-1], paths[:, 1:]
        s = s + chain.trans[prev, nxt].sum(axis=1) + ((prev == nxt) * chain.diag[1:]).sum(axis=1)
    return s
