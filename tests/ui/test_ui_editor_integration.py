"""The window as an editor: arrangement over piano roll, clips opening, undo, previews, shortcuts, layout."""

from __future__ import annotations

from pathlib import Path

import pytest
from PySide6.QtCore import QPoint, QPointF, Qt
from PySide6.QtGui import QAction
from PySide6.QtWidgets import QMessageBox

from composer_app import fileio
from composer_app.core.song import Clip, Note, Song, Track
from composer_app.midi import ports
from composer_app.ui.main_window import MainWindow
from composer_app.ui.settings import EDITOR_SPLITTER
from composer_app.ui.shortcuts import ShortcutsDialog, action_label, shortcut_clashes
from tests.ui.sound_fakes import Ports, fake_service

BAR = 1920
POP909 = Path(__file__).resolve().parents[3] / "shared/datasets/pop909/POP909/001/001.mid"


def two_track_song() -> Song:
    """An empty first track, then a melody clip at bar 1 and a bass clip at bar 3."""
    melody = Clip(BAR, 2 * BAR, tuple(Note(60 + 2 * i, i * 480, 480, id=f"m{i}") for i in range(8)), id="mel")
    bass = Clip(3 * BAR, BAR, (Note(36, 0, 960, id="b0"),), id="bass")
    return Song(tracks=(Track("Empty", id="t0"),
                        Track("Lead", program=73, channel=1, clips=(melody,), id="t1"),
                        Track("Bass", program=33, channel=2, clips=(bass,), id="t2")))


@pytest.fixture
def window(qtbot, document, settings, monkeypatch):
    monkeypatch.setattr(ports, "scan_ports", Ports())
    monkeypatch.setattr(QMessageBox, "warning", lambda *_a, **_k: QMessageBox.StandardButton.Discard)
    audio = fake_service(settings, document)
    win = MainWindow(document, settings, fileio, audio=audio)
    qtbot.addWidget(win)
    win.resize(1280, 800)
    win.show()
    qtbot.waitExposed(win)
    yield win
    win.loader.cancel()
    win.loader.wait()
    document.undo_stack.setClean()
    audio.shutdown()


def open_and_wait(qtbot, window, path) -> None:
    with qtbot.waitSignal(window.loader.loaded, timeout=20_000):
        window.open_path(path, ask=False)


def clip_point(window, clip_id: str) -> QPoint:
    """Viewport point over the middle of the clip's name strip in the arrangement."""
    item = window.editors.arrangement.scene.clip_item(clip_id)
    rect = item.sceneBoundingRect()
    return window.editors.arrangement.clip_view.mapFromScene(QPointF(rect.center().x(), rect.top() + 6))


def test_the_editors_share_the_centre_and_the_track_list_is_a_panel(window):
    editors = window.editors
    assert window.centralWidget() is editors.splitter
    assert editors.splitter.widget(0) is editors.arrangement
    assert editors.splitter.widget(1) is editors.roll
    assert editors.tracks_dock.widget() is window.track_list


def test_opening_a_file_shows_its_clips_and_opens_the_first_clip_with_notes(qtbot, window, tmp_path):
    path = tmp_path / "two.composer"
    fileio.save_project(two_track_song(), path)
    open_and_wait(qtbot, window, path)
    arrangement = window.editors.arrangement
    assert arrangement.scene.clip_item("mel") is not None and arrangement.scene.clip_item("bass") is not None
    assert window.editors.roll.clip_id == "mel"
    assert len(window.editors.roll.scene.items_by_id) == 8
    assert arrangement.current_track_id == "t1"
    # the whole song fits the clip area
    assert arrangement.scale.x(window.document.song.end_tick) <= arrangement.clip_view.viewport().width()


@pytest.mark.skipif(not POP909.exists(), reason="POP909 dataset not present")
def test_a_pop909_song_opens_in_both_editors(qtbot, window):
    open_and_wait(qtbot, window, POP909)
    song = window.document.song
    assert window.editors.roll.clip_id == song.tracks[0].clips[0].id
    assert len(window.editors.arrangement.scene.items()) > 0


def test_double_click_on_a_clip_opens_it_in_the_roll_and_focuses_it(qtbot, window):
    window.document.load(two_track_song(), None)
    window.editors.song_loaded(window.document.song)
    assert window.editors.roll.clip_id == "mel"
    qtbot.mouseDClick(window.editors.arrangement.clip_view.viewport(), Qt.MouseButton.LeftButton,
                      pos=clip_point(window, "bass"))
    assert window.editors.roll.clip_id == "bass"
    assert window.editors.roll.view.hasFocus()
    assert window.editors.arrangement.current_track_id == "t2"


