"""Selecting, moving and resizing notes with the mouse; every gesture is exactly one undo step."""

from __future__ import annotations

from PySide6.QtCore import QPoint, Qt

BAR = 1920


def _select_tool(roll):
    roll.editor.actions.tool_select.trigger()


def test_drag_moves_a_note_by_whole_grid_steps_and_pitch(roll):
    _select_tool(roll)
    before = roll.doc.song
    a = roll.note_mid("n1")
    b = roll.at(BAR + 480 + 240 + 500, 62 + 3)  # ~1 beat right (snapped to 1/16 steps), 3 semitones up
    roll.drag(a, b)
    n = roll.clip().note("n1")
    assert n.pitch == 65
    assert (n.start - 480) % 120 == 0 and n.start != 480
    assert roll.doc.undo_stack.undoText() == "Move 1 note"
    assert roll.doc.undo_stack.count() == 1
    roll.doc.undo_stack.undo()
    assert roll.doc.song is before
    assert roll.editor.scene.items_by_id["n1"].rect().left() == BAR + 480
    roll.doc.undo_stack.redo()
    assert roll.clip().note("n1").pitch == 65


def test_relative_snap_keeps_an_off_grid_offset(roll):
    _select_tool(roll)
    from composer_app.core import edits

    roll.doc.apply("nudge", edits.move_notes(roll.doc.song, "clip1", ["n2"], 7, 0))
    roll.drag(roll.note_mid("n2"), QPoint(roll.note_mid("n2").x() + round(roll.view.view_x(480) - roll.view.view_x(0)),
                                          roll.note_mid("n2").y()))
    assert roll.clip().note("n2").start == 960 + 7 + 480


def test_drag_moves_the_whole_selection_and_keeps_shape(roll):
    _select_tool(roll)
    roll.editor.select_all()
    roll.drag(roll.note_mid("n0"), roll.at(BAR + 240 + 960, 60))
    starts = [n.start for n in roll.clip().notes]
    assert starts == [960 + i * 480 for i in range(8)]
    assert roll.doc.undo_stack.undoText() == "Move 8 notes"


def test_resize_end_and_start(roll):
    _select_tool(roll)
    n = roll.clip().note("n2")
    y = roll.note_mid("n2").y()
    right = round(roll.view.view_x(BAR + n.end)) - 2
    roll.drag(QPoint(right, y), QPoint(round(roll.view.view_x(BAR + n.end + 480)), y))
    assert roll.clip().note("n2").duration == 960
    assert roll.doc.undo_stack.undoText() == "Resize 1 note"
    left = round(roll.view.view_x(BAR + n.start)) + 2
    roll.drag(QPoint(left, y), QPoint(round(roll.view.view_x(BAR + n.start + 240)), y))
    n2 = roll.clip().note("n2")
    assert (n2.start, n2.end) == (960 + 240, 960 + 960)
    assert roll.doc.undo_stack.count() == 2
    assert roll.editor.state.last_length == n2.duration


def test_marquee_selects_and_shift_toggles(roll):
    _select_tool(roll)
    scene = roll.editor.scene
    roll.drag(roll.at(BAR + 10, 66), roll.at(BAR + 3 * 480 - 10, 59))
    assert scene.selected == {"n0", "n1", "n2"}
    roll.click(roll.note_mid("n1"), Qt.KeyboardModifier.ShiftModifier)
    assert scene.selected == {"n0", "n2"}
    roll.click(roll.note_mid("n5"), Qt.KeyboardModifier.ControlModifier)
    assert scene.selected == {"n0", "n2", "n5"}
    roll.click(roll.at(BAR + 7 * 480 + 100, 40))  # empty: clears
    assert scene.selected == set()
    assert roll.doc.undo_stack.count() == 0


def test_ctrl_drag_copies(roll):
    _select_tool(roll)
    roll.click(roll.note_mid("n0"))
    roll.drag(roll.note_mid("n0"), roll.at(BAR + 240 + 1920, 60), mods=Qt.KeyboardModifier.ControlModifier)
    clip = roll.clip()
    assert len(clip.notes) == 9 and roll.clip().note("n0").start == 0
    assert roll.doc.undo_stack.undoText() == "Copy 1 note"


def test_escape_cancels_a_drag_without_an_edit(roll, qtbot):
    _select_tool(roll)
    qtbot.mousePress(roll.vp, Qt.MouseButton.LeftButton, pos=roll.note_mid("n0"))
    qtbot.mouseMove(roll.vp, roll.at(BAR + 2000, 70))
    assert roll.editor.scene.items_by_id["n0"].pos().x() != 0
    roll.editor.escape()
    qtbot.mouseRelease(roll.vp, Qt.MouseButton.LeftButton, pos=roll.at(BAR + 2000, 70))
    assert roll.doc.undo_stack.count() == 0
    assert roll.editor.scene.items_by_id["n0"].pos().x() == 0


def test_scene_updates_only_changed_items(roll):
    items = dict(roll.editor.scene.items_by_id)
    from composer_app.core import edits

    roll.doc.apply("t", edits.transpose_notes(roll.doc.song, "clip1", ["n3"], 1))
    assert all(roll.editor.scene.items_by_id[k] is v for k, v in items.items())
    assert items["n3"].note.pitch == 66
