"""Auditioner: candidate loops with lead-in, instant switching, preview notes, first-note latency."""

from __future__ import annotations

import time

import pytest

from composer_app.audio.audition import Auditioner, candidate_song, lead_in_start
from composer_app.audio.player import Player
from composer_app.core.song import Clip, Note, Song, Track
from composer_app.core.timing import TempoChange
from tests.audio.audio_fakes import RecordingSynth


def context_song() -> Song:
    bass = Track("bass", program=33, channel=1, clips=(Clip(0, 3840, (Note(36, 0, 1920), Note(43, 1920, 1920))),))
    return Song(tracks=(bass,), tempos=(TempoChange.from_bpm(0, 240),))


@pytest.fixture
def rig():
    synth = RecordingSynth()
    aud = Auditioner(Player(synth))
    yield synth, aud
    aud.stop()


def test_candidate_song_adds_a_track_at_the_clip_start():
    song, end = candidate_song([Note(72, 0, 480)], context_song(), at=1920, program=73, channel=2)
    assert len(song.tracks) == 2 and end == 2400
    t = song.tracks[-1]
    assert (t.program, t.channel, t.clips[0].start) == (73, 2, 1920)


def test_lead_in_start_is_a_bar_line():
    song = context_song()
    assert lead_in_start(song, 1920 + 240, 1) == 0
    assert lead_in_start(song, 1920, 0) == 1920


def test_audition_loops_with_lead_in(rig):
    synth, aud = rig
    aud.audition([Note(72, 0, 480)], context=context_song(), start=1920, lead_in_bars=1, program=73, channel=2)
    assert synth.wait_for(lambda: [m for _t, m in synth.ons() if m[2] == 72][1:], 5)  # looped: heard twice
    pitches = [m[2] for _t, m in synth.ons()]
    assert pitches[0] == 36 and set(pitches[1:3]) == {43, 72}  # lead-in bar's bass, then candidate with context
    assert pitches[3] == 36  # the loop starts over at the lead-in
    assert aud.first_note_latency() is not None and aud.first_note_latency() < 0.5


def test_switching_candidates_is_instant_and_clean(rig):
    synth, aud = rig
    ctx = context_song()
    aud.audition([Note(72, 0, 1920)], context=ctx, start=1920, lead_in_bars=0)
    assert synth.wait_for(lambda: any(m[2] == 72 for _t, m in synth.ons()))
    time.sleep(0.1)
    t_switch = time.perf_counter()
    aud.audition([Note(76, 0, 1920)], context=ctx, start=1920, lead_in_bars=0)
    assert synth.wait_for(lambda: any(m[2] == 76 for _t, m in synth.ons()), 1)
    t76 = next(t for t, m in synth.ons() if m[2] == 76)
    assert t76 - t_switch < 0.4  # chased at once, not at the next loop pass (1 s later); slack for a loaded CI
    assert (2, 72) not in synth.sounding() and (0, 72) not in synth.sounding()


def test_one_shot_audition_ends_by_itself(rig):
    synth, aud = rig
    aud.audition([Note(72, 0, 240)], start=0, loop=False)
    assert synth.wait_for(lambda: not aud.player.playing, 3)
    assert synth.sounding() == set()


def test_preview_note_releases_after_duration(rig):
    synth, aud = rig
    aud.preview_note(60, 90, channel=3, duration=0.05, program=0)
    assert (3, 60) in synth.sounding()
    assert synth.wait_for(lambda: (3, 60) not in synth.sounding(), 2)


def test_retriggered_preview_is_not_cut_by_the_first_release(rig):
    synth, aud = rig
    aud.preview_note(62, duration=0.05)
    time.sleep(0.03)
    retrigger = time.perf_counter()
    aud.preview_note(62, duration=0.3)
    assert synth.wait_for(lambda: (0, 62) not in synth.sounding(), 2)
    last_on = max(t for t, m in synth.ons() if m[2] == 62)
    assert last_on >= retrigger
    released = [t for t, m in synth.messages("off") if m[2] == 62 and t >= last_on]
    assert released and released[0] - last_on >= 0.25  # held its own 0.3 s: the first release did not cut it


def test_audition_through_fluidsynth_renders_offline(soundfont):
    """The real synth accepts everything the auditioner sends (no realtime device needed)."""
    from composer_app.audio.synth import FluidSynthSynth

    with FluidSynthSynth(soundfont) as synth:
        aud = Auditioner(Player(synth))
        aud.audition([Note(72, 0, 480)], context=context_song(), start=0)
        time.sleep(0.05)
        assert synth.active_voices > 0
        aud.stop()
        aud.preview_note(60, duration=0.01)
