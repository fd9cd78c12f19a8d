"""Autosave and crash recovery: copies after changes, cleaned up after saves, restored after a kill."""

import json
import os
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication, QMessageBox

from composer_app import fileio
from composer_app.core import edits
from composer_app.core.song import Clip, Note
from composer_app.project.recovery import RecoverySlot, lock_path, orphans, read_info
from composer_app.ui import recovery
from composer_app.ui.main_window import MainWindow
from composer_app.ui.recovery import DISCARD, LATER, RESTORE, describe, install_recovery
from composer_app.ui.settings import AUTOSAVE_SECONDS

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture
def folder(tmp_path):
    return tmp_path / "recovery"


@pytest.fixture
def window(qtbot, document, settings, folder):
    settings.set(AUTOSAVE_SECONDS, 1)
    win = MainWindow(document, settings, fileio)
    install_recovery(win, document, settings, folder)
    yield win
    win.recovery.autosave.worker.wait(5)
    document.undo_stack.setClean()  # close without asking
    win.close()
    win.deleteLater()


def draw(window, pitch=60):
    doc = window.document
    if not doc.song.tracks:
        doc.apply("Add Track", edits.add_track(doc.song))
        doc.apply("Add Clip", edits.add_clip(doc.song, doc.song.tracks[0].id, Clip(0, 1920)))
    clip = doc.song.tracks[0].clips[0]
    doc.apply("Draw Note", edits.add_notes(doc.song, clip.id, [Note(pitch, 0, 240)]))


def kill_owner(path: Path) -> None:
    child = subprocess.Popen([sys.executable, "-c", "pass"])
    child.wait()
    lock_path(path).write_text(json.dumps({"pid": child.pid, "start": "1", "host": os.uname().nodename}))


def test_changes_are_copied_off_the_gui_thread_within_the_interval(qtbot, window):
    threads = []
    real = RecoverySlot.write

    def spy(self, *args, **kwargs):
        threads.append(threading.current_thread())
        return real(self, *args, **kwargs)

    slot = window.recovery.autosave.slot
    slot.write = spy.__get__(slot)
    draw(window)
    with qtbot.waitSignal(window.recovery.autosave.written, timeout=5000):
        pass
    assert threads[-1] is not threading.main_thread()
    assert read_info(slot.path).load() == window.document.song


def test_no_copy_without_changes_and_none_after_a_save(qtbot, window, tmp_path):
    slot = window.recovery.autosave.slot
    assert not window.recovery.autosave.save_now()
    draw(window)
    assert window.recovery.save_now() and slot.exists
    assert window.save_to(tmp_path / "saved.composer")
    assert not slot.exists and not lock_path(slot.path).exists()


def test_undo_back_to_the_saved_state_removes_the_copy(qtbot, window):
    draw(window)
    window.document.undo_stack.setClean()
    draw(window, 62)
    window.recovery.save_now()
    assert window.recovery.autosave.slot.exists
    window.document.undo_stack.undo()
    assert not window.recovery.autosave.slot.exists


def test_focus_loss_writes_a_copy_at_once(qtbot, window, settings):
    settings.set(AUTOSAVE_SECONDS, 3600)
    draw(window)
    with qtbot.waitSignal(window.recovery.autosave.written, timeout=5000):
        QApplication.instance().applicationStateChanged.emit(Qt.ApplicationState.ApplicationInactive)


def test_two_windows_keep_separate_copies(qtbot, document, settings, folder, song):
    from composer_app.ui.document import SongDocument

    wins = []
    for title in ("one", "two"):
        doc = SongDocument()
        win = MainWindow(doc, settings, fileio)
        install_recovery(win, doc, settings, folder)
        doc.apply("Load", edits.set_title(song, title))
        win.recovery.save_now()
        wins.append(win)
    paths = [w.recovery.autosave.slot.path for w in wins]
    assert paths[0] != paths[1]
    assert [read_info(p).load().title for p in paths] == ["one", "two"]
    assert orphans(folder) == []  # both owners are alive
    for w in wins:
        w.document.undo_stack.setClean()
        w.close()
        w.deleteLater()


def test_restore_makes_the_copy_an_undoable_unsaved_change(qtbot, window, folder, tmp_path, song):
    saved = tmp_path / "song.composer"
    fileio.save_project(song, saved)
    crashed = RecoverySlot(folder)
    recovered = edits.set_title(song, "after the crash")
    crashed.write(recovered, saved, "song.composer")
    kill_owner(crashed.path)
    questions = []
    assert window.recovery.offer(lambda _w, info: (questions.append(describe(info)), RESTORE)[1])
    assert "song.composer" in questions[0] and "12 notes in 2 tracks" in questions[0]
    assert "newer than the saved file" in questions[0]
    assert window.document.song == recovered and window.document.modified
    assert window.document.path == saved
    window.document.undo_stack.undo()
    assert window.document.song == song and not window.document.modified
    assert not crashed.path.exists() and not lock_path(crashed.path).exists()


