"""Realtime playback of a Song snapshot: a scheduler thread, loop region, count-in, metronome, position.

Design: the player runs its own scheduler thread. It sleeps until each event's wall-clock time
(``time.perf_counter``) and calls ``note_on``/``note_off`` on any synth-like target; FluidSynth's own
audio thread renders. FluidSynth's sequencer was not used because it can only drive FluidSynth, while
the same player must also drive an external MIDI output port (and a recording fake in tests); the
measured send jitter of this thread (``measure_jitter``; see ``bench_live``) is well under one audio
period, which is the grain at which a realtime driver starts notes anyway.

Timing never drifts: every event time is computed from one anchor (the wall time at which playback
started) through the song's tempo map, never by adding up sleeps. ``position_tick`` is computed from
the same plan, so it is exact and thread safe.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Protocol, runtime_checkable

from composer_app.audio.synth import audible_tracks, set_up_tracks
from composer_app.core.controls import chased, track_events
from composer_app.core.song import DRUM_CHANNEL, Song

MIDI_CHANNELS = 16
SUSTAIN = 64
CLICK_SECONDS = 0.06
"""How long a metronome click is held (drum sounds mostly ignore the note-off anyway)."""


@runtime_checkable
class NoteSink(Protocol):
    """What the player needs of a synth or an external MIDI output."""

    def note_on(self, channel: int, pitch: int, velocity: int) -> None: ...

    def note_off(self, channel: int, pitch: int) -> None: ...

    def cc(self, channel: int, control: int, value: int) -> None: ...

    def program_select(self, channel: int, program: int, bank: int = 0) -> bool: ...


@dataclass(frozen=True, slots=True)
class Metronome:
    """Metronome sounds on the GM drum channel: high wood block on the downbeat, low wood block else."""

    accent_pitch: int = 76  # Hi Wood Block (alternatives: 75 Claves, 37 Side Stick)
    beat_pitch: int = 77  # Low Wood Block
    accent_velocity: int = 127
    beat_velocity: int = 90
    channel: int = DRUM_CHANNEL


@dataclass(frozen=True, slots=True)
class LoopRegion:
    """Ticks ``[start, end)`` repeated until playback is stopped."""

    start: int
    end: int

    def __post_init__(self) -> None:
        if self.start < 0 or self.end <= self.start:
            raise ValueError(f"bad loop region {self.start}..{self.end}")


@dataclass(frozen=True, slots=True)
class PlayPosition:
    """Where playback is: ``tick`` in the song, whether the count-in is still running, which loop pass."""

    tick: int
    playing: bool
    counting_in: bool = False
    loop_pass: int = 0


# An event: (seconds from the start of its pass, order, channel, pitch, velocity, is_click); velocity 0 = off.
# Order -1 is a controller change (pitch: the controller, velocity: its value), sent before the notes at its time.
_Event = tuple[float, int, int, int, int, bool]
CONTROL = -1


def setup_channels(sink: NoteSink, song: Song, channels: int = MIDI_CHANNELS) -> dict[str, int]:
    """Program, volume and pan of each track's channel on ``sink``; returns the channel of each track."""
    apply = getattr(sink, "apply_song", None)
    if callable(apply):
        return apply(song)
    return set_up_tracks(sink, song, channels)


def note_events(song: Song, channels: dict[str, int], start: int, end: int, chase: bool = False) -> list[_Event]:
    """Note on/off events of notes starting in ``[start, end)``, cut at ``end``, timed from ``start``, and the
    clips' controller changes (``control_events``). With ``chase`` notes already sounding at ``start`` are struck at
    once too (as DAWs do on a jump)."""
    tm = song.tempo_map
    origin = tm.seconds(start)
    out: list[_Event] = []
    for track in audible_tracks(song):
        ch = channels[track.id]
        for n in track.notes_absolute():
            chased = chase and n.start < start < n.end
            if (n.start < start and not chased) or n.start >= end:
                continue
            on = 0.0 if chased else tm.seconds(n.start) - origin
            off = max(tm.seconds(min(n.end, end)) - origin, on + 0.001)
            out.append((on, 1, ch, n.pitch, n.velocity, False))
            out.append((off, 0, ch, n.pitch, 0, False))
    return out + control_events(song, channels, start, end)


def control_events(song: Song, channels: dict[str, int], start: int, end: int) -> list[_Event]:
    """The clips' controller changes (pedal, ...) in ``(start, end]``, timed from ``start``, led at ``start`` by
    each controller's value in force there, so a pass that starts mid-song or again at a loop's start hears the
    pedal as it is there."""
    tm = song.tempo_map
    origin = tm.seconds(start)
    out: list[_Event] = []
    for track in audible_tracks(song):
        events = track_events(track)
        if events:
            ch = channels[track.id]
            out.extend((tm.seconds(tick) - origin, CONTROL, ch, number, value, False)
                       for tick, number, value in chased(events, start, end))
    return out


