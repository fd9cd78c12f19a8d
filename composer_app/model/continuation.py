"""'Suggest next N bars': the request and candidate values, and the numpy continuation engine.

Usage::

    engine = ContinuationEngine.load()            # resources/models/continuation.npz
    request = ContinuationRequest(context=notes, meters=((0, 4, 4),), key=KeySignature(0, 7), bars=4)
    for cand in engine.suggest(request):
        cand.notes, cand.log_prob, cand.facts

Notes are (pitch, start, duration, velocity) in song ticks (480 PPQ) in the song's real key.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Protocol

import numpy as np

from composer_app.core.pitch import KeySignature
from composer_app.model import tokens as tk
from composer_app.model.continuation_net import ContinuationNet
from composer_app.model.decoding import Decoder
from composer_app.model.facts import CandidateFacts, candidate_facts

DEFAULT_WEIGHTS = Path(__file__).resolve().parents[2] / "resources" / "models" / "continuation.npz"
Note = tuple[int, int, int, int]


@dataclass(frozen=True)
class ContinuationRequest:
    """Everything the engine needs, no song object: context notes, time, key, chords and constraints.

    ``start_bar`` None continues after the context (the bar where its last note ends, rounded up);
    otherwise the context is the notes starting before that bar. ``pitch_range`` is in real MIDI
    pitches (inclusive); ``density`` is a target in notes per bar; ``key_lock`` keeps every note in the
    key's scale (natural minor for minor keys).
    """

    context: tuple[Note, ...] = ()
    meters: tuple[tuple[int, int, int], ...] = ((0, 4, 4),)
    key: KeySignature | None = None
    chords: tuple[tuple[int, int, str], ...] = ()
    start_bar: int | None = None
    bars: int = 4
    candidates: int = 4
    temperature: float = 1.0
    top_p: float = 0.95
    seed: int | None = None
    key_lock: bool = False
    pitch_range: tuple[int, int] | None = None
    density: float | None = None
    style: str = "pop"
    role: str = "melody"

    def __post_init__(self) -> None:
        if not 1 <= self.bars <= 16:
            raise ValueError(f"bars must be 1..16, not {self.bars}")
        if not 1 <= self.candidates <= 8:
            raise ValueError(f"candidates must be 1..8, not {self.candidates}")
        if self.style not in tk.STYLES:
            raise ValueError(f"style must be one of {tk.STYLES}")
        if self.role not in (*tk.ROLES, "bass"):
            raise ValueError(f"role must be one of {tk.ROLES}")
        if self.temperature <= 0 or not 0 < self.top_p <= 1:
            raise ValueError("temperature must be > 0 and top_p in (0, 1]")
        if self.pitch_range is not None and not 0 <= self.pitch_range[0] <= self.pitch_range[1] <= 127:
            raise ValueError(f"bad pitch range {self.pitch_range}")
        if self.density is not None and self.density <= 0:
            raise ValueError("density must be positive")


@dataclass(frozen=True)
class Candidate:
    """One suggestion: notes in song ticks and the real key, the model's log-probability and facts."""

    index: int
    notes: tuple[Note, ...]
    log_prob: float
    facts: CandidateFacts
    start_tick: int
    end_tick: int
    meta: dict = field(default_factory=dict, compare=False)


class SuggestionEngine(Protocol):
    """What the UI talks to: a name and ``suggest`` (``on_candidate`` is called as each one finishes)."""

    name: str

    def suggest(self, request: ContinuationRequest,
                on_candidate: Callable[[Candidate], None] | None = None) -> list[Candidate]: ...


def resolve_start_bar(request: ContinuationRequest, grid: tk.BarGrid) -> int:
    if request.start_bar is not None:
        return max(request.start_bar, 0)
    if not request.context:
        return 0
    end = max(s + d for _, s, d, _ in request.context)
    bar = grid.map.bar_of(end)
    return bar if grid.start(bar) == end else bar + 1


class ContinuationEngine:
    """The embedded transformer, sampled in one batch with masks for the request's constraints."""

    name = "transformer"

    def __init__(self, net: ContinuationNet) -> None:
        self.net = net
        tok = net.meta.get("tokenizer", {})
        if tok and (tok.get("fields") != list(tk.FIELDS) or tok.get("output_sizes") != tk.OUTPUT_SIZES):
            raise ValueError("the weights were trained with a different tokenizer")

    @classmethod
    def load(cls, path: str | Path | None = None) -> ContinuationEngine:
        return cls(ContinuationNet.load(path or DEFAULT_WEIGHTS))

    @property
    def meta(self) -> dict:
        return self.net.meta

    def suggest(self, request: ContinuationRequest,
                on_candidate: Callable[[Candidate], None] | None = None) -> list[Candidate]:
        """``request.candidates`` continuations of exactly ``request.bars`` bars, sampled in one batch."""
        key = request.key or KeySignature(0)
        grid = tk.BarGrid(request.meters or ((0, 4, 4),))
        start_bar = resolve_start_bar(request, grid)
        start_tick = grid.start(start_bar)
        end_tick = grid.start(start_bar + request.bars)
        prompt = tuple(n for n in request.context if n[1] < start_tick)
        done: dict[int, Candidate] = {}

        def finish(i: int, rows: np.ndarray, bars: list[int], log_prob: float) -> None:
            notes = self._notes(rows, bars, grid, key, request.role, end_tick)
            cand = Candidate(i, tuple(notes), float(log_prob), candidate_facts(notes, prompt, key),
                             start_tick, end_tick)
            done[i] = cand
            if on_candidate is not None:
                on_candidate(cand)

        decoder = Decoder(self.net, request, key, grid, start_bar, prompt)
        decoder.run(finish)
        return [done[i] for i in sorted(done)]

    @staticmethod
    def _notes(rows: np.ndarray, bars: list[int], grid: tk.BarGrid, key: KeySignature, role: str,
               end_tick: int) -> list[Note]:
        """Sampled rows to notes in the real key, durations cut at ``end_tick`` (and, for a melody,
        at the next onset, so the line stays one voice)."""
        t = tk.reference_shift(key)
        notes = []
        for row, bar in zip(rows, bars):
            start = grid.start(bar) + int(row[tk.POS]) * tk.GRID
            dur = min(tk.dur_ticks(int(row[tk.DUR])), end_tick - start)
            notes.append((int(row[tk.PITCH]) - t, start, dur, tk.VEL_VALUES[int(row[tk.VEL])]))
        notes.sort(key=lambda n: (n[1], n[0]))
        if role == "melody":
            notes = [(p, s, min(d, notes[i + 1][1] - s) if i + 1 < len(notes) and notes[i + 1][1] > s else d, v)
                     for i, (p, s, d, v) in enumerate(notes)]
        return [n for n in notes if n[2] > 0]
