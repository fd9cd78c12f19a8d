"""Opens song files off the GUI thread on the shared worker (``ui.workers``): newest request wins, stale dropped."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from PySide6.QtCore import QObject, Signal

from composer_app.core.errors import SongFileError
from composer_app.core.song import Song
from composer_app.ui.workers import CancelToken, Worker

OpenFunction = Callable[[Path], Song | tuple[Song, tuple[str, ...]]]
"""Reads a file: the song, or (song, warnings) as ``fileio.open_song_checked`` returns (a file cut short, ...)."""


class SongLoader(QObject):
    """Starts loads and emits ``loaded`` or ``failed`` for the newest request only.

    A song read with warnings (a MIDI file cut short, an early End-of-Track) emits ``loaded`` and then
    ``warned`` with the lines a person must be shown. Any error a reader raises arrives as a SongFileError.
    """

    started = Signal(int, object)  # request id, path
    loaded = Signal(int, object, object)  # request id, path, Song
    warned = Signal(int, object, object)  # request id, path, tuple of warning lines (after ``loaded``)
    failed = Signal(int, object, object)  # request id, path, SongFileError
    busy_changed = Signal(bool)

    def __init__(self, open_song: OpenFunction, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._open_song = open_song
        self._worker = Worker(self, name="composer-loader")
        self._worker.finished.connect(self._on_finished)
        self._worker.failed.connect(self._on_failed)
        self._worker.busy_changed.connect(self.busy_changed)
        self._paths: dict[int, Path] = {}

    @property
    def busy(self) -> bool:
        return self._worker.busy

    @property
    def latest_request(self) -> int:
        return self._worker.latest_request

    def load(self, path: str | Path) -> int:
        """Start opening ``path``; any load still running is superseded. Returns the request id."""
        path = Path(path)
        reader = self._open_song

        def job(_token: CancelToken) -> tuple[Song, tuple[str, ...]]:
            read = reader(path)
            return read if isinstance(read, tuple) else (read, ())

        request_id = self._worker.submit(job)
        self._paths = {request_id: path}
        self.started.emit(request_id, path)
        return request_id

    def cancel(self) -> None:
        """Forget every running load (their results will be dropped)."""
        self._worker.cancel()

    def wait(self, timeout: float | None = None) -> bool:
        """Block until the loads started so far have returned (shutdown, tests)."""
        return self._worker.wait(timeout)

    def _on_finished(self, request_id: int, result: tuple[Song, tuple[str, ...]]) -> None:
        path = self._paths.pop(request_id, Path())
        song, warnings = result
        self.loaded.emit(request_id, path, song)
        if warnings and request_id == self._worker.latest_request:  # still the newest after ``loaded``'s slots
            self.warned.emit(request_id, path, tuple(warnings))

    def _on_failed(self, request_id: int, error: BaseException) -> None:
        path = self._paths.pop(request_id, Path())
        if not isinstance(error, SongFileError):  # a reader bug must not take the window down
            error = SongFileError(path, f"could not be read ({type(error).__name__}: {error})")
        self.failed.emit(request_id, path, error)
