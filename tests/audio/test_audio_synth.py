"""FluidSynthSynth against the real library: font errors, song setup, realtime driver honesty."""

from __future__ import annotations

import time

import numpy as np
import pytest

from composer_app.audio.synth import (
    DRUM_BANK,
    AudioStart,
    FluidSynthSynth,
    Synth,
    assign_channels,
    audible_tracks,
    available_drivers,
)
from composer_app.core.errors import SongFileError
from composer_app.core.song import Song, Track
from tests.jack_util import jack_or_skip


def test_is_a_synth_and_makes_sound(soundfont):
    with FluidSynthSynth(soundfont) as synth:
        assert isinstance(synth, Synth)
        assert np.abs(synth.render(4096)).max() < 1e-6  # silence (the reverb adds noise near -150 dBFS)
        synth.note_on(0, 60, 100)
        loud = synth.render(8192)
        assert np.abs(loud).max() > 0.01
        synth.note_off(0, 60)
        synth.render(44100 * 2)
        assert synth.active_voices == 0
    assert synth.closed
    synth.close()  # twice is fine
    synth.note_on(0, 60, 100)  # and a closed synth ignores notes


def test_missing_and_bad_fonts_raise_song_file_error(tmp_path):
    with pytest.raises(SongFileError, match="no such file"):
        FluidSynthSynth(tmp_path / "nope.sf2")
    text = tmp_path / "text.sf2"
    text.write_text("just text")
    with pytest.raises(SongFileError, match="not a SoundFont file"):
        FluidSynthSynth(text)


def test_a_corrupt_font_that_fluidsynth_rejects_is_a_song_file_error(tmp_path):
    # a right header but a broken body: only FluidSynth's sfload can tell, and it must not crash
    broken = tmp_path / "broken.sf2"
    broken.write_bytes(b"RIFF" + (4000).to_bytes(4, "little") + b"sfbk" + b"LIST" + b"\xff" * 64)
    with pytest.raises(SongFileError, match="not a usable SoundFont") as info:
        FluidSynthSynth(broken)
    assert info.value.path == broken


def test_channels_keep_their_own_numbers_and_collisions_move():
    tracks = (Track(name="a", channel=0), Track(name="b", channel=0),
              Track(name="drums", channel=9, is_drum=True), Track(name="flagged", channel=3, is_drum=True),
              Track(name="c", channel=9))
    song = Song(tracks=tracks)
    m = assign_channels(song, 16)
    # "c" sits on the GM drum channel, so it is drums too: it moves to the first free channel
    assert [m[t.id] for t in tracks] == [0, 1, 9, 3, 2]
    many = Song(tracks=tuple(Track(name=str(i), channel=0) for i in range(20)))
    got = assign_channels(many, 16)
    assert 9 not in got.values()  # melodic tracks never land on the drum channel by reassignment


def test_mute_and_solo_choose_the_audible_tracks():
    a, b, c = Track(name="a"), Track(name="b", mute=True), Track(name="c")
    assert audible_tracks(Song(tracks=(a, b, c))) == (a, c)
    c_solo = Track(name="c", solo=True)
    assert audible_tracks(Song(tracks=(a, b, c_solo))) == (c_solo,)
    b_both = Track(name="b", mute=True, solo=True)
    assert audible_tracks(Song(tracks=(a, b_both))) == ()  # mute wins over solo


def test_apply_song_sets_program_bank_volume_and_pan(soundfont):
    piano = Track(name="bass", program=33, channel=1, volume=90, pan=20)
    drums = Track(name="drums", program=0, channel=9, is_drum=True)
    muted = Track(name="muted", program=40, channel=2, mute=True)
    with FluidSynthSynth(soundfont) as synth:
        m = synth.apply_song(Song(tracks=(piano, drums, muted)))
        fs = synth._fs
        assert fs.channel_info(m[piano.id])[1:3] == (0, 33)
        assert fs.channel_info(m[drums.id])[1] == DRUM_BANK
        assert fs.get_cc(m[piano.id], 7) == 90
        assert fs.get_cc(m[piano.id], 10) == 20
        assert fs.get_cc(m[muted.id], 7) == 0
        # a preset the font lacks falls back instead of leaving the channel silent
        assert synth.program_select(5, 100, bank=77) is False
        assert fs.channel_info(5)[1:3] == (0, 100)


def test_start_realtime_reports_truthfully_without_a_device(soundfont):
    with FluidSynthSynth(soundfont) as synth:
        t0 = time.monotonic()
        result = synth.start_realtime()
        elapsed = time.monotonic() - t0
        assert isinstance(result, AudioStart)
        assert elapsed < 5.0, f"opening a driver took {elapsed:.1f} s"
        if result.opened:  # a machine with a sound card (or a running JACK server)
            assert result.driver == synth.driver_name
            return
        assert result.message.startswith("No audio device: ")
        assert not result and synth.driver_name is None
        # the synth still works offline after a failed start
        synth.note_on(0, 60, 100)
        assert np.abs(synth.render(4096)).max() > 0


def test_asking_for_a_driver_this_build_lacks_says_so(soundfont):
    with FluidSynthSynth(soundfont) as synth:
        result = synth.start("no-such-driver")
        assert not result.opened
        assert "no 'no-such-driver' driver" in result.message
        assert "alsa" in available_drivers() or result.message


@pytest.fixture
def jack_dummy_server():
    with jack_or_skip() as server:
        yield server.name


def test_jack_dummy_driver_really_plays(soundfont, jack_dummy_server):
    if "jack" not in available_drivers():
        pytest.skip("this FluidSynth has no jack driver")
    with FluidSynthSynth(soundfont) as synth:
        deadline = time.monotonic() + 10
        result = synth.start_realtime("jack")
        while not result.opened and time.monotonic() < deadline:  # the server may still be starting
            time.sleep(0.2)
            result = synth.start_realtime("jack")
        assert result.opened, result.message
        assert result.driver == "jack" and synth.driver_name == "jack"
        synth.note_on(0, 72, 100)
        time.sleep(0.05)
        synth.note_off(0, 72)
        # voices only decay while the driver pulls samples: they end only if audio really flows
        deadline = time.monotonic() + 10
        while synth.active_voices and time.monotonic() < deadline:
            time.sleep(0.05)
        assert synth.active_voices == 0
