"""The composition root: a private runtime dir, and main() opening the file it is given."""

from __future__ import annotations

import os
import stat

from PySide6.QtWidgets import QApplication

from composer_app import app, fileio


def test_runtime_dir_is_private_when_unset(monkeypatch):
    monkeypatch.delenv("XDG_RUNTIME_DIR", raising=False)
    app._private_runtime_dir()
    path = os.environ["XDG_RUNTIME_DIR"]
    assert stat.S_IMODE(os.stat(path).st_mode) == 0o700
    os.rmdir(path)


def test_start_builds_the_window_and_opens_the_file(qapp, qtbot, tmp_path, song):
    path = tmp_path / "start.composer"
    fileio.save_project(song, path)
    window = app.start(qapp, [str(path)])
    qtbot.addWidget(window)
    assert window.isVisible()
    qtbot.waitUntil(lambda: not window.loader.busy, timeout=20_000)
    assert window.document.path == path
    assert window.track_list.model.rowCount() == 2
    assert QApplication.applicationName() == "Composer"
    assert QApplication.organizationName() == "Composer"