def click_events(song: Song, start: int, end: int, metronome: Metronome) -> list[_Event]:
    """Metronome clicks on every beat in ``[start, end)``, the downbeat accented, timed from ``start``."""
    tm, mm = song.tempo_map, song.meter_map
    origin = tm.seconds(start)
    out: list[_Event] = []
    bar = mm.bar_of(start)
    while True:
        bar_tick = mm.bar_start(bar)
        if bar_tick >= end:
            break
        meter = mm.meter_at(bar_tick)
        next_bar = mm.bar_start(bar + 1)
        for beat in range(meter.numerator):
            tick = bar_tick + beat * meter.beat_ticks
            if tick >= next_bar or tick >= end:
                break
            if tick < start:
                continue
            out.extend(_click(tm.seconds(tick) - origin, beat == 0, metronome))
        bar += 1
    return out


def _click(at: float, accent: bool, m: Metronome, optional: bool = True) -> tuple[_Event, _Event]:
    """A click's on and off; ``optional`` clicks sound only while the metronome is on (count-in always)."""
    pitch = m.accent_pitch if accent else m.beat_pitch
    velocity = m.accent_velocity if accent else m.beat_velocity
    return (at, 1, m.channel, pitch, velocity, optional), (at + CLICK_SECONDS, 0, m.channel, pitch, 0, optional)


def _end_marker(at: float) -> _Event:
    """A silent event at the end of a pass, so the scheduler waits until the pass is really over."""
    return (at, 2, -1, 0, 0, False)


def count_in_events(song: Song, tick: int, bars: int, metronome: Metronome) -> tuple[list[_Event], float]:
    """Clicks of ``bars`` bars in the meter and tempo at ``tick``, and the count-in length in seconds."""
    meter = song.meter_map.meter_at(tick)
    beat_seconds = song.tempo_map.tempo_at(tick).us_per_quarter * meter.beat_ticks / (480 * 1_000_000)
    out: list[_Event] = []
    for i in range(bars * meter.numerator):
        out.extend(_click(i * beat_seconds, i % meter.numerator == 0, metronome, optional=False))
    return out, bars * meter.numerator * beat_seconds


@dataclass(frozen=True)
class _Plan:
    """Everything one playback run needs, fixed when it starts (so position is a pure function of time)."""

    song: Song
    start: int
    end: int  # end of the first pass
    loop: LoopRegion | None
    count_in: float  # seconds
    count_in_bars: int
    first: float  # seconds of the first pass
    loop_len: float  # seconds of each later pass (0 without a loop)
    wall0: float  # perf_counter time at which the count-in (or the song) starts

    def position(self, now: float) -> PlayPosition:
        e = now - self.wall0
        tm = self.song.tempo_map
        if e < self.count_in:
            return PlayPosition(self.start, True, True, 0)
        e -= self.count_in
        if self.loop is None or e < self.first:
            tick = tm.tick_at(tm.seconds(self.start) + min(e, self.first))
            return PlayPosition(min(tick, self.end), e < self.first, False, 0)
        k, r = divmod(e - self.first, self.loop_len)
        tick = tm.tick_at(tm.seconds(self.loop.start) + r)
        return PlayPosition(min(tick, self.loop.end - 1), True, False, int(k) + 1)


