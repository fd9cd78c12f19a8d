"""AudioService: truthful device status, play/stop driving the transport playhead, loop, preview, audition."""

from __future__ import annotations

import random
import shutil
import signal
import threading
import time
from contextlib import suppress
from dataclasses import replace

import pytest

from composer_app.audio.jack_dummy import JackDummyServer, JackUnavailable
from composer_app.audio.soundfonts import default_soundfont
from composer_app.audio.synth import available_drivers, fluidsynth_problem
from composer_app.core.song import Clip, Note, Song, Track
from composer_app.ui import audio_output
from composer_app.ui.audio_output import NO_DEVICE, NO_SOUNDFONT, STARTING, AudioOutput, SilentSink
from composer_app.ui.audio_service import DEVICE_LOST, PREVIEW_CHANNEL, AudioService
from composer_app.ui.settings import AUDIO_DRIVER, METRONOME, SOUNDFONT
from composer_app.ui.timeline.transport import TransportState
from tests.audio.audio_fakes import RecordingSynth
from tests.jack_util import jack_or_skip
from tests.ui.sound_fakes import UnpluggableOpener, fake_service

needs_synth = pytest.mark.skipif(bool(fluidsynth_problem()) or default_soundfont() is None,
                                 reason="FluidSynth or a SoundFont is missing")


def long_song(bars: int = 8) -> Song:
    notes = tuple(Note(60 + i % 12, i * 480, 240) for i in range(bars * 4))
    return Song(tracks=(Track("Piano", clips=(Clip(0, bars * 1920, notes),)),))


@pytest.fixture
def service(qtbot, settings, document):
    document.load(long_song())
    svc = fake_service(settings, document)
    yield svc
    svc.shutdown()


@needs_synth
def test_no_audio_device_says_so_and_keeps_the_synth(qtbot, settings, document):
    settings.set(AUDIO_DRIVER, "coreaudio")  # never compiled into a Linux FluidSynth
    svc = AudioService(settings, document, TransportState(), background=False)
    try:
        assert svc.status == NO_DEVICE
        assert "No audio device" in svc.output.detail
        assert svc.output.synth is not None  # rendering and the player still work
    finally:
        svc.shutdown()


@needs_synth
def test_automatic_driver_reports_what_opened(qtbot, settings, document):
    svc = AudioService(settings, document, TransportState())
    try:
        assert svc.status == STARTING or svc.is_ready
        qtbot.waitUntil(lambda: svc.is_ready, timeout=10_000)
        assert svc.status == NO_DEVICE or svc.status.startswith("Audio: ")
        assert svc.output.audible == svc.status.startswith("Audio: ")
    finally:
        svc.shutdown()


def test_missing_soundfont_is_a_clear_status_and_playback_still_moves(qtbot, settings, document, monkeypatch):
    monkeypatch.setattr(audio_output, "default_soundfont", lambda: None)
    document.load(long_song())
    svc = AudioService(settings, document, TransportState(), background=False)
    try:
        assert svc.status == NO_SOUNDFONT
        assert isinstance(svc.output.sink, SilentSink)
        svc.play()
        qtbot.waitUntil(lambda: svc.transport.playhead > 0, timeout=3000)
        svc.stop()
    finally:
        svc.shutdown()


@needs_synth
def test_a_chosen_file_that_is_not_a_soundfont_falls_back_with_a_warning(qtbot, settings, document, tmp_path):
    bad = tmp_path / "notes.sf2"
    bad.write_text("not a soundfont")
    settings.set(SOUNDFONT, str(bad))
    settings.set(AUDIO_DRIVER, "coreaudio")
    svc = AudioService(settings, document, TransportState())
    with qtbot.waitSignal(svc.warning, timeout=10_000) as blocker:
        pass
    try:
        assert "notes.sf2" in blocker.args[0] and "using the best one found" in blocker.args[0]
        assert svc.output.soundfont == default_soundfont()
    finally:
        svc.shutdown()


