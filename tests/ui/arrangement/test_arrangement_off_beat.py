"""Music off the beat grid: the transport bar says so beside the time signature, one click (or the Arrangement menu)
moves it onto the beat as one undo step, and the hint goes once the notes keep to the grid."""

from __future__ import annotations

from pathlib import Path

import pytest

from composer_app.core import edits
from composer_app.core.song import ChordSymbol, Clip, Note, Song, Track
from composer_app.fileio import open_song
from composer_app.model.beat_offset import song_offset
from composer_app.ui.arrangement.link_button import DEBOUNCE_MS
from composer_app.ui.arrangement.off_beat import UNDO_TEXT

BAR = 1920
POP909 = Path(__file__).resolve().parents[4] / "shared/datasets/pop909/POP909/010/010.mid"
RHYTHM = [480, 240, 240, 480, 480, 240, 240, 240, 240, 960]


def on_grid() -> Song:
    notes, t = [], 0
    for bar in range(4):
        for i, d in enumerate(RHYTHM):
            notes.append(Note(60 + (i * 3 + bar) % 12, t, d))
            t += d
    return Song(tracks=(Track("Lead", clips=(Clip(0, t, tuple(notes)),)),), chords=(ChordSymbol(0, BAR, "C:maj"),))


def test_notes_on_the_grid_show_no_hint(qtbot, view_of):
    view = view_of(on_grid())
    assert not view.transport_bar.off_beat.isVisible()
    assert not view.actions_.align_to_beat.isEnabled()
    view.align_to_beat()  # nothing to do: nothing changes
    assert view.document.undo_stack.count() == 0


def test_notes_a_third_of_a_beat_late_are_put_on_the_beat_in_one_step(qtbot, view_of):
    late = edits.shift_music(on_grid(), 160)
    view = view_of(late)
    button = view.transport_bar.off_beat
    assert button.isVisible() and view.actions_.align_to_beat.isEnabled()
    assert "160 ticks (0.33 beat) late" in button.toolTip()
    button.click()
    song = view.document.song
    assert song_offset(song) is None
    assert song.tracks[0].clips[0].start + song.tracks[0].clips[0].notes[0].start == 0
    assert song.chords[0].start == 0
    assert view.document.undo_stack.count() == 1 and view.document.undo_stack.text(0) == UNDO_TEXT
    assert not button.isVisible() and not view.actions_.align_to_beat.isEnabled()
    view.document.undo_stack.undo()
    qtbot.waitUntil(button.isVisible, timeout=DEBOUNCE_MS * 10)


def test_the_hint_follows_the_notes_and_the_menu_aligns_too(qtbot, view_of):
    view = view_of(on_grid())
    view.document.apply("move", edits.shift_music(view.document.song, 160))
    qtbot.waitUntil(lambda: view.actions_.align_to_beat.isEnabled(), timeout=DEBOUNCE_MS * 10)
    view.actions_.align_to_beat.trigger()
    assert song_offset(view.document.song) is None and view.document.undo_stack.text(1) == UNDO_TEXT


def test_a_pop909_file_aligned_to_its_recording(qtbot, view_of):
    if not POP909.exists():
        pytest.skip("../shared/datasets is not here")
    view = view_of(open_song(POP909))
    assert view.transport_bar.off_beat.isVisible()
    view.transport_bar.off_beat.click()
    assert song_offset(view.document.song) is None
    assert view.document.song.note_count == open_song(POP909).note_count


def test_a_take_played_without_the_click_is_followed_in_one_step(qtbot, view_of):
    """Notes drifting across the beats: "Off the beat: follow the playing"; one click (or the menu) gives the song a
    tempo map that follows the take, its notes sounding where they did, and undo gives the take back."""
    from composer_app.ui.arrangement.off_beat import FOLLOW_TEXT
    from tests.model.meter_tunes import in_four, song_of
    from tests.model.played_takes import played_take

    take, _ = played_take(song_of(in_four(bars=24, pickup=1)), bpm=96, seed=3)
    view = view_of(take)
    hint = view.transport_bar.off_beat
    assert hint.isVisible() and hint.text() == "Off the beat: follow the playing"
    assert "played without the click" in hint.toolTip() and view.actions_.align_to_beat.isEnabled()
    view.align_to_beat()
    song = view.document.song
    assert view.document.undo_stack.text(0) == FOLLOW_TEXT and len(song.tempos) > 20
    assert abs(song.length_seconds - take.length_seconds) < 1.0
    assert not hint.isVisible() and not view.actions_.align_to_beat.isEnabled()
    view.document.undo_stack.undo()
    assert view.document.song.tempos == take.tempos
    qtbot.wait(DEBOUNCE_MS + 100)
    assert hint.isVisible()
