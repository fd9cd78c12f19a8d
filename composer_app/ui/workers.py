"""The one way to run long work off the GUI thread: request ids, a cancel token, stale results dropped.

Usage::

    worker = Worker(parent)                       # one Worker per kind of work (loading, export, assistant)
    worker.partial.connect(on_partial)            # (request id, value): streamed by the job
    worker.progress.connect(on_progress)          # (request id, fraction 0..1, text)
    worker.finished.connect(on_result)            # (request id, the job's return value)
    worker.failed.connect(on_error)               # (request id, the exception the job raised)
    worker.cancelled.connect(on_cancelled)        # (request id): cancel() was called for it

    def job(token: CancelToken) -> Song:          # runs on a worker thread; never touch widgets here
        for step in steps:
            token.raise_if_cancelled()            # or: if token.cancelled(): ...; or pass ``token`` as a
            token.emit_partial(step.result)       #     ``cancel: Callable[[], bool]`` (it is callable)
            token.progress(step.fraction, "text")
        return result

    request_id = worker.submit(job)               # a newer submit supersedes (cancels) the running one
    worker.cancel()                               # Esc: the job's token says cancelled; nothing more arrives

Every signal is delivered on the GUI thread, tagged with its request id, and only while that request is
live: once a request is cancelled or superseded, whatever its thread still produces is dropped. A job that
ends by raising after it was cancelled (``Cancelled`` or any other exception) counts as cancelled, not
failed. ``submit(job, supersede=False)`` runs beside the live requests instead of replacing them.
``busy_changed(bool)`` follows whether any request is live; ``wait()`` joins the threads (shutdown, tests).
"""

from __future__ import annotations

import itertools
import threading
from collections.abc import Callable
from typing import Any

from PySide6.QtCore import QObject, Signal


class Cancelled(Exception):
    """Raised inside a job by ``CancelToken.raise_if_cancelled`` once its request was cancelled."""


class CancelToken:
    """Handed to a job: asks whether the request was cancelled and streams partial results and progress.

    Calling the token (``token()``) is the same as ``token.cancelled()``, so it can be passed wherever an
    engine takes ``cancel: Callable[[], bool]``.
    """

    def __init__(self, request_id: int, report: Callable[[int, str, object], None]) -> None:
        self.request_id = request_id
        self._event = threading.Event()
        self._report = report

    def cancelled(self) -> bool:
        return self._event.is_set()

    __call__ = cancelled

    def raise_if_cancelled(self) -> None:
        if self._event.is_set():
            raise Cancelled(f"request {self.request_id} was cancelled")

    def cancel(self) -> None:
        self._event.set()

    def emit_partial(self, value: object) -> None:
        """Send one streamed result (e.g. a finished candidate) to the GUI thread."""
        if not self._event.is_set():
            self._report(self.request_id, "partial", value)

    def progress(self, fraction: float, text: str = "") -> None:
        """Report how far the job is (0..1) with an optional short text."""
        if not self._event.is_set():
            self._report(self.request_id, "progress", (float(fraction), text))


Job = Callable[[CancelToken], Any]


class _Relay(QObject):
    """Lives on the GUI thread; a worker thread's emit is queued to it, in order."""

    event = Signal(int, str, object)  # request id, kind, payload


class Worker(QObject):
    """Runs jobs on their own threads and reports back on the GUI thread for live requests only."""

    started = Signal(int)
    partial = Signal(int, object)
    progress = Signal(int, float, str)
    finished = Signal(int, object)
    failed = Signal(int, object)
    cancelled = Signal(int)
    busy_changed = Signal(bool)

    _ids = itertools.count(1)  # unique across workers, so an id never means two requests

    def __init__(self, parent: QObject | None = None, name: str = "composer-worker") -> None:
        super().__init__(parent)
        self._name = name
        self._relay = _Relay(self)
        self._relay.event.connect(self._on_event)
        self._live: dict[int, CancelToken] = {}
        self._threads: dict[int, threading.Thread] = {}
        self._latest = 0

    @property
    def busy(self) -> bool:
        return bool(self._live)

    @property
    def latest_request(self) -> int:
        return self._latest

    def is_live(self, request_id: int) -> bool:
        return request_id in self._live

    def submit(self, job: Job, *, supersede: bool = True) -> int:
        """Start ``job(token)`` on a new thread and return its request id; by default cancel the live ones."""
        if supersede:
            self._drop_all(announce=False)
        request_id = next(self._ids)
        token = CancelToken(request_id, self._relay.event.emit)
        was_busy = self.busy
        self._live[request_id] = token
        self._latest = request_id
        thread = threading.Thread(target=self._run, args=(job, token), name=f"{self._name}-{request_id}",
                                  daemon=True)
        self._threads = {rid: t for rid, t in self._threads.items() if t.is_alive()}
        self._threads[request_id] = thread
        thread.start()
        self.started.emit(request_id)
        if not was_busy:
            self.busy_changed.emit(True)
        return request_id

    def cancel(self, request_id: int | None = None) -> None:
        """Cancel one request (or every live one); ``cancelled`` is emitted at once, later output dropped."""
        if request_id is None:
            self._drop_all(announce=True)
            return
        token = self._live.pop(request_id, None)
        if token is not None:
            token.cancel()
            self.cancelled.emit(request_id)
            if not self._live:
                self.busy_changed.emit(False)

    def wait(self, timeout: float | None = None) -> bool:
        """Join every thread started so far (``timeout`` seconds in all); True when none is left running."""
        for thread in list(self._threads.values()):
            thread.join(timeout)
        return not any(t.is_alive() for t in self._threads.values())

    def running_threads(self) -> int:
        """How many job threads are still executing (cancelled ones included until they return)."""
        return sum(t.is_alive() for t in self._threads.values())

    def _drop_all(self, announce: bool) -> None:
        if not self._live:
            return
        live, self._live = self._live, {}
        for request_id, token in live.items():
            token.cancel()
            if announce:
                self.cancelled.emit(request_id)
        self.busy_changed.emit(False)

    @staticmethod
    def _run(job: Job, token: CancelToken) -> None:
        report = token._report
        try:
            result = job(token)
        except Exception as error:  # noqa: BLE001 - every error reaches the GUI as a message
            if not token.cancelled():
                report(token.request_id, "failed", error)
            return
        if not token.cancelled():
            report(token.request_id, "finished", result)

    def _on_event(self, request_id: int, kind: str, payload: object) -> None:
        token = self._live.get(request_id)
        if token is None or token.cancelled():
            return  # stale: cancelled or superseded
        if kind == "partial":
            self.partial.emit(request_id, payload)
        elif kind == "progress":
            fraction, text = payload  # type: ignore[misc]
            self.progress.emit(request_id, fraction, text)
        else:
            del self._live[request_id]
            if kind == "finished":
                self.finished.emit(request_id, payload)
            else:
                self.failed.emit(request_id, payload)
            if not self._live:
                self.busy_changed.emit(False)
