"""Music in three that its file calls 2/4 or 4/4 (a MIDI file without a time signature reads as 4/4): found from
where its notes lean, with its first downbeat; never for music in two or four."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import pytest

from composer_app.core.timing import TimeSignature
from composer_app.midi import read_midi
from composer_app.model.triple_meter import in_three, song_in_three, triple_meter
from tests.model.meter_tunes import Q, march, song_of, waltz

DATASETS = Path(__file__).resolve().parents[2].parent / "shared" / "datasets"


def test_a_waltz_in_a_four_four_file_is_found_with_its_first_downbeat():
    for pickup in (0, 1, 2):
        found = song_in_three(song_of(waltz(pickup=pickup)))
        assert found is not None and found.pickup == pickup
    assert song_in_three(song_of(waltz(), meter=(2, 4))) is not None


def test_music_in_two_or_four_and_songs_already_in_three_say_nothing():
    assert song_in_three(song_of(march())) is None
    assert song_in_three(song_of(waltz(), meter=(3, 4))) is None  # already in three
    assert song_in_three(song_of(waltz(), meter=(6, 8))) is None  # not a meter this judges
    assert triple_meter([waltz(bars=2)]) is None  # six beats: too few


def test_setting_three_four_keeps_the_notes_and_puts_a_pickup_bar_first():
    song = song_of(waltz(pickup=1))
    found = song_in_three(song)
    assert found is not None
    new = in_three(song, found)
    assert [(m.tick, m.numerator, m.denominator) for m in new.meters] == [(0, 1, 4), (Q, 3, 4)]
    assert new.tracks == song.tracks
    mm = new.meter_map
    assert all(mm.position(Q + 3 * Q * b).beat == 0 for b in range(12))  # every bass note on a downbeat
    assert [(m.numerator, m.denominator) for m in in_three(song_of(waltz()), song_in_three(song_of(waltz()))).meters
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
            found += song_in_three(as_four) is not None
        elif meters <= {(2, 4), (4, 4)} and song_in_three(as_four) is not None:
            false.append(path.name)
    assert threes >= 20 and found >= 0.9 * threes
    assert false == []
