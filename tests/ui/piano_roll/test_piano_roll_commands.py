"""Keyboard commands of the piano roll: clipboard, duplicate, nudge, transpose, quantize, zoom, tools."""

from __future__ import annotations

from PySide6.QtCore import Qt

from composer_app.core import edits

BAR = 1920
K = Qt.Key
M = Qt.KeyboardModifier


def test_copy_paste_at_the_playhead(roll):
    roll.editor.scene.set_selection({"n0", "n1"})
    roll.key(K.Key_C, M.ControlModifier)
    roll.editor.transport.set_playhead(BAR + 4 * 480)
    roll.key(K.Key_V, M.ControlModifier)
    clip = roll.clip()
    assert len(clip.notes) == 10
    pasted = [n for n in clip.notes if n.id in roll.editor.scene.selected]
    assert sorted((n.start, n.pitch) for n in pasted) == [(1920, 60), (2400, 62)]
    assert roll.doc.undo_stack.undoText() == "Paste 2 notes"


def test_cut_and_delete(roll):
    roll.editor.scene.set_selection({"n0"})
    roll.key(K.Key_X, M.ControlModifier)
    assert roll.doc.undo_stack.undoText() == "Cut 1 note"
    roll.editor.scene.set_selection({"n1", "n2", "n3", "n4"})
    roll.key(K.Key_Delete)
    assert roll.doc.undo_stack.undoText() == "Delete 4 notes"
    assert len(roll.clip().notes) == 3


def test_duplicate_places_copies_after_the_selection(roll):
    roll.editor.scene.set_selection({"n0", "n1"})
    roll.key(K.Key_D, M.ControlModifier)
    new = [n for n in roll.clip().notes if n.id in roll.editor.scene.selected]
    assert sorted(n.start for n in new) == [960, 1440]
    assert roll.doc.undo_stack.undoText() == "Duplicate 2 notes"


def test_arrows_move_and_transpose(roll):
    roll.editor.scene.set_selection({"n0", "n1"})
    roll.key(K.Key_Up)
    assert roll.doc.undo_stack.undoText() == "Transpose 2 notes"
    roll.key(K.Key_Up, M.ShiftModifier)
    assert roll.clip().note("n0").pitch == 73
    roll.key(K.Key_Down)
    roll.key(K.Key_Right)
    assert roll.clip().note("n0").start == 120
    assert roll.doc.undo_stack.undoText() == "Move 2 notes"
    assert roll.doc.undo_stack.count() == 4
    for _ in range(4):
        roll.doc.undo_stack.undo()
    assert roll.clip().note("n0") == roll.doc.song.clip("clip1").note("n0")
    assert roll.clip().note("n0").pitch == 60 and roll.clip().note("n0").start == 0


def test_quantize_key_and_select_all(roll):
    roll.doc.apply("humanize", edits.move_notes(roll.doc.song, "clip1", ["n1", "n2"], 37, 0))
    roll.key(K.Key_A, M.ControlModifier)
    assert len(roll.editor.scene.selected) == 8
    roll.key(K.Key_Q)
    assert [n.start for n in roll.clip().notes] == [i * 480 for i in range(8)]
    assert roll.doc.undo_stack.undoText() == "Quantize 8 notes"


def test_quantize_strength(roll):
    roll.doc.apply("humanize", edits.move_notes(roll.doc.song, "clip1", ["n1"], 40, 0))
    from composer_app.ui.piano_roll.state import QuantizeSettings

    roll.editor.state.quantize = QuantizeSettings("1/4", 0.5)
    roll.editor.scene.set_selection({"n1"})
    roll.editor.quantize()
    assert roll.clip().note("n1").start == 480 + 20


def test_legato(roll):
    roll.doc.apply("short", edits.resize_notes(roll.doc.song, "clip1", ["n0", "n1"], 0, -240))
    roll.editor.scene.set_selection({"n0", "n1", "n2"})
    roll.key(K.Key_L)
    assert roll.clip().note("n0").duration == 480 and roll.clip().note("n1").duration == 480


def test_tool_keys(roll):
    roll.key(K.Key_3)
    assert roll.view.tool.name == "erase" and roll.editor.actions.tool_erase.isChecked()
    roll.key(K.Key_V)
    assert roll.view.tool.name == "select"
    roll.key(K.Key_B)
    assert roll.view.tool.name == "draw"


def test_zoom_keys_and_wheel(roll, qtbot):
    scale = roll.editor.time_scale
    before = scale.pixels_per_quarter
    roll.key(K.Key_Equal)
    assert scale.pixels_per_quarter > before
    roll.key(K.Key_Minus)
    roll.key(K.Key_Minus)
    assert scale.pixels_per_quarter < before
    rows = roll.view.row_px
    roll.key(K.Key_Equal, M.AltModifier)
    assert roll.view.row_px > rows
    roll.editor.zoom_to_clip()
    assert roll.view.view_x(BAR + 2 * BAR) <= roll.vp.width()


def test_ruler_follows_horizontal_scroll(roll):
    roll.view.horizontalScrollBar().setValue(roll.view.horizontalScrollBar().value() + 200)
    assert abs(roll.editor.ruler.x_of(BAR) - roll.view.view_x(BAR)) < 1


def test_follow_playhead_pages_during_playback(roll):
    t = roll.editor.transport
    t.set_playing(True)
    far = round(roll.view.tick_at(roll.vp.width() * 2))
    t.set_playhead(far)
    assert 0 <= roll.view.view_x(far) <= roll.vp.width()
