"""Atomic file writes: a crash mid-save never damages the file that was there before."""

from __future__ import annotations

import os
import tempfile
from pathlib import Path

from composer_app.core.errors import SongFileError


def atomic_write_bytes(path: str | Path, data: bytes) -> None:
    """Write ``data`` to a temp file beside ``path``, flush and fsync it, then rename over ``path``."""
    path = Path(path)
    directory = path.parent if str(path.parent) else Path(".")
    tmp_name = None
    try:
        # keep an existing file's permissions; a new file gets the usual rw-r--r--
        mode = path.stat().st_mode & 0o777 if path.exists() else 0o644
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
        raise SongFileError(path, f"could not be written ({exc.strerror or exc})") from None
    finally:
        if tmp_name is not None:
            try:
                os.unlink(tmp_name)
            except OSError:
                pass


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
