"""MIDI ports without devices: listing never raises, opening fails with a plain reason, outputs as synths."""

from __future__ import annotations

import pytest

from composer_app.midi import ports
from composer_app.midi.ports import MidiInput, MidiOutput, MidiPortError, scan_ports


def test_no_alsa_sequencer_gives_a_plain_status():
    if "alsa" not in ports.compiled_apis():
        pytest.skip("this python-rtmidi has no ALSA")
    result = scan_ports("alsa")
    if result.ok:
        pytest.skip("this machine has an ALSA sequencer")
    assert result.inputs == () and result.outputs == ()
    assert result.status == "No MIDI devices (ALSA sequencer not available)"
    assert ports.list_input_ports("alsa") == [] and ports.list_output_ports("alsa") == []


def test_real_alsa_failure_is_caught(monkeypatch):
    """Even when the pre-check passes, rtmidi's own SystemError becomes a status, never an exception."""
    if "alsa" not in ports.compiled_apis():
        pytest.skip("this python-rtmidi has no ALSA")
    import os

    if os.path.exists("/dev/snd/seq"):
        pytest.skip("this machine has an ALSA sequencer")
    monkeypatch.setattr(ports, "ALSA_SEQ", "/")  # pretend it exists: rtmidi really tries and fails
    result = scan_ports("alsa")
    assert not result.ok and "ALSA sequencer not available" in result.status
    with pytest.raises(MidiPortError, match="ALSA sequencer not available"):
        MidiInput(0, lambda *_: None, api="alsa")
    with pytest.raises(MidiPortError):
        MidiOutput(0, api="alsa")


def test_jack_without_a_server_says_so(monkeypatch):
    if "jack" not in ports.compiled_apis():
        pytest.skip("this python-rtmidi has no JACK")
    monkeypatch.setenv("JACK_DEFAULT_SERVER", "composer-no-such-server")
    monkeypatch.setenv("JACK_NO_START_SERVER", "1")
    result = scan_ports("jack")
    assert not result.ok and result.status == "No MIDI devices (JACK server not running)"


def test_unknown_api_and_missing_rtmidi(monkeypatch):
    assert not scan_ports("beos").ok
    monkeypatch.setattr(ports, "rtmidi", None)
    result = scan_ports()
    assert not result.ok and "python-rtmidi not available" in result.status
    assert ports.compiled_apis() == []


class FakeClient:
    """Stands in for rtmidi.MidiOut to check the bytes MidiOutput sends."""

    def __init__(self, fail: bool = False) -> None:
        self.sent: list[list[int]] = []
        self.fail = fail

    def get_ports(self):
        return ["Synth A:0", "Keys B:1"]

    def open_port(self, index, name=""):
        self.opened = index

    def send_message(self, data):
        if self.fail:
            raise OSError("device gone")
        self.sent.append(data)

    def close_port(self):
        pass

    def delete(self):
        pass


def test_midi_output_speaks_the_synth_interface(monkeypatch):
    client = FakeClient()
    monkeypatch.setattr(ports, "_client", lambda kind, api, name="": client)
    out = MidiOutput("Keys", api="alsa")  # a unique substring picks the port
    assert out.port_name == "Keys B:1" and client.opened == 1
    out.note_on(2, 60, 200)
    out.note_off(2, 60)
    out.cc(0, 64, 0)
    out.program_select(1, 40)
    out.all_notes_off(3)
    assert client.sent == [[0x92, 60, 127], [0x82, 60, 0], [0xB0, 64, 0], [0xB1, 0, 0], [0xB1, 32, 0],
                           [0xC1, 40], [0xB3, 123, 0]]


def test_midi_output_failure_marks_lost_without_raising(monkeypatch):
    client = FakeClient(fail=True)
    monkeypatch.setattr(ports, "_client", lambda kind, api, name="": client)
    out = MidiOutput(0, api="alsa")
    out.note_on(0, 60, 100)
    assert out.lost
    with pytest.raises(MidiPortError, match="no MIDI port named"):
        MidiOutput("nothing like it", api="alsa")


def test_player_drives_a_midi_output(monkeypatch):
    import threading

    from composer_app.audio.player import Player
    from composer_app.core.song import Clip, Note, Song, Track

    client = FakeClient()
    monkeypatch.setattr(ports, "_client", lambda kind, api, name="": client)
    out = MidiOutput(0, api="alsa")
    done = threading.Event()
    player = Player(out, on_finished=done.set)
    player.play(Song(tracks=(Track(program=5, clips=(Clip(0, 120, (Note(60, 0, 60),)),)),)))
    assert done.wait(5)
    assert [0xC0, 5] in client.sent and [0x90, 60, 100] in client.sent and [0x80, 60, 0] in client.sent
    assert [0xB0, 123, 0] in client.sent  # all notes off when playback ends
