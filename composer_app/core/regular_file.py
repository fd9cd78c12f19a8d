"""Reading a file a person pointed at, safely: only regular files, never more than a limit.

Opening without blocking means a FIFO with no writer, a socket or a device is refused at once instead of
hanging the caller; folders, missing files and unreadable ones each give one readable line (SongFileError).
MIDI files, projects, recovery copies and the sniffing of a file's kind all read through here.
"""

from __future__ import annotations

import errno
import os
import stat
from pathlib import Path

from composer_app.core.errors import SongFileError

NOT_REGULAR = "is not a regular file (a pipe, socket or device)"
_FLAGS = os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_BINARY", 0)


def read_regular(path: str | Path, what: str, limit: int | None = None, head: int | None = None) -> bytes:
    """The bytes of the regular file ``path``: all of it (refused when over ``limit`` bytes, also when it grows
    while being read), or only its first ``head`` bytes. ``what`` names the kind of file in messages
    ("MIDI file", "project file", ...)."""
    path = Path(path)
    try:
        fd = os.open(path, _FLAGS)
    except FileNotFoundError:
        raise SongFileError(path, "no such file") from None
    except PermissionError:
        raise SongFileError(path, "permission denied") from None
    except IsADirectoryError:
        raise SongFileError(path, f"is a folder, not a {what}") from None
    except OSError as exc:
        if exc.errno == errno.ENXIO:  # a socket, or a FIFO opened without a writer
            raise SongFileError(path, NOT_REGULAR) from None
        raise SongFileError(path, f"could not be read ({exc.strerror or exc})") from None
    try:
        info = os.fstat(fd)
        if stat.S_ISDIR(info.st_mode):
            raise SongFileError(path, f"is a folder, not a {what}")
        if not stat.S_ISREG(info.st_mode):
            raise SongFileError(path, NOT_REGULAR)
        if head is not None:
            return os.read(fd, head)
        if limit is not None and info.st_size > limit:
            raise SongFileError(path, _too_large(info.st_size, limit, what))
        chunks: list[bytes] = []
        total = 0
        cap = limit + 1 if limit is not None else None
        while cap is None or total < cap:
            chunk = os.read(fd, 1 << 20 if cap is None else min(1 << 20, cap - total))
            if not chunk:
                break
            chunks.append(chunk)
            total += len(chunk)
        if limit is not None and total > limit:  # it grew while we read
            raise SongFileError(path, _too_large(total, limit, what))
        return b"".join(chunks)
    except OSError as exc:
        raise SongFileError(path, f"could not be read ({exc.strerror or exc})") from None
    finally:
        os.close(fd)


def _too_large(size: int, limit: int, what: str) -> str:
    return f"is too large for a {what} ({_amount(size)}; files over {_amount(limit)} are not read)"


def _amount(n: int) -> str:
    return f"{n / 2**20:.0f} MB" if n >= 2**20 else f"{max(n // 1024, 1)} KB"
