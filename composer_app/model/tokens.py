"""The continuation model's note encoding: one compound token (a row of small ints) per note.

A part (one melody line or one polyphonic piano part) becomes an int array of shape ``(T, NUM_FIELDS)``:
row 0 is BOS, then one row per note in (onset, pitch) order, then EOS (unless ``eos=False``).

Prediction fields (sampled in this order by the factored output heads):

- ``shift``  bars advanced since the previous note (0..MAX_SHIFT); ``EOS`` ends the part and ``BOS``
  (input only) opens it. The BOS row sits in the *origin bar*, so the first note's shift counts bars
  from there. Two more input-only markers order a gap fill (fill-in-the-middle): ``FILL`` sits in the
  first bar after the gap and opens the music that follows it, ``MIDDLE`` sits in the gap's first bar
  and opens the notes that fill it (which end with EOS). Both carry the gap's length in bars in ``pos``.
- ``pos``    onset inside its bar in grid steps of ``GRID`` ticks (1/12 quarter: 16ths, 8th and 16th
  triplets), 0..NUM_POS-1.
- ``pitch``  MIDI pitch in the reference key (C major / A minor), 0..127.
- ``dur``    duration class: index into ``DUR_STEPS`` (grid steps, log-spaced up to 2 bars of 6/4).
- ``vel``    velocity class: index into ``VEL_VALUES``.

Conditioning fields (known before the note is sampled, given to the network, never predicted):

- ``chord``  chord sounding at the onset, in the reference key: ``root * 7 + quality class`` or
  ``NO_CHORD`` (84).
- ``meter``  meter of the onset's bar (index into ``METERS``; ``METER_OTHER`` for any other).
- ``mode``   0 major, 1 minor.   ``style``  index into ``STYLES``.   ``role``  index into ``ROLES``.

BOS and EOS rows carry ``NONE_*`` (the last input index) in pos/pitch/dur/vel. Ticks are at 480 PPQ.
Exact round trip: ``decode_part(encode_part(x))`` returns ``x`` when onsets lie on the grid, every
duration is ``GRID * d`` for some ``d`` in ``DUR_STEPS``, velocities are in ``VEL_VALUES``, no
two notes share (onset, pitch), gaps are at most ``MAX_SHIFT`` bars and pitches stay in 0..127 after
transposition. Otherwise onsets round to the grid, durations and velocities to the nearest class.
"""

from __future__ import annotations

import functools
from bisect import bisect_right
from collections.abc import Iterable, Sequence

import numpy as np

from composer_app.core.chords import QUALITIES, parse_chord
from composer_app.core.pitch import KeySignature
from composer_app.core.song import NoteTuple as Note
from composer_app.core.timing import PPQ, MeterMap, TimeSignature

GRID = PPQ // 12  # 40 ticks
NUM_POS = 192  # 16 quarter notes: any bar up to 16/4
MAX_SHIFT = 7
EOS = MAX_SHIFT + 1  # 8: also the size of nothing; the shift head predicts 0..EOS
BOS = EOS + 1
FILL = BOS + 1
MIDDLE = FILL + 1
MAX_GAP_BARS = 16
DUR_STEPS = (1, 2, 3, 4, 5, 6, 8, 9, 10, 12, 14, 15, 16, 18, 20, 24, 27, 30, 32, 36, 42, 45, 48, 54, 60, 66,
             72, 84, 96, 108, 120, 144)
VEL_VALUES = (20, 36, 52, 64, 76, 88, 100, 116)
QUALITY_CLASSES = ("maj", "min", "dom7", "dim", "aug", "sus", "other")
NO_CHORD = 12 * len(QUALITY_CLASSES)  # 84
METERS = ((4, 4), (3, 4), (2, 4), (6, 8), (2, 2), (9, 8), (12, 8), (6, 4), (3, 8), (5, 4))
METER_OTHER = len(METERS)
STYLES = ("folk", "pop", "jazz", "chorale")
ROLES = ("melody", "accompaniment")
MODES = ("major", "minor")

FIELDS = ("shift", "pos", "pitch", "dur", "vel", "chord", "meter", "mode", "style", "role")
PREDICTED = FIELDS[:5]
SHIFT, POS, PITCH, DUR, VEL, CHORD, METER, MODE, STYLE, ROLE = range(len(FIELDS))
NUM_FIELDS = len(FIELDS)
OUTPUT_SIZES = {"shift": EOS + 1, "pos": NUM_POS, "pitch": 128, "dur": len(DUR_STEPS), "vel": len(VEL_VALUES)}
"""Classes per predicted field (what each output head scores)."""
INPUT_SIZES = {"shift": MIDDLE + 1, "pos": NUM_POS + 1, "pitch": 129, "dur": len(DUR_STEPS) + 1,
               "vel": len(VEL_VALUES) + 1, "chord": NO_CHORD + 1, "meter": METER_OTHER + 1, "mode": 2,
               "style": len(STYLES), "role": len(ROLES)}
