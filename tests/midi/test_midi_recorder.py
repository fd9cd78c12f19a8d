"""Recorder with synthetic timestamps: pairing, velocity-0 note-offs, sustain, quantize, thru, device lost."""

from __future__ import annotations

import mido
import pytest

from composer_app.core.timing import TempoChange, TempoMap
from composer_app.midi.recorder import Quantize, Recorder
from tests.audio.audio_fakes import RecordingSynth

T0 = 1000.0  # perf_counter time at which recording starts
TM = TempoMap((TempoChange.from_bpm(0, 120),))  # 0.5 s per quarter = 480 ticks


def on(p, v=100, ch=0):
    return mido.Message("note_on", channel=ch, note=p, velocity=v)


def off(p, ch=0):
    return mido.Message("note_off", channel=ch, note=p)


def pedal(value, ch=0):
    return mido.Message("control_change", channel=ch, control=64, value=value)


def test_pairs_note_on_and_off_at_the_tempo_map():
    r = Recorder(TM, start_tick=1920, start_time=T0)
    r.feed(T0 + 0.0, on(60, 90))
    r.feed(T0 + 0.5, off(60))
    r.feed(T0 + 0.25, on(64))
    r.feed(T0 + 0.75, bytes([0x90, 64, 0]))  # raw bytes, velocity-0 note-on
    notes = r.stop(T0 + 2)
    assert [(n.pitch, n.start, n.duration, n.velocity) for n in notes] == [(60, 1920, 480, 90),
                                                                          (64, 2160, 480, 100)]


def test_tempo_change_inside_the_recording():
    tm = TempoMap((TempoChange.from_bpm(0, 120), TempoChange.from_bpm(480, 60)))
    r = Recorder(tm, 0, T0)
    r.feed(T0 + 0.5, on(60))  # tick 480, where the tempo halves
    r.feed(T0 + 1.5, off(60))  # one quarter at 60 BPM
    assert [(n.start, n.duration) for n in r.stop(T0 + 2)] == [(480, 480)]


def test_sustain_pedal_holds_until_release():
    r = Recorder(TM, 0, T0)
    r.feed(T0 + 0.0, pedal(127))
    r.feed(T0 + 0.0, on(60))
    r.feed(T0 + 0.1, off(60))
    r.feed(T0 + 0.5, on(62))
    r.feed(T0 + 0.6, off(62))
    r.feed(T0 + 1.0, pedal(0))
    r.feed(T0 + 1.1, on(64))
    r.feed(T0 + 1.25, off(64))
    notes = {n.pitch: (n.start, n.duration) for n in r.stop(T0 + 3)}
    assert notes == {60: (0, 960), 62: (480, 480), 64: (1056, 144)}


def test_restriking_a_sustained_key_ends_the_earlier_note():
    r = Recorder(TM, 0, T0)
    r.feed(T0, pedal(100))
    r.feed(T0, on(60))
    r.feed(T0 + 0.1, off(60))
    r.feed(T0 + 0.5, on(60))
    r.feed(T0 + 0.6, off(60))
    r.feed(T0 + 1.0, pedal(0))
    assert [(n.start, n.duration) for n in r.stop(T0 + 2)] == [(0, 480), (480, 480)]


def test_pedal_is_per_channel():
    r = Recorder(TM, 0, T0)
    r.feed(T0, pedal(127, ch=1))
    r.feed(T0, on(60))
    r.feed(T0 + 0.5, off(60))
    assert r.stop(T0 + 2)[0].duration == 480


def test_held_notes_end_at_stop_nothing_lost():
    r = Recorder(TM, 0, T0)
    r.feed(T0, on(60))
    r.feed(T0 + 0.25, pedal(127))
    r.feed(T0 + 0.25, on(62))
    r.feed(T0 + 0.3, off(62))  # sustained
    notes = r.stop(T0 + 1.0)
    assert [(n.pitch, n.start, n.end) for n in notes] == [(60, 0, 960), (62, 240, 960)]
    r.feed(T0 + 1.5, on(70))  # after stop: ignored
    assert len(r.notes()) == 2


def test_device_lost_ends_held_notes_then_later_input_still_counts():
    thru = RecordingSynth()
    r = Recorder(TM, 0, T0, thru=thru)
    r.feed(T0, on(60))
    r.feed(T0, pedal(127))
    r.device_lost(T0 + 0.5)
    assert thru.sounding() == set()  # the echo is silenced too
    assert any(m == ("cc", 0, 64, 0) for _t, m in thru.messages("cc"))
    r.feed(T0 + 1.0, on(62))
    r.feed(T0 + 1.5, off(62))
    notes = r.stop(T0 + 2)
    assert [(n.pitch, n.start, n.duration) for n in notes] == [(60, 0, 480), (62, 960, 480)]


def test_quantize_strength_and_ends():
    r = Recorder(TM, 0, T0, quantize=Quantize(240, 1.0))
    r.feed(T0 + 0.26, on(60))  # tick 250 -> 240
    r.feed(T0 + 0.5, off(60))
    r.feed(T0 + 0.70, on(62))  # tick 672 -> 720
    r.feed(T0 + 0.80, off(62))
    notes = r.stop(T0 + 2)
    assert [(n.start, n.duration) for n in notes] == [(240, 230), (720, 96)]
    raw = r.notes(quantized=False)
    assert [n.start for n in raw] == [250, 672]
    half = Quantize(240, 0.5, ends=True)
    assert (half.apply(raw[0]).start, half.apply(raw[0]).end) == (245, 480)


def test_quantize_validates():
    with pytest.raises(ValueError):
        Quantize(0)
    with pytest.raises(ValueError):
        Quantize(120, 1.5)


def test_early_notes_and_negative_time_clamp_to_zero():
    r = Recorder(TM, 480, T0)
    r.feed(T0 - 0.1, on(60))  # a pickup played a little early, in the count-in
    r.feed(T0 - 2.0, on(62))  # way before the song starts
    r.feed(T0 + 0.5, off(60))
    r.feed(T0 + 0.5, off(62))
    notes = r.stop(T0 + 1)
    assert [(n.pitch, n.start) for n in notes] == [(62, 0), (60, 384)]


def test_thru_is_immediate_and_can_change_channel():
    thru = RecordingSynth()
    r = Recorder(TM, 0, T0, thru=thru, thru_channel=5)
    r.feed(T0, on(60, 80, ch=0))
    assert thru.messages() == [(thru.log[0][0], ("on", 5, 60, 80))]
    r.feed(T0 + 0.1, off(60))
    r.feed(T0 + 0.1, mido.Message("pitchwheel", pitch=100))  # ignored
    assert [m for _t, m in thru.messages()] == [("on", 5, 60, 80), ("off", 5, 60)]


def test_broken_thru_does_not_lose_the_recording():
    class Broken:
        def note_on(self, *a):
            raise RuntimeError("synth gone")

        note_off = cc = note_on

    r = Recorder(TM, 0, T0, thru=Broken())
    r.feed(T0, on(60))
    r.feed(T0 + 0.5, off(60))
    assert len(r.stop(T0 + 1)) == 1


def test_live_view_includes_held_notes():
    r = Recorder(TM, 0, T0)
    r.feed(T0, on(60))
    assert [(n.pitch, n.duration) for n in r.notes(T0 + 0.25)] == [(60, 240)]
