"""Real ports with no sound card: a private JACK dummy server, an rtmidi virtual keyboard, the app's
MidiInput and Recorder with thru into FluidSynth's jack driver, and the Player heard by a JACK probe."""

from __future__ import annotations

import threading
import time

import pytest

from composer_app.core.timing import TempoChange, TempoMap
from composer_app.midi import ports
from composer_app.midi.ports import MidiInput, scan_ports
from composer_app.midi.recorder import Recorder
from tests.jack_util import jack_or_skip

rtmidi = pytest.importorskip("rtmidi")


@pytest.fixture(scope="module")
def jack():
    if "jack" not in ports.compiled_apis():
        pytest.skip("this python-rtmidi has no JACK")
    with jack_or_skip() as server:
        yield server


@pytest.fixture
def keyboard(jack):
    """A virtual MIDI keyboard: an rtmidi JACK output port other clients can read."""
    out = rtmidi.MidiOut(rtmidi.API_UNIX_JACK, name="test-keys")
    out.open_virtual_port("out")
    yield out
    out.close_port()
    out.delete()


@pytest.fixture
def jack_synth(jack):
    from composer_app.audio.soundfonts import default_soundfont
    from composer_app.audio.synth import FluidSynthSynth, fluidsynth_problem

    soundfont = default_soundfont()
    if soundfont is None or fluidsynth_problem():
        pytest.skip(f"no SoundFont or FluidSynth here {fluidsynth_problem()}")
    synth = FluidSynthSynth(soundfont)
    started = synth.start_realtime("jack")
    if not started.opened:
        synth.close()
        pytest.skip(started.message)
    yield synth
    synth.close()


class StampedThru:
    """Passes thru to the synth and stamps each note-on's arrival."""

    def __init__(self, synth) -> None:
        self.synth, self.arrivals = synth, []

    def note_on(self, channel, pitch, velocity):
        self.arrivals.append((time.perf_counter(), pitch))
        self.synth.note_on(channel, pitch, velocity)

    def note_off(self, channel, pitch):
        self.synth.note_off(channel, pitch)

    def cc(self, channel, control, value):
        self.synth.cc(channel, control, value)


def test_virtual_port_is_listed(keyboard):
    listing = scan_ports("jack")
    assert listing.ok and "test-keys:out" in listing.inputs


def test_record_through_jack_with_thru_to_fluidsynth(keyboard, jack_synth):
    thru = StampedThru(jack_synth)
    t_start = time.perf_counter() + 0.2
    rec = Recorder(TempoMap((TempoChange.from_bpm(0, 120),)), start_tick=0, start_time=t_start, thru=thru)
    plan = [(0.0, 60, 100, 0.20), (0.25, 64, 80, 0.20), (0.5, 67, 90, 0.45)]  # (at, pitch, velocity, length)
    sends: dict[int, tuple[float, float]] = {}
    stamps: dict[tuple[int, bool], tuple[float, float]] = {}  # (pitch, on) -> (driver stamp, arrival)

    def feed(stamp, message):
        stamps[(message.note, message.type == "note_on" and message.velocity > 0)] = (stamp, time.perf_counter())
        rec.feed(stamp, message)

    with MidiInput("test-keys", feed, api="jack", watch_interval=None) as midi_in:
        assert midi_in.port_name == "test-keys:out"
        time.sleep(0.1)
        events = sorted([(at, 1, p, v) for at, p, v, _d in plan] + [(at + d, 0, p, 0) for at, p, _v, d in plan])
        for at, kind, pitch, velocity in events:
            while time.perf_counter() < t_start + at:
                time.sleep(0.0005)
            now = time.perf_counter()
            keyboard.send_message([0x90 if kind else 0x80, pitch, velocity])
            on, off = sends.get(pitch, (0.0, 0.0))
            sends[pitch] = (now, off) if kind else (on, now)
        time.sleep(0.1)
        notes = rec.stop()
    assert [(n.pitch, n.velocity) for n in notes] == [(60, 100), (64, 80), (67, 90)]
    # Every stamp lies between the key's send and its arrival: never ahead of arrival, never before the key was
    # played. A wrong clock, anchor or unit breaks these by far more than the 10 ms allowed for the clocks' grain;
    # how late JACK delivers on a loaded machine is not this code's to assert.
    for (pitch, on), (stamp, arrived) in stamps.items():
        sent = sends[pitch][0 if on else 1]
        assert sent - 0.01 <= stamp <= arrived + 1e-6, (pitch, on, stamp - sent, arrived - sent)
        assert stamp - sent < 0.25
    # ...and the notes sit at their stamps' ticks (960 per second at 120 BPM).
    for n in notes:
        assert abs(n.start - (stamps[(n.pitch, True)][0] - t_start) * 960) <= 1
        assert abs(n.end - (stamps[(n.pitch, False)][0] - t_start) * 960) <= 1
    assert [p for _t, p in thru.arrivals] == [60, 64, 67]  # the synth heard the keys live
    assert all(t - sends[p][0] < 0.25 for t, p in thru.arrivals)


def test_vanishing_keyboard_is_noticed_and_held_notes_kept(jack):
    keys = rtmidi.MidiOut(rtmidi.API_UNIX_JACK, name="test-gone")
    keys.open_virtual_port("out")
    rec = Recorder(TempoMap(()), 0)
    lost = threading.Event()
    midi_in = MidiInput("test-gone", rec.feed, api="jack", on_lost=lambda _why: lost.set(), watch_interval=0.1)
    try:
        time.sleep(0.1)
        keys.send_message([0x90, 62, 100])
        deadline = time.monotonic() + 5
        while not rec.recorded() and time.monotonic() < deadline:
            time.sleep(0.01)
        keys.close_port()
        keys.delete()
        assert lost.wait(5) and midi_in.lost
        rec.device_lost()
        notes = rec.stop()
        assert [n.pitch for n in notes] == [62]
    finally:
        midi_in.close()


def test_player_through_fluidsynth_jack_is_heard(jack_synth):
    from composer_app.audio.jack_probe import JackAudioProbe, JackProbeError
    from composer_app.audio.player import Player
    from composer_app.core.song import Clip, Note, Song, Track

    try:
        probe = JackAudioProbe("fluidsynth", name="test-probe")
    except JackProbeError as e:
        pytest.skip(str(e))
    with probe:
        assert probe.connected
        player = Player(jack_synth)
        time.sleep(0.1)
        probe.arm()
        t0 = time.perf_counter()
        player.play(Song(tracks=(Track(clips=(Clip(0, 480, (Note(72, 0, 480),)),)),)))
        heard = probe.wait(3)
        player.stop()
    assert heard is not None and heard - t0 < 1.0
