"""Saving and exporting on the background worker: the window stays live, errors become messages, never a loss."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from types import ModuleType
from typing import Any

from PySide6.QtCore import QEventLoop, QObject
from PySide6.QtWidgets import QMessageBox, QWidget

from composer_app.core.atomic import READ_ONLY_PROBLEM
from composer_app.core.errors import SongFileError
from composer_app.core.song import Song
from composer_app.ui.settings import KEEP_BACKUP, Settings
from composer_app.ui.workers import CancelToken, Worker

Btn = QMessageBox.StandardButton


class SaveService(QObject):
    """Writes a song snapshot to a file off the GUI thread and waits for it in a local event loop.

    ``save_project`` / ``export_midi`` return True on success; on failure they have shown the reason
    (through ``show_error``) and the file that was there is untouched. A read-only file is only
    overwritten after the user says so."""

    def __init__(self, window: QWidget, files: ModuleType | Any, settings: Settings,
                 show_error: Callable[[str, SongFileError], None]) -> None:
        super().__init__(window)
        self._window = window
        self._files = files
        self._settings = settings
        self._show_error = show_error
        self.worker = Worker(self, "composer-save")
        self.busy = False

    def save_project(self, song: Song, path: Path) -> bool:
        backup = bool(self._settings.get(KEEP_BACKUP))
        error = self._run(lambda: self._files.save_project(song, path, backup=backup), path)
        if error is not None and error.problem == READ_ONLY_PROBLEM and self._confirm_read_only(path):
            error = self._run(lambda: self._files.save_project(song, path, backup=backup,
                                                               overwrite_read_only=True), path)
        if error is not None:
            self._show_error("Could Not Save", error)
        return error is None

    def export_midi(self, song: Song, path: Path) -> bool:
        error = self._run(lambda: self._files.export_midi(song, path), path)
        if error is not None:
            self._show_error("Could Not Export MIDI", error)
        return error is None

    def _confirm_read_only(self, path: Path) -> bool:
        answer = QMessageBox.question(
            self._window, "File Is Read-Only",
            f"\u201c{path.name}\u201d is read-only.\n\nOverwrite it anyway? Choose No to keep it and save "
            "under another name with Save As.", Btn.Yes | Btn.No, Btn.No)
        return answer == Btn.Yes

    def _run(self, write: Callable[[], None], path: Path) -> SongFileError | None:
        """Run ``write`` on the worker; the GUI keeps painting until it is done. Returns its error, if any."""
        outcome: dict[str, object] = {}
        loop = QEventLoop(self)

        def job(_token: CancelToken) -> None:
            write()

        def finished(request: int, _value: object) -> None:
            if request == rid:
                outcome["ok"] = True
                loop.quit()

        def failed(request: int, error: object) -> None:
            if request == rid:
                outcome["error"] = error
                loop.quit()

        self.worker.finished.connect(finished)
        self.worker.failed.connect(failed)
        self.busy = True
        try:
            rid = self.worker.submit(job, supersede=False)
            loop.exec()
        finally:
            self.busy = False
            self.worker.finished.disconnect(finished)
            self.worker.failed.disconnect(failed)
        error = outcome.get("error")
        if error is None:
            return None
        if isinstance(error, SongFileError):
            return error
        return SongFileError(path, f"could not be written ({type(error).__name__}: {error})")
