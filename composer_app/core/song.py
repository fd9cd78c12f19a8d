"""The song value: notes inside clips, clips on tracks, plus tempo, meter, key and chord tracks."""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from functools import cached_property

from composer_app.core.ids import new_id
from composer_app.core.pitch import KeySignature
from composer_app.core.timing import (
    PPQ,
    MeterMap,
    TempoChange,
    TempoMap,
    TimeSignature,
    normalize_meters,
    normalize_tempos,
)

DRUM_CHANNEL = 9  # MIDI channel 10, counted from 0

NoteTuple = tuple[int, int, int, int]
"""A note as the models see it: (pitch, start, duration, velocity), start in absolute song ticks."""


@dataclass(frozen=True, slots=True)
class Note:
    """One note; ``start`` is relative to the clip that holds it."""

    pitch: int
    start: int
    duration: int
    velocity: int = 100
    id: str = field(default_factory=new_id)

    def __post_init__(self) -> None:
        if not 0 <= self.pitch <= 127:
            raise ValueError(f"pitch {self.pitch} is outside 0..127")
        if self.start < 0:
            raise ValueError(f"note starts at negative tick {self.start}")
        if self.duration < 1:
            raise ValueError(f"note duration {self.duration} is not positive")
        if not 1 <= self.velocity <= 127:
            raise ValueError(f"velocity {self.velocity} is outside 1..127")

    @property
    def end(self) -> int:
        return self.start + self.duration


PERFORMANCE_CONTROLS = {1: 0, 11: 127, 64: 0, 66: 0, 67: 0}
"""The MIDI controllers a clip keeps, each with its value at rest: modulation, expression and the three piano
pedals (sustain, sostenuto, soft). A track's volume and pan are its own fields; other controllers are setup."""


@dataclass(frozen=True, slots=True)
class Control:
    """A controller change (the sustain pedal going down, ...) at ``start`` ticks into its clip."""

    start: int
    number: int
    value: int

    def __post_init__(self) -> None:
        if self.start < 0:
            raise ValueError(f"controller change at negative tick {self.start}")
        if self.number not in PERFORMANCE_CONTROLS:
            raise ValueError(f"controller {self.number} is not one a clip keeps "
                             f"({', '.join(map(str, PERFORMANCE_CONTROLS))})")
        if not 0 <= self.value <= 127:
            raise ValueError(f"controller value {self.value} is outside 0..127")


@dataclass(frozen=True, slots=True)
class Clip:
    """A stretch of a track holding notes; ``start`` and ``length`` are song ticks.

    ``controls`` (pedal, expression, ...) act from their tick up to the clip's end, where those left away
    from rest come back to it (``composer_app.core.controls``); sorted by tick, file order within one."""

    start: int
    length: int
    notes: tuple[Note, ...] = ()
    name: str = ""
    color: str = ""
    id: str = field(default_factory=new_id)
    controls: tuple[Control, ...] = ()

    def __post_init__(self) -> None:
        if self.start < 0:
            raise ValueError(f"clip starts at negative tick {self.start}")
        if self.length < 1:
            raise ValueError(f"clip length {self.length} is not positive")
        if any(b.start < a.start for a, b in zip(self.controls, self.controls[1:])):
            object.__setattr__(self, "controls", tuple(sorted(self.controls, key=lambda c: c.start)))

    @property
    def end(self) -> int:
        return self.start + self.length

    def note(self, note_id: str) -> Note:
        for n in self.notes:
            if n.id == note_id:
                return n
        raise KeyError(note_id)


@dataclass(frozen=True, slots=True)
class Track:
    """A part played by one instrument on one MIDI channel."""

    name: str = "Track"
    program: int = 0  # General MIDI program 0..127
    channel: int = 0  # 0..15
    volume: int = 100  # 0..127 (CC7)
    pan: int = 64  # 0..127 (CC10), 64 = centre
    mute: bool = False
    solo: bool = False
    is_drum: bool = False
    clips: tuple[Clip, ...] = ()
    id: str = field(default_factory=new_id)

    def __post_init__(self) -> None:
        for what, value, hi in (("program", self.program, 127), ("channel", self.channel, 15),
                                ("volume", self.volume, 127), ("pan", self.pan, 127)):
            if not 0 <= value <= hi:
                raise ValueError(f"track {what} {value} is outside 0..{hi}")

    def clip(self, clip_id: str) -> Clip:
        for c in self.clips:
            if c.id == clip_id:
                return c
        raise KeyError(clip_id)

    def notes_absolute(self) -> list[Note]:
        """All notes of all clips, with ``start`` made absolute, sorted by start then pitch."""
        out = [replace(n, start=c.start + n.start) for c in self.clips for n in c.notes]
        out.sort(key=lambda n: (n.start, n.pitch))
        return out

    @property
    def note_count(self) -> int:
        return sum(len(c.notes) for c in self.clips)


