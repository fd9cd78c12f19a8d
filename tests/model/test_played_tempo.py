"""A take played without the click: found from its onsets (never in written music, nor where a fixed offset or the
player's own timing against the file's tempo explains them), and followed with a tempo map that keeps every note
where it sounded."""

from __future__ import annotations

from pathlib import Path

import pytest

from composer_app.core.edits import shift_music
from composer_app.midi import read_midi
from composer_app.model.as_played import as_played
from composer_app.model.played_tempo import follow, played_tempo
from tests.model.meter_tunes import in_four, song_of
from tests.model.played_takes import played_take

DATASETS = Path(__file__).resolve().parents[2].parent / "shared" / "datasets"


def onset_seconds(song) -> list[float]:
    tm = song.tempo_map
    return sorted(tm.seconds(c.start + n.start) for t in song.tracks for c in t.clips for n in c.notes)


def test_a_take_played_without_the_click_is_found_and_followed():
    take, beats = played_take(song_of(in_four(bars=24, pickup=1)), bpm=96, depth=0.06, seed=3)
    found = played_tempo(take)
    assert found is not None and 88 <= found.bpm <= 104 and "drifting between" in found.describe()
    inside = [b for b in beats if found.beats[0] - 0.05 <= b <= found.beats[-1] + 0.05]
    near = sum(min(abs(b - t) for t in found.beats) <= 0.06 for b in inside)
    assert near >= 0.9 * len(inside)
    followed = follow(take, found)
    before, after = onset_seconds(take), onset_seconds(followed)
    assert max(abs((x - before[0]) - (y - after[0])) for x, y in zip(before, after)) < 0.005  # it sounds the same
    starts = [c.start + n.start for t in followed.tracks for c in t.clips for n in c.notes]
    assert sum(min(s % 120, 120 - s % 120) <= 30 for s in starts) >= 0.9 * len(starts)  # near its own 16ths now
    assert (followed.meters[-1].numerator, followed.meters[-1].denominator) == (4, 4)
    assert played_tempo(followed) is None  # followed, it keeps in step with its beats
    assert as_played(take).tempo == found


def test_a_take_played_steadily_at_a_tempo_of_its_own_is_followed():
    take, _ = played_take(song_of(in_four(bars=24)), bpm=103, depth=0.0, seed=1)
    found = played_tempo(take)
    assert found is not None and abs(found.bpm - 103) < 3


def test_written_music_music_a_fixed_offset_off_and_a_take_at_the_files_tempo_say_nothing():
    written = song_of(in_four(bars=24))
    assert played_tempo(written) is None
    assert played_tempo(shift_music(written, 100)) is None  # beat_offset's: put on the beat, not followed
    steady, _ = played_take(written, bpm=120, depth=0.0, jitter=0.015, seed=2)  # played_rhythm's: read as written
    assert played_tempo(steady) is None
    assert played_tempo(song_of(in_four(bars=2))) is None  # too few notes to tell


def test_nottingham_tunes_played_without_the_click_are_followed_and_as_written_are_not():
    files = sorted((DATASETS / "nottingham" / "MIDI").glob("*.mid"))[::40]
    if not files:
        pytest.skip("../shared/datasets is not here")
    found, takes = 0, 0
    for i, path in enumerate(files):
        song = read_midi(path)
        if any(m.denominator != 4 for m in song.meters):
            continue
        assert played_tempo(song) is None
        take, _ = played_take(song, bpm=80 + 5 * (i % 10), seed=i)
        takes += 1
        found += played_tempo(take) is not None
    assert takes >= 10 and found >= 0.9 * takes


def test_pop909_files_keep_their_tempo():
    """POP909's files are transcriptions played against their recordings: their tempo keeps in step with the music."""
    files = sorted((DATASETS / "pop909" / "POP909").glob("*/[0-9][0-9][0-9].mid"))[::45]
    if not files:
        pytest.skip("../shared/datasets is not here")
    assert [p.name for p in files if played_tempo(as_played(read_midi(p)).song) is not None] == []


def test_takes_too_short_or_too_long_to_judge_say_nothing():
    from dataclasses import replace

    from composer_app.core.timing import TempoChange

    take, _ = played_take(song_of(in_four(bars=24)), bpm=96, seed=3)
    assert played_tempo(replace(take, tempos=(TempoChange(0, 20_000),))) is None  # all of it in a few seconds
    assert played_tempo(replace(take, tempos=(TempoChange(0, 16_000_000),))) is None  # hours


@pytest.mark.parametrize("pickup", [0, 1, 2, 3])
def test_a_followed_take_has_its_bars_from_its_first_downbeat(pickup):
    from tests.model.meter_tunes import waltz

    take, _ = played_take(song_of(in_four(bars=24, pickup=pickup)), bpm=96, seed=pickup)
    meters = [(m.tick, m.numerator) for m in follow(take, played_tempo(take)).meters]
    assert meters == ([(0, pickup), (480 * pickup, 4)] if pickup else [(0, 4)])
    if pickup < 3:
        take, _ = played_take(song_of(waltz(bars=24, pickup=pickup), meter=(3, 4)), bpm=100, seed=pickup)
        meters = [(m.tick, m.numerator) for m in follow(take, played_tempo(take)).meters]
        assert meters == ([(0, pickup), (480 * pickup, 3)] if pickup else [(0, 3)])
