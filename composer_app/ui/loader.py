"""Opens song files on a worker thread; each request has an id and stale results are dropped."""

from __future__ import annotations

import threading
from collections.abc import Callable
from pathlib import Path

from PySide6.QtCore import QObject, QRunnable, QThreadPool, Signal

from composer_app.core.errors import SongFileError
from composer_app.core.song import Song

OpenFunction = Callable[[Path], Song | tuple[Song, tuple[str, ...]]]
"""Reads a file: the song, or (song, warnings) as ``fileio.open_song_checked`` returns (a file cut short, ...)."""


class _Relay(QObject):
    """Carries a worker's result back to the GUI thread (queued across threads)."""

    done = Signal(int, object, object)  # request id, path, (Song, warnings) or SongFileError


class _LoadJob(QRunnable):
    def __init__(self, request_id: int, path: Path, open_song: OpenFunction, relay: _Relay,
                 cancelled: threading.Event) -> None:
        super().__init__()
        self.setAutoDelete(True)
        self._request_id = request_id
        self._path = path
        self._open_song = open_song
        self._relay = relay
        self._cancelled = cancelled

    def run(self) -> None:
        try:
            read = self._open_song(self._path)
            result: object = read if isinstance(read, tuple) else (read, ())
        except SongFileError as exc:
            result = exc
        except Exception as exc:  # a reader bug must not take the window down
            result = SongFileError(self._path, f"could not be read ({type(exc).__name__}: {exc})")
        if not self._cancelled.is_set():
            self._relay.done.emit(self._request_id, self._path, result)


class SongLoader(QObject):
    """Starts loads and emits ``loaded`` or ``failed`` for the newest request only.

    A song read with warnings (a MIDI file cut short, an early End-of-Track) emits ``loaded`` and then
    ``warned`` with the lines a person must be shown.
    """

    started = Signal(int, object)  # request id, path
    loaded = Signal(int, object, object)  # request id, path, Song
    warned = Signal(int, object, object)  # request id, path, tuple of warning lines (after ``loaded``)
    failed = Signal(int, object, object)  # request id, path, SongFileError
    busy_changed = Signal(bool)

    def __init__(self, open_song: OpenFunction, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._open_song = open_song
        self._pool = QThreadPool(self)
        self._pool.setMaxThreadCount(2)
        self._relay = _Relay(self)
        self._relay.done.connect(self._on_done)
        self._latest = 0
        self._cancelled: dict[int, threading.Event] = {}

    @property
    def busy(self) -> bool:
        return bool(self._cancelled)

    @property
    def latest_request(self) -> int:
        return self._latest

    def load(self, path: str | Path) -> int:
        """Start opening ``path``; any load still running is superseded. Returns the request id."""
        self.cancel()
        self._latest += 1
        flag = threading.Event()
        self._cancelled[self._latest] = flag
        self._pool.start(_LoadJob(self._latest, Path(path), self._open_song, self._relay, flag))
        self.started.emit(self._latest, Path(path))
        self.busy_changed.emit(True)
        return self._latest

    def cancel(self) -> None:
        """Forget every running load (their results will be dropped)."""
        was_busy = self.busy
        for flag in self._cancelled.values():
            flag.set()
        self._cancelled.clear()
        if was_busy:
            self.busy_changed.emit(False)

    def wait(self, msecs: int = -1) -> bool:
        """Block until the workers are idle (shutdown, tests)."""
        return self._pool.waitForDone(msecs)

    def _on_done(self, request_id: int, path: Path, result: object) -> None:
        flag = self._cancelled.pop(request_id, None)
        if flag is None or flag.is_set() or request_id != self._latest:
            return  # stale: a newer request or a cancel came first
        self.busy_changed.emit(False)
        if isinstance(result, SongFileError):
            self.failed.emit(request_id, path, result)
        else:
            song, warnings = result  # type: ignore[misc]
            self.loaded.emit(request_id, path, song)
            if warnings and request_id == self._latest:  # still the newest after ``loaded``'s slots
                self.warned.emit(request_id, path, tuple(warnings))
