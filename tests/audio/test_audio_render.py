"""Offline rendering: sample-accurate onsets, tempo changes, levels, mute/solo, progress, cancel, WAV."""

from __future__ import annotations

import random
import threading
import wave
from pathlib import Path

import numpy as np
import pytest

from composer_app.audio.bench import bench_render
from composer_app.audio.render import (
    BLOCK,
    RenderCancelled,
    peak_dbfs,
    render_song,
    rms_dbfs,
    schedule,
    write_wav,
)
from composer_app.audio.synth import assign_channels
from composer_app.core.errors import SongFileError
from composer_app.core.song import Clip, Control, Note, Song, Track
from composer_app.core.timing import TempoChange

SR = 44100
WOODBLOCK = 115  # a sharp attack: what onset tests listen to
ORGAN = 19  # sustains without decay: what level tests listen to


def one_track(notes, program=0, tempos=(), **track):
    end = max(n.end for n in notes) if notes else 1
    return Song(tracks=(Track(program=program, clips=(Clip(0, end, tuple(notes)),), **track),), tempos=tempos)


def scattered_notes(count=24, seed=1, gap=(300, 520)):
    rng = random.Random(seed)
    notes, t = [], 0
    for _ in range(count):
        t += rng.randint(*gap)  # odd tick steps: onsets fall at every offset inside a 64-frame block
        notes.append(Note(rng.randint(60, 84), t, 90, velocity=rng.randint(80, 120)))
    return notes


def match_errors_ms(detected, expected):
    """Error of the detected onset nearest each expected one (ms)."""
    detected = np.asarray(detected)
    return np.array([(detected[np.argmin(np.abs(detected - e))] - e) * 1000 for e in expected])


def test_schedule_puts_each_event_on_the_nearest_block():
    notes = scattered_notes(40)
    song = one_track(notes)
    events = schedule(song, SR, assign_channels(song))
    ons = [e for e in events if e.velocity]
    assert len(ons) == len(notes)
    for e, n in zip(ons, sorted(notes, key=lambda n: n.start)):
        exact = song.tempo_map.seconds(n.start) * SR
        assert e.frame % BLOCK == 0
        assert abs(e.frame - exact) <= BLOCK / 2
    assert [e.frame for e in events] == sorted(e.frame for e in events)


def test_repeated_note_is_released_before_it_is_struck_again():
    song = one_track([Note(60, 0, 480), Note(60, 480, 480), Note(62, 10, 1)])
    events = schedule(song, SR, assign_channels(song))
    frame_480 = round(0.5 * SR / BLOCK) * BLOCK  # tick 480 at 120 BPM
    at_480 = [(e.pitch, e.velocity) for e in events if e.frame == frame_480 and e.pitch == 60]
    assert at_480 == [(60, 0), (60, 100)]
    tiny = [e for e in events if e.pitch == 62]
    assert tiny[1].frame - tiny[0].frame == BLOCK  # a one-tick note still lasts one block


def test_first_sound_starts_exactly_on_the_scheduled_block(soundfont):
    # The synth's output is silent (below -120 dBFS) until a note starts, so the first loud frame shows
    # where FluidSynth started the note. It must sit a fixed instrument delay after the scheduled block.
    delays = []
    for tick in (100, 101, 107, 113, 130, 481, 997):
        song = one_track([Note(72, tick, 240)], program=WOODBLOCK)
        a = render_song(song, soundfont, tail_seconds=0.2, reverb=False, chorus=False, ceiling_db=None)
        scheduled = round(song.tempo_map.seconds(tick) * SR / BLOCK) * BLOCK
        first = int(np.argmax(np.abs(a).max(axis=1) > 1e-6))
        delays.append(first - scheduled)
    assert len(set(delays)) == 1, delays
    assert 0 <= delays[0] < BLOCK


def test_onsets_match_note_times_within_two_ms(soundfont, onsets):
    notes = scattered_notes(30)
    song = one_track(notes, program=WOODBLOCK)
    a = render_song(song, soundfont)
    detected = onsets(a, SR)
    expected = [song.tempo_map.seconds(n.start) for n in notes]
    assert len(detected) == len(expected)
    err = match_errors_ms(detected, expected)
    print(f"woodblock onset error: max {np.abs(err).max():.2f} ms, mean {err.mean():.2f} ms")
    assert np.abs(err).max() < 2.0


