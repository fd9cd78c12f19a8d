"""Clip gestures in the arrangement, driven with the real mouse and keys; each is one undo step."""

from PySide6.QtCore import Qt

from composer_app.ui.arrangement import actions as menus
from composer_app.ui.arrangement.inline_editor import InlineEditor

BAR = 1920
L = Qt.MouseButton.LeftButton
CTRL = Qt.KeyboardModifier.ControlModifier
ALT = Qt.KeyboardModifier.AltModifier


def clips_of(arr, row):
    return arr.song.tracks[row].clips


def intro(arr):
    return next(c for t in arr.song.tracks for c in t.clips if c.name == "Intro")


def drag(qtbot, widget, a, b, mods=Qt.KeyboardModifier.NoModifier):
    qtbot.mousePress(widget, L, mods, a)
    mid = (a + b) / 2
    qtbot.mouseMove(widget, mid)
    qtbot.mouseMove(widget, b)
    qtbot.mouseRelease(widget, L, mods, b)


def test_double_click_empty_lane_creates_a_one_bar_clip(arr, qtbot, at):
    vp = arr.clip_view.viewport()
    with qtbot.waitSignal(arr.open_clip_requested) as opened:  # ready to draw in: it opens in the piano roll
        qtbot.mouseDClick(vp, L, pos=at(arr, 2 * BAR + 700, 2))
    (clip,) = clips_of(arr, 2)
    assert opened.args == [clip.id]
    assert (clip.start, clip.length) == (2 * BAR, BAR)
    assert arr.selected_clip_ids() == [clip.id]
    assert arr.document.undo_stack.count() == 1
    arr.document.undo_stack.undo()
    assert clips_of(arr, 2) == ()


def test_pencil_draws_a_clip_snapped_to_bars(arr, qtbot, at):
    arr.set_pencil(True)
    drag(qtbot, arr.clip_view.viewport(), at(arr, BAR + 300, 2), at(arr, 3 * BAR + 900, 2))
    (clip,) = clips_of(arr, 2)
    assert (clip.start, clip.length) == (BAR, 3 * BAR)
    assert arr.document.undo_stack.count() == 1
    assert arr.document.undo_stack.text(0) == "Create clip"


def test_drag_moves_a_clip_snapped_to_the_bar_and_undo_restores(arr, qtbot, at):
    drag(qtbot, arr.clip_view.viewport(), at(arr, 960, 0), at(arr, 960 + 2 * BAR + 200, 0))
    assert intro(arr).start == 2 * BAR
    assert arr.document.undo_stack.count() == 1
    arr.document.undo_stack.undo()
    assert intro(arr).start == 0
    arr.document.undo_stack.redo()
    assert intro(arr).start == 2 * BAR


def test_drag_moves_a_clip_to_another_track(arr, qtbot, at):
    drag(qtbot, arr.clip_view.viewport(), at(arr, 960, 0), at(arr, 960 + 2 * BAR, 2))
    assert clips_of(arr, 0) == ()
    (moved,) = clips_of(arr, 2)
    assert moved.name == "Intro" and moved.start == 2 * BAR and len(moved.notes) == 4
    assert arr.document.undo_stack.count() == 1
    arr.document.undo_stack.undo()
    assert clips_of(arr, 0)[0].name == "Intro" and clips_of(arr, 2) == ()


def test_alt_drag_bypasses_snap(arr, qtbot, at):
    drag(qtbot, arr.clip_view.viewport(), at(arr, 960, 0), at(arr, 960 + 480, 0), ALT)
    assert abs(intro(arr).start - 480) <= 12  # one pixel is 12 ticks at this zoom


def test_ctrl_drag_copies(arr, qtbot, at):
    drag(qtbot, arr.clip_view.viewport(), at(arr, 960, 0), at(arr, 960 + 2 * BAR, 0), CTRL)
    starts = sorted(c.start for c in clips_of(arr, 0))
    assert starts == [0, 2 * BAR]
    assert arr.document.undo_stack.count() == 1


def test_resize_from_the_right_and_the_left_edge(arr, qtbot, at):
    vp = arr.clip_view.viewport()
    drag(qtbot, vp, at(arr, BAR - 24, 0), at(arr, 3 * BAR - 100, 0))
    assert (intro(arr).start, intro(arr).length) == (0, 3 * BAR)
    bass = clips_of(arr, 1)[0]
    drag(qtbot, vp, at(arr, BAR + 24, 1), at(arr, 100, 1))
    resized = clips_of(arr, 1)[0]
    assert resized.id == bass.id and (resized.start, resized.length) == (0, 2 * BAR)
    assert [n.start for n in resized.notes] == [BAR, BAR + 960]  # notes still sound where they did
    assert arr.document.undo_stack.count() == 2
    arr.document.undo_stack.undo()
    assert clips_of(arr, 1)[0] == bass


def test_split_at_playhead_with_ctrl_e(arr, qtbot, at):
    vp = arr.clip_view.viewport()
    qtbot.mouseClick(vp, L, pos=at(arr, BAR + 400, 1))
    arr.transport.set_playhead(BAR + 960)
    qtbot.keyClick(arr.clip_view, Qt.Key.Key_E, CTRL)
    parts = clips_of(arr, 1)
    assert [(c.start, c.length, len(c.notes)) for c in parts] == [(BAR, 960, 1), (BAR + 960, 960, 1)]
    assert arr.document.undo_stack.count() == 1
    arr.document.undo_stack.undo()
    assert len(clips_of(arr, 1)) == 1


