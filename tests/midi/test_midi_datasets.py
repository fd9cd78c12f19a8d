"""Real files (Nottingham, POP909): our reader against mido's raw parse, and read -> write -> read."""

from __future__ import annotations

import random
from collections import Counter
from pathlib import Path

import mido
import pytest

from composer_app.core.controls import track_events
from composer_app.core.song import Song
from composer_app.midi import read_midi, write_midi
from tests.midi.mido_reference import paired_notes

DATASETS = Path(__file__).resolve().parents[2].parent / "shared" / "datasets"
NOTTINGHAM = DATASETS / "nottingham" / "MIDI"
POP909 = DATASETS / "pop909" / "POP909"


def nottingham_files() -> list[Path]:
    return sorted(NOTTINGHAM.glob("*.mid")) if NOTTINGHAM.is_dir() else []


def sample_nottingham() -> list[Path]:
    files = nottingham_files()
    return random.Random(20240601).sample(files, min(30, len(files)))


POP_SAMPLE = ["001", "250", "500", "909"]


def need(path: Path) -> Path:
    if not path.exists():
        pytest.skip(f"dataset file {path} is not here")
    return path


def at480(tick: int, tpq: int) -> int:
    return (2 * tick * 480 + tpq) // (2 * tpq)


def mido_notes(path: Path) -> Counter:
    """(channel, pitch, start, duration, velocity) at 480 PPQ, from mido's parse, paired as a synthesizer plays
    them (``mido_reference``)."""
    mf = mido.MidiFile(path)
    tpq = mf.ticks_per_beat
    found: Counter = Counter()
    for track in mf.tracks:
        for channel, pitch, start, end, velocity in paired_notes(track):
            begin = at480(start, tpq)
            found[channel, pitch, begin, max(1, at480(end, tpq) - begin), velocity] += 1
    return found


def our_notes(song: Song) -> Counter:
    return Counter((t.channel, n.pitch, n.start, n.duration, n.velocity)
                   for t in song.tracks for n in t.notes_absolute())


def facts(song: Song):
    """Everything a round trip must keep."""
    return (
        [(t.name, t.channel, t.program, t.is_drum,
          [(n.pitch, n.start, n.duration, n.velocity) for n in t.notes_absolute()], track_events(t))
         for t in song.tracks],
        song.tempos, song.meters, song.keys, [(c.start, c.label) for c in song.chords],
    )


def check_file(path: Path, tmp_path: Path) -> None:
    song = read_midi(path)
    assert song.note_count > 0
    assert our_notes(song) == mido_notes(path)
    out = tmp_path / f"again-{path.name}"
    write_midi(song, out)
    again = read_midi(out)
    assert facts(again) == facts(song)
    assert our_notes(again) == mido_notes(out)
    written = mido.MidiFile(out)
    assert (written.type, written.ticks_per_beat) == (1, 480)
    assert sum(1 for t in written.tracks for m in t if m.type == "note_on") == song.note_count


def test_datasets_folder_is_where_the_design_says():
    if not DATASETS.is_dir():
        pytest.skip("../shared/datasets is not here")
    assert DATASETS == Path("/work/shared/datasets") or DATASETS.name == "datasets"


@pytest.mark.parametrize("index", range(30))
def test_nottingham_sample_matches_mido_and_round_trips(index, tmp_path):
    files = sample_nottingham()
    if index >= len(files):
        pytest.skip("Nottingham MIDI files are not here")
    check_file(files[index], tmp_path)


@pytest.mark.parametrize("number", POP_SAMPLE)
def test_pop909_matches_mido_and_round_trips(number, tmp_path):
    path = need(POP909 / number / f"{number}.mid")
    check_file(path, tmp_path)
    song = read_midi(path)
    assert [t.name for t in song.tracks] == ["MELODY", "BRIDGE", "PIANO"]
    # the piano's sustain pedal, as mido reads the file (the round trip above keeps it too)
    tpq = mido.MidiFile(path).ticks_per_beat
    pedal = [(at480(tick, tpq), m.value) for tick, m in _timed(mido.MidiFile(path).tracks[-1])
             if m.type == "control_change" and m.control == 64]
    assert [(c.start, c.value) for c in song.tracks[-1].clips[0].controls if c.number == 64] == pedal
    assert not any(c.number == 64 for c in song.tracks[0].clips[0].controls)  # the melody has no pedal


def _timed(track):
    now = 0
    for m in track:
        now += m.time
        yield now, m


def test_nottingham_meters_and_keys_are_read():
    path = need(NOTTINGHAM / "ashover1.mid")
    song = read_midi(path)
    assert [str(m) for m in song.meters][:3] == ["3/4", "2/4", "3/4"]
    assert song.keys[0].name == "G major"
    assert len(song.tracks) == 2


@pytest.mark.slow
def test_every_nottingham_file(tmp_path, request):
    if "slow" not in (request.config.option.markexpr or ""):
        pytest.skip("touches 1,034 files: run with -m slow")
    files = nottingham_files()
    if not files:
        pytest.skip("Nottingham MIDI files are not here")
    for path in files:
        check_file(path, tmp_path)
