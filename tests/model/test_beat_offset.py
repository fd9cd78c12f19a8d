"""Music off the beat grid: found from the onsets where it keeps to beats of its own, never where it keeps to the
grid, and moved onto the beat as one shift of everything."""

from __future__ import annotations

import random
from dataclasses import replace
from pathlib import Path

import pytest

from composer_app.core import edits
from composer_app.core.song import ChordSymbol, Clip, Control, Note, Song, Track
from composer_app.core.timing import TimeSignature
from composer_app.midi import read_midi
from composer_app.model.beat_offset import beat_offset, on_the_beat, song_offset

DATASETS = Path(__file__).resolve().parents[2].parent / "shared" / "datasets"
BAR = 1920


def tune(seed: int = 3, bars: int = 8, meter: tuple[int, int] = (4, 4)) -> Song:
    """Quarters, eighths and the odd sixteenth pair on the grid, as a tune's rhythm goes."""
    rng = random.Random(seed)
    ts = TimeSignature(0, *meter)
    notes, t = [], 0
    while t < bars * ts.bar_ticks:
        if meter[1] == 8:  # a jig: each dotted-quarter beat three eighths, a quarter and an eighth, or one note
            for step in rng.choice(((240, 240, 240), (480, 240), (720,))):
                notes.append(Note(rng.randint(60, 72), t, step))
                t += step
            continue
        step = rng.choice((480, 480, 240, 240, 240, 120))
        notes.append(Note(rng.randint(60, 72), t, step))
        t += step
        if step == 120:
            notes.append(Note(rng.randint(60, 72), t, 120))
            t += 120
    return Song(tracks=(Track("Tune", clips=(Clip(0, bars * ts.bar_ticks, tuple(notes)),)),), meters=(ts,),
                chords=(ChordSymbol(0, BAR, "C:maj"),))


def onsets(song: Song) -> list[int]:
    return [c.start + n.start for t in song.tracks for c in t.clips for n in c.notes]


def test_music_on_the_grid_is_left_alone():
    for seed in range(6):
        assert song_offset(tune(seed)) is None
        assert song_offset(tune(seed, meter=(6, 8))) is None
    song = tune()
    assert on_the_beat(song) is song


@pytest.mark.parametrize(("shift", "said"), [(160, "160 ticks (0.33 beat) late"), (380, "100 ticks (0.21 beat) early"),
                                             (35, "35 ticks (0.07 beat) late")])
def test_music_moved_off_the_beat_is_found_and_put_back(shift, said):
    on_grid = tune()
    late = edits.shift_music(on_grid, shift)
    offset = song_offset(late)
    assert offset is not None and offset.describe() == said
    aligned = on_the_beat(late, offset)
    assert song_offset(aligned) is None
    moved = {a - b for a, b in zip(onsets(aligned), onsets(on_grid))}
    assert len(moved) == 1 and moved.pop() % 480 == 0  # one shift of everything, by whole beats from the grid
    assert aligned.chords[0].start % 480 == 0


def test_a_compound_meter_counts_its_eighths():
    song = edits.shift_music(tune(meter=(6, 8)), 80)
    offset = song_offset(song)
    assert offset is not None and (offset.ticks, offset.beat) == (80, 720)


def test_too_few_or_too_free_onsets_say_nothing():
    assert beat_offset([160 + 480 * i for i in range(10)], tune().meter_map) is None  # ten notes: too few
    rng = random.Random(1)
    free = sorted(rng.randrange(0, 40 * BAR) for _ in range(200))  # a take with no beat at all
    assert beat_offset(free, tune().meter_map) is None
    triplets = [480 * b + 160 * k for b in range(32) for k in range(3)]  # triplets keep the grid's beats
    assert beat_offset(triplets, tune().meter_map) is None
    skank = [480 * b + 240 for b in range(32)]  # every note on the off-beat: syncopation, not a displaced grid
    assert beat_offset(skank, tune().meter_map) is None


def test_music_that_cannot_go_back_goes_on_to_the_next_beat():
    """Music 200 ticks late with a pickup note at tick 100: moving everything back 200 ticks would put that note before
    the song, so everything moves on by 280 (to the next beat) instead, its pedal with it."""
    late = edits.shift_music(tune(), 200).tracks[0].clips[0]
    clip = replace(late, start=0, length=late.length + 200, controls=(Control(100, 64, 127),),
                   notes=(Note(67, 100, 100),) + tuple(replace(n, start=n.start + 200) for n in late.notes))
    song = replace(tune(), tracks=(Track("Tune", clips=(clip,)),))
    offset = song_offset(song)
    assert offset is not None and offset.ticks == 200
    aligned = on_the_beat(song, offset)
    assert song_offset(aligned) is None
    moved = aligned.tracks[0].clips[0]
    assert moved.start + moved.notes[0].start == 100 + 280
    assert moved.start + moved.controls[0].start == 100 + 280


def test_no_dataset_tune_is_off_the_beat_and_pop909_files_are():
    """Nottingham's MIDI files keep to their grid; POP909's, aligned to the recordings, keep to beats of their own
    (the dataset's beat files say where) and come back onto the grid."""
    nottingham = sorted((DATASETS / "nottingham" / "MIDI").glob("*.mid"))[:40]
    pop = [DATASETS / "pop909" / "POP909" / n / f"{n}.mid" for n in ("001", "010", "020", "030")]
    if not nottingham or not all(p.exists() for p in pop):
        pytest.skip("../shared/datasets is not here")
    assert [p.name for p in nottingham if song_offset(read_midi(p)) is not None] == []
    for path in pop:
        song = read_midi(path)
        offset = song_offset(song)
        assert offset is not None, path.name
        assert song_offset(on_the_beat(song, offset)) is None
