"""Recording live MIDI into Notes at the song's tempo map, with sustain pedal, thru and input quantize."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from fractions import Fraction
from typing import Protocol

import mido

from composer_app.core.song import Note
from composer_app.core.timing import TempoMap

SUSTAIN = 64


class ThruTarget(Protocol):
    """Where live input is echoed at once: a synth or a MIDI output."""

    def note_on(self, channel: int, pitch: int, velocity: int) -> None: ...

    def note_off(self, channel: int, pitch: int) -> None: ...

    def cc(self, channel: int, control: int, value: int) -> None: ...


@dataclass(frozen=True, slots=True)
class Quantize:
    """Input quantize: move note starts ``strength`` (0..1) of the way to the nearest ``grid`` tick;
    with ``ends`` the note ends too (a note never shrinks below one tick)."""

    grid: int
    strength: float = 1.0
    ends: bool = False

    def __post_init__(self) -> None:
        if self.grid < 1 or not 0.0 <= self.strength <= 1.0:
            raise ValueError(f"bad quantize grid {self.grid} / strength {self.strength}")

    def _snap(self, tick: int) -> int:
        nearest = round(tick / self.grid) * self.grid
        return round(tick + (nearest - tick) * self.strength)

    def apply(self, note: Note) -> Note:
        start = max(0, self._snap(note.start))
        end = self._snap(note.end) if self.ends else start + note.duration
        return Note(note.pitch, start, max(1, end - start), note.velocity)


@dataclass(frozen=True, slots=True)
class RecordedNote:
    """A note as played: times in seconds (perf_counter clock) plus its channel."""

    channel: int
    pitch: int
    velocity: int
    on: float
    off: float


def _parse(message: mido.Message | bytes | Sequence[int]) -> tuple[str, int, int, int] | None:
    """(kind, channel, data1, data2) for note_on/note_off/control_change; None for anything else."""
    if isinstance(message, mido.Message):
        t = message.type
        if t == "note_on":
            return "on", message.channel, message.note, message.velocity
        if t == "note_off":
            return "off", message.channel, message.note, 0
        if t == "control_change":
            return "cc", message.channel, message.control, message.value
        return None
    data = bytes(message)
    if len(data) < 3:
        return None
    status, ch = data[0] & 0xF0, data[0] & 0x0F
    if status == 0x90:
        return "on", ch, data[1], data[2]
    if status == 0x80:
        return "off", ch, data[1], 0
    if status == 0xB0:
        return "cc", ch, data[1], data[2]
    return None


class Recorder:
    """Turns live messages into Notes: feed it from a MidiInput callback, then :meth:`stop`.

    Time maps to ticks by ``tempo_map`` with ``start_time`` (perf_counter seconds) sounding at
    ``start_tick``; notes played a little early (in the count-in) land before it, but never below 0.
    Note-on with velocity 0 counts as note-off. While the sustain pedal (CC64 >= 64) is down, released
    notes hold until the pedal comes up (or the key is struck again). ``thru`` gets every message at once,
    on ``thru_channel`` when given. Thread safe: ``feed`` runs on the MIDI thread, the rest anywhere.
    """

    def __init__(self, tempo_map: TempoMap, start_tick: int = 0, start_time: float | None = None, *,
                 thru: ThruTarget | None = None, thru_channel: int | None = None,
                 quantize: Quantize | None = None, clock: Callable[[], float] = time.perf_counter) -> None:
        self.tempo_map, self.start_tick = tempo_map, start_tick
        self.clock = clock
        self.start_time = clock() if start_time is None else start_time
        self.thru, self.thru_channel, self.quantize = thru, thru_channel, quantize
        self._origin = tempo_map.seconds_exact(start_tick)
        self._held: dict[tuple[int, int], tuple[float, int]] = {}
        self._sustained: dict[tuple[int, int], tuple[float, int]] = {}
        self._pedal: set[int] = set()
        self._done: list[RecordedNote] = []
        self._lock = threading.Lock()
        self.stopped = False

    # ------------------------------------------------------------------------------------ input
    def feed(self, timestamp: float, message: mido.Message | bytes | Sequence[int]) -> None:
        """Take one live message (signature fits MidiInput's callback)."""
        parsed = _parse(message)
        if parsed is None:
            return
        kind, ch, a, b = parsed
        if kind == "on" and b == 0:
            kind = "off"
        self._thru(kind, ch, a, b)
        with self._lock:
            if self.stopped:
                return
            key = (ch, a)
            if kind == "on":
                self._end(key, timestamp)  # a re-struck key (held or sustained) ends its last note
                self._held[key] = (timestamp, b)
            elif kind == "off":
                started = self._held.pop(key, None)
                if started is not None:
                    if ch in self._pedal:
                        self._sustained[key] = started
                    else:
                        self._close(key, started, timestamp)
            elif a == SUSTAIN:
                if b >= 64:
                    self._pedal.add(ch)
                else:
                    self._pedal.discard(ch)
                    for k in [k for k in self._sustained if k[0] == ch]:
                        self._close(k, self._sustained.pop(k), timestamp)

    def _thru(self, kind: str, ch: int, a: int, b: int) -> None:
        if self.thru is None:
            return
        out = ch if self.thru_channel is None else self.thru_channel
        try:
            if kind == "on":
                self.thru.note_on(out, a, b)
            elif kind == "off":
                self.thru.note_off(out, a)
            else:
                self.thru.cc(out, a, b)
        except Exception:  # a failing synth must not lose the recording
            pass

    def _end(self, key: tuple[int, int], at: float) -> None:
        for pool in (self._held, self._sustained):
            started = pool.pop(key, None)
            if started is not None:
                self._close(key, started, at)

    def _close(self, key: tuple[int, int], started: tuple[float, int], at: float) -> None:
        on, velocity = started
        self._done.append(RecordedNote(key[0], key[1], velocity, on, max(at, on)))

    # ----------------------------------------------------------------------------------- output
    def tick_at(self, timestamp: float) -> int:
        """The song tick at perf_counter time ``timestamp`` (not below 0)."""
        seconds = self._origin + Fraction(timestamp - self.start_time)
        if seconds < 0:
            return 0
        return max(0, round(self.tempo_map.tick_at_exact(seconds)))

    def device_lost(self, at: float | None = None) -> None:
        """The input vanished: notes still held end now (they are kept); later input still counts."""
        self._finish_held(self.clock() if at is None else at, silence_thru=True)

    def _finish_held(self, at: float, *, silence_thru: bool) -> None:
        with self._lock:
            keys = list(self._held) + list(self._sustained)
            for key in list(self._held):
                self._close(key, self._held.pop(key), at)
            for key in list(self._sustained):
                self._close(key, self._sustained.pop(key), at)
            pedals, self._pedal = self._pedal, set()
        if silence_thru and self.thru is not None:
            for ch, pitch in keys:
                self._thru("off", ch, pitch, 0)
            for ch in pedals:
                self._thru("cc", ch, SUSTAIN, 0)

    def recorded(self, at: float | None = None) -> list[RecordedNote]:
        """What was played so far, held notes included as if released at ``at`` (now)."""
        at = self.clock() if at is None else at
        with self._lock:
            out = list(self._done)
            out += [RecordedNote(k[0], k[1], v, on, max(at, on)) for k, (on, v) in self._held.items()]
            out += [RecordedNote(k[0], k[1], v, on, max(at, on)) for k, (on, v) in self._sustained.items()]
        return sorted(out, key=lambda n: (n.on, n.pitch))

    def notes(self, at: float | None = None, *, quantized: bool = True) -> list[Note]:
        """The recording so far as Notes with absolute song ticks, sorted by start then pitch."""
        out = []
        for r in self.recorded(at):
            start = self.tick_at(r.on)
            note = Note(r.pitch, start, max(1, self.tick_at(r.off) - start), max(1, r.velocity))
            if quantized and self.quantize is not None:
                note = self.quantize.apply(note)
            out.append(note)
        return sorted(out, key=lambda n: (n.start, n.pitch))

    def stop(self, at: float | None = None) -> list[Note]:
        """End the recording: held notes end at ``at`` (now); returns every note, quantized if asked."""
        at = self.clock() if at is None else at
        self._finish_held(at, silence_thru=True)
        with self._lock:
            self.stopped = True
        return self.notes(at)