def test_duplicate_places_a_copy_after_the_selection(arr, qtbot, at):
    qtbot.mouseClick(arr.clip_view.viewport(), L, pos=at(arr, 500, 0))
    qtbot.keyClick(arr.clip_view, Qt.Key.Key_D, CTRL)
    first, copy = clips_of(arr, 0)
    assert copy.start == BAR and copy.name == "Intro" and len(copy.notes) == 4
    assert arr.selected_clip_ids() == [copy.id]
    assert {n.id for n in copy.notes}.isdisjoint(n.id for n in first.notes)
    assert arr.document.undo_stack.count() == 1


def test_duplicate_goes_past_the_clip_that_follows(arr, qtbot, at):
    """Ctrl+D on the intro when bar 2 is taken: the copy goes to bar 3, not on top of the next clip."""
    from composer_app.core import edits
    from composer_app.core.song import Clip, Note

    lead = arr.song.tracks[0]
    arr.document.apply("verse", edits.add_clip(arr.song, lead.id, Clip(BAR, BAR, (Note(67, 0, 480),), "Verse")))
    qtbot.mouseClick(arr.clip_view.viewport(), L, pos=at(arr, 500, 0))
    qtbot.keyClick(arr.clip_view, Qt.Key.Key_D, CTRL)
    assert [(c.name, c.start) for c in clips_of(arr, 0)] == [("Intro", 0), ("Verse", BAR), ("Intro", 2 * BAR)]
    assert arr.document.undo_stack.count() == 2


def test_dragging_a_clip_out_of_the_window_drags_a_midi_file(arr, qtbot, at):
    """Past the clip area the move becomes a drag out: the clip as a .mid file from its first bar; nothing moves."""
    from PySide6.QtCore import QPoint

    from composer_app.midi import read_midi_bytes
    from composer_app.ui.midi_drag import MIDI_MIME, midi_drag_data

    dragged = []
    arr.clip_view.start_drag_out = lambda source, song, name: dragged.append((song, name))
    before = arr.song
    vp = arr.clip_view.viewport()
    start = at(arr, BAR + 500, 1)  # the bass clip in bar 2
    qtbot.mousePress(vp, L, pos=start)
    qtbot.mouseMove(vp, start + QPoint(40, 0))
    qtbot.mouseMove(vp, QPoint(start.x(), -200))
    qtbot.mouseRelease(vp, L, pos=QPoint(start.x(), -200))
    assert len(dragged) == 1
    song, name = dragged[0]
    assert name == "Bass" and [t.name for t in song.tracks] == ["Bass"]
    assert arr.song is before and arr.document.undo_stack.count() == 0
    back = read_midi_bytes(bytes(midi_drag_data(song, name).data(MIDI_MIME).data()))
    assert [(n.pitch, n.start) for t in back.tracks for n in t.notes_absolute()] == [(36, 0), (43, 960)]


def test_delete_key_deletes_the_selection(arr, qtbot, at):
    qtbot.mouseClick(arr.clip_view.viewport(), L, pos=at(arr, 500, 0))
    qtbot.keyClick(arr.clip_view, Qt.Key.Key_Delete)
    assert clips_of(arr, 0) == ()
    arr.document.undo_stack.undo()
    assert intro(arr).name == "Intro"


def test_f2_renames_the_clip_in_place(arr, qtbot, at):
    qtbot.mouseClick(arr.clip_view.viewport(), L, pos=at(arr, 500, 0))
    qtbot.keyClick(arr.clip_view, Qt.Key.Key_F2)
    (editor,) = arr.clip_view.viewport().findChildren(InlineEditor)
    qtbot.keyClicks(editor, "Verse")
    qtbot.keyClick(editor, Qt.Key.Key_Return)
    assert clips_of(arr, 0)[0].name == "Verse"
    assert arr.document.undo_stack.text(0) == "Rename clip"


def test_double_click_on_a_clip_asks_to_open_it(arr, qtbot, at):
    with qtbot.waitSignal(arr.open_clip_requested) as blocker:
        qtbot.mouseDClick(arr.clip_view.viewport(), L, pos=at(arr, 500, 0))
    assert blocker.args == [intro(arr).id]
    assert arr.document.undo_stack.count() == 0


def test_marquee_and_ctrl_a_select(arr, qtbot, at):
    vp = arr.clip_view.viewport()
    drag(qtbot, vp, at(arr, 5 * BAR, 0), at(arr, 300, 1))
    assert set(arr.selected_clip_ids()) == {c.id for t in arr.song.tracks for c in t.clips}
    qtbot.mouseClick(vp, L, pos=at(arr, 6 * BAR, 2))
    assert arr.selected_clip_ids() == []
    qtbot.keyClick(arr.clip_view, Qt.Key.Key_A, CTRL)
    assert len(arr.selected_clip_ids()) == 2


def test_colour_from_the_context_menu(arr, qtbot, at):
    qtbot.mouseClick(arr.clip_view.viewport(), L, pos=at(arr, 500, 0))
    menu = menus.clip_menu(arr, arr.selected_clip_ids())
    colours = next(a.menu() for a in menu.actions() if a.text() == "Colour")
    next(a for a in colours.actions() if a.text() == "Sage").trigger()
    assert intro(arr).color == "#9fbf9a"
    assert arr.document.undo_stack.count() == 1
    arr.grab()  # paints the coloured, selected clip


def test_escape_cancels_a_drag_without_an_edit(arr, qtbot, at):
    vp = arr.clip_view.viewport()
    qtbot.mousePress(vp, L, pos=at(arr, 960, 0))
    qtbot.mouseMove(vp, at(arr, 960 + 2 * BAR, 0))
    qtbot.keyClick(arr.clip_view, Qt.Key.Key_Escape)
    qtbot.mouseRelease(vp, L, pos=at(arr, 960 + 2 * BAR, 0))
    assert intro(arr).start == 0 and arr.document.undo_stack.count() == 0
    assert arr.scene.clip_item(intro(arr).id).pos().x() == 0
