"""A clip's controller changes (the sustain pedal): as they act, and kept through split, trim, join, copy, excerpt."""

from __future__ import annotations

import pytest

from composer_app.core import edits
from composer_app.core.controls import chased, clip_events, in_force, pedal_spans, track_events, window
from composer_app.core.excerpt import excerpt
from composer_app.core.song import Clip, Control, Note, Song, Track

BAR = 1920
DOWN, UP = 127, 0


def pedalled_song() -> Song:
    """Two bars of quarters; the pedal down over beats 1-3 of bar 1 and from beat 2 of bar 2 on, never let up."""
    notes = tuple(Note(60 + i, i * 480, 480) for i in range(8))
    pedal = (Control(0, 64, DOWN), Control(1440, 64, UP), Control(BAR + 480, 64, DOWN), Control(BAR, 11, 90))
    return Song(tracks=(Track("Piano", clips=(Clip(BAR, 2 * BAR, notes, id="c", controls=pedal),), id="t"),))


def test_controls_are_kept_sorted_and_checked():
    clip = pedalled_song().clip("c")
    assert [c.start for c in clip.controls] == [0, 1440, BAR, BAR + 480]
    with pytest.raises(ValueError, match="controller 7"):
        Control(0, 7, 100)  # the track's volume is its own field
    with pytest.raises(ValueError, match="outside 0..127"):
        Control(0, 64, 128)
    with pytest.raises(ValueError, match="negative"):
        Control(-1, 64, 0)


def test_a_pedal_left_down_is_let_up_at_the_clip_end():
    clip = pedalled_song().clip("c")
    events = clip_events(clip)
    assert events[:4] == [(BAR, 64, DOWN), (BAR + 1440, 64, UP), (2 * BAR, 11, 90), (2 * BAR + 480, 64, DOWN)]
    assert sorted(events[4:]) == [(3 * BAR, 11, 127), (3 * BAR, 64, UP)]  # expression and pedal back to rest
    assert pedal_spans(clip) == [(0, 1440), (BAR + 480, 2 * BAR)]


def test_playing_from_inside_hears_the_pedal_as_it_is_there():
    events = track_events(pedalled_song().track("t"))
    assert list(chased(events, BAR + 960, BAR + 1440)) == [(BAR + 960, 11, 127), (BAR + 960, 64, DOWN),
                                                           (BAR + 1440, 64, UP)]
    assert list(chased(events, 0, BAR))[:2] == [(0, 11, 127), (0, 64, UP)]  # before the clip: at rest


def test_split_keeps_a_pedal_held_across_the_cut():
    song = edits.split_clip(pedalled_song(), "c", BAR + 960)
    left, right = song.track("t").clips
    assert left.controls == (Control(0, 64, DOWN),)  # let up at the cut (the clip's end), not before
    assert clip_events(left)[-1] == (BAR + 960, 64, UP)
    assert right.controls[0] == Control(0, 64, DOWN)  # still down where the second half starts
    assert [(c.start, c.value) for c in right.controls if c.number == 64] == [(0, DOWN), (480, UP), (BAR - 480, DOWN)]
    heard = [e for e in track_events(song.track("t")) if e[1] == 64]
    assert heard == [(BAR, 64, DOWN), (BAR + 960, 64, DOWN), (BAR + 1440, 64, UP), (2 * BAR + 480, 64, DOWN),
                     (3 * BAR, 64, UP)]  # never let up at the cut: the notes it holds ring on


def test_trim_join_duplicate_and_excerpt_keep_the_pedal():
    song = pedalled_song()
    trimmed = edits.resize_clip(song, "c", BAR + 480, 2 * BAR - 480).clip("c")
    assert trimmed.controls[0] == Control(0, 64, DOWN) and Control(960, 64, UP) in trimmed.controls
    longer = edits.resize_clip(song, "c", 0, 3 * BAR).clip("c")
    assert longer.controls[0] == Control(BAR, 64, DOWN)
    grown = edits.resize_clip(song, "c", BAR, 3 * BAR).clip("c")  # room for new bars after the music
    assert pedal_spans(grown) == pedal_spans(song.clip("c"))  # the pedal still comes up where the clip ended
    split = edits.split_clip(song, "c", BAR + 960)
    joined = edits.join_clips(split, [c.id for c in split.track("t").clips]).clip("c")
    assert pedal_spans(joined) == pedal_spans(song.clip("c"))
    dup_song, (dup,) = edits.duplicate_clips(song, ["c"])
    assert dup_song.clip(dup).controls == song.clip("c").controls
    part = excerpt(song, 2 * BAR).tracks[0].clips[0]
    assert in_force(part.controls, 1) == {11: 90}  # bar 2 starts with the pedal up and the expression at 90
    assert pedal_spans(part) == [(480, BAR)]