class _Run:
    """One scheduler thread playing one plan; stops by its event, leaves its held notes to release."""

    def __init__(self, player: Player, plan: _Plan, count_in: list[_Event], first: list[_Event],
                 looped: list[_Event]) -> None:
        self.player, self.plan = player, plan
        self.stop_event = threading.Event()
        self.held: dict[tuple[int, int], int] = {}
        self.first_sent: float | None = None
        self.finished = False
        first = first + [_end_marker(plan.first)]
        looped = looped + [_end_marker(plan.loop_len)] if plan.loop is not None else []
        self._lists = (sorted(count_in), sorted(first), sorted(looped))
        self.thread = threading.Thread(target=self._main, name="composer-player", daemon=True)

    def _passes(self):
        """(wall start, events, pass number) for each pass, forever when looping."""
        p = self.plan
        count_in, first, looped = self._lists
        if count_in:
            yield p.wall0, count_in, -1
        yield p.wall0 + p.count_in, first, 0
        if p.loop is not None:
            k = 0
            while True:
                yield p.wall0 + p.count_in + p.first + k * p.loop_len, looped, k + 1
                k += 1

    def _main(self) -> None:
        player, clock = self.player, self.player.clock
        next_report = clock()
        try:
            for wall, events, _k in self._passes():
                for at, order, ch, pitch, velocity, is_click in events:
                    target = wall + at
                    while True:
                        now = clock()
                        if player.on_position is not None and now >= next_report:
                            player._report(self.plan.position(now))
                            next_report = now + player.position_interval
                        if now >= target:
                            break
                        wait = target - now
                        if player.on_position is not None:
                            wait = min(wait, max(0.0, next_report - now))
                        if self.stop_event.wait(wait):
                            return
                    if self.stop_event.is_set():
                        return
                    if ch >= 0 and order == CONTROL:
                        player.sink.cc(ch, pitch, velocity)
                    elif ch >= 0:
                        self._send(ch, pitch, velocity, is_click)
            self.finished = True  # the song ended by itself (the end marker waited for its end)
        except Exception as error:  # a broken sink (a device that went away) must not kill the app: stop, say why
            self.player.failure = error
            self.finished = True
        finally:
            if self.finished and not self.stop_event.is_set():
                player._run_finished(self)

    def _send(self, ch: int, pitch: int, velocity: int, is_click: bool) -> None:
        key = (ch, pitch)
        sink = self.player.sink
        if velocity:
            if is_click and not self.player.metronome_on:
                return
            self.held[key] = self.held.get(key, 0) + 1
            sink.note_on(ch, pitch, velocity)
            if self.first_sent is None:
                self.first_sent = self.player.clock()
        elif self.held.get(key, 0) > 0:
            self.held[key] -= 1
            if not self.held[key]:
                del self.held[key]
                sink.note_off(ch, pitch)

    def release(self) -> None:
        """Note-off for every note this run left sounding."""
        for ch, pitch in list(self.held):
            self.player.sink.note_off(ch, pitch)
        self.held.clear()