def test_tempo_change_moves_onsets(soundfont, onsets):
    notes = [Note(72, i * 480, 120) for i in range(16)]
    tempos = (TempoChange(0, 500_000), TempoChange(480 * 6, 300_000), TempoChange(480 * 11, 250_000))
    song = one_track(notes, program=WOODBLOCK, tempos=tempos)
    steady = one_track(notes, program=WOODBLOCK)
    detected = onsets(render_song(song, soundfont), SR)
    expected = np.array([song.tempo_map.seconds(n.start) for n in notes])
    assert len(detected) == len(notes)
    assert np.abs(match_errors_ms(detected, expected)).max() < 2.0
    # beats 0..6 are where a steady 120 BPM puts them; later ones come ever earlier
    naive = np.array([steady.tempo_map.seconds(n.start) for n in notes])
    assert np.allclose(expected[:7], naive[:7])
    assert np.abs(detected[7:] - naive[7:]).min() > 0.15


def test_level_is_healthy_and_never_clips(soundfont):
    chords = [Note(p, bar * 1920 + beat * 480, 460, 110) for bar in range(4) for beat in range(4)
              for p in (48, 55, 60, 64, 67, 72, 76)]
    a = render_song(one_track(chords, program=ORGAN, volume=127), soundfont)
    assert a.dtype == np.float32 and a.shape[1] == 2
    assert peak_dbfs(a) <= -1.0 + 1e-3  # the ceiling holds even for this loud organ
    assert rms_dbfs(a) > -30
    quiet = render_song(one_track([Note(60, 0, 480, 30)]), soundfont, normalize=True)
    assert peak_dbfs(quiet) == pytest.approx(-1.0, abs=0.01)


def test_tail_follows_the_last_note(soundfont):
    song = one_track([Note(60, 0, 480)])  # half a second at 120 BPM
    a = render_song(song, soundfont, tail_seconds=1.5)
    assert len(a) == pytest.approx(2.0 * SR, abs=BLOCK)
    b = render_song(song, soundfont, tail_seconds=0)
    assert len(b) == pytest.approx(0.5 * SR, abs=2 * BLOCK)  # the last note-off's block still sounds


def test_muted_track_is_silent_and_solo_leaves_the_rest_out(soundfont):
    lead = Track(name="lead", program=ORGAN, channel=0, clips=(Clip(0, 1920, (Note(72, 0, 1920),)),))
    bass = Track(name="bass", program=33, channel=1, clips=(Clip(0, 1920, (Note(36, 0, 1920),)),))
    only_muted = Song(tracks=(Track(name="lead", program=ORGAN, mute=True, clips=lead.clips),))
    assert peak_dbfs(render_song(only_muted, soundfont)) < -100

    alone = render_song(Song(tracks=(bass,)), soundfont)
    muted_lead = Track(name="lead", program=ORGAN, mute=True, clips=lead.clips)
    with_muted_lead = render_song(Song(tracks=(muted_lead, bass)), soundfont)
    assert np.allclose(alone, with_muted_lead, atol=1e-6)
    soloed_bass = Track(name="bass", program=33, channel=1, solo=True, clips=bass.clips)
    assert np.allclose(alone, render_song(Song(tracks=(lead, soloed_bass)), soundfont), atol=1e-6)
    both = render_song(Song(tracks=(lead, bass)), soundfont)
    assert rms_dbfs(both) > rms_dbfs(alone) + 1


def test_overlapping_notes_of_one_key_sound_until_the_last_ends(soundfont):
    # organ notes at 120 BPM: A 0..2 s, B 1..3 s on the same key; the sound must last to 3 s
    song = one_track([Note(60, 0, 1920), Note(60, 960, 1920)], program=ORGAN)
    a = render_song(song, soundfont, tail_seconds=1.0, reverb=False, chorus=False)
    held = rms_dbfs(a[int(2.2 * SR): int(2.9 * SR)])
    after = rms_dbfs(a[int(3.4 * SR):])
    assert held > -40 and held > after + 20


def test_progress_runs_from_zero_to_one(soundfont):
    seen = []
    render_song(one_track(scattered_notes(20)), soundfont, progress=seen.append)
    assert seen[-1] == 1.0
    assert seen == sorted(seen) and 10 <= len(seen) <= 110
    assert all(0 < f <= 1 for f in seen)


@pytest.mark.parametrize("kind", ["event", "callable"])
def test_cancel_stops_the_render(soundfont, kind):
    song = one_track(scattered_notes(200))  # about a minute of audio
    flag = threading.Event()
    seen = []

    def progress(f):
        seen.append(f)
        if f > 0.1:
            flag.set()

    cancel = flag if kind == "event" else flag.is_set
    with pytest.raises(RenderCancelled):
        render_song(song, soundfont, progress=progress, cancel=cancel)
    assert 0.1 < seen[-1] < 0.2