"""Embedding rows per field (predicted fields have one extra row: the NONE index of BOS/EOS rows)."""
NONE_POS, NONE_PITCH, NONE_DUR, NONE_VEL = NUM_POS, 128, len(DUR_STEPS), len(VEL_VALUES)

_QUALITY = {"maj": 0, "maj7": 0, "maj6": 0, "maj9": 0, "maj13": 0, "min": 1, "min7": 1, "min6": 1,
            "min9": 1, "min11": 1, "min13": 1, "minmaj7": 1, "7": 2, "9": 2, "11": 2, "13": 2, "dim": 3,
            "dim7": 3, "hdim7": 3, "aug": 4, "sus4": 5, "sus2": 5, "7sus4": 5}
_LOG_DUR = np.log(np.asarray(DUR_STEPS, dtype=np.float64))
_VEL_EDGES = [(a + b) / 2 for a, b in zip(VEL_VALUES, VEL_VALUES[1:])]



def reference_shift(key: KeySignature) -> int:
    """Semitones (-5..6) that move ``key`` to C major (major) or A minor (minor)."""
    shift = ((0 if key.mode == "major" else 9) - key.tonic) % 12
    return shift - 12 if shift > 6 else shift


@functools.lru_cache(maxsize=4096)
def chord_class(label: str | None, transpose: int = 0) -> int:
    """A Harte label (None or 'N' for none) as a chord id, its root moved by ``transpose`` (remembered: a request
    looks up every chord of its song, training every chord of the data set)."""
    if not label:
        return NO_CHORD
    try:
        chord = parse_chord(label)
    except ValueError:
        return NO_CHORD
    if chord.root is None:
        return NO_CHORD
    return ((chord.root + transpose) % 12) * len(QUALITY_CLASSES) + _QUALITY.get(chord.quality, 6)


@functools.cache
def chord_tones(chord: int) -> frozenset[int]:
    """The pitch classes of chord id ``chord``: its root with the tones of its class's first quality in ``_QUALITY``
    (maj, min, 7, dim, aug, sus4; the root alone for "other"); empty for ``NO_CHORD``."""
    if chord >= NO_CHORD:
        return frozenset()
    root, cls = divmod(chord, len(QUALITY_CLASSES))
    quality = next((q for q, c in _QUALITY.items() if c == cls), "1")
    return frozenset((root + i) % 12 for i in QUALITIES[quality])


def meter_class(numerator: int, denominator: int) -> int:
    try:
        return METERS.index((numerator, denominator))
    except ValueError:
        return METER_OTHER


@functools.lru_cache(maxsize=4096)
def dur_class(ticks: int) -> int:
    """Nearest duration class (in log time) to ``ticks`` (remembered: a part has few distinct lengths)."""
    steps = max(ticks, 1) / GRID
    return int(np.argmin(np.abs(_LOG_DUR - np.log(steps))))


def vel_class(velocity: int) -> int:
    return bisect_right(_VEL_EDGES, velocity)


def dur_ticks(cls: int) -> int:
    return DUR_STEPS[cls] * GRID


class ChordTrack:
    """Chord spans (start, duration, Harte label) looked up by tick as chord ids in the reference key."""

    def __init__(self, chords: Iterable[tuple[int, int, str]], transpose: int = 0) -> None:
        items = sorted(chords)
        self._starts = [s for s, _, _ in items]
        self._ends = [s + d for s, d, _ in items]
        self._ids = [chord_class(lab, transpose) for _, _, lab in items]

    def at(self, tick: int) -> int:
        i = bisect_right(self._starts, tick) - 1
        if i >= 0 and tick < self._ends[i]:
            return self._ids[i]
        return NO_CHORD

    def at_ticks(self, ticks: np.ndarray) -> np.ndarray:
        """``at`` for every tick of an int array, in one pass (same shape)."""
        if not self._starts:
            return np.full(np.shape(ticks), NO_CHORD, np.int64)
        i = np.searchsorted(np.asarray(self._starts), ticks, side="right") - 1
        found = (i >= 0) & (ticks < np.asarray(self._ends)[i])
        return np.where(found, np.asarray(self._ids, np.int64)[i], NO_CHORD)


