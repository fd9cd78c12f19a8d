"""A recording fake synth for player and audition tests: every call stored as (time, message)."""

from __future__ import annotations

import threading
import time


class RecordingSynth:
    """Implements the player's sink interface and records (perf_counter time, (kind, *args))."""

    def __init__(self) -> None:
        self.log: list[tuple[float, tuple]] = []
        self.lock = threading.Lock()
        self.t0 = time.perf_counter()

    def _add(self, *msg) -> None:
        with self.lock:
            self.log.append((time.perf_counter(), msg))

    def note_on(self, channel: int, pitch: int, velocity: int) -> None:
        self._add("on", channel, pitch, velocity)

    def note_off(self, channel: int, pitch: int) -> None:
        self._add("off", channel, pitch)

    def cc(self, channel: int, control: int, value: int) -> None:
        self._add("cc", channel, control, value)

    def program_select(self, channel: int, program: int, bank: int = 0) -> bool:
        self._add("program", channel, program, bank)
        return True

    def all_notes_off(self, channel: int | None = None) -> None:
        self._add("all_notes_off", channel)

    def messages(self, *kinds: str) -> list[tuple[float, tuple]]:
        with self.lock:
            return [(t, m) for t, m in self.log if not kinds or m[0] in kinds]

    def ons(self) -> list[tuple[float, tuple]]:
        return self.messages("on")

    def sounding(self) -> set[tuple[int, int]]:
        """(channel, pitch) struck and not released (all-notes-off releases everything)."""
        held: dict[tuple[int, int], int] = {}
        for _t, m in self.messages():
            if m[0] == "on":
                held[(m[1], m[2])] = held.get((m[1], m[2]), 0) + 1
            elif m[0] == "off":
                held.pop((m[1], m[2]), None)
            elif m[0] == "all_notes_off":
                held.clear()
        return set(held)

    def wait_for(self, predicate, timeout: float = 5.0) -> bool:
        deadline = time.perf_counter() + timeout
        while time.perf_counter() < deadline:
            if predicate():
                return True
            time.sleep(0.002)
        return False


class DeviceGone(OSError):
    """What a fake device raises once it has been unplugged."""


class BreakableSynth(RecordingSynth):
    """A RecordingSynth that can be unplugged: after ``unplug()`` (or after ``fail_after_ons`` note-ons) every
    call raises DeviceGone, as a sound card or MIDI port that disappeared does."""

    def __init__(self, fail_after_ons: int | None = None) -> None:
        super().__init__()
        self.fail_after_ons = fail_after_ons
        self.gone = False

    def unplug(self) -> None:
        self.gone = True

    def _add(self, *msg) -> None:
        if not self.gone and self.fail_after_ons is not None and msg[0] == "on" \
                and len(self.messages("on")) >= self.fail_after_ons:
            self.gone = True
        if self.gone:
            raise DeviceGone("sound device 'Fake Card' disappeared")
        super()._add(*msg)
