"""Live-playback figures: player jitter, audition-to-sound time, MIDI-in-to-synth latency through JACK.

Run ``python -m composer_app.audio.bench_live``. Figures are printed, never asserted: they depend on
the machine's load. JACK figures need ``jackd`` (a private dummy server is started and stopped here).
"""

from __future__ import annotations

import statistics
import threading
import time
from collections.abc import Callable

from composer_app.audio.audition import Auditioner
from composer_app.audio.player import Player
from composer_app.core.song import Clip, Note, Song, Track
from composer_app.core.timing import TempoChange

Figures = dict[str, float | int | str]


def _stats(values_s: list[float], prefix: str) -> Figures:
    ms = sorted(v * 1000 for v in values_s)
    if not ms:
        return {f"{prefix}_n": 0}
    return {f"{prefix}_n": len(ms), f"{prefix}_p50_ms": round(statistics.median(ms), 3),
            f"{prefix}_p95_ms": round(ms[min(len(ms) - 1, int(0.95 * len(ms)))], 3),
            f"{prefix}_max_ms": round(ms[-1], 3)}


class _StampSink:
    """A sink that only timestamps note-ons (optionally passing them on)."""

    def __init__(self, inner=None) -> None:
        self.inner = inner
        self.on_times: list[float] = []

    def note_on(self, channel: int, pitch: int, velocity: int) -> None:
        self.on_times.append(time.perf_counter())
        if self.inner is not None:
            self.inner.note_on(channel, pitch, velocity)

    def note_off(self, channel: int, pitch: int) -> None:
        if self.inner is not None:
            self.inner.note_off(channel, pitch)

    def cc(self, channel: int, control: int, value: int) -> None:
        if self.inner is not None:
            self.inner.cc(channel, control, value)

    def program_select(self, channel: int, program: int, bank: int = 0) -> bool:
        return True if self.inner is None else self.inner.program_select(channel, program, bank)


