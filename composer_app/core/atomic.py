"""Atomic file writes: a crash mid-save never damages the file that was there before."""

from __future__ import annotations

import os
import tempfile
import time
from pathlib import Path

from composer_app.core.errors import SongFileError

READ_ONLY_PROBLEM = "is read-only; not overwritten (save under another name, or make it writable first)"
STALE_TEMP_SECONDS = 600  # a temp file this old is left over from a save that was killed


def write_target(path: str | Path) -> Path:
    """The file a save to ``path`` really writes: the end of a chain of symbolic links, or ``path`` itself."""
    path = Path(path)
    path = Path(path)
    return Path(os.path.realpath(path)) if path.is_symlink() else path


def atomic_write_bytes(path: str | Path, data: bytes, overwrite_read_only: bool = False) -> None:
    """Write ``data`` to a temp file beside ``path``, flush and fsync it, then rename over ``path``.

    A symbolic link is written through (its target is replaced, the link stays); a read-only file is
    refused unless ``overwrite_read_only``; temp files left by killed saves of the same file are removed."""
    shown = Path(path)
    path = write_target(path)
    directory = path.parent if str(path.parent) else Path(".")
    tmp_name = None
    try:
        # keep an existing file's permissions; a new file gets the usual rw-r--r--
        mode = path.stat().st_mode & 0o777 if path.exists() else 0o644
        if path.exists() and not overwrite_read_only and is_read_only(path):
            raise SongFileError(shown, READ_ONLY_PROBLEM)
        fd, tmp_name = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=directory)
        with os.fdopen(fd, "wb") as fh:
            fh.write(data)
            fh.flush()
            os.fsync(fh.fileno())
        os.chmod(tmp_name, mode)
        os.replace(tmp_name, path)
        tmp_name = None
        _fsync_dir(directory)
    except OSError as exc:
        raise SongFileError(shown, f"could not be written ({exc.strerror or exc})") from None
    finally:
        if tmp_name is not None:
            try:
                os.unlink(tmp_name)
            except OSError:
                pass
    remove_stale_temp_files(path)


def is_read_only(path: Path) -> bool:
    """True for a file its owner marked read-only (no write bit), or that this user may not write."""
    try:
        return not path.stat().st_mode & 0o200 or not os.access(path, os.W_OK)
    except OSError:
        return False


def remove_stale_temp_files(path: str | Path, older_than: float = STALE_TEMP_SECONDS) -> list[Path]:
    """Delete ``.NAME.*.tmp`` files beside ``path`` that killed saves left behind; returns what went."""
    path = Path(path)
    directory = path.parent if str(path.parent) else Path(".")
    removed = []
    cutoff = time.time() - older_than
    try:
        candidates = list(directory.glob(f".{_glob_escape(path.name)}.*.tmp"))
    except OSError:
        return removed
    for tmp in candidates:
        try:
            if tmp.is_file() and not tmp.is_symlink() and tmp.stat().st_mtime < cutoff:
                tmp.unlink()
                removed.append(tmp)
        except OSError:
            pass
    return removed


def _glob_escape(name: str) -> str:
    return "".join(f"[{c}]" if c in "*?[]" else c for c in name)


def _fsync_dir(directory: Path) -> None:
    if os.name != "posix":
        return
    try:
        fd = os.open(directory, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(fd)
    except OSError:
        pass
    finally:
        os.close(fd)
