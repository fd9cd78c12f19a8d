"""Repetition-aware sampling: logit bonuses that favour the prompt's own onsets in the bar and its interval steps.

Real tunes repeat and vary their motifs: the next bars reuse the prompt's rhythm (onsets on the same grid
positions), its melodic steps (after a step of +2, the prompt went on with -1, ...), the rhythm of the bar a
phrase earlier (bar 5 echoes bar 1 of a 4-bar phrase: its onsets and durations, with new pitches; a fill's bars
echo the bars before its gap the same way) and the prompt's pitch classes in about the same proportions. The
network knows this only softly; these bonuses make it audible. ``rhythm``, ``pitch``, ``echo``, ``echo_dur`` and
``profile`` are in nats: 0 turns a bonus off.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from composer_app.model import tokens as tk

SPAN = 12
"""Largest interval (semitones, either way) the pitch bonus tracks."""
PROMPT_BARS = 8
"""Bars of the prompt the bonuses learn from (the latest ones)."""
PHRASE_BARS = 4
"""The longest period a bar echoes (the prompt's length when it is shorter)."""
FIGURE_ONSETS = 3
"""Fewest onsets of a bar struck one note at a time that make it a figure (``echoes_figure``): a bar of one held note
or a pickup is not one."""
PROFILE_PRIOR = 4.0
"""Notes in the prompt's proportions that a candidate's pitch-class profile starts from (``profile_bonus``)."""
_PITCH_CLASS = np.arange(128) % 12


class MotifBias:
    """Bonuses learnt from prompt rows (reference key, BOS first): ``pos_bonus`` (NUM_POS,) for onsets the prompt
    used, ``add_pitch_bonus(logits, last, before)`` for the steps the prompt took after the same step, the echo of
    the bar a phrase earlier (``echo_pos``, ``echo_dur``; ``echo_count`` tells how many notes it struck on an
    onset, ``echoes_figure`` whether it is a figure), and ``profile_bonus`` that keeps a candidate's pitch classes
    (a melody's or an accompaniment's) in the prompt's proportions. A fill's rows (``gap``: its first and last bar)
    are its music on both sides."""

    def __init__(self, rows: Sequence[np.ndarray], bars: Sequence[int], rhythm: float, pitch: float,
                 melody: bool, echo: float = 0.0, profile: float = 0.0, echo_dur: float = 0.0,
                 gap: tuple[int, int] | None = None) -> None:
        notes = [(r, b) for r, b in zip(rows, bars) if int(r[tk.SHIFT]) <= tk.MAX_SHIFT and r[tk.PITCH] < 128]
        if notes and gap is not None:  # a fill: the bars nearest the gap on both sides
            notes = [(r, b) for r, b in notes if gap[0] - PROMPT_BARS <= b <= gap[1] + PROMPT_BARS]
        elif notes:
            last_bar = notes[-1][1]
            notes = [(r, b) for r, b in notes if b > last_bar - PROMPT_BARS]
        self.pos_bonus = np.zeros(tk.NUM_POS, np.float32)
        if notes and rhythm:
            used = np.zeros(tk.NUM_POS, bool)
            used[[int(r[tk.POS]) for r, _ in notes]] = True
            self.pos_bonus[used] = rhythm
        self.pitch = pitch if melody else 0.0
        self.table = np.zeros((2 * SPAN + 1, 2 * SPAN + 1))
        pitches = [int(r[tk.PITCH]) for r, _ in notes]
        steps = np.diff(pitches) if len(pitches) > 1 else np.zeros(0, np.int64)
        for a, b in zip(steps, steps[1:]):
            if abs(a) <= SPAN and abs(b) <= SPAN:
                self.table[a + SPAN, b + SPAN] += 1.0
        totals = self.table.sum(axis=1, keepdims=True)
        self.table = np.divide(self.table, totals, out=np.zeros_like(self.table), where=totals > 0)
        self._known_step = self.table.any(axis=1)
        self._any_step = bool(self.pitch) and bool(self._known_step.any())
        # row s holds step s's bonuses around the middle (column 127 + interval): the window starting at
        # 127 - last is that step's bonus for every pitch after the note ``last``
        spread = np.zeros((2 * SPAN + 1, 255))
        spread[:, 127 - SPAN:128 + SPAN] = self.table * self.pitch
        self._windows = np.lib.stride_tricks.sliding_window_view(spread, 128, axis=1)
        shares = np.bincount(np.asarray(pitches, np.int64) % 12, minlength=12) / max(len(pitches), 1)
        self._shares = shares if pitches and profile else None
        """The prompt's pitch-class shares (None: no profile bonus)."""
        self._profile_weight = profile
        """The profile bonus's weight in nats per share."""
        self.echo = echo if notes else 0.0
        self._dur_weight = echo_dur if self.echo else 0.0
        self.by_bar: dict[int, dict[int, list[int]]] = {}
        """Per prompt bar, per onset position: the duration classes of the notes there."""
        self._longest: dict[int, tuple[int, int, int]] = {}
        """Per prompt bar: its longest note (grid steps, pitch, onset position), the latest of equally long ones."""
        for r, b in notes:
            self.by_bar.setdefault(int(b), {}).setdefault(int(r[tk.POS]), []).append(int(r[tk.DUR]))
            held = (tk.DUR_STEPS[int(r[tk.DUR])], int(r[tk.PITCH]), int(r[tk.POS]))
            if held[0] >= self._longest.get(int(b), (0, 0))[0]:
                self._longest[int(b)] = held
        # the bars echoed: a continuation's prompt; a fill's bars before its gap (``gap``: its first and last bar),
        # or after it where nothing comes before
        side = [b for b in self.by_bar if gap is None or b < gap[0]] or [b for b in self.by_bar if b > gap[1]]
        span = (max(side) - min(side) + 1) if side else 0
        self.period = min(span, PHRASE_BARS)
        self._ahead = bool(side) and gap is not None and min(side) > gap[1]
        """Whether a fill's bars echo the bars after its gap (it has none before it)."""
        self._side = (min(side), max(side)) if side else (0, -1)
        self.first_bar = 0
        self._echo_pos: np.ndarray | None = None
        self._echo_dur: np.ndarray | None = None
        self._echo_count: np.ndarray | None = None
        """(bars, NUM_POS) the notes the echoed bar struck at each onset."""
        self._figure: np.ndarray | None = None
        """(bars,) whether the echoed bar is a figure: FIGURE_ONSETS or more onsets, one note on each."""

    def _source(self, bar: int) -> int | None:
        """The prompt bar that ``bar`` echoes (whole periods back), None when there is none. A fill's bar echoes
        the bars before its gap the same way, or, where nothing comes before the gap, those after it (whole
        periods on)."""
        if not self.echo or not self.period or not self.by_bar:
            return None
        first, last = self._side
        if self._ahead:
            src = bar + self.period
            while src < first:
                src += self.period
            return src if src <= last else None
        src = bar - self.period
        while src > last:
            src -= self.period
        return src if src >= first else None

    def prepare(self, first_bar: int, last_bar: int) -> None:
        """Tables of the echo bonuses for the bars a request writes (looked up, not built, at each step)."""
        self.first_bar = first_bar
        n = max(last_bar - first_bar + 1, 1)
        self._echo_pos = np.zeros((n, tk.NUM_POS), np.float32) if self.echo else None
        self._echo_count = np.zeros((n, tk.NUM_POS), np.int64) if self.echo else None
        self._echo_dur = np.zeros((n, tk.NUM_POS, len(tk.DUR_STEPS)), np.float32) if self._dur_weight else None
        self._figure = None
        if not self.echo:
            return
        for i in range(n):
            src = self._source(first_bar + i)
            for p, durs in (self.by_bar.get(src, {}) if src is not None else {}).items():
                self._echo_pos[i, p] = self.echo
                self._echo_count[i, p] = len(durs)
                if self._echo_dur is not None:
                    self._echo_dur[i, p, durs] = self._dur_weight
        self._figure = (self._echo_count.max(axis=1) == 1) & ((self._echo_count > 0).sum(axis=1) >= FIGURE_ONSETS)

    def echo_rows(self, bars: np.ndarray) -> np.ndarray | None:
        """Rows of the echo tables for ``bars`` (the first or last row outside the requested bars); None when
        there is no echo. Looked up once per step for ``echo_pos`` and ``echo_dur``."""
        if self._echo_pos is None:
            return None
        return np.minimum(np.maximum(bars - self.first_bar, 0), len(self._echo_pos) - 1)

    def echo_pos(self, rows: np.ndarray | None) -> np.ndarray | None:
        """(B, NUM_POS) bonuses for the onsets of the bar each candidate's new bar echoes (table ``rows``, from
        ``echo_rows``; None: nothing)."""
        return None if rows is None or self._echo_pos is None else self._echo_pos[rows]

    def echoes_figure(self, rows: np.ndarray | None) -> np.ndarray | None:
        """(B,) whether the echoed bar is a figure struck one note at a time (``FIGURE_ONSETS``; None: no echo)."""
        return None if rows is None or self._figure is None else self._figure[rows]

    def longest_echoed(self, bar: int) -> tuple[int, int, int] | None:
        """The longest note (grid steps, pitch, onset position; the latest of equally long ones) of the prompt bar
        that ``bar`` echoes; None where it echoes none."""
        src = self._source(bar)
        return None if src is None else self._longest.get(src)

    def echo_count(self, rows: np.ndarray | None, pos: np.ndarray) -> np.ndarray | None:
        """(B,) how many notes the echoed bar struck at each candidate's onset ``pos`` (None: no echo)."""
        return None if rows is None or self._echo_count is None else self._echo_count[rows, pos]

    def echo_dur(self, rows: np.ndarray | None, pos: np.ndarray) -> np.ndarray | None:
        """(B, durations) bonuses for the durations the echoed bar has at the same position (None: nothing): a
        note placed where the echoed bar had one lasts as long, so the bar's rhythm comes back (its pitches are
        free)."""
        return None if rows is None or self._echo_dur is None else self._echo_dur[rows, pos]

    def profile_bonus(self, counts: np.ndarray, n: np.ndarray) -> np.ndarray | None:
        """(B, 128) bonuses that keep each candidate's pitch classes in the prompt's proportions: ``counts``
        (B, 12) are its notes so far by pitch class, ``n`` (B,) their number. A pitch class gets the weight times
        its prompt share minus its share in the candidate, the candidate's shares taken with PROFILE_PRIOR notes
        in the prompt's proportions (so that one note is not yet a profile): (n share - count) / (n + prior).
        Over-used pitch classes lose, missing ones gain; None when off or before the first note."""
        if self._shares is None or not n.any():
            return None
        gap = n[:, None] * self._shares - counts
        gap *= (self._profile_weight / (n + PROFILE_PRIOR))[:, None]
        return gap[:, _PITCH_CLASS]

    def add_pitch_bonus(self, logits: np.ndarray, last: np.ndarray, before: np.ndarray) -> None:
        """Add to the pitch ``logits`` (B, 128), in place: for each candidate whose last step (``before`` -> ``last``)
        the prompt also took, the steps that followed it there, weighted by how often."""
        if not self._any_step:
            return
        step = last - before
        known = (last >= 0) & (before >= 0) & (np.abs(step) <= SPAN)
        if not known.any():
            return
        rows = slice(None) if known.all() else np.flatnonzero(known)  # every candidate (most steps): no selection
        steps = step[rows] + SPAN
        if not self._known_step[steps].any():  # no candidate's last step is one the prompt took
            return
        logits[rows] += self._windows[steps, 127 - last[rows]]
