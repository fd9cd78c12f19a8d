"""The common training representation: a Piece of typed parts, meters, keys and chord labels."""

from __future__ import annotations

from bisect import bisect_right
from collections.abc import Iterable
from dataclasses import dataclass, field, replace
from fractions import Fraction

from composer_app.core.chords import label_in_key, normalize_label, parse_chord
from composer_app.core.pitch import KeySignature
from composer_app.core.song import NoteTuple as Note
from composer_app.core.timing import PPQ, MeterMap, TempoChange, TempoMap, TimeSignature

STYLES = ("folk", "pop", "jazz", "chorale")
ROLES = ("melody", "accompaniment", "bass", "satb")
SPLITS = ("train", "valid", "test")

"""(pitch, start, duration, velocity), ticks at ``PPQ`` (480) per quarter note."""

Meter = tuple[int, int, int]
"""(tick, numerator, denominator)."""

ChordSpan = tuple[int, int, str]
"""(start, duration, Harte label); label 'N' means no chord."""

DEFAULT_TEMPOS: tuple[tuple[int, int], ...] = ((0, 500_000),)


class SkipPiece(Exception):
    """A source file that a reader cannot turn into a Piece; ``str()`` is the reason."""


@dataclass(frozen=True)
class Part:
    """One voice or instrument: role plus notes sorted by (start, pitch)."""

    role: str
    notes: tuple[Note, ...]
    name: str = ""

    def __post_init__(self) -> None:
        if self.role not in ROLES:
            raise ValueError(f"unknown part role {self.role!r}")
        for pitch, start, duration, velocity in self.notes:
            if not 0 <= pitch <= 127 or start < 0 or duration < 1 or not 1 <= velocity <= 127:
                raise ValueError(f"bad note {(pitch, start, duration, velocity)} in {self.role}")
        object.__setattr__(self, "notes", tuple(sorted(self.notes, key=lambda n: (n[1], n[0], n[2]))))

    @property
    def end(self) -> int:
        return max((s + d for _, s, d, _ in self.notes), default=0)


@dataclass(frozen=True)
class Piece:
    """One tune or song from one source, ready for tokenisation.

    ``meters``, ``keys`` and ``chords`` are sorted and start at tick 0 where present; ``split`` is the
    source's own train/valid/test assignment when it ships one (JSB), else None.
    """

    id: str
    source: str
    style: str
    meters: tuple[Meter, ...]
    keys: tuple[KeySignature, ...]
    chords: tuple[ChordSpan, ...]
    parts: tuple[Part, ...]
    licence: str
    tempos: tuple[tuple[int, int], ...] = DEFAULT_TEMPOS
    split: str | None = None
    title: str = ""
    meta: dict[str, str] = field(default_factory=dict, compare=False, hash=False)

    def __post_init__(self) -> None:
        if self.style not in STYLES:
            raise ValueError(f"unknown style {self.style!r}")
        if self.split is not None and self.split not in SPLITS:
            raise ValueError(f"unknown split {self.split!r}")
        if not self.parts:
            raise ValueError(f"piece {self.id} has no parts")
        object.__setattr__(self, "meters", tuple(sorted(self.meters)) or ((0, 4, 4),))
        object.__setattr__(self, "keys", tuple(sorted(self.keys, key=lambda k: k.tick)))
        object.__setattr__(self, "chords", tuple(sorted(self.chords)))
        for _, num, den in self.meters:
            TimeSignature(0, num, den)  # validates
        for start, duration, _ in self.chords:
            if start < 0 or duration < 1:
                raise ValueError(f"bad chord span {(start, duration)} in {self.id}")

    # --- views -------------------------------------------------------------------------------
    @property
    def end(self) -> int:
        """Last note end (ticks)."""
        return max(p.end for p in self.parts)

    @property
    def note_count(self) -> int:
        return sum(len(p.notes) for p in self.parts)

    def part(self, role: str) -> Part | None:
        """The first part with ``role``, or None."""
        return next((p for p in self.parts if p.role == role), None)

    @property
    def melody(self) -> Part | None:
        """The 'melody' part, or for chorales the 'satb' part named soprano."""
        found = self.part("melody")
        if found is None:
            found = next((p for p in self.parts if p.role == "satb" and p.name == "soprano"), None)
        return found

    def accompaniment_notes(self) -> tuple[Note, ...]:
        """Every note not in ``melody`` (accompaniment, bass and lower chorale voices), sorted."""
        mel = self.melody
        return make_notes(n for p in self.parts if p is not mel for n in p.notes)

    def key_at(self, tick: int) -> KeySignature | None:
        if not self.keys:
            return None
        i = bisect_right([k.tick for k in self.keys], tick) - 1
        return self.keys[max(i, 0)]

    def chord_at(self, tick: int) -> str | None:
        """Harte label sounding at ``tick`` (None outside every chord span)."""
        i = bisect_right([c[0] for c in self.chords], tick) - 1
        if i >= 0:
            start, duration, label = self.chords[i]
            if tick < start + duration:
                return label
        return None

    def meter_map(self) -> MeterMap:
        return MeterMap([TimeSignature(t, n, d) for t, n, d in self.meters])

    def tempo_map(self) -> TempoMap:
        return TempoMap([TempoChange(t, us) for t, us in self.tempos])

    @property
    def seconds(self) -> float:
        return self.tempo_map().seconds(self.end)

    def bar_lines(self) -> list[int]:
        return bar_lines(self.meters, self.end)

    def transposed(self, semitones: int) -> Piece:
        """The piece moved by ``semitones`` (notes, keys and chord labels); pitches must stay in 0..127. The
        moved labels' roots are spelt in the moved key in force at each chord (``label_in_key``: Db:maj in Db
        major, not C#:maj), with sharps where the piece has no key."""
        if semitones == 0:
            return self
        parts = tuple(replace(p, notes=tuple((n[0] + semitones, n[1], n[2], n[3]) for n in p.notes))
                      for p in self.parts)
        keys = tuple(KeySignature(k.tick, (k.tonic + semitones) % 12, k.mode) for k in self.keys)
        moved = replace(self, parts=parts, keys=keys, chords=())

        def spelt(label: str, tick: int) -> str:
            key = moved.key_at(tick)
            return label_in_key(label, key) if key else label

        chords = tuple((s, d, spelt(parse_chord(lab).transposed(semitones).label(), s)) for s, d, lab in self.chords)
        return replace(moved, chords=chords)

    def to_reference_key(self) -> tuple[Piece, int]:
        """The piece transposed so its first key is C major or A minor, and the shift used."""
        key = self.key_at(0)
        shift = reference_shift(key) if key else 0
        return self.transposed(shift), shift


