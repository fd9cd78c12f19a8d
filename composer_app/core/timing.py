"""Tempo map and meter: exact conversions between ticks, beats, bars and seconds."""

from __future__ import annotations

from bisect import bisect_right
from collections.abc import Iterable
from dataclasses import dataclass
from fractions import Fraction

PPQ = 480
"""Ticks per quarter note everywhere in the song model."""

DEFAULT_US_PER_QUARTER = 500_000  # 120 BPM


@dataclass(frozen=True, slots=True)
class TempoChange:
    """A tempo that holds from ``tick`` on, in microseconds per quarter note (as in MIDI)."""

    tick: int
    us_per_quarter: int = DEFAULT_US_PER_QUARTER

    def __post_init__(self) -> None:
        if self.tick < 0:
            raise ValueError(f"tempo change at negative tick {self.tick}")
        if not 1 <= self.us_per_quarter <= 0xFFFFFF:
            raise ValueError(f"tempo {self.us_per_quarter} us/quarter is out of range")

    @property
    def bpm(self) -> float:
        return 60_000_000 / self.us_per_quarter

    @staticmethod
    def from_bpm(tick: int, bpm: float) -> TempoChange:
        if not 1 <= bpm <= 1000:
            raise ValueError(f"tempo {bpm} BPM is out of range (1 to 1000)")
        return TempoChange(tick, round(60_000_000 / bpm))


@dataclass(frozen=True, slots=True)
class TimeSignature:
    """A meter that holds from ``tick`` on (which should fall on a bar line)."""

    tick: int
    numerator: int = 4
    denominator: int = 4

    def __post_init__(self) -> None:
        if self.tick < 0:
            raise ValueError(f"time signature at negative tick {self.tick}")
        if not 1 <= self.numerator <= 64:
            raise ValueError(f"time signature numerator {self.numerator} is out of range")
        if self.denominator not in (1, 2, 4, 8, 16, 32, 64):
            raise ValueError(f"time signature denominator {self.denominator} is not a power of two")

    @property
    def beat_ticks(self) -> int:
        """Length of one beat (one denominator unit) in ticks."""
        return PPQ * 4 // self.denominator

    @property
    def bar_ticks(self) -> int:
        return self.beat_ticks * self.numerator

    def __str__(self) -> str:
        return f"{self.numerator}/{self.denominator}"


def meters_from(meters: Iterable[tuple[int, int, int]], start: int, stop: int) -> tuple[tuple[int, int, int], ...]:
    """Meter changes (tick, numerator, denominator) of [start, stop) moved to start at tick 0, the meter in force
    at ``start`` first."""
    ordered = sorted(meters)
    current = next(((n, d) for t, n, d in reversed(ordered) if t <= start), (4, 4))
    later = [(t - start, n, d) for t, n, d in ordered if start < t < stop]
    return ((0, *current), *later)


def meter_map_of(meters: Iterable[tuple[int, int, int]]) -> MeterMap:
    """The MeterMap of meter changes given as (tick, numerator, denominator); 4/4 when there are none."""
    return MeterMap([TimeSignature(t, n, d) for t, n, d in meters] or [TimeSignature(0)])


def _sorted_unique(changes, default):
    """Sort by tick, keep the last of equal ticks, and make sure one starts at tick 0."""
    by_tick = {c.tick: c for c in changes}
    if 0 not in by_tick:
        by_tick[0] = default
    return tuple(by_tick[t] for t in sorted(by_tick))


def normalize_tempos(tempos) -> tuple[TempoChange, ...]:
    return _sorted_unique(tempos, TempoChange(0))


def normalize_meters(meters) -> tuple[TimeSignature, ...]:
    """Sorted, one per tick, one at tick 0; a change to the meter already in force on one of its barlines says
    nothing (DAWs and POP909's files repeat them) and is left out. On a tick between barlines it stays: it starts
    a bar there."""
    out: list[TimeSignature] = []
    for m in _sorted_unique(meters, TimeSignature(0)):
        prev = out[-1] if out else None
        if (prev is not None and (m.numerator, m.denominator) == (prev.numerator, prev.denominator)
                and (m.tick - prev.tick) % prev.bar_ticks == 0):
            continue
        out.append(m)
    return tuple(out)


