"""Autosave: after changes, a recovery copy every N seconds and on focus loss, written off the GUI thread."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import QObject, Qt, QTimer, Signal
from PySide6.QtGui import QGuiApplication

from composer_app.core.errors import SongFileError
from composer_app.project.recovery import RecoverySlot
from composer_app.ui.document import SongDocument
from composer_app.ui.settings import AUTOSAVE_SECONDS, Settings
from composer_app.ui.workers import CancelToken, Worker


class Autosave(QObject):
    """Keeps ``slot`` (this document's recovery copy) up to date while the document has unsaved changes,
    and removes it once the document matches its file again (saved, reverted, replaced)."""

    written = Signal(object)  # Path of the copy
    failed = Signal(str)  # one line: why the copy could not be written

    def __init__(self, document: SongDocument, settings: Settings, folder: str | Path,
                 parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.document = document
        self.settings = settings
        self.slot = RecoverySlot(folder)
        self.worker = Worker(self, "composer-autosave")
        self.worker.finished.connect(self._on_written)
        self.worker.failed.connect(self._on_failed)
        self._dirty = False
        self._timer = QTimer(self)
        self._timer.setSingleShot(True)
        self._timer.timeout.connect(self.save_now)
        document.song_changed.connect(self._on_changed)
        document.modified_changed.connect(self._on_modified)
        app = QGuiApplication.instance()
        if isinstance(app, QGuiApplication):
            app.applicationStateChanged.connect(self._on_app_state)

    @property
    def interval_ms(self) -> int:
        return max(0, int(self.settings.get(AUTOSAVE_SECONDS))) * 1000

    @property
    def pending(self) -> bool:
        """True when the document has changes no recovery copy holds yet."""
        return self._dirty and self.document.modified

    def _on_changed(self, _old: object, _new: object) -> None:
        self._dirty = True
        if self.interval_ms and not self._timer.isActive():
            self._timer.start(self.interval_ms)

    def _on_modified(self, modified: bool) -> None:
        if not modified:
            self._timer.stop()
            self._dirty = False
            self.slot.clear()

    def _on_app_state(self, state: Qt.ApplicationState) -> None:
        if state != Qt.ApplicationState.ApplicationActive and self.interval_ms:
            self.save_now()

    def save_now(self, wait: bool = False) -> bool:
        """Write a recovery copy if there are unsaved changes (``wait``: on this thread, before returning).

        Returns True when a copy was written or started."""
        self._timer.stop()
        if not self.document.modified:
            return False
        if not self._dirty and self.slot.exists:
            return False
        song, path, name = self.document.song, self.document.path, self.document.display_name
        sequence = self.slot.next_sequence()
        self._dirty = False
        if wait:
            try:
                self.slot.write(song, path, name, sequence)
            except SongFileError as error:
                self._dirty = True
                self.failed.emit(str(error))
                return False
            self.written.emit(self.slot.path)
            return True

        def job(_token: CancelToken) -> Path:
            self.slot.write(song, path, name, sequence)
            return self.slot.path

        self.worker.submit(job, supersede=False)
        return True

    def discard(self) -> None:
        """Forget the copy (the user saved or discarded the changes and closed)."""
        self._timer.stop()
        self.worker.wait(5)
        self._dirty = False
        self.slot.clear()

    def _on_written(self, _request: int, path: object) -> None:
        if not self.document.modified:  # saved while the copy was being written
            self.slot.clear()
            return
        self.written.emit(path)

    def _on_failed(self, _request: int, error: object) -> None:
        self._dirty = True
        self.failed.emit(str(error))