@dataclass(frozen=True, slots=True)
class ChordSymbol:
    """A chord label (Harte syntax) sounding from ``start`` for ``duration`` ticks."""

    start: int
    duration: int
    label: str
    id: str = field(default_factory=new_id)

    def __post_init__(self) -> None:
        for name in ("start", "duration"):  # a whole-number float (480.0) is kept as the integer it is
            value = getattr(self, name)
            if not isinstance(value, int):
                if not float(value).is_integer():
                    raise ValueError(f"chord {self.label!r} {name} {value} is not a whole number of ticks")
                object.__setattr__(self, name, int(value))
        if self.start < 0 or self.duration < 1:
            raise ValueError(f"chord {self.label!r} has a bad span {self.start}+{self.duration}")

    @property
    def end(self) -> int:
        return self.start + self.duration


@dataclass(frozen=True)
class Song:
    """Everything a composition holds. Immutable: edits return a new Song."""

    tracks: tuple[Track, ...] = ()
    tempos: tuple[TempoChange, ...] = (TempoChange(0),)
    meters: tuple[TimeSignature, ...] = (TimeSignature(0),)
    keys: tuple[KeySignature, ...] = (KeySignature(0),)
    chords: tuple[ChordSymbol, ...] = ()
    title: str = ""
    ppq: int = PPQ
    key_explicit: bool = False
    """True when the musician chose the key on purpose (the key selector, adopting the detected key): the
    assistant then uses it as is; otherwise a missing or contradicted key signature gives way to detection."""

    def __post_init__(self) -> None:
        object.__setattr__(self, "tempos", normalize_tempos(self.tempos))
        object.__setattr__(self, "meters", normalize_meters(self.meters))
        keys = {k.tick: k for k in self.keys}
        object.__setattr__(self, "keys", tuple(keys[t] for t in sorted(keys)) or (KeySignature(0),))
        object.__setattr__(self, "chords", tuple(sorted(self.chords, key=lambda c: c.start)))
        if self.ppq != PPQ:
            raise ValueError(f"songs use {PPQ} ticks per quarter, not {self.ppq}")

    # derived views (cached: the song never changes)
    @cached_property
    def tempo_map(self) -> TempoMap:
        return TempoMap(self.tempos)

    @cached_property
    def meter_map(self) -> MeterMap:
        return MeterMap(self.meters)

    def key_at(self, tick: int) -> KeySignature:
        current = self.keys[0]
        for k in self.keys:
            if k.tick <= tick:
                current = k
        return current

    def track(self, track_id: str) -> Track:
        for t in self.tracks:
            if t.id == track_id:
                return t
        raise KeyError(track_id)

    def track_of_clip(self, clip_id: str) -> Track:
        for t in self.tracks:
            for c in t.clips:
                if c.id == clip_id:
                    return t
        raise KeyError(clip_id)

    def clip(self, clip_id: str) -> Clip:
        return self.track_of_clip(clip_id).clip(clip_id)

    @cached_property
    def end_tick(self) -> int:
        """End of the last clip, note or chord (0 for an empty song)."""
        ends = [0]
        for t in self.tracks:
            for c in t.clips:
                ends.append(c.end)
                ends.extend(c.start + n.end for n in c.notes)
        ends.extend(c.end for c in self.chords)
        return max(ends)

    @property
    def note_count(self) -> int:
        return sum(t.note_count for t in self.tracks)

    @property
    def length_seconds(self) -> float:
        return self.tempo_map.seconds(self.end_tick)

    @property
    def length_bars(self) -> float:
        return float(self.meter_map.bars_in(self.end_tick))
