"""Harmonic slots at a chosen harmonic rhythm and the per-slot melody features the harmonizer reads."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from composer_app.core.timing import TimeSignature, meter_map_of

RHYTHMS = ("bar", "half", "beat")
STYLES = ("folk", "pop", "jazz", "chorale")
N_FEATURES = 79
STYLE_FEATURE = 56
"""Index of the first style one-hot feature (one per entry of STYLES)."""

MelodyNote = tuple[int, int, int]
"""(pitch, start, duration) in ticks."""


@dataclass(frozen=True, slots=True)
class Slot:
    """One harmonic slot: [start, end) ticks, its bar (from 0) and metrical class (0 bar, 1 half, 2 other)."""

    start: int
    end: int
    bar: int
    pos: int


def rhythm_name(value: int | str) -> str:
    """Accept 1 / 2 / 'beat' (or the names) and return 'bar', 'half' or 'beat'."""
    names = {"1": "bar", "2": "half", "bar": "bar", "half": "half", "beat": "beat", "4": "beat"}
    key = str(value).strip().lower()
    if key not in names:
        raise ValueError(f"chords per bar must be 1, 2 or beat, not {value!r}")
    return names[key]


def beat_unit(meter: TimeSignature) -> int:
    """Ticks of the felt beat: a dotted beat in compound meters (6/8, 9/8, 12/8)."""
    compound = meter.denominator >= 8 and meter.numerator % 3 == 0 and meter.numerator > 3
    return meter.beat_ticks * (3 if compound else 1)


def slot_grid(meters: Sequence[tuple[int, int, int]], end: int, rhythm: str) -> list[Slot]:
    """The slots covering [0, end) under ``meters`` at ``rhythm`` ('bar', 'half', 'beat')."""
    rhythm = rhythm_name(rhythm)
    mm = meter_map_of(meters)
    slots: list[Slot] = []
    bar = 0
    while True:
        start = mm.bar_start(bar)
        if start >= max(end, 1):
            return slots
        stop = mm.bar_start(bar + 1)
        unit = beat_unit(mm.meter_at(start))
        nbeats = max(1, (stop - start) // unit)
        half = (nbeats + 1) // 2
        if rhythm == "bar" or nbeats == 1:
            cuts = [0]
        elif rhythm == "half":
            cuts = [0, half]
        else:
            cuts = list(range(nbeats))
        for i, beat in enumerate(cuts):
            s = start + beat * unit
            e = start + cuts[i + 1] * unit if i + 1 < len(cuts) else stop
            slots.append(Slot(s, e, bar, 0 if beat == 0 else 1 if beat == half else 2))
        bar += 1


def slot_features(melody: Sequence[MelodyNote], slots: Sequence[Slot], rhythm: str, minor: bool,
                  style: str, meter_kind: int = 0) -> np.ndarray:
    """(len(slots), N_FEATURES) float32 features; ``melody`` in the reference key, sorted by start.

    ``meter_kind``: 0 duple, 1 triple, 2 compound.
    """
    feats = np.zeros((len(slots), N_FEATURES), dtype=np.float32)
    if not slots:
        return feats
    notes = sorted(melody, key=lambda n: (n[1], n[0]))
    starts = np.array([n[1] for n in notes], dtype=np.int64)
    ends = np.array([n[1] + n[2] for n in notes], dtype=np.int64)
    last_bar = slots[-1].bar
    rhythm_i = RHYTHMS.index(rhythm_name(rhythm))
    style_i = STYLES.index(style) if style in STYLES else 1
    j0 = 0
    for i, slot in enumerate(slots):
        f = feats[i]
        length = max(1, slot.end - slot.start)
        while j0 < len(notes) and ends[j0] <= slot.start and starts[j0] < slot.start:
            j0 += 1
        lo = hi = None
        covered = 0
        last_pc = None
        j = max(0, j0 - 8)
        while j < len(notes) and starts[j] < slot.end:
            overlap = min(ends[j], slot.end) - max(starts[j], slot.start)
            if overlap > 0:
                pitch = notes[j][0]
                pc = pitch % 12
                f[pc] += overlap / length
                covered += overlap
                if starts[j] <= slot.start < ends[j]:
                    f[12 + pc] = 1.0
                lo = pitch if lo is None or pitch < lo else lo
                hi = pitch if hi is None or pitch > hi else hi
                if starts[j] >= slot.start:
                    last_pc = pc
            j += 1
        if lo is not None and hi is not None:
            f[24 + lo % 12] = 1.0
            f[36 + hi % 12] = 1.0
        if last_pc is not None:
            f[67 + last_pc] = 1.0
        f[48] = max(0.0, 1.0 - covered / length)
        f[49 + slot.pos] = 1.0
        f[52 + rhythm_i] = 1.0
        f[55] = float(minor)
        f[STYLE_FEATURE + style_i] = 1.0
        if meter_kind:
            f[59 + meter_kind] = 1.0
        f[62] = float(slot.bar == 0)
        f[63] = float(slot.bar == last_bar)
        f[64] = float(i == len(slots) - 1)
        f[65] = float(slot.bar % 2 == 1)
        f[66] = float(slot.bar % 4 == 3)
    return feats


def meter_kind(meters: Sequence[tuple[int, int, int]]) -> int:
    """0 duple, 1 triple, 2 compound, from the first meter."""
    _, num, den = meters[0] if meters else (0, 4, 4)
    if den >= 8 and num % 3 == 0 and num > 3:
        return 2
    return 1 if num % 3 == 0 else 0


def slot_labels(chords: Sequence[tuple[int, int, str]], slots: Sequence[Slot]) -> list[str]:
    """The chord label sounding longest within each slot ('N' where none)."""
    out = []
    spans = sorted(chords)
    k = 0
    for slot in slots:
        while k < len(spans) and spans[k][0] + spans[k][1] <= slot.start:
            k += 1
        best, best_len = "N", 0
        m = k
        while m < len(spans) and spans[m][0] < slot.end:
            s, d, lab = spans[m]
            overlap = min(s + d, slot.end) - max(s, slot.start)
            if overlap > best_len:
                best, best_len = lab, overlap
            m += 1
        out.append(best)
    return out
