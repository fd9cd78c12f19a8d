"""Player: order, loop wraps, count-in and metronome accents, tempo changes, clean stop, replace_song."""

from __future__ import annotations

import threading
import time

import pytest

from composer_app.audio.player import LoopRegion, Player, click_events
from composer_app.core.song import Clip, Control, Note, Song, Track
from composer_app.core.timing import TempoChange, TimeSignature
from tests.audio.audio_fakes import RecordingSynth

TOL = 0.02  # seconds; generous for a loaded CI machine


def song_of(notes, bpm: float = 240.0, tempos=(), meters=(), channel: int = 0) -> Song:
    length = max(n.end for n in notes)
    track = Track("t", channel=channel, clips=(Clip(0, length, tuple(notes)),))
    return Song(tracks=(track,), tempos=(TempoChange.from_bpm(0, bpm), *tempos), meters=meters)


@pytest.fixture
def synth():
    return RecordingSynth()


@pytest.fixture
def player(synth):
    p = Player(synth)
    yield p
    p.stop()


def test_plays_in_order_and_finishes(synth, player):
    done = threading.Event()
    player.on_finished = done.set
    song = song_of([Note(60, 0, 240), Note(64, 240, 240), Note(67, 480, 480)])
    player.play(song)
    assert done.wait(5)
    ons = [m[2] for _t, m in synth.ons()]
    assert ons == [60, 64, 67]
    assert not player.playing
    assert synth.sounding() == set()
    # a repeated note: off strictly before the next on
    seq = [(m[0], m[2]) for _t, m in synth.messages("on", "off")]
    assert seq.index(("off", 60)) < seq.index(("on", 64))


def test_tempo_change_timing(synth, player):
    # 240 BPM for one beat (0.25 s), then 120 BPM (0.5 s per beat)
    song = song_of([Note(60, 0, 100), Note(62, 480, 100), Note(64, 960, 100)],
                   tempos=(TempoChange.from_bpm(480, 120),))
    done = threading.Event()
    player.on_finished = done.set
    player.play(song)
    assert done.wait(5)
    times = [t for t, _m in synth.ons()]
    assert times[1] - times[0] == pytest.approx(0.25, abs=TOL)
    assert times[2] - times[1] == pytest.approx(0.5, abs=TOL)


def test_loop_wraps_seamlessly(synth, player):
    song = song_of([Note(60, 0, 480), Note(62, 480, 480), Note(64, 960, 480)])  # 0.25 s per beat
    player.play(song, 0, loop=(0, 960))
    assert synth.wait_for(lambda: len(synth.ons()) >= 6)
    player.stop()
    ons = synth.ons()
    assert [m[2] for _t, m in ons[:6]] == [60, 62, 60, 62, 60, 62]
    gaps = [b[0] - a[0] for a, b in zip(ons, ons[1:6])]
    assert all(g == pytest.approx(0.25, abs=TOL) for g in gaps)
    assert 64 not in [m[2] for _t, m in ons]


def test_loop_cuts_notes_crossing_its_end(synth, player):
    song = song_of([Note(60, 0, 1920)])
    player.play(song, 0, loop=(0, 480))
    assert synth.wait_for(lambda: len(synth.ons()) >= 2)
    player.stop()
    seq = [m[0] for _t, m in synth.messages("on", "off")]
    assert seq[:3] == ["on", "off", "on"]


def test_count_in_and_metronome_accents(synth, player):
    song = song_of([Note(60, 0, 480)], meters=(TimeSignature(0, 3, 4),))
    done = threading.Event()
    player.on_finished = done.set
    player.set_metronome(True)
    player.play(song, 0, count_in_bars=1)
    assert player.position().counting_in
    assert done.wait(5)
    drum = [(t, m[2], m[3]) for t, m in synth.ons() if m[1] == 9]
    # count-in: accent, beat, beat; then the song's own downbeat click
    assert [p for _t, p, _v in drum[:4]] == [76, 77, 77, 76]
    assert drum[0][2] > drum[1][2]
    note_time = next(t for t, m in synth.ons() if m[1] == 0)
    assert note_time - drum[0][0] == pytest.approx(0.75, abs=TOL)  # 3 beats at 240 BPM
    assert abs(note_time - drum[3][0]) < TOL


def test_metronome_off_still_counts_in(synth, player):
    song = song_of([Note(60, 0, 960)])
    done = threading.Event()
    player.on_finished = done.set
    player.play(song, 0, count_in_bars=1)
    assert done.wait(5)
    assert len([1 for _t, m in synth.ons() if m[1] == 9]) == 4


def test_click_events_follow_meter_changes():
    song = song_of([Note(60, 0, 480)], meters=(TimeSignature(0, 2, 4), TimeSignature(960, 3, 8)))
    clicks = sorted(e for e in click_events(song, 0, 960 + 1440, player_metronome()) if e[4])
    assert [e[3] for e in clicks] == [76, 77, 76, 77, 77, 76, 77, 77]  # 2/4 bar, then two 3/8 bars
    assert clicks[3][0] == pytest.approx(1200 / 480 * 0.25)  # eighth-note beats in 3/8


def player_metronome():
    from composer_app.audio.player import Metronome

    return Metronome()


