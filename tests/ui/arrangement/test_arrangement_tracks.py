"""Track headers: add, delete, reorder, rename, instrument, drums, mute/solo, volume/pan; each one undo step."""

from PySide6.QtCore import QPoint, Qt

from composer_app.ui.arrangement.inline_editor import InlineEditor

L = Qt.MouseButton.LeftButton
CTRL = Qt.KeyboardModifier.ControlModifier


def names(arr):
    return [t.name for t in arr.song.tracks]


def row(arr, index):
    return arr.headers.row_widget(arr.song.tracks[index].id)


def test_add_track_button_and_ctrl_t(arr, qtbot):
    qtbot.mouseClick(arr.headers.add_button, L)
    assert names(arr)[-1] == "Track 4" and arr.document.undo_stack.text(0) == "Add track"
    qtbot.mouseClick(row(arr, 0), L, pos=QPoint(120, 10))
    qtbot.keyClick(arr.clip_view, Qt.Key.Key_T, CTRL)
    assert names(arr) == ["Lead", "Track 5", "Bass", "Pad", "Track 4"]
    assert arr.current_track_id == arr.song.tracks[1].id
    assert len({t.channel for t in arr.song.tracks}) == 5  # each new track gets a free channel
    arr.document.undo_stack.undo()
    assert names(arr) == ["Lead", "Bass", "Pad", "Track 4"]


def test_delete_track(arr, qtbot):
    qtbot.mouseClick(row(arr, 1), L, pos=QPoint(120, 10))
    qtbot.keyClick(arr.clip_view, Qt.Key.Key_Delete, CTRL | Qt.KeyboardModifier.ShiftModifier)
    assert names(arr) == ["Lead", "Pad"]
    assert arr.document.undo_stack.text(0) == "Delete track"
    arr.document.undo_stack.undo()
    assert names(arr) == ["Lead", "Bass", "Pad"]
    assert len(arr.scene.clip_items()) == 2


def test_reorder_by_dragging_the_grip_and_by_move_actions(arr, qtbot):
    grip = row(arr, 0)
    h = arr.headers.row_height
    qtbot.mousePress(grip, L, pos=QPoint(3, h // 2))
    qtbot.mouseMove(grip, QPoint(3, h + 10))
    qtbot.mouseMove(grip, QPoint(3, 2 * h + 30))
    qtbot.mouseRelease(grip, L, pos=QPoint(3, 2 * h + 30))
    assert names(arr) == ["Bass", "Lead", "Pad"]
    assert arr.document.undo_stack.count() == 1 and arr.document.undo_stack.text(0) == "Move track"
    lead_clip = arr.song.tracks[1].clips[0]
    assert arr.scene.clip_item(lead_clip.id).pos().y() > h  # the lane moved with it
    arr.set_current_track(arr.song.tracks[2].id)
    arr.actions_.move_track_up.trigger()
    assert names(arr) == ["Bass", "Pad", "Lead"]
    arr.document.undo_stack.undo()
    arr.document.undo_stack.undo()
    assert names(arr) == ["Lead", "Bass", "Pad"]


def test_double_click_name_renames(arr, qtbot):
    r = row(arr, 1)
    qtbot.mouseDClick(r, L, pos=r.name_label.geometry().center())
    (editor,) = r.findChildren(InlineEditor)
    qtbot.keyClicks(editor, "Bass Guitar")
    qtbot.keyClick(editor, Qt.Key.Key_Return)
    assert names(arr)[1] == "Bass Guitar"
    assert arr.document.undo_stack.text(0) == "Rename track"
    assert row(arr, 1).name_label.text() == "Bass Guitar"


def test_f2_in_headers_renames_the_current_track(arr, qtbot):
    r = row(arr, 2)
    qtbot.mouseClick(r, L, pos=QPoint(120, 10))
    r.volume.setFocus()
    qtbot.keyClick(r.volume, Qt.Key.Key_F2)
    (editor,) = r.findChildren(InlineEditor)
    qtbot.keyClicks(editor, "Strings")
    qtbot.keyClick(editor, Qt.Key.Key_Return)
    assert names(arr)[2] == "Strings"


def test_instrument_combo_lists_families_and_sets_the_program(arr, qtbot):
    combo = row(arr, 0).instrument
    assert combo.currentText() == "Violin"
    assert combo.count() == 128 + 16
    combo.choose(42)
    assert arr.song.tracks[0].program == 42
    assert arr.document.undo_stack.text(0) == "Set instrument Cello"
    arr.document.undo_stack.undo()
    assert row(arr, 0).instrument.currentText() == "Violin"


def test_drum_flag_sets_channel_ten_and_back_to_a_free_channel(arr, qtbot):
    r = row(arr, 2)
    qtbot.mouseClick(r.drum_box, L, pos=QPoint(6, r.drum_box.height() // 2))
    pad = arr.song.tracks[2]
    assert pad.is_drum and pad.channel == 9
    assert r.instrument.currentText() == "Standard Kit"
    qtbot.mouseClick(r.drum_box, L, pos=QPoint(6, r.drum_box.height() // 2))
    pad = arr.song.tracks[2]
    assert not pad.is_drum and pad.channel not in (0, 1, 9)
    assert arr.document.undo_stack.count() == 2


def test_mute_and_solo_buttons(arr, qtbot):
    r = row(arr, 1)
    qtbot.mouseClick(r.mute_button, L)
    assert arr.song.tracks[1].mute and arr.document.undo_stack.text(0) == "Mute Bass"
    qtbot.mouseClick(r.solo_button, L)
    assert arr.song.tracks[1].solo and arr.document.undo_stack.text(1) == "Solo Bass"
    arr.document.undo_stack.undo()
    assert not arr.song.tracks[1].solo and not row(arr, 1).solo_button.isChecked()
    arr.grab()  # a muted track's clips paint faded


def test_volume_drag_commits_once_on_release(arr, qtbot):
    slider = row(arr, 0).volume
    slider.setSliderDown(True)
    for v in (90, 80, 70, 60):
        slider.setSliderPosition(v)
    assert arr.document.undo_stack.count() == 0
    slider.setSliderDown(False)
    slider.sliderReleased.emit()
    assert arr.song.tracks[0].volume == 60
    assert arr.document.undo_stack.count() == 1 and arr.document.undo_stack.text(0) == "Volume Lead"
    pan = row(arr, 0).pan
    pan.setFocus()
    qtbot.keyClick(pan, Qt.Key.Key_PageUp)
    assert arr.song.tracks[0].pan == 72 and arr.document.undo_stack.text(1) == "Pan Lead"
