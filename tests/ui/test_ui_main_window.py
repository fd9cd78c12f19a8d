"""The main window driven as a user would: open, fail, save, recent files, shortcuts, unsaved changes."""

from __future__ import annotations

from pathlib import Path

import pytest
from PySide6.QtCore import QMimeData, QPoint, QPointF, Qt, QUrl
from PySide6.QtGui import QDragEnterEvent, QDropEvent, QKeySequence
from PySide6.QtWidgets import QFileDialog, QMessageBox

from composer_app import fileio
from composer_app.core import edits
from composer_app.core.song import Song
from composer_app.ui.main_window import MainWindow
from composer_app.ui.settings import MAX_RECENT_FILES

Btn = QMessageBox.StandardButton
POP909 = Path(__file__).resolve().parents[3] / "shared/datasets/pop909/POP909/001/001.mid"


@pytest.fixture
def window(qtbot, document, settings):
    win = MainWindow(document, settings, fileio)
    win.show()
    yield win
    win.loader.cancel()
    win.loader.wait()
    document.undo_stack.setClean()  # close without asking about unsaved changes
    win.close()
    win.deleteLater()


@pytest.fixture
def boxes(monkeypatch):
    """Message boxes answer at once; ``answer`` says what the unsaved-changes question gets."""
    calls: dict[str, list] = {"critical": [], "warning": [], "answer": [Btn.Cancel]}

    def critical(parent, title, text, *args, **kwargs):
        calls["critical"].append((title, text))
        return Btn.Ok

    def warning(parent, title, text, *args, **kwargs):
        calls["warning"].append((title, text))
        return calls["answer"][0]

    monkeypatch.setattr(QMessageBox, "critical", critical)
    monkeypatch.setattr(QMessageBox, "warning", warning)
    return calls


def open_and_wait(qtbot, window, path) -> None:
    with qtbot.waitSignal(window.loader.loaded, timeout=20_000):
        window.open_path(path)


def project(tmp_path, song, name="song.composer") -> Path:
    path = tmp_path / name
    fileio.save_project(song, path)
    return path


def test_opening_a_project_fills_the_track_list(qtbot, window, tmp_path, song):
    path = project(tmp_path, song)
    assert window.track_list.is_empty
    open_and_wait(qtbot, window, path)
    assert window.document.song == song
    assert window.track_list.model.rowCount() == 2
    assert not window.track_list.is_empty
    assert window.statusBar().currentMessage() == "Opened song.composer: 2 tracks, 12 notes"
    assert window.windowTitle() == "song.composer[*] \u2014 Composer"
    assert not window.isWindowModified()
    assert not window.busy_indicator.isVisible()


@pytest.mark.skipif(not POP909.exists(), reason="POP909 dataset not present")
def test_opening_a_midi_file_lists_its_tracks(qtbot, window):
    open_and_wait(qtbot, window, POP909)
    model = window.track_list.model
    assert model.rowCount() == len(window.document.song.tracks) > 0
    assert window.statusBar().currentMessage().startswith("Opened 001.mid: ")
    assert window.document.path == POP909
    assert not window.document.is_project


ASHOVER1 = POP909.parents[3] / "nottingham" / "MIDI" / "ashover1.mid"


@pytest.mark.skipif(not POP909.exists() or not ASHOVER1.exists(), reason="POP909 or Nottingham dataset not present")
def test_opening_another_file_starts_fresh(qtbot, window):
    """After File > Open: the playhead and loop back at the start, the roll and the arrangement show only the
    new song (no stale clip, lane or ruler), the first track current."""
    open_and_wait(qtbot, window, POP909)
    editors, transport = window.editors, window.transport
    transport.set_playhead(20 * 960)
    transport.set_loop(960, 4 * 960, True)
    editors.edit_clip(window.document.song.tracks[2].clips[0].id)
    editors.arrangement.set_current_track(window.document.song.tracks[2].id)
    open_and_wait(qtbot, window, ASHOVER1)
    song = window.document.song
    assert transport.playhead == 0 and not transport.loop_enabled and not transport.playing
    clip = song.tracks[0].clips[0]
    assert editors.roll.clip_id == clip.id
    assert {i.note.id for i in editors.roll.scene.items_by_id.values()} <= {n.id for n in clip.notes}
    arrangement = editors.arrangement
    assert arrangement.headers.order == [t.id for t in song.tracks]
    assert arrangement.current_track_id == song.tracks[0].id == arrangement.scene.current_track_id
    assert sorted(i.clip_id for i in arrangement.scene.clip_items()) == sorted(c.id for t in song.tracks
                                                                                for c in t.clips)
    assert arrangement.scene.sceneRect().height() == len(song.tracks) * arrangement.scene.row_height
    window.new_song()
    assert editors.roll.clip_id is None and arrangement.scene.clip_items() == [] and transport.playhead == 0