def test_the_edited_clip_is_the_recording_target_and_the_preview_instrument(qtbot, window):
    window.document.load(two_track_song(), None)
    window.editors.edit_clip("bass")
    assert window.sound.recording._target == ("t2", "bass")
    assert window.sound.audio._preview == (33, 2, False)
    window.editors.edit_clip("mel")
    assert window.sound.recording._target == ("t1", "mel")
    assert window.sound.audio._preview == (73, 1, False)


def test_note_previews_reach_the_audio_service_and_releases_do_not_sound(window, monkeypatch):
    heard: list[tuple[int, int]] = []
    monkeypatch.setattr(window.sound.audio, "preview_note", lambda pitch, velocity=100: heard.append((pitch, velocity)))
    window.editors.roll.note_preview.emit(64, 90)
    window.editors.roll.note_preview.emit(64, 0)  # key released: the service ends the note by itself
    assert heard == [(64, 90)]


def test_drawing_a_note_then_the_window_undo_removes_it_and_the_menu_names_the_edit(qtbot, window):
    window.document.load(two_track_song(), None)
    window.editors.edit_clip("mel")
    roll = window.editors.roll
    roll.actions.tool_draw.trigger()
    before = window.document.song
    point = roll.view.mapFromScene(QPointF(BAR + 3 * 480 + 10, 127 - 50 + 0.5))
    qtbot.mouseClick(roll.view.viewport(), Qt.MouseButton.LeftButton, pos=point)
    assert any(n.pitch == 50 for n in window.document.song.clip("mel").notes)
    assert window.undo_action.text() == "&Undo Draw note"
    assert window.edit_menu.actions()[0] is window.undo_action
    window.undo_action.trigger()
    assert window.document.song is before
    assert window.redo_action.text() == "&Redo Draw note"
    assert not any(n.pitch == 50 for n in window.document.song.clip("mel").notes)


def test_ctrl_z_in_the_roll_goes_through_the_window_undo(qtbot, window):
    window.document.load(two_track_song(), None)
    window.editors.edit_clip("mel")
    roll = window.editors.roll
    roll.scene.set_selection(["m0", "m1", "m2"])
    window.activateWindow()
    roll.view.setFocus()
    qtbot.keyClick(roll.view, Qt.Key.Key_Right)
    assert window.document.song.clip("mel").note("m0").start == 120
    assert window.undo_action.text() == "&Undo " + window.document.undo_stack.undoText()
    assert window.document.undo_stack.undoText().endswith("3 notes")
    qtbot.keyClick(roll.view, Qt.Key.Key_Z, Qt.KeyboardModifier.ControlModifier)
    assert window.document.song.clip("mel").note("m0").start == 0


def test_undo_history_panel_toggles_and_lists_edits(qtbot, window):
    window.document.load(two_track_song(), None)
    window.editors.edit_clip("mel")
    window.editors.roll.scene.set_selection(["m0"])
    window.editors.roll.nudge(0, 1)
    dock = window.editors.undo_dock
    assert dock.isHidden()
    window.editor_menus.undo_history_action.trigger()
    assert dock.isVisible()
    assert window.editors.undo_view.model().rowCount() == 2  # the empty state, then the edit


def test_no_key_is_bound_twice_where_both_bindings_are_active(window):
    assert shortcut_clashes(window) == []


def test_the_clash_check_sees_a_window_key_reused_in_an_editor(window):
    window.export_action.setShortcut("Ctrl+E")  # the arrangement splits clips with Ctrl+E
    assert any("Split at Playhead" in line for line in shortcut_clashes(window))


def test_the_clash_check_sees_keys_a_standard_key_gets_on_other_platforms(qtbot):
    """StdKey.Delete is Del here (offscreen) but Del and Ctrl+D on X11: a Ctrl+D elsewhere clashes with it."""
    from PySide6.QtGui import QKeySequence
    from PySide6.QtWidgets import QWidget

    from composer_app.ui.shortcuts import key_sequences, mark_standard_keys

    widget = QWidget()
    qtbot.addWidget(widget)
    delete = QAction("Delete notes", widget)
    delete.setShortcuts(key_sequences(QKeySequence.StandardKey.Delete, "Del"))
    mark_standard_keys(delete, [QKeySequence.StandardKey.Delete])
    duplicate = QAction("Duplicate notes", widget)
    duplicate.setShortcut("Ctrl+D")
    widget.addActions([delete, duplicate])
    assert shortcut_clashes(widget) == ["Ctrl+D: 'Delete notes' and 'Duplicate notes'"] or \
        shortcut_clashes(widget) == ["Ctrl+D: 'Duplicate notes' and 'Delete notes'"]