def test_render_span_of_a_song(soundfont, onsets):
    notes = [Note(72, i * 480, 120) for i in range(8)]
    song = one_track(notes, program=WOODBLOCK)
    a = render_song(song, soundfont, start_tick=4 * 480, end_tick=6 * 480, tail_seconds=0.5)
    assert len(a) == pytest.approx(1.5 * SR, abs=BLOCK)
    assert np.abs(match_errors_ms(onsets(a, SR), [0.0, 0.5])).max() < 2.0


def test_bad_soundfont_paths_raise_song_file_error(tmp_path):
    song = one_track([Note(60, 0, 480)])
    with pytest.raises(SongFileError, match="no such file"):
        render_song(song, tmp_path / "missing.sf2")
    fake = tmp_path / "fake.sf2"
    fake.write_bytes(b"MThd\0\0\0\6")
    with pytest.raises(SongFileError, match="not a SoundFont file"):
        render_song(song, fake)


def test_empty_song_renders_the_tail_only(soundfont):
    a = render_song(Song(), soundfont, tail_seconds=0.5)
    assert len(a) == pytest.approx(0.5 * SR, abs=BLOCK) and peak_dbfs(a) < -100


def test_write_wav_is_16_bit_stereo_and_atomic(soundfont, tmp_path):
    a = render_song(one_track([Note(60, 0, 480)]), soundfont)
    path = tmp_path / "out.wav"
    path.write_bytes(b"old")
    assert write_wav(path, a, SR) == path
    with wave.open(str(path), "rb") as w:
        assert (w.getnchannels(), w.getsampwidth(), w.getframerate(), w.getnframes()) == (2, 2, SR, len(a))
        data = np.frombuffer(w.readframes(w.getnframes()), dtype="<i2").reshape(-1, 2)
    assert np.abs(data / 32767 - a).max() < 1.5 / 32767
    assert [p.name for p in tmp_path.iterdir()] == ["out.wav"]  # no temporary file left behind
    with pytest.raises(SongFileError, match="could not be written"):
        write_wav(tmp_path / "no" / "such" / "dir.wav", a, SR)


def test_bench_render_reports_speed(soundfont):
    figures = bench_render(one_track(scattered_notes(20)), soundfont)
    assert figures["realtime_factor"] > 1
    assert figures["audio_seconds"] > 5 and figures["notes"] == 20
    assert Path(figures["soundfont"]) == soundfont
    print(figures)


def test_the_sustain_pedal_holds_a_piano_chord_until_it_comes_up(soundfont):
    """Listen with numbers: a piano chord played for an eighth rings on under the pedal as loud as it was, where the
    same chord without the pedal has died away, and fades once the pedal is up."""
    chord = tuple(Note(p, 0, 240, 100) for p in (60, 64, 67))

    def render(controls):
        song = Song(tracks=(Track("Piano", clips=(Clip(0, 1920, chord, controls=controls),)),))
        return render_song(song, soundfont, tail_seconds=1.0)

    dry, pedalled = render(()), render((Control(0, 64, 127), Control(1440, 64, 0)))  # up at 1.5 s (120 BPM)

    def level(audio, a, b):
        return rms_dbfs(audio[int(a * SR):int(b * SR)])

    assert level(dry, 0.0, 0.2) == pytest.approx(level(pedalled, 0.0, 0.2), abs=0.5)
    assert level(dry, 0.8, 1.4) < -80  # released at 0.25 s, gone
    assert level(pedalled, 0.8, 1.4) > level(pedalled, 0.0, 0.2) - 20  # still ringing
    assert level(pedalled, 2.0, 2.5) < level(pedalled, 0.8, 1.4) - 30  # the pedal came up at 1.5 s


def test_a_render_from_inside_starts_with_the_pedal_as_it_is_there():
    song = Song(tracks=(Track("Piano", clips=(Clip(0, 3840, (Note(60, 1920, 240),),
                                                   controls=(Control(0, 64, 127), Control(2400, 64, 0))),)),))
    events = schedule(song, SR, assign_channels(song), start_tick=1920)
    controls = [(e.frame, e.pitch, e.velocity) for e in events if e.control]
    frame_480 = round(0.5 * SR / BLOCK) * BLOCK
    assert controls == [(0, 64, 127), (frame_480, 64, 0)]  # down from the start, up half a second later
    first = [e for e in events if e.frame == 0]
    assert first[0].control and first[1].velocity  # the pedal goes down before the note is struck