class Player:
    """Plays Song snapshots on ``sink`` (a FluidSynthSynth, a MidiOutput, or a fake) from a background thread.

    All methods are thread safe. ``on_position(PlayPosition)`` and ``on_finished()`` run on the player
    thread: a GUI must hand them over to its own thread (e.g. a queued Qt signal) or simply poll
    :meth:`position_tick` from a 30-60 Hz timer.
    """

    def __init__(self, sink: NoteSink, *, metronome: Metronome | None = None, clock: Callable[[], float] =
                 time.perf_counter, on_position: Callable[[PlayPosition], object] | None = None,
                 on_finished: Callable[[], object] | None = None, position_interval: float = 1 / 30) -> None:
        self.sink = sink
        self.clock = clock
        self.metronome = metronome or Metronome()
        self.metronome_on = False
        self.on_position = on_position
        self.on_finished = on_finished
        self.position_interval = position_interval
        self._lock = threading.RLock()
        self._run: _Run | None = None
        self._loop: LoopRegion | None = None
        self._last = PlayPosition(0, False)
        self.failure: Exception | None = None
        """What the sink raised when playback last stopped because of it (None after a clean run or a new play)."""

    # ----------------------------------------------------------------------------------- transport
    def play(self, song: Song, start_tick: int = 0, *, loop: LoopRegion | tuple[int, int] | None = None,
             count_in_bars: int = 0) -> None:
        """Start playing ``song`` at ``start_tick`` (stopping what plays now), after ``count_in_bars`` of clicks."""
        if start_tick < 0 or count_in_bars < 0:
            raise ValueError("start tick and count-in must not be negative")
        with self._lock:
            self._stop_run(reset=False)
            self.failure = None
            self._loop = _as_loop(loop)
            self._start(song, start_tick, count_in_bars, self.clock())

    def stop(self) -> None:
        """Stop: every held note off, then all-notes-off and sustain off on all 16 channels; thread joined."""
        with self._lock:
            was = self._run
            self._stop_run(reset=True)
            if was is not None:
                self._last = PlayPosition(was.plan.position(self.clock()).tick, False)

    def panic(self) -> None:
        """Stop and silence everything at once (all sounds off, controllers reset) on every channel."""
        self.stop()
        hard = getattr(self.sink, "all_sounds_off", None)
        for ch in range(MIDI_CHANNELS):
            if hard is None:
                self.sink.cc(ch, 120, 0)  # All Sound Off
            self.sink.cc(ch, 121, 0)  # Reset All Controllers
        if callable(hard):
            hard()

    def replace_song(self, song: Song, restart_tick: int | None = None) -> None:
        """Swap the snapshot at once: sounding notes stop; play goes on from the same position
        (``restart_tick`` None) or from ``restart_tick``. Not playing: nothing starts."""
        with self._lock:
            run = self._run
            if run is None:
                return
            now = self.clock()
            pos = run.plan.position(now)
            self._stop_run(reset=False)
            if restart_tick is not None:
                self._start(song, restart_tick, 0, now)
            elif pos.counting_in:  # keep the count-in's timing
                self._start(song, run.plan.start, run.plan.count_in_bars, run.plan.wall0)
            else:
                self._start(song, pos.tick, 0, now, chase=True)

    def set_loop(self, loop: LoopRegion | tuple[int, int] | None) -> None:
        """Set or clear the loop region; while playing, takes effect at once from the current position."""
        with self._lock:
            self._loop = _as_loop(loop)
            run = self._run
            if run is not None:
                pos = run.plan.position(self.clock())
                if not pos.counting_in:
                    self.replace_song(run.plan.song, pos.tick)

    def set_metronome(self, on: bool) -> None:
        """Turn the metronome on or off (takes effect from the next beat)."""
        self.metronome_on = bool(on)

    # ------------------------------------------------------------------------------------- queries
    @property
    def playing(self) -> bool:
        run = self._run  # no lock: safe to ask from a callback on the player thread
        return run is not None and not run.finished

    @property
    def loop(self) -> LoopRegion | None:
        return self._loop

    def position(self) -> PlayPosition:
        """Where playback is now (the last position when stopped)."""
        run = self._run
        if run is None or run.finished:
            return self._last
        return run.plan.position(self.clock())

    def position_tick(self) -> int:
        """The song tick sounding now; cheap enough to poll at 60 Hz from any thread."""
        return self.position().tick

    def wall_time_of(self, tick: int) -> float | None:
        """perf_counter time at which ``tick`` sounds (in the current pass), or None when not playing.
        Recording uses it to line live input up with the song."""
        run = self._run
        if run is None:
            return None
        p = run.plan
        tm = p.song.tempo_map
        pos = p.position(self.clock())
        if p.loop is not None and pos.loop_pass > 0:
            base = p.wall0 + p.count_in + p.first + (pos.loop_pass - 1) * p.loop_len
            return base + tm.seconds(tick) - tm.seconds(p.loop.start)
        return p.wall0 + p.count_in + tm.seconds(tick) - tm.seconds(p.start)

    @property
    def first_note_sent_at(self) -> float | None:
        """perf_counter time of the current run's first note-on (None before it)."""
        run = self._run
        return None if run is None else run.first_sent

    # ----------------------------------------------------------------------------------- internals
    def _start(self, song: Song, start: int, count_in_bars: int, wall0: float, chase: bool = False) -> None:
        channels = setup_channels(self.sink, song)
        loop = self._loop
        end = song.end_tick
        if loop is not None and start < loop.end:
            end = loop.end
        end = max(end, start)
        first = note_events(song, channels, start, end, chase) + click_events(song, start, end, self.metronome)
        looped: list[_Event] = []
        loop_len = 0.0
        active_loop = loop if loop is not None and start < loop.end else None
        if active_loop is not None:
            looped = note_events(song, channels, active_loop.start, active_loop.end)
            looped += click_events(song, active_loop.start, active_loop.end, self.metronome)
            tm = song.tempo_map
            loop_len = tm.seconds(active_loop.end) - tm.seconds(active_loop.start)
        counts, count_len = count_in_events(song, start, count_in_bars, self.metronome)
        tm = song.tempo_map
        first_len = tm.seconds(end) - tm.seconds(start)
        plan = _Plan(song, start, end, active_loop, count_len, count_in_bars, first_len, loop_len, wall0)
        run = _Run(self, plan, counts, first, looped)
        self._run = run
        run.thread.start()

    def _stop_run(self, *, reset: bool) -> None:
        run, self._run = self._run, None
        if run is not None:
            run.stop_event.set()
            if run.thread is not threading.current_thread():
                run.thread.join()
        try:
            if run is not None:
                run.release()
            if reset:
                for ch in range(MIDI_CHANNELS):
                    self.sink.cc(ch, SUSTAIN, 0)
                everything = getattr(self.sink, "all_notes_off", None)
                if callable(everything):
                    everything()
                else:
                    for ch in range(MIDI_CHANNELS):
                        self.sink.cc(ch, 123, 0)  # All Notes Off
        except Exception as error:  # the device went away: stopping must still succeed
            self.failure = self.failure or error
            if run is not None:
                run.held.clear()

    def _run_finished(self, run: _Run) -> None:
        while not self._lock.acquire(timeout=0.01):  # stop() may hold the lock while it joins this thread
            if run.stop_event.is_set():
                return
        try:
            if self._run is not run:
                return
            self._last = PlayPosition(run.plan.end, False)
            self._stop_run(reset=True)
        finally:
            self._lock.release()
        if self.on_finished is not None:
            self.on_finished()

    def _report(self, pos: PlayPosition) -> None:
        try:
            if self.on_position is not None:
                self.on_position(pos)
        except Exception:  # a broken listener must not stop the music
            pass


def _as_loop(loop: LoopRegion | tuple[int, int] | None) -> LoopRegion | None:
    if loop is None or isinstance(loop, LoopRegion):
        return loop
    return LoopRegion(int(loop[0]), int(loop[1]))