def test_busy_indicator_shows_while_loading(qtbot, window, tmp_path, song):
    path = project(tmp_path, song)
    with qtbot.waitSignal(window.loader.loaded, timeout=20_000):
        window.open_path(path)
        assert window.busy_indicator.isVisible()
        assert window.statusBar().currentMessage() == "Opening song.composer\u2026"
    assert not window.busy_indicator.isVisible()


def test_a_corrupt_file_shows_an_error_and_keeps_the_song(qtbot, window, tmp_path, song, boxes):
    window.document.load(song, None)
    bad = tmp_path / "broken.mid"
    bad.write_bytes(b"MThd\x00\x00\x00\x06garbage that is not a midi file")
    with qtbot.waitSignal(window.loader.failed, timeout=20_000):
        window.open_path(bad)
    assert window.document.song is song
    assert len(boxes["critical"]) == 1
    title, text = boxes["critical"][0]
    assert text.startswith("broken.mid: ") and "\n" not in text and "Traceback" not in text
    assert window.statusBar().currentMessage() == text
    assert window.settings.recent_files() == []


@pytest.mark.skipif(not ASHOVER1.exists(), reason="Nottingham dataset not present")
def test_a_file_cut_short_opens_what_is_there_and_says_so(qtbot, window, tmp_path, boxes):
    data = ASHOVER1.read_bytes()
    cut = tmp_path / "cut.mid"
    cut.write_bytes(data[:len(data) * 3 // 4])  # a download that stopped early
    with qtbot.waitSignal(window.loader.warned, timeout=20_000):
        window.open_path(cut)
    song = window.document.song
    assert 0 < song.note_count < fileio.open_song(ASHOVER1).note_count and window.document.path == cut
    message = window.statusBar().currentMessage()
    assert message.startswith("Warning: cut.mid: the file is cut short: track 2 stops at bar ")
    shown = [b for b in window.findChildren(QMessageBox) if b.objectName() == "readWarnings" and b.isVisible()]
    assert len(shown) == 1 and not shown[0].isModal()  # the window stays usable
    assert shown[0].text().startswith("cut.mid was opened, but not all of it could be read:")
    assert "the notes after that are missing" in shown[0].text()
    assert boxes["critical"] == [] and boxes["warning"] == []
    shown[0].close()


@pytest.mark.skipif(not ASHOVER1.exists(), reason="Nottingham dataset not present")
def test_a_whole_file_opens_without_a_warning(qtbot, window):
    open_and_wait(qtbot, window, ASHOVER1)
    qtbot.wait(20)
    assert not [b for b in window.findChildren(QMessageBox) if b.objectName() == "readWarnings"]
    assert window.statusBar().currentMessage().startswith("Opened ashover1.mid: ")


def test_a_missing_recent_file_is_dropped_from_the_list(qtbot, window, tmp_path, song, boxes):
    path = project(tmp_path, song)
    open_and_wait(qtbot, window, path)
    path.unlink()
    with qtbot.waitSignal(window.loader.failed, timeout=20_000):
        window.recent_menu.actions()[0].trigger()
    assert "no such file" in boxes["critical"][0][1]
    assert window.settings.recent_files() == []


def test_save_as_then_reopen_gives_the_same_song(qtbot, window, tmp_path, song, document, settings):
    document.load(song, None)
    document.apply("Rename", edits.set_title(song, "Renamed"))
    assert window.isWindowModified()
    assert window.save_to(tmp_path / "kept")  # the suffix is added
    saved = tmp_path / "kept.composer"
    assert saved.exists()
    assert document.path == saved and not document.modified
    assert window.windowTitle() == "kept.composer[*] \u2014 Composer"
    assert settings.recent_files()[0] == str(saved)

    other = MainWindow(type(document)(), settings, fileio)
    qtbot.addWidget(other)
    open_and_wait(qtbot, other, saved)
    assert other.document.song == document.song
    assert other.document.song.title == "Renamed"


def test_save_of_a_midi_song_asks_for_a_project_name(qtbot, window, tmp_path, song, monkeypatch):
    window.document.load(song, tmp_path / "tune.mid")
    asked = []

    def get_save_file_name(parent, caption, directory, filter_):
        asked.append((directory, filter_))
        return str(tmp_path / "tune.composer"), filter_

    monkeypatch.setattr(QFileDialog, "getSaveFileName", get_save_file_name)
    assert window.save()
    assert asked == [(str(tmp_path / "tune.composer"), fileio.PROJECT_FILTER)]
    assert window.document.path == tmp_path / "tune.composer"
    # now a project: Save writes in place without asking
    window.document.apply("Rename", edits.set_title(song, "Again"))
    assert window.save()
    assert len(asked) == 1
    assert fileio.open_song(tmp_path / "tune.composer").title == "Again"


def test_cancelled_save_dialog_saves_nothing(window, monkeypatch):
    monkeypatch.setattr(QFileDialog, "getSaveFileName", lambda *a, **k: ("", ""))
    assert not window.save()
    assert not window.export_midi()


def test_export_midi_writes_a_file_and_keeps_the_document(qtbot, window, tmp_path, song):
    window.document.load(song, tmp_path / "a.composer")
    assert window.export_to(tmp_path / "out")
    assert (tmp_path / "out.mid").exists()
    assert window.document.path == tmp_path / "a.composer"
    assert window.statusBar().currentMessage() == "Exported out.mid"


def test_recent_files_update_and_are_capped(qtbot, window, tmp_path, make_song):
    paths = [project(tmp_path, make_song(f"Song {i}"), f"s{i}.composer") for i in range(MAX_RECENT_FILES + 2)]
    for p in paths:
        open_and_wait(qtbot, window, p)
    open_and_wait(qtbot, window, paths[3])  # reopening moves it to the top, no duplicate
    recent = window.settings.recent_files()
    assert len(recent) == MAX_RECENT_FILES
    assert recent[0] == str(paths[3])
    assert recent[1] == str(paths[-1])
    assert len(set(recent)) == len(recent)
    entries = [a for a in window.recent_menu.actions() if not a.isSeparator()]
    assert [a.toolTip() for a in entries[:-1]] == recent
    assert entries[0].text() == "&1  s3.composer"
    assert entries[-1] is window.clear_recent_action

    with qtbot.waitSignal(window.loader.loaded, timeout=20_000):
        entries[2].trigger()
    assert window.document.path == Path(recent[2])

    window.clear_recent_action.trigger()
    assert window.settings.recent_files() == []
    assert not window.recent_menu.isEnabled()


EXPECTED_SHORTCUTS = {
    "new_action": "Ctrl+N", "open_action": "Ctrl+O", "save_action": "Ctrl+S",
    "save_as_action": "Ctrl+Shift+S", "export_action": "Ctrl+Shift+M", "quit_action": "Ctrl+Q",
    "undo_action": "Ctrl+Z", "redo_action": "Ctrl+Shift+Z",
}


@pytest.mark.parametrize("name,keys", EXPECTED_SHORTCUTS.items())
def test_standard_shortcuts_are_on_the_actions(window, name, keys):
    action = getattr(window, name)
    assert action.shortcut() == QKeySequence(keys)
    assert action.shortcutContext() == Qt.ShortcutContext.WindowShortcut


def test_keyboard_shortcuts_dialog_lists_every_shortcut(window):
    from composer_app.ui.shortcuts import ShortcutsDialog

    dialog = ShortcutsDialog(window.shortcut_groups(), window)
    rows = dict(dialog.rows())
    assert rows["Open"].startswith(QKeySequence("Ctrl+O").toString(QKeySequence.SequenceFormat.NativeText))
    assert rows["Export MIDI"] == QKeySequence("Ctrl+Shift+M").toString(QKeySequence.SequenceFormat.NativeText)
    for name in EXPECTED_SHORTCUTS:
        assert any(label in rows for label in [getattr(window, name).text().replace("&", "").rstrip("\u2026")])


def test_undo_and_redo_actions_follow_the_stack(window, song):
    window.document.load(song, None)
    assert not window.undo_action.isEnabled()
    window.document.apply("Rename", edits.set_title(song, "X"))
    assert window.undo_action.isEnabled()
    assert window.windowTitle() == "Untitled[*] \u2014 Composer" and window.isWindowModified()
    window.undo_action.trigger()
    assert window.document.song is song and not window.isWindowModified()
    window.redo_action.trigger()
    assert window.document.song.title == "X"


def test_new_with_unsaved_changes_asks_and_cancel_keeps_everything(window, song, boxes):
    window.document.load(song, None)
    window.document.apply("Rename", edits.set_title(song, "Edited"))
    boxes["answer"][0] = Btn.Cancel
    window.new_action.trigger()
    assert len(boxes["warning"]) == 1
    assert window.document.song.title == "Edited"

    boxes["answer"][0] = Btn.Discard
    window.new_action.trigger()
    assert window.document.song == Song() or not window.document.song.tracks
    assert not window.document.modified
    assert window.track_list.is_empty


def test_save_answer_saves_before_going_on(window, song, boxes, tmp_path, monkeypatch):
    window.document.load(song, tmp_path / "p.composer")
    window.document.apply("Rename", edits.set_title(song, "Edited"))
    boxes["answer"][0] = Btn.Save
    window.new_action.trigger()
    assert fileio.open_song(tmp_path / "p.composer").title == "Edited"
    assert not window.document.song.tracks


def test_unchanged_document_is_replaced_without_asking(qtbot, window, song, boxes, tmp_path):
    window.new_action.trigger()
    open_and_wait(qtbot, window, project(tmp_path, song))
    assert boxes["warning"] == []


def test_close_with_unsaved_changes_can_be_cancelled(window, song, boxes):
    window.document.load(song, None)
    window.document.apply("Rename", edits.set_title(song, "Edited"))
    boxes["answer"][0] = Btn.Cancel
    assert not window.close()
    assert window.isVisible()
    boxes["answer"][0] = Btn.Discard
    assert window.close()


def test_open_with_unsaved_changes_cancelled_starts_no_load(window, song, boxes, tmp_path):
    window.document.load(song, None)
    window.document.apply("Rename", edits.set_title(song, "Edited"))
    boxes["answer"][0] = Btn.Cancel
    assert window.open_path(project(tmp_path, song, "other.composer")) is None
    assert not window.loader.busy


def _drag_events(path: Path):
    mime = QMimeData()
    mime.setUrls([QUrl.fromLocalFile(str(path))])
    enter = QDragEnterEvent(QPoint(10, 10), Qt.DropAction.CopyAction, mime, Qt.MouseButton.LeftButton,
                            Qt.KeyboardModifier.NoModifier)
    drop = QDropEvent(QPointF(10, 10), Qt.DropAction.CopyAction, mime, Qt.MouseButton.LeftButton,
                      Qt.KeyboardModifier.NoModifier)
    return mime, enter, drop


def test_dropping_a_project_opens_it(qtbot, window, tmp_path, song):
    path = project(tmp_path, song)
    _mime, enter, drop = _drag_events(path)
    window.dragEnterEvent(enter)
    assert enter.isAccepted()
    with qtbot.waitSignal(window.loader.loaded, timeout=20_000):
        window.dropEvent(drop)
    assert window.document.path == path


def test_dropping_another_kind_of_file_is_refused(window, tmp_path):
    other = tmp_path / "notes.txt"
    other.write_text("hello")
    _mime, enter, _drop = _drag_events(other)
    window.dragEnterEvent(enter)
    assert not enter.isAccepted()


def test_geometry_is_remembered(qtbot, document, settings, song):
    first = MainWindow(document, settings, fileio)
    qtbot.addWidget(first)
    first.resize(790, 555)  # the offscreen screen is 800 wide; the editors need a little less
    first.show()
    shown = first.size()
    assert shown.height() == 555
    first.close()
    second = MainWindow(type(document)(), settings, fileio)
    qtbot.addWidget(second)
    assert second.size() == shown


def test_closing_stops_a_request_still_running_and_leaves_no_thread(window, document):
    """A worker thread left inside Qt's code when the interpreter ends aborts the process: closing the window
    cancels the assistant's request and waits for its thread."""
    import time

    from composer_app.ui.workers import Cancelled

    def job(token):
        for _ in range(2000):  # a long request, as a 16-bar suggestion on a slow machine
            if token.cancelled():
                raise Cancelled("closed")
            time.sleep(0.005)
        return None

    worker = window.assistant.assistant.worker
    worker.submit(job)
    assert worker.running_threads() == 1
    document.undo_stack.setClean()
    assert window.close()
    assert worker.running_threads() == 0


def test_the_window_has_the_keyboard_again_after_a_dialog_closes(window, qtbot):
    """With no window manager to hand focus back (a bare X server, as offscreen Qt behaves too), closing a dialog
    left no window active and every shortcut dead until a click; the window now takes the keyboard back. Focus
    that leaves from the window itself (to another program) is left alone."""
    from PySide6.QtWidgets import QApplication, QDialog, QLineEdit

    from composer_app.ui.dialog_focus import FocusAfterDialogs

    window.activateWindow()
    qtbot.waitUntil(lambda: QApplication.activeWindow() is window)
    dialog = QDialog(window)
    field = QLineEdit(dialog)
    dialog.show()
    dialog.activateWindow()
    field.setFocus()
    qtbot.waitUntil(lambda: QApplication.activeWindow() is dialog)
    dialog.close()
    qtbot.waitUntil(lambda: QApplication.activeWindow() is window)

    control = QDialog(window)
    control.show()
    control.activateWindow()
    qtbot.waitUntil(lambda: QApplication.activeWindow() is control)
    window.focus_after_dialogs.deleteLater()  # without it, the same close leaves nothing active
    qtbot.wait(10)
    control.close()
    qtbot.wait(50)
    assert QApplication.activeWindow() is None
    stay = FocusAfterDialogs(window)
    stay.focus_changed(window.centralWidget(), None)  # the keyboard left from the window, which is still shown
    qtbot.wait(50)
    assert QApplication.activeWindow() is None
