"""Rendering real songs (Nottingham, POP909): onsets where the notes are, healthy levels."""

from __future__ import annotations

import importlib
from dataclasses import replace
from pathlib import Path

import numpy as np
import pytest

from composer_app.audio.render import peak_dbfs, render_song, rms_dbfs
from composer_app.core.song import Song

SR = 44100
DATASETS = Path("/work/shared/datasets")
NOTTINGHAM = DATASETS / "nottingham" / "MIDI"
POP909_001 = DATASETS / "pop909" / "POP909" / "001" / "001.mid"
FILES = [NOTTINGHAM / "ashover1.mid", NOTTINGHAM / "jigs27.mid", NOTTINGHAM / "reelsr-t71.mid", POP909_001]


def _existing(path: Path) -> Path:
    if not path.exists():
        pytest.skip(f"dataset file {path} is not on this machine")
    return path


def _starts(song: Song, track) -> np.ndarray:
    return np.array(sorted({song.tempo_map.seconds(n.start) for n in track.notes_absolute()}))


@pytest.mark.parametrize("path", FILES, ids=lambda p: p.name)
def test_every_melody_note_sounds_on_time(path, soundfont, load_midi, onsets):
    # The real melody and tempo, played on a woodblock so every attack is sharp enough to time.
    song = load_midi(_existing(path))
    melody = song.tracks[0]
    probe = Song(tracks=(replace(melody, program=115),), tempos=song.tempos)
    detected = onsets(render_song(probe, soundfont), SR)
    expected = _starts(probe, melody)
    assert len(detected) == len(expected)
    err_ms = (detected - expected) * 1000
    print(f"{path.name}: {len(expected)} onsets, max error {np.abs(err_ms).max():.2f} ms")
    assert np.abs(err_ms).max() < 2.0


@pytest.mark.parametrize("path", [FILES[0], POP909_001], ids=lambda p: p.name)
def test_whole_song_levels_and_onsets(path, soundfont, load_midi, onsets):
    song = load_midi(_existing(path))
    a = render_song(song, soundfont)
    assert len(a) == pytest.approx((song.length_seconds + 1.5) * SR, abs=2 * 64)
    peak, rms = peak_dbfs(a), rms_dbfs(a)
    print(f"{path.name}: peak {peak:.1f} dBFS, rms {rms:.1f} dBFS")
    assert -30 < peak <= -1.0 + 1e-3
    assert rms > -45
    # every onset the detector finds in the full mix is a note start (within 10 ms)
    starts = np.concatenate([_starts(song, t) for t in song.tracks])
    detected = onsets(a, SR)
    assert len(detected) >= 5
    nearest_ms = np.array([np.min(np.abs(starts - t)) for t in detected]) * 1000
    assert np.mean(nearest_ms < 10) >= 0.95


def test_song_from_the_real_midi_reader_renders(soundfont):
    try:
        read_midi = importlib.import_module("composer_app.midi").read_midi
    except (ImportError, AttributeError):
        pytest.skip("composer_app.midi.read_midi is not there yet")
    song = read_midi(_existing(POP909_001))
    eight_bars = song.meter_map.bar_start(8)
    a = render_song(song, soundfont, end_tick=eight_bars)
    assert len(a) == pytest.approx((song.tempo_map.seconds(eight_bars) + 1.5) * SR, abs=2 * 64)
    assert rms_dbfs(a) > -45
