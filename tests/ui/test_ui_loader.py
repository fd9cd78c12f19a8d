"""SongLoader: work off the GUI thread, newest request wins, cancelled results are dropped."""

from __future__ import annotations

import threading
from pathlib import Path

from composer_app.core.errors import SongFileError
from composer_app.core.song import Song
from composer_app.ui.loader import SongLoader


def test_a_stale_result_is_dropped(qtbot):
    gate = threading.Event()
    threads = []

    def open_song(path: Path) -> Song:
        threads.append(threading.current_thread())
        if path.name == "slow":
            gate.wait(10)
        return Song(title=path.name)

    loader = SongLoader(open_song)
    results = []
    loader.loaded.connect(lambda rid, path, song: results.append((rid, song.title)))
    first = loader.load("slow")
    with qtbot.waitSignal(loader.loaded, timeout=10_000):
        second = loader.load("fast")
    gate.set()
    loader.wait()
    qtbot.wait(50)  # let a stale queued result arrive, if any
    assert second == first + 1
    assert results == [(second, "fast")]
    assert threading.main_thread() not in threads
    assert not loader.busy


def test_errors_come_back_as_song_file_errors(qtbot):
    def open_song(path: Path) -> Song:
        if path.name == "bug":
            raise KeyError("oops")
        raise SongFileError(path, "damaged")

    loader = SongLoader(open_song)
    with qtbot.waitSignal(loader.failed, timeout=10_000) as blocker:
        loader.load("bad.mid")
    assert str(blocker.args[2]) == "bad.mid: damaged"
    with qtbot.waitSignal(loader.failed, timeout=10_000) as blocker:
        loader.load("bug")
    assert isinstance(blocker.args[2], SongFileError)
    assert "\n" not in str(blocker.args[2])


def test_cancel_drops_the_running_load(qtbot):
    loader = SongLoader(lambda path: Song())
    seen = []
    loader.loaded.connect(lambda *a: seen.append(a))
    loader.load("x")
    loader.cancel()
    loader.wait()
    qtbot.wait(50)
    assert seen == [] and not loader.busy


def test_warnings_follow_the_loaded_song(qtbot):
    def open_checked(path: Path) -> tuple[Song, tuple[str, ...]]:
        return Song(title=path.name), (("the file is cut short",) if path.name == "cut.mid" else ())

    loader = SongLoader(open_checked)
    events = []
    loader.loaded.connect(lambda rid, path, song: events.append(("loaded", song.title)))
    loader.warned.connect(lambda rid, path, warnings: events.append(("warned", path.name, warnings)))
    with qtbot.waitSignal(loader.warned, timeout=10_000):
        loader.load("cut.mid")
    with qtbot.waitSignal(loader.loaded, timeout=10_000):
        loader.load("whole.mid")
    loader.wait()
    qtbot.wait(50)
    assert events == [("loaded", "cut.mid"), ("warned", "cut.mid", ("the file is cut short",)),
                      ("loaded", "whole.mid")]
