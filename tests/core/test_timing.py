from fractions import Fraction

import pytest

from composer_app.core.timing import PPQ, BarPosition, MeterMap, TempoChange, TempoMap, TimeSignature


def test_constant_tempo_seconds_and_back():
    tm = TempoMap([TempoChange(0, 500_000)])  # 120 BPM
    assert tm.seconds(PPQ) == 0.5
    assert tm.seconds_exact(PPQ * 4) == Fraction(2)
    assert tm.tick_at(2.0) == PPQ * 4


def test_tempo_changes_are_exact():
    # 120 BPM for one bar, then 60 BPM, then 90 BPM
    tm = TempoMap([TempoChange(0, 500_000), TempoChange(1920, 1_000_000), TempoChange(3840, 666_667)])
    assert tm.seconds_exact(1920) == 2
    assert tm.seconds_exact(2400) == 3  # one quarter at 60 BPM
    assert tm.seconds_exact(3840) == 6
    assert tm.seconds_exact(3840 + 480) == 6 + Fraction(666_667, 1_000_000)
    for tick in (0, 1, 479, 1920, 2000, 3839, 3840, 10_000):
        assert tm.tick_at_exact(tm.seconds_exact(tick)) == tick


def test_tempo_map_defaults_and_order():
    tm = TempoMap([TempoChange(960, 1_000_000)])
    assert tm.tempos[0] == TempoChange(0, 500_000)
    assert tm.tempo_at(959).us_per_quarter == 500_000
    assert tm.tempo_at(960).bpm == 60


def test_bad_values_rejected():
    with pytest.raises(ValueError):
        TempoChange(-1)
    with pytest.raises(ValueError):
        TempoChange.from_bpm(0, 0)
    with pytest.raises(ValueError):
        TimeSignature(0, 4, 3)


def test_meter_map_positions_across_changes():
    mm = MeterMap([TimeSignature(0, 4, 4), TimeSignature(2 * 1920, 3, 4), TimeSignature(2 * 1920 + 3 * 1440, 6, 8)])
    assert mm.position(0) == BarPosition(0, 0, 0)
    assert mm.position(1920 + 480 + 10) == BarPosition(1, 1, 10)
    assert mm.bar_start(2) == 3840
    assert mm.bar_start(3) == 3840 + 1440
    assert mm.position(3840 + 1440) == BarPosition(3, 0, 0)
    six_eight = 3840 + 3 * 1440
    assert mm.bar_start(5) == six_eight
    assert mm.position(six_eight + 240 * 7) == BarPosition(6, 1, 0)
    assert str(mm.position(six_eight)) == "6.1.000"
    for bar in range(10):
        assert mm.bar_of(mm.bar_start(bar)) == bar
        pos = BarPosition(bar, 1, 17)
        assert mm.position(mm.to_tick(pos)) == pos


def test_meter_change_off_the_bar_line_starts_a_new_bar():
    mm = MeterMap([TimeSignature(0, 4, 4), TimeSignature(960, 3, 4)])
    assert mm.bar_start(1) == 960
    assert mm.position(960) == BarPosition(1, 0, 0)


def test_bars_in():
    mm = MeterMap([TimeSignature(0, 3, 4)])
    assert mm.bars_in(1440 * 2 + 720) == Fraction(5, 2)
    assert mm.bars_in(0) == 0


def test_a_meter_repeated_on_a_barline_is_left_out_but_not_between_barlines():
    """DAWs and POP909's files repeat the meter in force (4/4 at bar 1 and again at bar 2): the song keeps one.
    The same meter between barlines starts a bar there, so it stays."""
    from composer_app.core.song import Song

    song = Song(meters=(TimeSignature(0, 4, 4), TimeSignature(1920, 4, 4), TimeSignature(3840, 3, 4),
                        TimeSignature(3840 + 2 * 1440, 3, 4), TimeSignature(3840 + 3 * 1440 + 480, 3, 4)))
    assert [(m.tick, m.numerator) for m in song.meters] == [(0, 4), (3840, 3), (3840 + 3 * 1440 + 480, 3)]
    mm = MeterMap(song.meters)
    assert mm.bar_start(6) == 3840 + 3 * 1440 + 480  # the repeated 3/4 a beat into bar 6 starts bar 7 there
    assert [m.tick for m in MeterMap([TimeSignature(0, 4, 4), TimeSignature(1920, 4, 4)]).meters] == [0]