def test_play_drives_the_playhead_and_stop_releases_everything(qtbot, service):
    transport, sink = service.transport, service.output.sink
    transport.set_playhead(480)
    service.play()
    assert transport.playing and service.mode == "play"
    qtbot.waitUntil(lambda: transport.playhead > 700, timeout=3000)
    assert sink.ons()
    service.stop()
    assert not transport.playing and service.mode is None
    assert sink.messages("all_notes_off")
    assert not sink.sounding()
    stopped = transport.playhead
    qtbot.wait(100)
    assert transport.playhead == stopped  # it stays where playback stopped


def test_toggle_and_the_end_of_the_song(qtbot, settings, document):
    document.load(Song(tracks=(Track("Piano", clips=(Clip(0, 240, (Note(60, 0, 240),)),)),)))
    svc = fake_service(settings, document)
    svc.toggle()
    assert svc.transport.playing
    qtbot.waitUntil(lambda: not svc.transport.playing, timeout=3000)  # a quarter-beat song ends by itself
    assert svc.transport.playhead == 240
    svc.toggle()
    svc.toggle()
    assert not svc.transport.playing
    svc.shutdown()


def test_loop_region_keeps_the_playhead_inside(qtbot, service):
    transport = service.transport
    transport.set_loop(0, 480, True)
    service.play()
    qtbot.wait(900)  # almost two passes of a 0.5 s loop
    assert 0 <= transport.playhead < 480
    assert len([m for _t, m in service.output.sink.ons() if m[2] == 60]) >= 2
    transport.set_loop_enabled(False)
    qtbot.waitUntil(lambda: transport.playhead > 480, timeout=3000)
    service.stop()


def test_moving_the_playhead_while_playing_jumps(qtbot, service):
    transport = service.transport
    service.play()
    qtbot.wait(60)
    transport.set_playhead(1920 * 4)  # as a click in the ruler does
    qtbot.wait(60)
    assert transport.playhead >= 1920 * 4
    service.stop()


def test_metronome_setting_persists_and_reaches_the_player(service, settings):
    service.set_metronome(True)
    assert settings.get(METRONOME) is True
    assert service.player.metronome_on
    service.set_metronome(False)
    assert settings.get(METRONOME) is False


def test_preview_note_uses_the_instrument_of_the_track(qtbot, service):
    service.set_preview_instrument(40, channel=3)
    service.preview_note(67, 90)
    sink = service.output.sink
    assert ("program", 3, 40, 0) in [m for _t, m in sink.messages("program")]
    assert ("on", 3, 67, 90) in [m for _t, m in sink.ons()]
    qtbot.waitUntil(lambda: ("off", 3, 67) in [m for _t, m in sink.messages("off")], timeout=2000)


def test_audition_song_plays_the_song_with_the_candidate_in_it(qtbot, service):
    track = Track("cand", program=73, channel=2, clips=(Clip(1920, 960, (Note(72, 0, 480), Note(74, 480, 480))),))
    song = replace(service.document.song, tracks=service.document.song.tracks + (track,))
    service.audition_song(song, start_tick=1920, end_tick=2880, lead_in_bars=1)
    assert service.mode == "audition" and service.transport.playing
    qtbot.waitUntil(lambda: any(m[2] == 72 for _t, m in service.output.sink.ons()), timeout=3000)
    service.stop()
    assert not service.transport.playing


def test_stale_background_opens_are_dropped(qtbot, settings, document):
    calls: list[int] = []

    def opener(_config):
        n = len(calls)
        calls.append(n)
        if n == 0:
            time.sleep(0.3)  # the first open is slow: its result arrives after the second's
        return AudioOutput(SilentSink(), f"Audio: open {n}", audible=True)

    svc = AudioService(settings, document, TransportState(), opener=opener)
    svc.reconfigure()
    qtbot.waitUntil(lambda: svc.status == "Audio: open 1", timeout=5000)
    qtbot.wait(400)
    assert svc.status == "Audio: open 1"
    svc.shutdown()


def test_quitting_while_the_device_opens_waits_for_it_and_closes_it(qtbot, settings, document):
    """A thread left opening the device when the interpreter ends aborted the process ("FATAL: exception not
    rethrown"): quitting in the first moment after start crashed."""
    closed: list[str] = []

    class Output(AudioOutput):
        def close(self) -> None:
            closed.append(self.status)

    def opener(_config):
        time.sleep(0.3)
        return Output(SilentSink(), "Audio: late", audible=True)

    svc = AudioService(settings, document, TransportState(), opener=opener)
    svc.shutdown()  # at once, while the opener sleeps
    assert not any(t.is_alive() for t in threading.enumerate() if t.name == "composer-audio-open")
    assert closed == ["Audio: late"]  # opened after the quit: closed, never installed
    qtbot.wait(50)
    assert svc.status == "Audio: closed"


