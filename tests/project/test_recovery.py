"""Recovery copies on disk: atomic, one per document, orphans recognised by a dead owner, never by guessing."""

import json
import os
import subprocess
import sys

from composer_app.core import edits
from composer_app.project import recovery
from composer_app.project.recovery import RecoverySlot, claim, lock_path, orphans, owner_alive, read_info, release
from tests.project.test_store import rich_song


def _dead_pid() -> int:
    child = subprocess.Popen([sys.executable, "-c", "pass"])
    child.wait()
    return child.pid


def _orphan(slot: RecoverySlot, pid: int | None = None) -> None:
    """Make ``slot``'s copy look as if its process died (a crash or kill)."""
    lock_path(slot.path).write_text(json.dumps({"pid": pid or _dead_pid(), "start": "1", "host": os.uname().nodename}))


def test_a_copy_restores_the_same_song(tmp_path):
    slot = RecoverySlot(tmp_path)
    song = rich_song()
    assert slot.write(song, tmp_path / "a.composer", "a.composer")
    info = read_info(slot.path)
    assert info.load() == song
    assert (info.notes, info.tracks, info.name, info.source) == (6, 2, "a.composer", tmp_path / "a.composer")
    assert [p.name for p in tmp_path.iterdir() if p.name.startswith(".")] == []  # atomic: no temp files


def test_a_live_owner_is_not_an_orphan_and_a_dead_one_is(tmp_path):
    slot = RecoverySlot(tmp_path)
    slot.write(rich_song(), None, "Untitled")
    assert owner_alive(lock_path(slot.path))
    assert orphans(tmp_path) == []
    _orphan(slot)
    found = orphans(tmp_path)
    assert [i.path for i in found] == [slot.path] and found[0].source is None


def test_a_reused_pid_is_recognised_as_stale(tmp_path):
    slot = RecoverySlot(tmp_path)
    slot.write(rich_song(), None, "Untitled")
    # the pid runs (it is ours) but it started at another time: a new process that reused the pid
    lock_path(slot.path).write_text(json.dumps({"pid": os.getpid(), "start": "12345", "host": os.uname().nodename}))
    assert not owner_alive(lock_path(slot.path))
    assert len(orphans(tmp_path)) == 1


def test_missing_or_garbage_locks_mean_orphans(tmp_path):
    slot = RecoverySlot(tmp_path)
    slot.write(rich_song(), None, "x")
    lock_path(slot.path).write_text("garbage")
    assert len(orphans(tmp_path)) == 1
    lock_path(slot.path).unlink()
    assert len(orphans(tmp_path)) == 1


def test_documents_never_share_a_copy(tmp_path):
    slots = [RecoverySlot(tmp_path) for _ in range(5)]
    songs = [edits.set_title(rich_song(), f"song {i}") for i in range(5)]
    for slot, song in zip(slots, songs):
        slot.write(song, None, song.title)
    assert len({s.path for s in slots}) == 5
    for slot, song in zip(slots, songs):
        assert read_info(slot.path).load() == song


def test_an_older_snapshot_never_overwrites_a_newer_one(tmp_path):
    slot = RecoverySlot(tmp_path)
    first, second = slot.next_sequence(), slot.next_sequence()
    assert slot.write(edits.set_title(rich_song(), "new"), None, "x", second)
    assert not slot.write(edits.set_title(rich_song(), "old"), None, "x", first)  # a slow worker finishing late
    assert read_info(slot.path).load().title == "new"


def test_clear_removes_copy_and_lock(tmp_path):
    slot = RecoverySlot(tmp_path)
    slot.write(rich_song(), None, "x")
    slot.clear()
    assert list(tmp_path.iterdir()) == []


def test_claim_and_release(tmp_path):
    slot = RecoverySlot(tmp_path)
    slot.write(rich_song(), None, "x")
    _orphan(slot)
    info = orphans(tmp_path)[0]
    assert claim(info)
    assert orphans(tmp_path) == []  # a second app starting now does not offer it too
    release(info)
    assert len(orphans(tmp_path)) == 1
    info.discard()
    assert list(tmp_path.iterdir()) == []


def test_damaged_copies_are_skipped(tmp_path):
    (tmp_path / f"junk{recovery.RECOVERY_SUFFIX}").write_text("{not json")
    slot = RecoverySlot(tmp_path)
    slot.write(rich_song(), None, "x")
    _orphan(slot)
    assert [i.path for i in orphans(tmp_path)] == [slot.path]


def test_a_song_with_a_lone_surrogate_still_gets_a_copy(tmp_path):
    slot = RecoverySlot(tmp_path)
    slot.write(edits.set_title(rich_song(), "bad \udc80"), None, "x")
    assert read_info(slot.path).load().title == "bad \ufffd"
