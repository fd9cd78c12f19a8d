"""Worker: jobs on real threads, results on the GUI thread, cancel tokens, superseded results dropped."""

from __future__ import annotations

import threading

import pytest

from composer_app.ui.workers import Cancelled, CancelToken, Worker


@pytest.fixture
def worker(qtbot):
    w = Worker()
    yield w
    w.cancel()
    assert w.wait(10)


def test_result_arrives_on_the_gui_thread_tagged_with_its_request(qtbot, worker):
    seen: list[tuple[int, object, bool]] = []
    ran_on: list[threading.Thread] = []

    def job(token: CancelToken) -> int:
        ran_on.append(threading.current_thread())
        return 6 * 7

    worker.finished.connect(lambda rid, value: seen.append((rid, value, threading.current_thread() is
                                                            threading.main_thread())))
    with qtbot.waitSignal(worker.finished, timeout=10_000):
        rid = worker.submit(job)
    assert seen == [(rid, 42, True)]
    assert ran_on and ran_on[0] is not threading.main_thread()
    assert not worker.busy


def test_partials_and_progress_stream_in_order_before_the_result(qtbot, worker):
    events: list[tuple[str, object]] = []

    def job(token: CancelToken) -> str:
        for i in range(5):
            token.emit_partial(i)
            token.progress((i + 1) / 5, f"step {i}")
        return "done"

    worker.partial.connect(lambda rid, v: events.append(("partial", v)))
    worker.progress.connect(lambda rid, f, text: events.append(("progress", text)))
    worker.finished.connect(lambda rid, v: events.append(("finished", v)))
    with qtbot.waitSignal(worker.finished, timeout=10_000):
        worker.submit(job)
    assert [v for k, v in events if k == "partial"] == [0, 1, 2, 3, 4]
    assert events[-1] == ("finished", "done")
    assert ("progress", "step 4") in events


def test_cancel_stops_the_job_and_drops_its_output(qtbot, worker):
    started, stopped = threading.Event(), threading.Event()
    results: list[object] = []

    def job(token: CancelToken) -> str:
        started.set()
        while True:  # runs until told to stop
            token.raise_if_cancelled()
            token.emit_partial("tick")
            threading.Event().wait(0.005)

    def watched(token: CancelToken) -> str:
        try:
            return job(token)
        except Cancelled:
            stopped.set()
            raise

    worker.finished.connect(lambda *a: results.append(a))
    worker.failed.connect(lambda *a: results.append(a))
    rid = worker.submit(watched)
    assert started.wait(10)
    with qtbot.waitSignal(worker.cancelled, timeout=1000) as blocker:
        worker.cancel()
    assert blocker.args == [rid]
    assert worker.wait(10)
    assert stopped.is_set()
    assert worker.running_threads() == 0
    partials: list[object] = []
    worker.partial.connect(lambda *a: partials.append(a))
    qtbot.wait(50)  # anything still queued from the cancelled job must be dropped
    assert partials == [] and results == []
    assert not worker.busy


def test_a_newer_request_supersedes_the_running_one(qtbot, worker):
    gate = threading.Event()
    tokens: list[CancelToken] = []
    results: list[tuple[int, object]] = []

    def slow(token: CancelToken) -> str:
        tokens.append(token)
        gate.wait(10)
        return "slow"

    worker.finished.connect(lambda rid, v: results.append((rid, v)))
    first = worker.submit(slow)
    with qtbot.waitSignal(worker.finished, timeout=10_000):
        second = worker.submit(lambda token: "fast")
    gate.set()
    assert worker.wait(10)
    qtbot.wait(50)
    assert second > first
    assert results == [(second, "fast")]
    assert tokens[0].cancelled()
    assert not worker.is_live(first)


def test_errors_become_failed_and_errors_after_cancel_are_dropped(qtbot, worker):
    with qtbot.waitSignal(worker.failed, timeout=10_000) as blocker:
        rid = worker.submit(lambda token: 1 / 0)
    assert blocker.args[0] == rid and isinstance(blocker.args[1], ZeroDivisionError)

    gate = threading.Event()
    failures: list[object] = []
    worker.failed.connect(lambda *a: failures.append(a))

    def breaks_after_cancel(token: CancelToken) -> None:
        gate.wait(10)
        raise RuntimeError("engine gave up")

    worker.submit(breaks_after_cancel)
    worker.cancel()
    gate.set()
    assert worker.wait(10)
    qtbot.wait(50)
    assert failures == []


def test_side_by_side_requests_all_deliver_and_busy_follows_them(qtbot, worker):
    busy: list[bool] = []
    worker.busy_changed.connect(busy.append)
    gate = threading.Event()
    results: list[object] = []
    worker.finished.connect(lambda rid, v: results.append(v))
    worker.submit(lambda token: (gate.wait(10), "a")[1])
    worker.submit(lambda token: (gate.wait(10), "b")[1], supersede=False)
    assert worker.busy
    gate.set()
    qtbot.waitUntil(lambda: len(results) == 2, timeout=10_000)
    assert sorted(results) == ["a", "b"]
    assert busy == [True, False]


def test_the_token_is_a_cancel_callable(qtbot):
    token = CancelToken(7, lambda *a: None)
    assert token() is False
    token.cancel()
    assert token() is True
    with pytest.raises(Cancelled):
        token.raise_if_cancelled()