@needs_synth
def test_real_synth_without_a_device_still_plays_notes(qtbot, settings, document):
    settings.set(AUDIO_DRIVER, "coreaudio")
    document.load(long_song())
    svc = AudioService(settings, document, TransportState(), background=False)
    try:
        svc.play()
        qtbot.waitUntil(lambda: svc.output.synth.active_voices > 0, timeout=3000)
        svc.preview_note(60)
        assert svc.output.channels > PREVIEW_CHANNEL
        svc.panic()
        assert not svc.transport.playing
    finally:
        svc.shutdown()


# ---------------------------------------------------------------------------------------------- faults


def _truncated_font(tmp_path):
    """A real SoundFont cut short: the RIFF 'sfbk' header is right, so only FluidSynth can tell."""
    bad = tmp_path / "cut.sf2"
    bad.write_bytes(default_soundfont().read_bytes()[:65536])
    return bad


def _random_font(tmp_path):
    bad = tmp_path / "noise.sf2"
    bad.write_bytes(random.Random(7).randbytes(70_000))
    return bad


def _vanished_font(tmp_path):
    gone = tmp_path / "gone.sf2"
    shutil.copyfile(default_soundfont(), gone)
    gone.unlink()  # chosen in Preferences, then deleted or its drive unmounted
    return gone


@needs_synth
@pytest.mark.parametrize("make", [_truncated_font, _random_font, _vanished_font])
def test_a_broken_chosen_soundfont_falls_back_and_names_the_file(qtbot, settings, document, tmp_path, make):
    bad = make(tmp_path)
    settings.set(SOUNDFONT, str(bad))
    settings.set(AUDIO_DRIVER, "coreaudio")  # no realtime device needed
    document.load(long_song())
    warnings: list[str] = []
    svc = AudioService(settings, document, TransportState(), background=False)
    svc.warning.connect(warnings.append)
    try:
        svc.reconfigure()  # the same again, as "Apply" in Preferences does
        assert warnings and bad.name in warnings[0] and "instead" in warnings[0]
        assert svc.output.soundfont == default_soundfont() and svc.output.synth is not None
        svc.play()
        qtbot.waitUntil(lambda: svc.output.synth.active_voices > 0, timeout=3000)  # it really sounds
        svc.stop()
        assert settings.get(SOUNDFONT) == str(bad)  # the user's choice is kept, not silently rewritten
    finally:
        svc.shutdown()


@needs_synth
def test_a_broken_soundfont_with_nothing_to_fall_back_to_is_a_clear_status(qtbot, settings, document, tmp_path,
                                                                          monkeypatch):
    bad = _truncated_font(tmp_path)
    settings.set(SOUNDFONT, str(bad))
    monkeypatch.setattr(audio_output, "default_soundfont", lambda: None)
    document.load(long_song())
    svc = AudioService(settings, document, TransportState(), background=False)
    try:
        assert svc.status.startswith(f"SoundFont {bad.name} could not be loaded")
        assert "Preferences" in svc.status and str(bad) in svc.output.detail
        assert isinstance(svc.output.sink, SilentSink)
        svc.play()  # silent, but the transport still runs and nothing raises
        qtbot.waitUntil(lambda: svc.transport.playhead > 0, timeout=3000)
        svc.preview_note(60)
        svc.stop()
    finally:
        svc.shutdown()


