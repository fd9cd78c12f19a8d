"""The sampling loop behind ContinuationEngine: KV-cached steps over a batch of candidates, constraint masks."""

from __future__ import annotations

import math
from collections.abc import Callable
from typing import Any

import numpy as np

from composer_app.core.pitch import KeySignature
from composer_app.model import tokens as tk
from composer_app.model.continuation_net import ContinuationNet
from composer_app.model.sampling import merge_into, sample

NOTES_PER_BAR_CAP = {"melody": 24, "accompaniment": 48}
DENSITY_WEIGHT = 2.5
Finish = Callable[[int, list[np.ndarray], list[int], float], None]


class Decoder:
    """Samples ``request.candidates`` note-row sequences that fill bars start_bar..start_bar+bars-1."""

    def __init__(self, net: ContinuationNet, request: Any, key: KeySignature, grid: tk.BarGrid, start_bar: int,
                 prompt: tuple) -> None:
        self.net, self.req, self.grid = net, request, grid
        self.n = request.candidates
        self.first_bar, self.last_bar = start_bar, start_bar + request.bars - 1
        self.role = "melody" if request.role == "melody" else "accompaniment"
        self.key = key
        self.t = tk.reference_shift(key)
        self.track = tk.ChordTrack(request.chords, self.t)
        self.ids = (tk.MODES.index(key.mode), tk.STYLES.index(request.style), tk.ROLES.index(self.role))
        self.pitch_ok = self._pitch_mask()
        self.rng = np.random.default_rng(request.seed)
        self.max_notes = NOTES_PER_BAR_CAP[self.role] * request.bars
        self._steps: dict[int, int] = {}
        self._meters: dict[int, int] = {}
        self.rows, self.bars = self._context(prompt)

    # --- setup -------------------------------------------------------------------------------
    def _pitch_mask(self) -> np.ndarray:
        """Allowed pitches in the reference key: range and key lock (dropped if it leaves nothing)."""
        real = np.arange(128) - self.t
        ok = (real >= 0) & (real <= 127)
        if self.req.pitch_range is not None:
            lo, hi = self.req.pitch_range
            ok &= (real >= lo) & (real <= hi)
        if self.req.key_lock:
            scale = KeySignature(0).scale  # C major and A natural minor share their pitch classes
            locked = ok & np.isin(np.arange(128) % 12, list(scale))
            ok = locked if locked.any() else ok
        return ok

    def _context(self, prompt: tuple) -> tuple[list[np.ndarray], list[int]]:
        """Context rows (BOS plus notes, reference key) and the bar of each row, trimmed to fit the window."""
        req = self.req
        keep = int(self.net.max_len * 3 // 4)
        notes = sorted(prompt, key=lambda n: (n[1], n[0]))[-keep:]
        if notes:
            origin = tk.first_bar(notes, req.meters)
            rows = tk.encode_part(notes, req.meters, req.chords, self.key, req.style, self.role,
                                  origin_bar=origin, eos=False)
            bars = list(origin + np.cumsum([0] + [int(r[tk.SHIFT]) for r in rows[1:]]))
            if self.first_bar - bars[-1] <= tk.MAX_SHIFT:
                return list(rows), [int(b) for b in bars]
        bos = tk.special_row(tk.BOS, self.grid.meter(self.first_bar), *self.ids,
                             chord=self.track.at(self.grid.start(self.first_bar)))
        return [bos], [self.first_bar]

    def meter(self, bar: int) -> int:
        if bar not in self._meters:
            self._meters[bar] = self.grid.meter(bar)
        return self._meters[bar]

    def steps(self, bar: int) -> int:
        if bar not in self._steps:
            self._steps[bar] = self.grid.steps(bar)
        return self._steps[bar]

    # --- the loop ----------------------------------------------------------------------------
    def run(self, finish: Finish) -> None:
        net, n = self.net, self.n
        cache = net.new_cache(1, net.max_len)
        h = net.step(np.stack(self.rows)[None], cache)[:, -1]
        cache = cache.repeat(n)
        h = np.repeat(h, n, axis=0)
        last = self.rows[-1]
        bar = np.full(n, self.bars[-1])
        pos = np.full(n, -1 if last[tk.SHIFT] == tk.BOS else int(last[tk.POS]))
        pitch = np.full(n, -1 if last[tk.SHIFT] == tk.BOS else int(last[tk.PITCH]))
        count = np.zeros(n, int)
        has_last = np.zeros(n, bool)
        active = np.ones(n, bool)
        logp = np.zeros(n)
        gen_rows: list[list[np.ndarray]] = [[] for _ in range(n)]
        gen_bars: list[list[int]] = [[] for _ in range(n)]
        req = self.req
        while active.any():
            shift_logits = net.head("shift", h)
            allowed, shift_logits = self._shift_mask(shift_logits, bar, pos, pitch, count, has_last, gen_rows)
            s, lp = sample(shift_logits, allowed, self.rng, req.temperature, req.top_p)
            ending = active & (s == tk.EOS)
            s = np.where(s == tk.EOS, 0, s)
            logp += np.where(active, lp, 0.0)
            for i in np.flatnonzero(ending):
                active[i] = False
                finish(int(i), gen_rows[i], gen_bars[i], logp[i])
            if not active.any():
                break
            nb = bar + s
            meter = np.array([self.meter(int(b)) for b in nb])
            u = h + net.cond("shift", s) + net.cond("meter", meter)
            allowed = self._pos_mask(s, nb, pos, pitch)
            p, lp = sample(net.head("pos", u), allowed, self.rng, req.temperature, req.top_p)
            logp += np.where(active, lp, 0.0)
            onset = np.array([self.grid.start(int(b)) for b in nb]) + p * tk.GRID
            chord = np.array([self.track.at(int(o)) for o in onset])
            u = u + net.cond("pos", p) + net.cond("chord", chord)
            allowed = np.tile(self.pitch_ok, (n, 1))
            same = (s == 0) & (p == pos)
            for i in np.flatnonzero(same):
                allowed[i, :pitch[i] + 1] = False
            q, lp = sample(net.head("pitch", u), allowed, self.rng, req.temperature, req.top_p)
            logp += np.where(active, lp, 0.0)
            u = u + net.cond("pitch", q)
            d, lp = sample(net.head("dur", u), np.ones((n, len(tk.DUR_STEPS)), bool), self.rng, req.temperature,
                           req.top_p)
            logp += np.where(active, lp, 0.0)
            u = u + net.cond("dur", d)
            v, lp = sample(net.head("vel", u), np.ones((n, len(tk.VEL_VALUES)), bool), self.rng, req.temperature,
                           req.top_p)
            logp += np.where(active, lp, 0.0)
            new = np.stack([s, p, q, d, v, chord, meter, *(np.full(n, x) for x in self.ids)], axis=1)
            for i in np.flatnonzero(active):
                gen_rows[i].append(new[i])
                gen_bars[i].append(int(nb[i]))
                count[i] = 1 if s[i] > 0 else count[i] + 1
                bar[i], pos[i], pitch[i] = nb[i], p[i], q[i]
                has_last[i] |= nb[i] == self.last_bar
            for i in np.flatnonzero(active & np.array([len(r) >= self.max_notes for r in gen_rows])):
                active[i] = False
                finish(int(i), gen_rows[i], gen_bars[i], logp[i])
            if not active.any():
                break
            if cache.length >= net.max_len:
                cache, h = self._refill(gen_rows, active)
            else:
                h = net.step(new[:, None, :], cache)[:, -1]

    def _shift_mask(self, logits: np.ndarray, bar: np.ndarray, pos: np.ndarray, pitch: np.ndarray,
                    count: np.ndarray, has_last: np.ndarray, gen_rows: list) -> tuple[np.ndarray, np.ndarray]:
        """Allowed shifts: land inside the requested bars; 'done' (EOS, or any shift past the end, merged into
        EOS) only once the last bar has a note; density bias and cap on staying in the bar."""
        n = self.n
        target = bar[:, None] + np.arange(tk.EOS)[None, :]
        inside = (target >= self.first_bar) & (target <= self.last_bar)
        beyond = target > self.last_bar
        dens = self.req.density
        logits = logits.copy()
        for i in range(n):
            if not self._room_in_bar(int(bar[i]), int(pos[i]), int(pitch[i])):
                inside[i, 0] = False
            if dens is not None:
                if count[i] >= math.ceil(1.5 * dens + 1):
                    inside[i, 0] = False
                logits[i, 0] += DENSITY_WEIGHT * float(np.clip((dens - count[i]) / dens, -1, 1))
                logits[i, 2:tk.EOS] -= DENSITY_WEIGHT / 2
        allowed = np.zeros((n, tk.EOS + 1), bool)
        allowed[:, :tk.EOS] = inside
        allowed[:, tk.EOS] = has_last
        merged = merge_into(logits, tk.EOS, np.concatenate([beyond, np.zeros((n, 1), bool)], axis=1))
        return allowed, merged

    def _room_in_bar(self, bar: int, pos: int, pitch: int) -> bool:
        if bar < self.first_bar:
            return False
        if pos < self.steps(bar) - 1:
            return True
        return self.role == "accompaniment" and bool(self.pitch_ok[pitch + 1:].any())

    def _pos_mask(self, s: np.ndarray, nb: np.ndarray, pos: np.ndarray, pitch: np.ndarray) -> np.ndarray:
        allowed = np.zeros((self.n, tk.NUM_POS), bool)
        for i in range(self.n):
            allowed[i, :self.steps(int(nb[i]))] = True
            if s[i] == 0 and pos[i] >= 0:
                allowed[i, :pos[i]] = False
                if self.role == "melody" or not self.pitch_ok[pitch[i] + 1:].any():
                    allowed[i, pos[i]] = False
        return allowed

    def _refill(self, gen_rows: list, active: np.ndarray) -> tuple[Any, np.ndarray]:
        """A fresh cache over the last half window of each candidate (context plus its notes), as in training;
        finished candidates (whose rows no longer matter) borrow an active one's window."""
        keep = self.net.max_len // 2
        windows: dict[int, np.ndarray] = {}
        for i in np.flatnonzero(active):
            tail = (self.rows[1:] + gen_rows[i])[-keep:]
            first = tail[0].copy()
            first[tk.SHIFT] = 0
            bos = tk.special_row(tk.BOS, first[tk.METER], *self.ids, chord=first[tk.CHORD])
            windows[int(i)] = np.stack([bos, first, *tail[1:]])
        spare = next(iter(windows.values()))
        cache = self.net.new_cache(self.n, self.net.max_len)
        h = self.net.step(np.stack([windows.get(i, spare) for i in range(self.n)]), cache)[:, -1]
        return cache, h