def pulse_song(notes: int = 200, bpm: float = 240.0, step: int = 120) -> Song:
    """A one-track song of ``notes`` short notes every ``step`` ticks (sixteenths by default)."""
    clip = Clip(0, notes * step, tuple(Note(60 + i % 12, i * step, step // 2) for i in range(notes)))
    return Song(tracks=(Track("pulse", clips=(clip,)),), tempos=(TempoChange.from_bpm(0, bpm),))


def measure_jitter(notes: int = 200, bpm: float = 240.0, sink=None) -> Figures:
    """Player scheduling jitter: note-on send time minus its exact target time (p50/p95/max, ms)."""
    song = pulse_song(notes, bpm)
    stamp = _StampSink(sink)
    done = threading.Event()
    player = Player(stamp, on_finished=done.set)
    player.play(song)
    wall0 = player.wall_time_of(0)
    done.wait(song.length_seconds + 5)
    player.stop()
    tm = song.tempo_map
    targets = [wall0 + tm.seconds(n.start) for n in song.tracks[0].clips[0].notes] if wall0 is not None else []
    late = [sent - target for sent, target in zip(stamp.on_times, targets)]
    return {"events": len(late), **_stats(late, "player_jitter")}


def measure_sequencer_jitter(events: int = 100, interval_ms: int = 31) -> Figures:
    """For comparison: FluidSynth's own sequencer dispatching timer events every ``interval_ms`` (driven
    by the synth rendering for the JACK dummy driver), against this player sending notes at the same
    spacing to the same synth. Error of each spacing between successive dispatches, ms. Needs JACK."""
    import fluidsynth

    from composer_app.audio.synth import FluidSynthSynth

    stamps: list[float] = []
    with FluidSynthSynth() as synth:
        if not synth.start_realtime("jack").opened:
            return {"sequencer": "no jack driver"}
        stamp = _StampSink(synth)
        done = threading.Event()
        Player(stamp, on_finished=done.set).play(pulse_song(events, bpm=15_000 / interval_ms))
        done.wait(events * interval_ms / 1000 * 2 + 5)
        own_stamps = stamp.on_times
        seq = fluidsynth.Sequencer(time_scale=1000, use_system_timer=False)
        seq.register_fluidsynth(synth._fs)
        dest = seq.register_client("bench", lambda *_a: stamps.append(time.perf_counter()))
        time.sleep(0.1)
        base_tick = seq.get_tick()
        first = 100
        for i in range(events):
            seq.timer(base_tick + first + i * interval_ms, dest=dest)
        time.sleep((first + events * interval_ms) / 1000 + 0.5)
        seq.delete()
    # the sequencer runs on the audio clock, not perf_counter: judge the spacing of successive dispatches
    stamps = stamps[:events]  # later callbacks are the client being unregistered
    if len(stamps) < 2:
        return {"sequencer_events": len(stamps)}
    deviation = [abs((b - a) - interval_ms / 1000) for a, b in zip(stamps, stamps[1:])]
    spacing = [abs((b - a) - interval_ms / 1000) for a, b in zip(own_stamps, own_stamps[1:])] if own_stamps else []
    return {"sequencer_events": len(stamps), **_stats(deviation, "sequencer_spacing_error"),
            **_stats(spacing, "player_spacing_error")}


def audition_to_first_note(repeat: int = 20, keep_position: bool = False) -> Figures:
    """Time from Auditioner.audition() to the first note-on sent (a fake sink; no device needed).
    ``keep_position``: switch candidates in place (notes sounding at that moment are chased)."""
    stamp = _StampSink()
    auditioner = Auditioner(Player(stamp))
    lat: list[float] = []
    notes = [Note(60 + i, i * 240, 240) for i in range(8)]
    for i in range(repeat):
        stamp.on_times.clear()
        t0 = time.perf_counter()
        auditioner.audition([Note(n.pitch + i % 3, n.start, n.duration) for n in notes], start=0,
                            keep_position=keep_position)
        deadline = t0 + 1.0
        while not stamp.on_times and time.perf_counter() < deadline:
            time.sleep(0.0002)
        if stamp.on_times:
            lat.append(stamp.on_times[0] - t0)
    auditioner.stop()
    return _stats(lat, "switch_to_note_sent" if keep_position else "audition_to_note_sent")


def audition_to_first_sample(repeat: int = 10) -> Figures:
    """Time from Auditioner.audition() to the first non-silent sample in the JACK graph (FluidSynth's
    jack driver, a probe client listening to it). Needs a running JACK server."""
    from composer_app.audio.jack_probe import JackAudioProbe
    from composer_app.audio.synth import FluidSynthSynth

    lat: list[float] = []
    with FluidSynthSynth() as synth:
        started = synth.start_realtime("jack")
        if not started.opened:
            return {"audition_to_sample": started.message}
        auditioner = Auditioner(Player(synth))
        with JackAudioProbe("fluidsynth") as probe:
            period = probe.period / probe.sample_rate
            for i in range(repeat):
                auditioner.stop()
                synth.all_sounds_off()
                time.sleep(0.15)
                probe.arm()
                t0 = time.perf_counter()
                auditioner.audition([Note(60 + i % 12, 0, 480), Note(64, 480, 480)], start=0)
                heard = probe.wait(2.0)
                if heard is not None:
                    lat.append(heard - t0)
            auditioner.stop()
    out = _stats(lat, "audition_to_sample_in_graph")
    out["jack_period_ms"] = round(period * 1000, 3)
    return out


def midi_in_to_synth_subprocess(repeat: int = 30) -> Figures:
    """The MIDI-in-to-synth figure, measured by ``composer_app.midi.bench_live`` in a child process on the
    same JACK server (audio and midi are sibling layers: neither imports the other)."""
    import json
    import subprocess
    import sys

    done = subprocess.run([sys.executable, "-m", "composer_app.midi.bench_live", "--json", str(repeat)],
                          capture_output=True, text=True, timeout=60)
    lines = done.stdout.strip().splitlines()
    if done.returncode != 0 or not lines:
        return {"midi_in_to_synth": f"failed: {(done.stderr.strip().splitlines() or ['?'])[-1]}"}
    return json.loads(lines[-1])


def run_all(log: Callable[[str], object] = print) -> Figures:
    """Every figure this machine can give; JACK ones only where jackd runs."""
    from composer_app.audio.jack_dummy import JackDummyServer, JackUnavailable

    out: Figures = {}
    out.update(measure_jitter())
    out.update(audition_to_first_note())
    out.update(audition_to_first_note(keep_position=True))
    try:
        with JackDummyServer() as server:
            out["jack"] = f"dummy {server.rate} Hz, period {server.period}"
            for fn in (audition_to_first_sample, midi_in_to_synth_subprocess, measure_sequencer_jitter):
                try:
                    out.update(fn())
                except Exception as e:  # one failing figure must not hide the others
                    out[fn.__name__] = f"failed: {e}"
    except JackUnavailable as e:
        out["jack"] = f"skipped: {e}"
    for key, value in out.items():
        log(f"{key:36s} {value}")
    return out


if __name__ == "__main__":
    run_all()
