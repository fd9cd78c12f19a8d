"""Recovery copies: one atomically written file per open document, a lock naming the process that owns it.

A copy whose owner is gone (crash, kill, power cut) is an *orphan*: the next start offers it back.
The folder is the caller's (the app passes its user data folder)."""

from __future__ import annotations

import itertools
import json
import os
import secrets
import threading
import time
from dataclasses import dataclass
from pathlib import Path

from composer_app.core.atomic import atomic_write_bytes
from composer_app.core.errors import SongFileError
from composer_app.core.regular_file import read_regular
from composer_app.core.song import Song
from composer_app.project.schema import song_to_dict
from composer_app.project.store import MAX_PROJECT_BYTES, load_project, parse_project_text

RECOVERY_SUFFIX = ".recovery.composer"
LOCK_SUFFIX = ".lock"
_numbers = itertools.count(1)


@dataclass(frozen=True)
class RecoveryInfo:
    """What a recovery copy holds, read without building the song."""

    path: Path
    source: Path | None  # the file the document was opened from or saved to, None for "Untitled"
    name: str  # what the title bar showed
    saved_at: float  # epoch seconds of the copy
    notes: int
    tracks: int

    def source_mtime(self) -> float | None:
        try:
            return self.source.stat().st_mtime if self.source is not None else None
        except OSError:
            return None

    def newer_by(self) -> float | None:
        """Seconds the copy is newer than the saved file (None: no saved file to compare with)."""
        mtime = self.source_mtime()
        return None if mtime is None else self.saved_at - mtime

    def load(self) -> Song:
        return load_project(self.path)

    def discard(self) -> None:
        for p in (self.path, lock_path(self.path)):
            try:
                p.unlink()
            except FileNotFoundError:
                pass


def lock_path(copy: Path) -> Path:
    return copy.with_name(copy.name[: -len(RECOVERY_SUFFIX)] + LOCK_SUFFIX)


def _process_start(pid: int) -> str:
    """The kernel's start time of ``pid`` (tells a reused pid from the original), or "" where unknown."""
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
        return stat.rsplit(")", 1)[1].split()[19]
    except (OSError, IndexError):
        return ""


def _lock_text(pid: int) -> str:
    return json.dumps({"pid": pid, "start": _process_start(pid), "host": os.uname().nodename})


def owner_alive(lock: Path) -> bool:
    """True while the process named in ``lock`` runs; a missing, unreadable or stale lock is False."""
    try:
        info = json.loads(lock.read_text())
        pid, start, host = int(info["pid"]), str(info.get("start", "")), str(info.get("host", ""))
    except (OSError, ValueError, KeyError, TypeError):
        return False
    if host and host != os.uname().nodename:
        return True  # another machine's process (a shared home): not ours to judge
    if pid == os.getpid():
        return start == _process_start(pid)
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        pass  # exists, another user's
    return not start or start == _process_start(pid)


class RecoverySlot:
    """One document's recovery copy: ``write`` replaces it atomically (from any thread), ``clear`` removes it."""

    def __init__(self, folder: str | Path) -> None:
        self.folder = Path(folder)
        ident = f"{os.getpid()}-{next(_numbers)}-{secrets.token_hex(4)}"
        self.path = self.folder / f"{ident}{RECOVERY_SUFFIX}"
        self._lock = threading.Lock()
        self._written = 0  # sequence number of the newest copy on disk
        self._sequence = itertools.count(1)

    @property
    def exists(self) -> bool:
        return self.path.exists()

    def next_sequence(self) -> int:
        """Number a snapshot when it is taken (GUI thread); ``write`` skips any older than the one on disk."""
        return next(self._sequence)

    def write(self, song: Song, source: Path | None, name: str, sequence: int | None = None) -> bool:
        """Write the copy; False when a newer snapshot was written first. Raises SongFileError on failure."""
        seq = sequence if sequence is not None else self.next_sequence()
        doc = song_to_dict(song)
        doc["recovery"] = {"source": str(source) if source is not None else None, "name": name,
                           "saved_at": time.time(), "pid": os.getpid()}
        data = json.dumps(doc, ensure_ascii=True, separators=(",", ":")).encode("ascii")
        with self._lock:
            if seq < self._written:
                return False
            self.folder.mkdir(parents=True, exist_ok=True)
            lock = lock_path(self.path)
            if not lock.exists():
                atomic_write_bytes(lock, _lock_text(os.getpid()).encode())
            atomic_write_bytes(self.path, data)
            self._written = seq
            return True

    def clear(self) -> None:
        """Remove the copy and its lock (the document was saved, discarded or closed cleanly)."""
        with self._lock:
            self._written = next(self._sequence)
            for p in (self.path, lock_path(self.path)):
                try:
                    p.unlink()
                except FileNotFoundError:
                    pass


def read_info(path: Path) -> RecoveryInfo:
    """What the copy at ``path`` holds; SongFileError when it is not a readable recovery copy."""
    doc = parse_project_text(path, read_regular(path, "recovery copy", MAX_PROJECT_BYTES))
    try:
        meta = doc["recovery"]
        notes = sum(len(c["notes"]) for t in doc["tracks"] for c in t["clips"])
        source = meta.get("source")
        return RecoveryInfo(path, Path(source) if source else None, str(meta.get("name") or "Untitled"),
                            float(meta["saved_at"]), notes, len(doc["tracks"]))
    except (KeyError, TypeError, ValueError, AttributeError):
        raise SongFileError(path, "not a recovery copy") from None


def orphans(folder: str | Path) -> list[RecoveryInfo]:
    """Recovery copies whose process is gone, newest first (damaged copies are skipped)."""
    found = []
    try:
        copies = list(Path(folder).glob(f"*{RECOVERY_SUFFIX}"))
    except OSError:
        return []
    for copy in copies:
        if owner_alive(lock_path(copy)):
            continue
        try:
            found.append(read_info(copy))
        except SongFileError:
            continue
    return sorted(found, key=lambda i: i.saved_at, reverse=True)


def claim(info: RecoveryInfo) -> bool:
    """Take an orphan for this process (so a second starting app does not offer it too); False if taken."""
    lock = lock_path(info.path)
    if owner_alive(lock):
        return False
    try:
        atomic_write_bytes(lock, _lock_text(os.getpid()).encode())
    except SongFileError:
        return False
    return True


def release(info: RecoveryInfo) -> None:
    """Give a claimed orphan back (decide later): the next start offers it again."""
    try:
        lock_path(info.path).unlink()
    except FileNotFoundError:
        pass