class TempoMap:
    """Converts ticks <-> seconds under a list of tempo changes (exact with Fractions)."""

    def __init__(self, tempos) -> None:
        self.tempos = normalize_tempos(tempos)
        self._ticks = [t.tick for t in self.tempos]
        # seconds at each change, exact
        self._seconds: list[Fraction] = []
        acc = Fraction(0)
        for i, t in enumerate(self.tempos):
            if i:
                prev = self.tempos[i - 1]
                acc += Fraction((t.tick - prev.tick) * prev.us_per_quarter, PPQ * 1_000_000)
            self._seconds.append(acc)

    def seconds_exact(self, tick: int) -> Fraction:
        i = max(bisect_right(self._ticks, tick) - 1, 0)
        t = self.tempos[i]
        return self._seconds[i] + Fraction((tick - t.tick) * t.us_per_quarter, PPQ * 1_000_000)

    def seconds(self, tick: int) -> float:
        return float(self.seconds_exact(tick))

    def tick_at_exact(self, seconds: Fraction | float) -> Fraction:
        s = Fraction(seconds)
        i = max(bisect_right(self._seconds, s) - 1, 0)
        t = self.tempos[i]
        return t.tick + (s - self._seconds[i]) * PPQ * 1_000_000 / t.us_per_quarter

    def tick_at(self, seconds: float) -> int:
        """The tick sounding at ``seconds``, rounded to the nearest tick."""
        return round(self.tick_at_exact(seconds))

    def tempo_at(self, tick: int) -> TempoChange:
        return self.tempos[max(bisect_right(self._ticks, tick) - 1, 0)]


@dataclass(frozen=True, slots=True)
class BarPosition:
    """A position as musicians count it: bar and beat from 0, plus leftover ticks."""

    bar: int
    beat: int
    tick: int

    def __str__(self) -> str:  # 1-based like a DAW's ruler
        return f"{self.bar + 1}.{self.beat + 1}.{self.tick:03d}"


class MeterMap:
    """Converts ticks <-> bars and beats under a list of time-signature changes.

    A change that does not fall on a bar line of the meter before it starts a new bar there
    (as DAWs and MIDI players do): the bar in progress is cut short.
    """

    def __init__(self, meters) -> None:
        self.meters = normalize_meters(meters)
        self._ticks = [m.tick for m in self.meters]
        self._first_bar: list[int] = []
        bar = 0
        for i, m in enumerate(self.meters):
            if i:
                prev = self.meters[i - 1]
                span = m.tick - prev.tick
                bar += -(-span // prev.bar_ticks)  # a partial bar counts as a bar
            self._first_bar.append(bar)

    def meter_at(self, tick: int) -> TimeSignature:
        return self.meters[max(bisect_right(self._ticks, tick) - 1, 0)]

    def position(self, tick: int) -> BarPosition:
        if tick < 0:
            raise ValueError("negative tick")
        i = max(bisect_right(self._ticks, tick) - 1, 0)
        m = self.meters[i]
        rel = tick - m.tick
        bars, in_bar = divmod(rel, m.bar_ticks)
        beat, rest = divmod(in_bar, m.beat_ticks)
        return BarPosition(self._first_bar[i] + bars, beat, rest)

    def bar_of(self, tick: int) -> int:
        return self.position(tick).bar

    def bar_start(self, bar: int) -> int:
        """Tick at which bar number ``bar`` (from 0) starts."""
        if bar < 0:
            raise ValueError("negative bar")
        i = max(bisect_right(self._first_bar, bar) - 1, 0)
        m = self.meters[i]
        return m.tick + (bar - self._first_bar[i]) * m.bar_ticks

    def to_tick(self, pos: BarPosition) -> int:
        m = self.meter_at(self.bar_start(pos.bar))
        return self.bar_start(pos.bar) + pos.beat * m.beat_ticks + pos.tick

    def bars_in(self, end_tick: int) -> Fraction:
        """Length of ``[0, end_tick)`` in bars (fractional for a partial last bar)."""
        if end_tick <= 0:
            return Fraction(0)
        pos = self.position(end_tick)
        m = self.meter_at(end_tick)
        return pos.bar + Fraction(pos.beat * m.beat_ticks + pos.tick, m.bar_ticks)

    def beats(self, tick: int) -> Fraction:
        """Quarter-note beats from the start (exact)."""
        return Fraction(tick, PPQ)