def test_output_device_lost_mid_playback_stops_says_so_and_reopens(qtbot, settings, document):
    song = long_song()
    document.load(song)
    opener = UnpluggableOpener()
    svc = fake_service(settings, document, opener)
    statuses: list[str] = []
    svc.status_changed.connect(lambda status, _detail: statuses.append(status))
    try:
        svc.play()
        qtbot.waitUntil(lambda: len(opener.sink.ons()) >= 2, timeout=3000)
        dead = opener.sink
        with qtbot.waitSignal(svc.warning, timeout=3000) as blocker:
            dead.unplug()
        assert "Fake Card" in blocker.args[0] and "notes are unchanged" in blocker.args[0]
        assert DEVICE_LOST in statuses
        assert not svc.transport.playing and svc.mode is None
        assert document.song == song and document.undo_stack.count() == 0  # nothing lost, nothing changed
        assert len(opener.sinks) == 2 and svc.output.sink is opener.sinks[1]  # reopened
        svc.play()  # and everything keeps working on the new output
        qtbot.waitUntil(lambda: bool(opener.sinks[1].ons()), timeout=3000)
        svc.stop()
    finally:
        svc.shutdown()


def test_preview_and_play_on_a_dead_device_never_raise(qtbot, settings, document):
    document.load(long_song())
    opener = UnpluggableOpener()
    svc = fake_service(settings, document, opener)
    warnings: list[str] = []
    svc.warning.connect(warnings.append)
    try:
        opener.sink.unplug()
        svc.preview_note(60)
        assert len(warnings) == 1 and len(opener.sinks) == 2
        opener.sink.unplug()
        svc.play()
        assert len(warnings) == 2 and not svc.transport.playing
        opener.sink.unplug()
        svc.audition_song(long_song(), 0, 480)
        assert len(warnings) == 3 and svc.mode is None
        svc.panic()
        svc.preview_note(62)  # the fourth output works
        assert opener.sink.ons() and len(warnings) == 3
    finally:
        svc.shutdown()


class LostPort(RecordingSynth):
    """A MIDI output port that stops delivering without raising (MidiOutput marks itself ``lost``)."""

    port_name = "Fake Synth Port"
    lost = False

    def close(self) -> None:
        pass


def test_midi_output_port_lost_mid_playback_falls_back_with_a_message(qtbot, settings, document):
    document.load(long_song())
    ports: list[LostPort] = []

    def opener(_config):
        port = LostPort()
        ports.append(port)
        return AudioOutput(port, f"MIDI out: {port.port_name}", "", True, None, port)

    svc = AudioService(settings, document, TransportState(), opener=opener, background=False)
    try:
        svc.play()
        qtbot.waitUntil(lambda: bool(ports[0].ons()), timeout=3000)
        with qtbot.waitSignal(svc.warning, timeout=3000) as blocker:
            ports[0].lost = True
        assert "'Fake Synth Port' disappeared" in blocker.args[0]
        assert not svc.transport.playing and len(ports) == 2
    finally:
        svc.shutdown()


@needs_synth
def test_jack_server_killed_mid_playback_keeps_the_app_up_and_the_notes(qtbot, settings, document):
    if "jack" not in available_drivers():
        pytest.skip("this FluidSynth has no jack driver")
    song = long_song(16)
    document.load(song)
    settings.set(AUDIO_DRIVER, "jack")
    with jack_or_skip() as server:
        svc = AudioService(settings, document, TransportState(), background=False)
        killed = False
        try:
            assert svc.status == "Audio: jack", svc.output.detail
            svc.play()
            qtbot.waitUntil(lambda: svc.output.synth.active_voices > 0, timeout=5000)
            server.proc.send_signal(signal.SIGKILL)  # the JACK server (the device) dies under the synth
            server.proc.wait()
            killed = True
            qtbot.wait(300)
            svc.preview_note(60)
            svc.stop()
            assert not svc.transport.playing
            svc.reconfigure()  # Preferences > Apply with the server gone: was a segfault in libjack
            assert svc.status == NO_DEVICE and svc.output.synth is not None
            with JackDummyServer(name=server.name):  # the server comes back: so does the sound
                svc.reconfigure()
                assert svc.status == "Audio: jack", svc.output.detail
                svc.play()
                qtbot.waitUntil(lambda: svc.output.synth.active_voices > 0, timeout=5000)
                svc.shutdown()
                killed = False
            assert document.song == song and document.undo_stack.count() == 0
        finally:
            svc.shutdown()
            if killed:
                # JACK keeps 8 server slots and frees a killed server's slot only when its name starts again
                with suppress(JackUnavailable), JackDummyServer(name=server.name):
                    pass
