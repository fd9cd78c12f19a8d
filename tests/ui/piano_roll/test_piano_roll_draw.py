"""Drawing, erasing and ghost notes in the piano roll, driven by the mouse."""

from __future__ import annotations

from PySide6.QtCore import Qt

BAR = 1920


def test_click_draws_one_note_of_the_grid_length_as_one_undo_step(roll):
    before = roll.doc.song
    roll.click(roll.at(BAR + 4 * 480 + 130, 50))  # empty row 50, snaps down to the 1/16 grid
    added = [n for n in roll.clip().notes if n.pitch == 50]
    assert len(added) == 1
    assert (added[0].start, added[0].duration) == (4 * 480 + 120, 120)
    assert roll.doc.undo_stack.undoText() == "Draw note"
    assert roll.editor.scene.selected == {added[0].id}
    roll.doc.undo_stack.undo()
    assert roll.doc.song is before
    assert len(roll.editor.scene.items_by_id) == 8


def test_drag_draws_a_longer_note_and_the_length_is_remembered(roll):
    roll.drag(roll.at(BAR + 480, 50), roll.at(BAR + 480 + 960, 50))
    n = next(n for n in roll.clip().notes if n.pitch == 50)
    assert (n.start, n.duration) == (480, 960)
    roll.click(roll.at(BAR + 3 * 480, 52))
    assert next(n for n in roll.clip().notes if n.pitch == 52).duration == 960


def test_alt_bypasses_snap(roll):
    roll.click(roll.at(BAR + 500, 50), Qt.KeyboardModifier.AltModifier)
    n = next(n for n in roll.clip().notes if n.pitch == 50)
    assert n.start % 120 != 0


def test_erase_tool_drag_deletes_notes_in_one_step(roll):
    roll.editor.actions.tool_erase.trigger()
    roll.drag(roll.note_mid("n0"), roll.note_mid("n2"))
    assert {n.id for n in roll.clip().notes}.isdisjoint({"n0", "n1", "n2"})
    assert roll.doc.undo_stack.undoText() == "Delete 3 notes"
    assert roll.doc.undo_stack.count() == 1


def test_right_drag_erases_with_any_tool(roll):
    roll.editor.actions.tool_select.trigger()
    roll.drag(roll.note_mid("n3"), roll.note_mid("n3"), button=Qt.MouseButton.RightButton)
    assert "n3" not in {n.id for n in roll.clip().notes}


def test_ghost_notes_are_shown_but_never_hit(roll):
    scene = roll.editor.scene
    assert scene.ghost_count() == 2
    assert scene.note_at(roll.view.mapToScene(roll.at(100, 48))) is None
    roll.editor.actions.tool_select.trigger()
    roll.drag(roll.at(10, 49), roll.at(BAR - 10, 47))  # marquee over the ghost note
    assert scene.selected == set()
    roll.editor.actions.ghosts.trigger()
    assert scene.ghost_count() == 0


def test_keyboard_click_previews_a_note(roll, qtbot):
    kb = roll.editor.keyboard
    heard = []
    roll.editor.note_preview.connect(lambda p, v: heard.append((p, v)))
    y = round(kb.y_of(60) + roll.view.row_px / 2)
    qtbot.mousePress(kb, Qt.MouseButton.LeftButton, pos=kb.rect().center().__class__(30, y))
    qtbot.mouseRelease(kb, Qt.MouseButton.LeftButton, pos=kb.rect().center().__class__(30, y))
    assert heard[0][0] == 60 and heard[0][1] > 0
    assert heard[-1] == (60, 0)
