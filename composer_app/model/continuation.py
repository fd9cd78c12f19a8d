"""'Suggest next N bars': the request and candidate values, and the numpy continuation engine.

Usage::

    engine = ContinuationEngine.load()            # resources/models/continuation.npz
    request = ContinuationRequest(context=notes, meters=((0, 4, 4),), key=KeySignature(0, 7), bars=4)
    for cand in engine.suggest(request):
        cand.notes, cand.log_prob, cand.facts

Notes are (pitch, start, duration, velocity) in song ticks (480 PPQ) in the song's real key.
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any, Protocol

import numpy as np

from composer_app.core.errors import SongFileError
from composer_app.core.pitch import KeySignature
from composer_app.core.song import NoteTuple as Note
from composer_app.model import note_values as nv
from composer_app.model import played_rhythm, two_hands
from composer_app.model import tokens as tk
from composer_app.model.consensus import consensus_order
from composer_app.model.continuation_net import ContinuationNet
from composer_app.model.decoding import Decoder
from composer_app.model.facts import CandidateFacts, candidate_facts

MODES = ("continue", "fill", "vary")
KEEPS = ("rhythm", "contour", "start")
ROLES = (*tk.ROLES, "bass", two_hands.BOTH)
"""What a request may ask for: a melody, an accompaniment, a bass line (a line over the chords' roots), or a part
that plays its tune over its own accompaniment (``two_hands``)."""
DEFAULT_WEIGHTS = Path(__file__).resolve().parents[2] / "resources" / "models" / "continuation.npz"


RETRIES = 2
"""How many times candidates that repeat another one are sampled again before they are kept as they are."""
DEFAULT_TEMPERATURE = 0.8
"""Sampling temperature of a request (the panel's Creativity): set with the motif-reuse bonuses on the valid
split (``composer-cli eval continuation``); closer to the real next bars than 1.0 in pitch and rhythm."""


@dataclass(frozen=True)
class ContinuationRequest:
    """Everything the engine needs, no song object: context notes, time, key, chords and constraints.

    ``mode`` "continue" writes ``bars`` bars from ``start_bar`` (None: after the context, the bar where its
    last note ends, rounded up) from the notes before it. "fill" rewrites the span of ``bars`` bars from
    ``start_bar`` given the notes before AND after it (context notes inside the span are ignored). "vary"
    rewrites the span's own notes: ``keep`` "rhythm" keeps every onset, duration and velocity and re-chooses
    the pitches, "contour" keeps the number of notes and their up/down pattern and re-chooses rhythm and
    intervals, "start" keeps the first half of the span and fills the second; ``amount`` (0..1) is how far
    from the original (0 stays close, 1 ignores it). ``reuse`` scales how strongly sampling favours the prompt's
    own onsets and melodic steps (repetition and variation of the motif; 0 turns it off). ``phrase_end`` makes
    a continuation's last bar end the phrase (fewer notes, one held to the barline), as real tunes end the
    bars a musician asks for. ``pitch_range`` is in
    real MIDI pitches (inclusive); ``density`` is a target in notes per bar; ``key_lock`` keeps every note in the
    key's scale (``KeySignature.lock_scale``: in minor keys natural minor with its raised leading tone).
    """

    context: tuple[Note, ...] = ()
    meters: tuple[tuple[int, int, int], ...] = ((0, 4, 4),)
    key: KeySignature | None = None
    chords: tuple[tuple[int, int, str], ...] = ()
    start_bar: int | None = None
    bars: int = 4
    candidates: int = 4
    temperature: float = DEFAULT_TEMPERATURE
    top_p: float = 0.95
    seed: int | None = None
    key_lock: bool = False
    pitch_range: tuple[int, int] | None = None
    density: float | None = None
    style: str = "pop"
    role: str = "melody"
    mode: str = "continue"
    keep: str | None = None
    amount: float = 0.5
    reuse: float = 1.0
    phrase_end: bool = True
    chords_each: tuple[tuple[tuple[int, int, str], ...], ...] = ()
    """Per candidate, the chords it is written over instead of ``chords`` (an accompaniment under each of a part's
    new tunes, ``two_hands``); empty: ``chords`` for every candidate."""
    avoid: tuple[Note, ...] = ()
    """Notes that no candidate may be, pitch for pitch and onset for onset (the bars of the candidate that "More like
    this" stays near): one that comes out so is sampled again, as one that repeats another candidate is. A fill's
    or a variation's span already counts its own notes so."""

    def __post_init__(self) -> None:
        if self.mode not in MODES:
            raise ValueError(f"mode must be one of {MODES}, not {self.mode!r}")
        if self.mode != "continue" and self.start_bar is None:
            raise ValueError(f"a {self.mode} request needs start_bar (the first bar of the span)")
        if self.mode == "vary" and self.keep not in KEEPS:
            raise ValueError(f"keep must be one of {KEEPS}, not {self.keep!r}")
        if self.mode == "vary" and self.keep == "start" and self.bars < 2:
            raise ValueError("keeping the start needs a span of at least 2 bars")
        if self.reuse < 0:
            raise ValueError(f"reuse must be >= 0, not {self.reuse}")
        if not 0.0 <= self.amount <= 1.0:
            raise ValueError(f"amount must be in 0..1, not {self.amount}")
        if not 1 <= self.bars <= 16:
            raise ValueError(f"bars must be 1..16, not {self.bars}")
        if not 1 <= self.candidates <= 8:
            raise ValueError(f"candidates must be 1..8, not {self.candidates}")
        if self.style not in tk.STYLES:
            raise ValueError(f"style must be one of {tk.STYLES}")
        if self.role not in ROLES:
            raise ValueError(f"role must be one of {ROLES}")
        if self.temperature <= 0 or not 0 < self.top_p <= 1:
            raise ValueError("temperature must be > 0 and top_p in (0, 1]")
        if self.pitch_range is not None and not 0 <= self.pitch_range[0] <= self.pitch_range[1] <= 127:
            raise ValueError(f"bad pitch range {self.pitch_range}")
        if self.density is not None and self.density <= 0:
            raise ValueError("density must be positive")
        if self.chords_each and len(self.chords_each) != self.candidates:
            raise ValueError(f"chords_each needs one chord list per candidate ({self.candidates})")


class Cancelled(Exception):
    """``suggest`` stopped because its ``cancel`` callable said so (checked between sampling steps)."""


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
    """What the UI talks to: a name and ``suggest`` (``on_candidate`` is called with each candidate as it is ready)."""

    name: str

    def suggest(self, request: ContinuationRequest, on_candidate: Callable[[Candidate], None] | None = None,
                cancel: Callable[[], bool] | None = None) -> list[Candidate]: ...


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
        self.harmonizer: Callable[[], Any] | None = None
        """Where a part that plays its tune over its own accompaniment gets the harmonizer that puts chords under each
        new tune for the accompaniment (``two_hands``): a getter (it may load the model); None, or a getter that
        fails to load one, and the accompaniment goes on over the chords heard before."""
        tok = net.meta.get("tokenizer", {})
        if tok and (tok.get("fields") != list(tk.FIELDS) or tok.get("output_sizes") != tk.OUTPUT_SIZES):
            raise ValueError("the weights were trained with a different tokenizer")

    @classmethod
    def load(cls, path: str | Path | None = None) -> ContinuationEngine:
        return cls(ContinuationNet.load(path or DEFAULT_WEIGHTS))

    @property
    def meta(self) -> dict:
        return self.net.meta

    def suggest(self, request: ContinuationRequest, on_candidate: Callable[[Candidate], None] | None = None,
                cancel: Callable[[], bool] | None = None) -> list[Candidate]:
        """``request.candidates`` continuations of exactly ``request.bars`` bars, sampled in one batch; a
        continuation's in ``consensus`` order, the one most like the others first. Each is given to ``on_candidate``
        once the batch is complete and in order (on a cancel, those finished before it, then ``Cancelled``).

        A song written in long note values (3/2 in half notes, 3/1 in whole notes) is sampled in the values the
        network learnt (``note_values``) and its candidates come back in the song's own.
        ``cancel`` is asked between sampling steps; when it answers True, ``Cancelled`` is raised. A part that plays
        its tune over its own accompaniment (role ``two_hands.BOTH``) is written as both: the tunes, then under each
        the accompaniment (``two_hands.suggest``). A context played in by hand is read as written first
        (``played_rhythm``)."""
        request = played_rhythm.written_request(request)
        if request.role == two_hands.BOTH:
            return two_hands.suggest(self.suggest, request, on_candidate, cancel, self._harmonizer())
        scale = nv.time_scale(request.meters, request.context)
        if scale == 1:
            return self._suggest(request, on_candidate, cancel)

        def back(cand: Candidate) -> Candidate:
            return replace(cand, notes=nv.stretched(cand.notes, scale), start_tick=cand.start_tick * scale,
                           end_tick=cand.end_tick * scale, meta={**cand.meta, "time_scale": scale})

        small = nv.shrunk_request(request, scale)
        emit = None if on_candidate is None else (lambda cand: on_candidate(back(cand)))
        return [back(c) for c in self._suggest(small, emit, cancel)]

    def _harmonizer(self) -> Any:
        if self.harmonizer is None:
            return None
        try:
            return self.harmonizer()
        except SongFileError:  # no usable harmonizer model: the accompaniment goes on without its chords
            return None

    def _suggest(self, request: ContinuationRequest, on_candidate: Callable[[Candidate], None] | None,
                 cancel: Callable[[], bool] | None) -> list[Candidate]:
        key = request.key or KeySignature(0)
        grid = tk.BarGrid(request.meters or ((0, 4, 4),))
        start_bar, bars = resolve_start_bar(request, grid), request.bars
        if request.mode == "vary" and request.keep == "start":
            start_bar, bars = start_bar + bars // 2, bars - bars // 2
        start_tick = grid.start(start_bar)
        end_tick = grid.start(start_bar + bars)
        prompt = tuple(n for n in request.context if n[1] < start_tick)
        after = tuple(n for n in request.context if n[1] >= end_tick) if request.mode != "continue" else ()
        original: tuple[Note, ...] = ()
        if request.mode == "vary" and request.keep != "start":
            original = tuple(sorted((n for n in request.context if start_tick <= n[1] < end_tick),
                                    key=lambda n: (n[1], n[0])))
            if not original:
                raise ValueError(f"no notes to vary in bars {start_bar + 1}-{start_bar + bars}")
        done: dict[int, Candidate] = {}
        seen: set[tuple] = set()
        spans = (request.avoid, request.context if request.mode != "continue" else ())  # a fill's, a variation's own
        for notes in spans:
            here = tuple(sorted((n[0], n[1]) for n in notes if start_tick <= n[1] < end_tick))
            if here:
                seen.add(here)
        repeats: list[int] = []  # candidates with another one's pitches and onsets: sampled again
        slot = list(range(request.candidates))  # a decoder's candidate i answers for candidate slot[i]

        # a rhythm-keeping variation keeps the original durations, also of a last note held over the span's end
        cut = max([end_tick] + [n[1] + n[2] for n in original]) if request.keep == "rhythm" else end_tick

        def finish(i: int, rows: np.ndarray, bars: list[int], log_prob: float, last_try: bool = True) -> None:
            notes = tuple(self._notes(rows, bars, grid, key, request.role, cut))
            if request.keep == "rhythm":
                notes = _with_velocities(notes, original)
            heard = tuple(sorted((p, s) for p, s, _, _ in notes))  # a different length or loudness: the same idea
            if heard in seen and not last_try:
                repeats.append(slot[i])
                return
            seen.add(heard)
            cand = Candidate(slot[i], notes, float(log_prob), candidate_facts(notes, prompt, key),
                             start_tick, end_tick)
            done[slot[i]] = cand

        def hand_over() -> list[Candidate]:
            """The candidates done, in the order they are shown, each given to ``on_candidate``. A continuation's
            are put in consensus order; fills and variations keep the sampled order (their first candidate, the one
            no other pushes away from the echo, was as close to the hidden bars), and candidates paired by index
            with their own chords keep their places."""
            out = [done[i] for i in sorted(done)]
            if request.mode == "continue" and not request.chords_each:
                order = consensus_order([c.notes for c in out], grid)
                out = [replace(out[k], index=rank) for rank, k in enumerate(order)]
            if on_candidate is not None:
                for cand in out:
                    on_candidate(cand)
            return out

        req = request
        for attempt in range(1 + RETRIES):
            last_try = attempt == RETRIES
            decoder = Decoder(self.net, req, key, grid, start_bar, prompt, bars=bars, after=after, original=original)
            if not decoder.run(functools.partial(finish, last_try=last_try), cancel):
                hand_over()  # those finished before the cancel are still the caller's to keep
                raise Cancelled("suggest was cancelled")
            if not repeats:
                break
            # a candidate equal to another is asked again, a little hotter and without the motif bonuses
            slot[:] = repeats
            repeats.clear()
            each = tuple(request.chords_each[i] for i in slot) if request.chords_each else ()
            req = replace(req, candidates=len(slot), chords_each=each, temperature=max(req.temperature, 1.0) * 1.25,
                          reuse=0.0, seed=None if req.seed is None else req.seed + 1009 * (attempt + 1))
        return hand_over()

    @staticmethod
    def _notes(rows: np.ndarray, bars: list[int], grid: tk.BarGrid, key: KeySignature, role: str,
               end_tick: int) -> list[Note]:
        """Sampled rows to notes in the real key, durations cut at ``end_tick`` (and, for a melody or a bass line,
        at the next onset, so the line stays one voice)."""
        t = tk.reference_shift(key)
        starts = {bar: grid.start(bar) for bar in set(bars)}
        notes = []
        for (pitch, pos, dur_class, vel), bar in zip(rows[:, [tk.PITCH, tk.POS, tk.DUR, tk.VEL]].tolist(), bars):
            start = starts[bar] + pos * tk.GRID
            dur = min(tk.dur_ticks(dur_class), end_tick - start)
            notes.append((pitch - t, start, dur, tk.VEL_VALUES[vel]))
        notes.sort(key=lambda n: (n[1], n[0]))
        if role != "accompaniment":
            notes = [(p, s, min(d, notes[i + 1][1] - s) if i + 1 < len(notes) and notes[i + 1][1] > s else d, v)
                     for i, (p, s, d, v) in enumerate(notes)]
        return [n for n in notes if n[2] > 0]


def _with_velocities(notes: tuple[Note, ...], original: tuple[Note, ...]) -> tuple[Note, ...]:
    """A rhythm-keeping variation's notes with the original's exact velocities, onset by onset (the network
    writes loudness in 8 steps)."""
    by_onset: dict[int, list[int]] = {}
    for n in original:
        by_onset.setdefault(n[1], []).append(n[3])
    out = []
    for p, s, d, v in notes:
        left = by_onset.get(s)
        out.append((p, s, d, left.pop(0) if left else v))
    return tuple(out)