# --- helpers -----------------------------------------------------------------------------------

def reference_shift(key: KeySignature) -> int:
    """Semitones (-5..6) that move ``key`` to C major (major keys) or A minor (minor keys)."""
    target = 0 if key.mode == "major" else 9
    shift = (target - key.tonic) % 12
    return shift - 12 if shift > 6 else shift


def bar_lines(meters: Iterable[Meter], end: int) -> list[int]:
    """Ticks of every bar line in ``[0, end]`` under ``meters`` (a meter change starts a new bar)."""
    mm = MeterMap([TimeSignature(t, n, d) for t, n, d in meters])
    lines: list[int] = []
    bar = 0
    while True:
        tick = mm.bar_start(bar)
        if tick > end:
            return lines
        lines.append(tick)
        bar += 1


def seconds_to_ticks(seconds: float, tempo_map: TempoMap) -> int:
    return tempo_map.tick_at(seconds)


def rescale(tick: int, source_ppq: int) -> int:
    """A tick at ``source_ppq`` per quarter as a tick at ``PPQ``, rounded to nearest."""
    return round(Fraction(tick * PPQ, source_ppq))


def harte(label: str) -> str:
    """Canonical Harte spelling (raises ValueError on a label core cannot parse)."""
    return normalize_label(label)


def make_notes(raw: Iterable[tuple[int, int, int, int]]) -> tuple[Note, ...]:
    """Drop zero-length and out-of-range notes, clamp velocity, sort by (start, pitch)."""
    out = [(p, s, d, min(max(v, 1), 127)) for p, s, d, v in raw if d > 0 and s >= 0 and 0 <= p <= 127]
    out.sort(key=lambda n: (n[1], n[0], n[2]))
    return tuple(out)


def chord_spans(onsets: Iterable[tuple[int, str]], end: int) -> tuple[ChordSpan, ...]:
    """Chord onsets (tick, label) to spans lasting until the next onset (the last one until ``end``)."""
    items = sorted(onsets)
    spans = []
    for i, (tick, label) in enumerate(items):
        stop = items[i + 1][0] if i + 1 < len(items) else end
        if stop > tick:
            spans.append((tick, stop - tick, label))
    return tuple(spans)