def test_ctrl_d_in_the_piano_roll_is_duplicate_only_on_every_platform(window):
    from composer_app.ui.shortcuts import keys_on_any_platform

    roll = window.editors.roll
    bound = [a.text() for a in roll.actions.all() if "Ctrl+D" in keys_on_any_platform(a)]
    assert bound == ["Duplicate notes"]
    assert "Del" in keys_on_any_platform(roll.actions.delete)


def test_every_shortcut_is_in_a_menu_and_in_the_help_dialog(window):
    listed = {id(a) for _title, actions in window.shortcut_groups() for a in actions}
    unlisted = [action_label(a) for a in window.findChildren(QAction) if a.shortcuts() and id(a) not in listed]
    assert unlisted == []
    dialog = ShortcutsDialog(window.shortcut_groups(), window)
    headings = [dialog.tree.topLevelItem(i).text(0) for i in range(dialog.tree.topLevelItemCount())]
    for title in ("File", "Edit", "View", "Arrangement", "Piano Roll", "Piano Roll \u203a Move and Transpose",
                  "Transport", "Help"):
        assert title in headings
    rows = dialog.rows()
    assert ("Split at Playhead", "Ctrl+E") in rows
    assert ("Undo History", "Ctrl+H") in rows
    assert ("Export MIDI", "Ctrl+Shift+M") in rows


def test_view_menu_hides_an_editor_but_never_both(window):
    menus = window.editor_menus
    menus.show_roll_action.setChecked(False)
    assert window.editors.roll.isHidden()
    menus.show_arrangement_action.setChecked(False)
    assert window.editors.arrangement.isHidden()
    assert not window.editors.roll.isHidden()


def test_view_zoom_acts_on_the_editor_last_used(qtbot, window):
    window.document.load(two_track_song(), None)
    arrangement, roll = window.editors.arrangement, window.editors.roll
    before = arrangement.scale.pixels_per_quarter
    window.editor_menus.zoom_in_action.trigger()
    assert arrangement.scale.pixels_per_quarter > before
    window.editor_menus.focus_roll_action.trigger()
    assert roll.view.hasFocus()
    roll_before, arr_before = roll.time_scale.pixels_per_quarter, arrangement.scale.pixels_per_quarter
    window.editor_menus.zoom_out_action.trigger()
    assert roll.time_scale.pixels_per_quarter < roll_before
    assert arrangement.scale.pixels_per_quarter == arr_before


def test_the_split_between_the_editors_is_remembered(qtbot, document, settings):
    first = MainWindow(document, settings, fileio)
    qtbot.addWidget(first)
    first.resize(1200, 800)
    first.show()
    qtbot.waitExposed(first)
    first.editors.splitter.setSizes([500, 200])
    wanted = first.editors.splitter.sizes()
    first.close()
    second = MainWindow(type(document)(), settings, fileio)
    qtbot.addWidget(second)
    second.show()
    qtbot.waitExposed(second)
    sizes = second.editors.splitter.sizes()
    assert abs(sizes[0] / sum(sizes) - wanted[0] / sum(wanted)) < 0.03  # the window's height may differ a little
    assert not settings.get(EDITOR_SPLITTER).isEmpty()


def test_audition_clip_loops_the_open_clip_after_a_bar_of_lead_in(qtbot, window):
    window.document.load(two_track_song(), None)
    window.editors.edit_clip("bass")
    sink = window.sound.audio.output.sink
    window.editor_menus.audition_clip_action.trigger()
    assert window.transport.playing
    # the lead-in (bar 2) sounds the melody first, then the bass clip's own note on its channel
    qtbot.waitUntil(lambda: any(m[2] == 36 for _t, m in sink.ons()), timeout=8_000)
    ons = [m for _t, m in sink.ons()]
    first_bass = next(i for i, m in enumerate(ons) if m[2] == 36)
    assert any(m[2] in range(60, 76) for m in ons[:first_bass])  # melody notes before it
    channel = ons[first_bass][1]
    programs = [m for _t, m in sink.messages("program") if m[1] == channel]
    assert programs and programs[-1][2] == 33  # played with the bass track's instrument
    window.sound.audio.toggle()  # Space stops the audition
    assert not window.transport.playing
    assert not sink.sounding()
