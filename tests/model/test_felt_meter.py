"""Music in three that its file calls 2/4 or 4/4 (a MIDI file without a time signature reads as 4/4): found from
where its notes lean, with its first downbeat; never for music in two or four."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import pytest

from composer_app.core.timing import TimeSignature
from composer_app.midi import read_midi
from composer_app.model.as_played import as_played
from composer_app.model.felt_meter import in_meter, song_meter, triple_meter
from tests.model.meter_tunes import Q, in_four, march, pop909_in_one_beat_bars, song_of, waltz

DATASETS = Path(__file__).resolve().parents[2].parent / "shared" / "datasets"


def test_a_waltz_in_a_four_four_file_is_found_with_its_first_downbeat():
    for pickup in (0, 1, 2):
        found = song_meter(song_of(waltz(pickup=pickup)))
        assert found is not None and found.pickup == pickup
    assert song_meter(song_of(waltz(), meter=(2, 4))) is not None


def test_music_in_two_or_four_and_songs_already_in_three_say_nothing():
    assert song_meter(song_of(march())) is None
    assert song_meter(song_of(waltz(), meter=(3, 4))) is None  # already in three
    assert song_meter(song_of(waltz(), meter=(6, 8))) is None  # not a meter this judges
    assert triple_meter([waltz(bars=2)]) is None  # six beats: too few


def test_setting_three_four_keeps_the_notes_and_puts_a_pickup_bar_first():
    song = song_of(waltz(pickup=1))
    found = song_meter(song)
    assert found is not None
    new = in_meter(song, found)
    assert [(m.tick, m.numerator, m.denominator) for m in new.meters] == [(0, 1, 4), (Q, 3, 4)]
    assert new.tracks == song.tracks
    mm = new.meter_map
    assert all(mm.position(Q + 3 * Q * b).beat == 0 for b in range(12))  # every bass note on a downbeat
    assert [(m.numerator, m.denominator) for m in in_meter(song_of(waltz()), song_meter(song_of(waltz()))).meters
            ] == [(3, 4)]


def test_nottingham_waltzes_read_as_four_four_are_found_and_its_other_tunes_are_not():
    files = sorted((DATASETS / "nottingham" / "MIDI").glob("*.mid"))
    if not files:
        pytest.skip("../shared/datasets is not here")
    found, threes, false = 0, 0, []
    for path in files:
        song = read_midi(path)
        meters = {(m.numerator, m.denominator) for m in song.meters}
        as_four = replace(song, meters=(TimeSignature(0, 4, 4),))
        if meters == {(3, 4)}:
            threes += 1
            found += song_meter(as_four) is not None
        elif meters <= {(2, 4), (4, 4)} and song_meter(as_four) is not None:
            false.append(path.name)
    assert threes >= 20 and found >= 0.9 * threes
    assert false == []


@pytest.mark.parametrize("pickup", [0, 1, 2, 3])
def test_bars_of_one_beat_are_read_in_four_from_the_first_downbeat(pickup):
    song = song_of(in_four(pickup=pickup), meter=(1, 4))
    found = song_meter(song)
    assert found is not None and (found.beats, found.pickup) == (4, pickup)
    assert found.describe() == "4/4" + (f" from beat {pickup + 1}" if pickup else "")
    new = in_meter(song, found)
    assert new.tracks == song.tracks
    assert all(new.meter_map.position((pickup + 4 * b) * Q).beat == 0 for b in range(12))  # every root a downbeat


def test_bars_of_one_beat_that_move_in_three_are_read_in_three():
    found = song_meter(song_of(waltz(pickup=2), meter=(1, 4)))
    assert found is not None and (found.beats, found.pickup) == (3, 2)


def test_a_song_in_four_keeps_its_bars_and_too_few_beats_say_nothing():
    assert song_meter(song_of(in_four())) is None  # 4/4 already
    assert song_meter(song_of(in_four(), meter=(2, 4))) is None  # two or four: the file's word
    assert song_meter(song_of(in_four(bars=4), meter=(1, 4))) is None  # 16 beats: too few to judge
    pickup_bar = replace(song_of(in_four(pickup=1)), meters=(TimeSignature(0, 1, 4), TimeSignature(Q, 4, 4)))
    assert song_meter(pickup_bar) is None  # a notation program's pickup bar of one beat, then bars of four


def test_a_file_is_read_on_the_beat_and_in_the_meter_felt_but_a_waltz_keeps_its_file_bars():
    late = song_of([(p, s + 160, d, v) for p, s, d, v in in_four(pickup=1)], meter=(1, 4))
    played = as_played(late)
    assert played.offset is not None and played.offset.ticks == 160
    assert played.meter is not None and played.meter_said() == "4/4 from beat 2 (the file's bars are one beat: 1/4)"
    starts = sorted({c.start + n.start for t in played.song.tracks for c in t.clips for n in c.notes})
    assert starts[0] == 0 and all(s % Q == 0 for s in starts)
    assert [(m.tick, m.numerator) for m in played.song.meters] == [(0, 1), (Q, 4)]
    waltz_in_four = song_of(waltz(pickup=1))
    assert song_meter(waltz_in_four) is not None  # offered in the window ...
    kept = as_played(waltz_in_four)
    assert kept.song is waltz_in_four and kept.meter is None and kept.meter_said() is None  # ... not imposed



def test_pop909_files_in_bars_of_one_beat_are_read_in_four():
    songs = pop909_in_one_beat_bars(6)
    for _path, song in songs:
        played = as_played(song)
        assert played.meter is not None and played.meter.beats == 4
    assert len(songs) == 6
