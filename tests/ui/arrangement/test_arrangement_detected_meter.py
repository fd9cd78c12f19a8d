"""A waltz in a 4/4 song: "Detected: 3/4" beside the time signature, one click sets 3/4 from the music's first
downbeat (a pickup bar before it), one undo step; nothing for music in four."""

from __future__ import annotations

from tests.model.meter_tunes import in_four, march, song_of, waltz


def test_a_waltz_in_four_four_is_offered_three_four_with_its_pickup(view_of):
    view = view_of(song_of(waltz(pickup=2)))
    button = view.transport_bar.detected_meter
    assert button.isVisible() and "beat 3" in button.toolTip()
    button.click()
    song = view.document.song
    assert [(m.tick, m.numerator, m.denominator) for m in song.meters] == [(0, 2, 4), (960, 3, 4)]
    assert view.document.undo_stack.text(0) == "Set time signature 3/4" and not button.isVisible()
    view.transport_bar.refresh()
    view.document.undo_stack.undo()
    assert [(m.numerator, m.denominator) for m in view.document.song.meters] == [(4, 4)] and button.isVisible()


def test_music_in_four_shows_nothing(view_of):
    view = view_of(song_of(march()))
    assert not view.transport_bar.detected_meter.isVisible()


def test_bars_of_one_beat_are_offered_four_four_from_the_first_downbeat(view_of):
    view = view_of(song_of(in_four(pickup=1), meter=(1, 4)))
    button = view.transport_bar.detected_meter
    assert button.isVisible() and button.text() == "Detected: 4/4"
    assert "one beat long (1/4)" in button.toolTip() and "beat 2" in button.toolTip()
    button.click()
    assert [(m.tick, m.numerator) for m in view.document.song.meters] == [(0, 1), (480, 4)]
    assert view.document.undo_stack.text(0) == "Set time signature 4/4" and not button.isVisible()
    view.document.undo_stack.undo()
    assert [(m.numerator, m.denominator) for m in view.document.song.meters] == [(1, 4)]
