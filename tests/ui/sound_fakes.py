"""Fakes for the sound tests: an output opener with a recording sink, a MIDI input driven by the test, port lists."""

from __future__ import annotations

import threading

from composer_app.midi.ports import MidiPortError, PortList
from composer_app.ui.audio_output import AudioConfig, AudioOutput
from composer_app.ui.audio_service import AudioService
from composer_app.ui.timeline.transport import TransportState
from tests.audio.audio_fakes import BreakableSynth, RecordingSynth


class FakeOpener:
    """Opens a RecordingSynth as if it were a device; remembers the configs asked for."""

    def __init__(self, status: str = "Audio: fake") -> None:
        self.status = status
        self.configs: list[AudioConfig] = []
        self.sinks: list[RecordingSynth] = []

    def __call__(self, config: AudioConfig) -> AudioOutput:
        self.configs.append(config)
        sink = RecordingSynth()
        self.sinks.append(sink)
        return AudioOutput(sink, self.status, "a fake device", True)

    @property
    def sink(self) -> RecordingSynth:
        return self.sinks[-1]


class UnpluggableOpener(FakeOpener):
    """Opens BreakableSynths; the test unplugs the current one (``sink.unplug()``) mid-use."""

    def __call__(self, config):
        self.configs.append(config)
        sink = BreakableSynth()
        self.sinks.append(sink)
        return AudioOutput(sink, self.status, "a fake device", True)


def fake_service(settings, document, opener=None, background: bool = False) -> AudioService:
    return AudioService(settings, document, TransportState(), opener=opener or FakeOpener(), background=background)


class FakeInput:
    """Stands in for MidiInput: the test calls ``send`` (any thread) and ``lose``."""

    opened: list[FakeInput] = []

    def __init__(self, port, callback, *, api=None, on_lost=None) -> None:
        self.port_name, self.callback, self.api, self.on_lost = port, callback, api, on_lost
        self.closed = False
        FakeInput.opened.append(self)

    def send(self, timestamp: float, message) -> None:
        self.callback(timestamp, message)

    def send_from_thread(self, events) -> None:
        """Deliver (timestamp, message) pairs on another thread, as rtmidi does."""
        thread = threading.Thread(target=lambda: [self.callback(t, m) for t, m in events])
        thread.start()
        thread.join()

    def lose(self, reason: str = "MIDI input 'Keys' disappeared") -> None:
        thread = threading.Thread(target=lambda: self.on_lost(reason))
        thread.start()
        thread.join()

    def close(self) -> None:
        self.closed = True


def failing_input(port, callback, *, api=None, on_lost=None):
    raise MidiPortError("ALSA sequencer not available")


class Ports:
    """A scan_ports stand-in whose devices the test plugs in and out."""

    def __init__(self, inputs=(), outputs=()) -> None:
        self.inputs, self.outputs = list(inputs), list(outputs)
        self.calls = 0

    def __call__(self, api=None) -> PortList:
        self.calls += 1
        if not self.inputs and not self.outputs:
            return PortList(api or "alsa", (), (), "No MIDI devices connected")
        return PortList(api or "alsa", tuple(self.inputs), tuple(self.outputs),
                        f"{len(self.inputs)} MIDI input(s), {len(self.outputs)} output(s) on alsa")