class BarGrid:
    """Bars of a meter map: bar start ticks, lengths in grid steps and meter ids, by bar number."""

    def __init__(self, meters: Iterable[tuple[int, int, int]]) -> None:
        self.map = MeterMap([TimeSignature(t, n, d) for t, n, d in meters])
        self._starts: dict[int, int] = {}
        self._located: dict[int, tuple[int, int]] = {}

    def start(self, bar: int) -> int:
        """The bar's first tick (remembered: encoding a part asks for the same few bars hundreds of times)."""
        tick = self._starts.get(bar)
        if tick is None:
            tick = self._starts[bar] = self.map.bar_start(bar)
        return tick

    def steps(self, bar: int) -> int:
        """Grid steps in ``bar`` (a bar cut short by a meter change counts what it has), at most NUM_POS."""
        return max(1, min(NUM_POS, (self.start(bar + 1) - self.start(bar)) // GRID))

    def meter(self, bar: int) -> int:
        m = self.map.meter_at(self.start(bar))
        return meter_class(m.numerator, m.denominator)

    def locate(self, tick: int) -> tuple[int, int]:
        """(bar, grid position) of ``tick``, rounded to the nearest grid step (rolling into the next bar); remembered,
        as the bars' starts are (candidates, and the histograms that compare them, share most onsets)."""
        found = self._located.get(tick)
        if found is None:
            bar = self.map.bar_of(max(tick, 0))
            pos = round((tick - self.start(bar)) / GRID)
            found = self._located[tick] = (bar + 1, 0) if pos >= self.steps(bar) else (bar, pos)
        return found


def special_row(kind: int, meter: int, mode: int, style: int, role: int, chord: int = NO_CHORD) -> np.ndarray:
    """A BOS or EOS row."""
    return np.array([kind, NONE_POS, NONE_PITCH, NONE_DUR, NONE_VEL, chord, meter, mode, style, role], np.int64)


def encode_part(notes: Iterable[Note], meters: Sequence[tuple[int, int, int]],
                chords: Iterable[tuple[int, int, str]], key: KeySignature | None, style: str, role: str,
                origin_bar: int | None = None, eos: bool = True) -> np.ndarray:
    """Notes (real key, ticks) as an int64 array ``(T, NUM_FIELDS)``: BOS, one row per note, EOS.

    ``meters`` are (tick, numerator, denominator); ``chords`` are (start, duration, Harte label) in
    the real key; ``key`` (None: C major) picks the transposition to the reference key. The BOS row
    sits in ``origin_bar`` (default: the first note's bar). Notes outside 0..127 after transposition
    are dropped; gaps longer than MAX_SHIFT bars are shortened to MAX_SHIFT.
    """
    return encode_part_with_bars(notes, meters, chords, key, style, role, origin_bar, eos)[0]


def encode_part_with_bars(notes: Iterable[Note], meters: Sequence[tuple[int, int, int]],
                          chords: Iterable[tuple[int, int, str]], key: KeySignature | None, style: str, role: str,
                          origin_bar: int | None = None, eos: bool = True) -> tuple[np.ndarray, list[int]]:
    """``encode_part``'s rows and the bar each row sits in. The bars are the notes' own: summing the shifts
    gives them only where no gap was shortened (a melody resting through an interlude)."""
    key = key or KeySignature(0)
    t = reference_shift(key)
    grid = BarGrid(meters or ((0, 4, 4),))
    track = ChordTrack(chords, t)
    mode, sty, rol = MODES.index(key.mode), STYLES.index(style), ROLES.index(role)
    events = []
    for pitch, start, duration, velocity in notes:
        if 0 <= pitch + t <= 127:
            bar, pos = grid.locate(start)
            events.append((bar, pos, pitch + t, duration, velocity, start))
    events.sort(key=lambda e: (e[0], e[1], e[2]))
    prev_bar = origin_bar if origin_bar is not None else (events[0][0] if events else 0)
    rows = [special_row(BOS, grid.meter(prev_bar), mode, sty, rol, track.at(grid.start(prev_bar)))]
    bars = [prev_bar]
    last = None
    for bar, pos, pitch, duration, velocity, _ in events:
        if (bar, pos, pitch) == last:
            continue  # the same pitch struck twice at one onset
        last = (bar, pos, pitch)
        onset = grid.start(bar) + pos * GRID
        shift = min(max(bar - prev_bar, 0), MAX_SHIFT)
        prev_bar = bar
        rows.append(np.array([shift, pos, pitch, dur_class(duration), vel_class(velocity), track.at(onset),
                              grid.meter(bar), mode, sty, rol], np.int64))
        bars.append(bar)
    if eos:
        rows.append(special_row(EOS, rows[-1][METER], mode, sty, rol))
        bars.append(prev_bar)
    return np.stack(rows), bars


def decode_part(rows: np.ndarray, meters: Sequence[tuple[int, int, int]], key: KeySignature | None,
                origin_bar: int = 0) -> list[Note]:
    """Note rows back to notes (real key, ticks); BOS/EOS rows are skipped, decoding stops at EOS.

    ``origin_bar`` is the bar the BOS row sits in (what ``encode_part`` used).
    """
    t = reference_shift(key or KeySignature(0))
    grid = BarGrid(meters or ((0, 4, 4),))
    bar = origin_bar
    notes: list[Note] = []
    for row in np.asarray(rows):
        shift = int(row[SHIFT])
        if shift == BOS:
            continue
        if shift == EOS:
            break
        bar += shift
        start = grid.start(bar) + int(row[POS]) * GRID
        notes.append((int(row[PITCH]) - t, start, dur_ticks(int(row[DUR])), VEL_VALUES[int(row[VEL])]))
    notes.sort(key=lambda n: (n[1], n[0], n[2]))
    return notes


def first_bar(notes: Iterable[Note], meters: Sequence[tuple[int, int, int]]) -> int:
    """The bar ``encode_part`` uses as origin by default (bar of the earliest onset), 0 with no notes."""
    starts = [n[1] for n in notes]
    return BarGrid(meters or ((0, 4, 4),)).locate(min(starts))[0] if starts else 0