def test_stop_releases_everything(synth, player):
    song = song_of([Note(60, 0, 4800), Note(64, 0, 4800)])
    player.play(song)
    assert synth.wait_for(lambda: len(synth.ons()) == 2)
    player.stop()
    assert not player.playing
    held = synth.sounding()
    assert held == set()
    sustain_off = {m[1] for _t, m in synth.messages("cc") if m[2] == 64 and m[3] == 0}
    assert sustain_off == set(range(16))
    assert synth.messages("all_notes_off")
    n = len(synth.log)
    time.sleep(0.1)
    assert len(synth.log) == n  # the thread is really gone


def test_position_ticks(synth, player):
    song = song_of([Note(60, 0, 1920)])  # 1 s at 240 BPM
    player.play(song, 0, loop=LoopRegion(0, 960))
    assert synth.wait_for(lambda: player.position().tick > 0)
    pos = player.position()
    assert pos.playing and 0 < pos.tick < 960 and pos.loop_pass == 0
    assert synth.wait_for(lambda: player.position().loop_pass >= 1, 3)  # one pass is 0.5 s
    pos = player.position()
    assert pos.playing and 0 <= pos.tick < 960  # wrapped round, not run on past the loop's end
    player.stop()
    assert not player.position().playing


def test_position_callback(synth):
    seen: list = []
    p = Player(synth, on_position=seen.append, position_interval=0.02)
    p.play(song_of([Note(60, 0, 960)]))
    time.sleep(0.3)
    p.stop()
    assert len(seen) >= 5
    ticks = [s.tick for s in seen]
    assert ticks == sorted(ticks)


def test_replace_song_keeps_position_and_stops_old_notes(synth, player):
    a = song_of([Note(60, 0, 3840)])
    b = song_of([Note(72, 0, 3840)])
    player.play(a, 0, loop=(0, 3840))
    assert synth.wait_for(lambda: synth.ons())
    time.sleep(0.2)
    before = player.position_tick()
    player.replace_song(b)
    after = player.position_tick()
    assert abs(after - before) < 60
    assert synth.wait_for(lambda: any(m[2] == 72 for _t, m in synth.ons()), 1.0)  # chased at once
    assert (0, 60) not in synth.sounding()
    player.replace_song(a, restart_tick=0)
    assert player.position_tick() < 60


def test_broken_listener_and_stop_from_callback(synth):
    calls = []
    p = Player(synth)

    def finished():
        calls.append(1)
        p.stop()  # must not deadlock (it runs on the player thread)

    p.on_finished = finished
    p.play(song_of([Note(60, 0, 120)]))
    assert synth.wait_for(lambda: calls)
    p.stop()


def test_bad_arguments(player):
    with pytest.raises(ValueError):
        player.play(Song(), -1)
    with pytest.raises(ValueError):
        LoopRegion(10, 5)


def test_a_device_that_disappears_mid_song_stops_the_player_and_says_why():
    from tests.audio.audio_fakes import BreakableSynth, DeviceGone

    sink = BreakableSynth(fail_after_ons=3)
    player = Player(sink)
    song = song_of([Note(60 + i, i * 240, 200) for i in range(16)], bpm=480)
    player.play(song)
    deadline = time.perf_counter() + 5
    while player.playing and time.perf_counter() < deadline:
        time.sleep(0.01)
    assert not player.playing  # the scheduler thread ended instead of dying with a traceback
    assert isinstance(player.failure, DeviceGone)
    assert len(sink.ons()) == 3
    player.stop()  # stopping a dead device never raises
    with pytest.raises(DeviceGone):  # starting again on the dead device says so to the caller
        player.play(song)
    player.stop()


def test_the_pedal_is_sent_in_time_and_as_it_is_where_playback_or_a_loop_starts(synth, player):
    """The pedal reaches the synth (or a MIDI port) with the notes; started in the middle of a pedalled bar it goes
    down at once, each loop pass sets it as it is at the loop's start, and stopping lets it up."""
    notes = [Note(60 + i, i * 480, 480) for i in range(4)]
    pedal = (Control(0, 64, 127), Control(960, 64, 0), Control(1440, 64, 127))
    song = Song(tracks=(Track("t", clips=(Clip(0, 1920, tuple(notes), controls=pedal),)),),
                tempos=(TempoChange.from_bpm(0, 240.0),))  # 0.25 s a beat
    player.play(song, 480, loop=(480, 1920))
    assert synth.wait_for(lambda: len(synth.ons()) >= 5)
    player.stop()
    sent = [(m[0], m[2], m[3] if m[0] == "cc" else None) for _t, m in synth.messages("on", "cc")
            if m[0] == "on" or m[2] == 64]
    assert sent[:6] == [("cc", 64, 127), ("on", 61, None), ("cc", 64, 0), ("on", 62, None), ("cc", 64, 127),
                        ("on", 63, None)]
    second_pass = sent[6:9]
    assert second_pass == [("cc", 64, 0), ("cc", 64, 127), ("on", 61, None)]  # up at the clip's end, down again
    first_on = next(t for t, m in synth.messages("on") if m[2] == 61)
    up = next(t for t, m in synth.messages("cc") if m[2:] == (64, 0))
    assert up - first_on == pytest.approx(0.25, abs=TOL)  # the pedal comes up on beat 3
    assert synth.messages("cc")[-1][1][2:] == (64, 0)  # stopping lets it up
