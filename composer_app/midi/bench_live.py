"""MIDI-in latency figure: an rtmidi JACK virtual keyboard -> MidiInput -> Recorder thru -> synth note_on.

Run ``python -m composer_app.midi.bench_live [--json] [repeat]`` with a JACK server running (for example
under ``python -m composer_app.audio.bench_live``, which starts a private dummy one and calls this).
"""

from __future__ import annotations

import json
import statistics
import sys
import threading
import time

from composer_app.core.timing import TempoMap
from composer_app.midi.ports import MidiInput
from composer_app.midi.recorder import Recorder


class _StampThru:
    """A thru target that stamps the arrival of each note-on."""

    def __init__(self) -> None:
        self.arrived: list[float] = []
        self.got = threading.Event()

    def note_on(self, channel: int, pitch: int, velocity: int) -> None:
        self.arrived.append(time.perf_counter())
        self.got.set()

    def note_off(self, channel: int, pitch: int) -> None:
        pass

    def cc(self, channel: int, control: int, value: int) -> None:
        pass


def midi_in_to_synth(repeat: int = 30) -> dict[str, float | int | str]:
    """Send ``repeat`` notes on a JACK virtual port; seconds until the thru target's note_on (p50/p95/max ms)."""
    import rtmidi

    thru = _StampThru()
    source = rtmidi.MidiOut(rtmidi.API_UNIX_JACK, name="bench-keys")
    source.open_virtual_port("out")
    rec = Recorder(TempoMap(()), thru=thru)
    lat: list[float] = []
    try:
        with MidiInput("bench-keys", rec.feed, api="jack", watch_interval=None):
            time.sleep(0.2)
            for i in range(repeat):
                thru.got.clear()
                t0 = time.perf_counter()
                source.send_message([0x90, 60 + i % 12, 100])
                if thru.got.wait(1.0):
                    lat.append(thru.arrived[-1] - t0)
                source.send_message([0x80, 60 + i % 12, 0])
                time.sleep(0.02)
    finally:
        source.close_port()
        source.delete()
    ms = sorted(v * 1000 for v in lat)
    if not ms:
        return {"midi_in_to_synth_n": 0}
    return {"midi_in_to_synth_n": len(ms), "midi_in_to_synth_p50_ms": round(statistics.median(ms), 3),
            "midi_in_to_synth_p95_ms": round(ms[min(len(ms) - 1, int(0.95 * len(ms)))], 3),
            "midi_in_to_synth_max_ms": round(ms[-1], 3)}


def main(argv: list[str]) -> int:
    as_json = "--json" in argv
    numbers = [a for a in argv if a.isdigit()]
    figures = midi_in_to_synth(int(numbers[0]) if numbers else 30)
    if as_json:
        print(json.dumps(figures))
    else:
        for key, value in figures.items():
            print(f"{key:36s} {value}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
