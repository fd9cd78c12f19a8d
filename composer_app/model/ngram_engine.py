"""The n-gram baseline behind the engine's interface: the transformer's Decoder samples it with the same masks.

``NgramNet`` mimics what :class:`composer_app.model.decoding.Decoder` reads from a network: ``step`` keeps
each candidate's last notes in a small cache, ``cond`` writes a sampled field into its own column of the
state vector (value + 1, so 0 means unknown) and ``head`` returns the n-gram's log-probabilities. The
constraints (exact bars, key lock, range, density) therefore apply to both models in exactly the same way.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import numpy as np

from composer_app.model import ngram as ng
from composer_app.model import tokens as tk
from composer_app.model.continuation import ContinuationEngine

_COND = {"shift": ng.CUR["shift"], "meter": ng.CUR["meter"], "pos": ng.CUR["pos"], "chord": ng.CUR["chord"],
         "pitch": ng.CUR["pitch"], "dur": ng.CUR["dur"]}
NO_WINDOW = 1 << 30
"""The n-gram has no context window: the decoder never refills its cache."""


@dataclass
class NgramCache:
    """Per candidate: the history part of the state (previous notes and the last row's context)."""

    history: np.ndarray
    length: int = 0

    def repeat(self, n: int, slot: str = "repeat") -> NgramCache:
        return NgramCache(np.repeat(self.history, n, axis=0), self.length)


class NgramNet:
    """An :class:`~composer_app.model.ngram.NgramModel` dressed as a ContinuationNet for the Decoder."""

    def __init__(self, model: ng.NgramModel) -> None:
        self.model = model
        self.meta: dict = {"kind": "ngram", **model.meta}
        self.max_len = NO_WINDOW

    def borrow_buffers(self) -> None:
        """No buffers: the n-gram's state is a few numbers per candidate."""

    def return_buffers(self, buffers: None) -> None:
        """Nothing to keep."""

    def new_cache(self, batch: int, capacity: int, slot: str | None = None, buffers: None = None) -> NgramCache:
        return NgramCache(np.zeros((batch, ng.STATE), np.float64))

    def prompt_state(self, rows: np.ndarray, buffers: None) -> tuple[NgramCache, np.ndarray]:
        """The cache after the prompt ``rows`` (T, F) and its last state (1, STATE), stepped every time (cheap)."""
        cache = self.new_cache(1, len(rows))
        return cache, self.step(rows[None], cache)[:, -1]

    def step(self, rows: np.ndarray, cache: NgramCache, last_only: bool = False) -> np.ndarray:
        """Push rows (B, T, F) into each candidate's history; returns (B, T, STATE) states (current fields 0),
        ``last_only`` or not (the states are cheap)."""
        rows = np.asarray(rows, np.int64)
        b, t = rows.shape[:2]
        out = np.zeros((b, t, ng.STATE))
        hist = cache.history
        for j in range(t):
            row = rows[:, j]
            if cache.length == 0 and j == 0:  # before BOS: BOS again, as in training
                for base in (ng.P3, ng.P2, ng.P1):
                    hist[:, base:base + 5] = row[:, [tk.SHIFT, tk.POS, tk.PITCH, tk.DUR, tk.VEL]]
            hist[:, ng.P3:ng.P3 + 5] = hist[:, ng.P2:ng.P2 + 5]
            hist[:, ng.P2:ng.P2 + 5] = hist[:, ng.P1:ng.P1 + 5]
            hist[:, ng.P1:ng.P1 + 5] = row[:, [tk.SHIFT, tk.POS, tk.PITCH, tk.DUR, tk.VEL]]
            hist[:, ng.C_METER], hist[:, ng.C_MODE] = row[:, tk.METER], row[:, tk.MODE]
            hist[:, ng.C_STYLE], hist[:, ng.C_ROLE] = row[:, tk.STYLE], row[:, tk.ROLE]
            out[:, j] = hist
        cache.length += t
        return out

    def cond(self, name: str, index: np.ndarray) -> np.ndarray:
        index = np.asarray(index)
        out = np.zeros((len(index), ng.STATE))
        out[:, _COND[name]] = index + 1
        return out

    def head(self, field: str, u: np.ndarray) -> np.ndarray:
        """Log-probabilities (B, V) of ``field`` given the states ``u`` (history plus current fields + 1)."""
        state = np.rint(u).astype(np.int64)
        cur = list(_COND.values())
        state[:, cur] = np.maximum(state[:, cur] - 1, 0)
        return np.log(self.model.distribution(field, state))


class NgramEngine(ContinuationEngine):
    """The baseline as a SuggestionEngine: same requests, same constraint masks, same candidates."""

    name = "ngram"

    def __init__(self, model: ng.NgramModel) -> None:
        super().__init__(NgramNet(model))  # type: ignore[arg-type]
        self.model = model

    @classmethod
    def load(cls, path: str | Path | None = None) -> NgramEngine:
        return cls(ng.NgramModel.load(path or ng.DEFAULT_PATH))
