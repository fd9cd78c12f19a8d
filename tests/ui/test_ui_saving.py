"""Saving from the window when things go wrong: the message is clear, the edit stays, the old file survives."""

import errno
import os
import threading
from pathlib import Path

import pytest
from PySide6.QtWidgets import QMessageBox

from composer_app import fileio
from composer_app.core import edits
from composer_app.ui.main_window import MainWindow
from composer_app.ui.settings import KEEP_BACKUP

Btn = QMessageBox.StandardButton


@pytest.fixture
def window(qtbot, document, settings):
    win = MainWindow(document, settings, fileio)
    win.show()
    yield win
    document.undo_stack.setClean()
    win.close()
    win.deleteLater()


@pytest.fixture
def boxes(monkeypatch):
    calls = {"critical": [], "warning": [], "question": [], "answer": Btn.Discard, "read_only": Btn.No}

    def critical(parent, title, text, *args, **kwargs):
        calls["critical"].append((title, text))
        return Btn.Ok

    def warning(parent, title, text, *args, **kwargs):
        calls["warning"].append((title, text))
        return calls["answer"]

    def question(parent, title, text, *args, **kwargs):
        calls["question"].append((title, text))
        return calls["read_only"]

    monkeypatch.setattr(QMessageBox, "critical", critical)
    monkeypatch.setattr(QMessageBox, "warning", warning)
    monkeypatch.setattr(QMessageBox, "question", question)
    return calls


def edited(window, song, path: Path):
    fileio.save_project(song, path)
    window.document.load(song, path)
    window.document.apply("Rename", edits.set_title(song, "Edited"))
    return path.read_bytes()


def test_save_runs_off_the_gui_thread(window, song, tmp_path, monkeypatch):
    threads = []
    real = fileio.save_project

    def spy(*args, **kwargs):
        threads.append(threading.current_thread())
        real(*args, **kwargs)

    monkeypatch.setattr(fileio, "save_project", spy)
    edited(window, song, tmp_path / "a.composer")
    assert window.save()
    assert threads[-1] is not threading.main_thread()
    assert not window.document.modified


def test_full_disk_keeps_the_edit_and_the_old_file(window, song, boxes, tmp_path, monkeypatch):
    path = tmp_path / "full.composer"
    before = edited(window, song, path)

    def no_space(_fd):
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr(os, "fsync", no_space)
    assert not window.save()
    monkeypatch.undo()
    assert boxes["critical"] and "No space left on device" in boxes["critical"][0][1]
    assert window.document.modified and window.isWindowModified()
    assert window.document.song.title == "Edited"
    assert path.read_bytes() == before
    assert sorted(p.name for p in tmp_path.iterdir()) == ["full.composer", "full.composer.bak"] or \
        sorted(p.name for p in tmp_path.iterdir()) == ["full.composer"]


def test_vanished_folder_keeps_the_edit(window, song, boxes, tmp_path):
    folder = tmp_path / "gone"
    folder.mkdir()
    path = folder / "v.composer"
    edited(window, song, path)
    path.unlink()
    folder.rmdir()
    assert not window.save()
    assert "could not be written" in boxes["critical"][0][1]
    assert window.document.modified and window.document.song.title == "Edited"


def test_read_only_file_asks_first(window, song, boxes, tmp_path):
    path = tmp_path / "ro.composer"
    before = edited(window, song, path)
    path.chmod(0o444)
    boxes["read_only"] = Btn.No
    assert not window.save()
    assert boxes["question"] and "read-only" in boxes["question"][0][1]
    assert path.read_bytes() == before and window.document.modified
    boxes["read_only"] = Btn.Yes
    assert window.save()
    assert fileio.open_song(path).title == "Edited" and not window.document.modified


def test_backup_follows_the_setting(window, song, boxes, tmp_path, settings):
    path = tmp_path / "b.composer"
    before = edited(window, song, path)
    assert window.save()
    assert (tmp_path / "b.composer.bak").read_bytes() == before
    (tmp_path / "b.composer.bak").unlink()
    settings.set(KEEP_BACKUP, False)
    window.document.apply("Rename", edits.set_title(song, "Again"))
    assert window.save()
    assert not (tmp_path / "b.composer.bak").exists()


def test_a_save_that_fails_on_close_keeps_the_window_and_the_edit(window, song, boxes, tmp_path):
    path = tmp_path / "s.composer"
    fileio.save_project(song, path)
    window.document.load(song, path)
    window.document.apply("Rename", edits.set_title(song, "bad \udc80 name"))  # cannot be UTF-8
    boxes["answer"] = Btn.Save
    assert not window.close()
    assert window.isVisible()
    assert "not valid Unicode" in boxes["critical"][0][1]
    assert window.document.modified and window.document.song.title == "bad \udc80 name"


def test_export_failure_is_a_message(window, song, boxes, tmp_path, monkeypatch):
    window.document.load(song, None)

    def fail(*_a, **_k):
        raise RuntimeError("writer bug")

    monkeypatch.setattr(fileio, "export_midi", fail)
    assert not window.export_to(tmp_path / "x.mid")
    assert "RuntimeError: writer bug" in boxes["critical"][0][1]