def test_window_leads_with_values_away_from_rest_only():
    controls = (Control(0, 64, DOWN), Control(100, 64, UP), Control(200, 1, 40))
    assert window(controls, 150, None) == (Control(50, 1, 40),)  # the pedal is up, modulation comes in later
    assert window(controls, 50, 150) == (Control(0, 64, DOWN), Control(50, 64, UP))
    assert window(controls, 250, None) == (Control(0, 1, 40),)


def test_new_bars_are_pedalled_as_the_bar_before_them_was():
    from composer_app.core.controls import pedal_going_on
    from composer_app.core.timing import MeterMap, TimeSignature

    meters = MeterMap([TimeSignature(0, 4, 4), TimeSignature(6 * BAR, 3, 4)])
    legato = (Control(0, 64, DOWN), Control(1700, 64, UP), Control(BAR + 60, 64, DOWN), Control(BAR + 1700, 64, UP))
    track = Track("Piano", clips=(Clip(0, 2 * BAR, (Note(48, 0, BAR),), controls=legato),))
    assert pedal_going_on(track, meters, 2 * BAR, 4 * BAR) == (
        Control(0, 64, UP), Control(60, 64, DOWN), Control(1700, 64, UP),
        Control(BAR, 64, UP), Control(BAR + 60, 64, DOWN), Control(BAR + 1700, 64, UP))
    held = Track("Piano", clips=(Clip(0, 2 * BAR, (Note(48, 0, BAR),), controls=(Control(0, 64, DOWN),)),))
    assert pedal_going_on(held, meters, BAR, 2 * BAR) == (Control(0, 64, DOWN),)  # down all through, as before
    dry = Track("Piano", clips=(Clip(0, 2 * BAR, (Note(48, 0, BAR),)),))
    assert pedal_going_on(dry, meters, 2 * BAR, 4 * BAR) == ()
    assert pedal_going_on(track, meters, 2 * BAR + 480, 4 * BAR) == ()  # not on a bar line
    assert len(pedal_going_on(track, meters, 2 * BAR, 8 * BAR)) == 3 * 4  # stops where the bars get shorter (3/4)


def test_split_and_join_anywhere_keep_the_pedal_as_it_was_heard():
    """Random pedalling, cut at random ticks and joined again: what the synth hears (the acting changes, taken
    where the pedal state changes) is the same; an excerpt from a random bar hears the same pedal from there."""
    import random

    rng = random.Random(7)
    for _ in range(60):
        length = rng.choice((2, 3, 4)) * BAR
        ticks = sorted(rng.sample(range(0, length + 1), rng.randint(1, 8)))
        pedal = tuple(Control(t, 64, rng.choice((0, 40, 64, 100, 127))) for t in ticks)
        song = Song(tracks=(Track("P", clips=(Clip(BAR, length, (Note(60, 0, 10),), id="c", controls=pedal),),
                                  id="t"),))

        def heard(s: Song) -> list[tuple[int, bool]]:
            out, down = [], False
            for tick, _n, value in track_events(s.track("t")):
                if (value >= 64) != down:
                    down = value >= 64
                    out.append((tick, down))
            return out

        cut = BAR + rng.randrange(1, length)
        split = edits.split_clip(song, "c", cut)
        assert heard(split) == heard(song)
        joined = edits.join_clips(split, [c.id for c in split.track("t").clips])
        assert heard(joined) == heard(song)
        bar = rng.randrange(1, 1 + length // BAR)
        part = excerpt(song, bar * BAR)
        assert [(t + bar * BAR, d) for t, d in heard(part) if t > 0] == [(t, d) for t, d in heard(song)
                                                                        if t > bar * BAR]