def test_discard_removes_and_later_keeps(qtbot, window, folder, song):
    first, second = RecoverySlot(folder), RecoverySlot(folder)
    first.write(song, None, "Untitled")
    time.sleep(0.01)
    second.write(edits.set_title(song, "newer"), None, "Untitled")
    kill_owner(first.path)
    kill_owner(second.path)
    answers = iter([DISCARD, LATER])
    assert not window.recovery.offer(lambda _w, _info: next(answers))
    assert not second.path.exists()  # newest first: discarded
    assert [i.path for i in orphans(folder)] == [first.path]  # offered again next time
    assert not window.document.modified


def test_describe_says_what_the_copy_holds(tmp_path, song):
    slot = RecoverySlot(tmp_path)
    slot.write(song, None, "Untitled")
    text = describe(read_info(slot.path))
    assert "\u201cUntitled\u201d" in text and "12 notes in 2 tracks" in text and "never saved" in text


def test_the_recovery_dialog_has_three_answers(qtbot, tmp_path, song, monkeypatch):
    slot = RecoverySlot(tmp_path)
    slot.write(song, None, "Untitled")
    seen = []

    def exec_(box):
        seen.append([b.text() for b in box.buttons()])
        box.buttons()[0].click()
        return 0

    monkeypatch.setattr(QMessageBox, "exec", exec_)
    assert recovery.ask(None, read_info(slot.path)) in (RESTORE, DISCARD, LATER)
    assert sorted(seen[0]) == ["&Discard", "&Restore", "Decide &Later"]


# ------------------------------------------------------------ the real app in a child process


def _start(mode: str, env: dict, *args: str) -> subprocess.Popen:
    return subprocess.Popen([sys.executable, "-m", "tests.ui.recovery_child", mode, *args], cwd=ROOT, env=env,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)


def _read(child: subprocess.Popen, kind: str, timeout: float = 60):
    deadline = time.time() + timeout
    while time.time() < deadline:
        line = child.stdout.readline()
        if not line:
            break
        try:
            got, value = json.loads(line)
        except (ValueError, TypeError):
            continue  # a library's own chatter on stdout (pyfluidsynth says where it found FluidSynth)
        if got == kind:
            return value
    child.kill()
    raise AssertionError(f"no {kind!r} from the child: {child.stderr.read()[-2000:]}")


@pytest.fixture
def child_env(tmp_path):
    config = tmp_path / "config"
    (config / "Composer").mkdir(parents=True)
    (config / "Composer" / "Composer.conf").write_text("[files]\nautosave_seconds=1\n")
    return dict(os.environ, XDG_DATA_HOME=str(tmp_path / "data"), XDG_CONFIG_HOME=str(config),
                QT_QPA_PLATFORM="offscreen", PYTHONPATH=str(ROOT))


def _restart_and_recover(child_env) -> dict:
    again = _start("restore", child_env)
    offered = _read(again, "offered")
    state = _read(again, "state")
    assert again.wait(60) == 0
    assert len(offered) == 1
    return state


@pytest.mark.parametrize("how", ["SIGKILL", "SIGTERM"])
def test_killed_app_recovers_every_note_on_the_next_start(child_env, tmp_path, how):
    child = _start("edit", child_env, "5")
    edited = _read(child, "edited")
    assert len(edited) == 30
    if how == "SIGKILL":
        assert _read(child, "autosaved") == edited  # the copy holds every edit; no save happened
        child.send_signal(signal.SIGKILL)
    else:
        child.send_signal(signal.SIGTERM)  # before any timer fired: the handler writes the copy itself
    child.wait(60)
    state = _restart_and_recover(child_env)
    assert state["notes"] == edited and state["modified"]
    # the orphan went once restored; the restored document's own copy went when it was marked saved
    assert list((tmp_path / "data" / "Composer" / "Composer" / "recovery").iterdir()) == []


def test_preferences_set_the_interval_and_the_backup(qtbot, settings, plugged):
    from composer_app.ui.preferences import PreferencesDialog
    from composer_app.ui.settings import KEEP_BACKUP

    assert settings.get(AUTOSAVE_SECONDS) == 60 and settings.get(KEEP_BACKUP) is True  # the defaults
    dialog = PreferencesDialog(settings, None)
    qtbot.addWidget(dialog)
    dialog.files_page.autosave.setValue(120)
    dialog.files_page.backup.setChecked(False)
    dialog.apply()
    assert settings.get(AUTOSAVE_SECONDS) == 120 and settings.get(KEEP_BACKUP) is False
