"""Load and save ``.composer`` files: size and JSON checks on load, atomic writes on save."""

from __future__ import annotations

import json
from pathlib import Path

from composer_app.core.atomic import atomic_write_bytes
from composer_app.core.errors import SongFileError
from composer_app.core.song import Song
from composer_app.project.schema import SchemaError, song_from_dict, song_to_dict

PROJECT_SUFFIX = ".composer"
MAX_PROJECT_BYTES = 256 * 1024 * 1024


def save_project(song: Song, path: str | Path) -> None:
    """Write ``song`` as a project file, atomically (the old file survives a crash mid-save)."""
    text = json.dumps(song_to_dict(song), ensure_ascii=False, separators=(",", ":"))
    atomic_write_bytes(path, text.encode("utf-8"))


def load_project(path: str | Path) -> Song:
    """Read a project file; any problem raises SongFileError with one readable line."""
    path = Path(path)
    try:
        size = path.stat().st_size
        if size > MAX_PROJECT_BYTES:
            raise SongFileError(path, f"too large for a project file ({size // 2**20} MB)")
        data = path.read_bytes()
    except FileNotFoundError:
        raise SongFileError(path, "no such file") from None
    except IsADirectoryError:
        raise SongFileError(path, "is a folder, not a project file") from None
    except OSError as exc:
        raise SongFileError(path, f"cannot read: {exc.strerror or exc}") from None
    if not data.strip():
        raise SongFileError(path, "the file is empty")
    try:
        doc = json.loads(data.decode("utf-8"))
    except UnicodeDecodeError:
        raise SongFileError(path, "not a Composer project (not UTF-8 text)") from None
    except json.JSONDecodeError as exc:
        raise SongFileError(path, f"damaged project file (bad JSON at line {exc.lineno}, "
                                  f"column {exc.colno}: {exc.msg})") from None
    except RecursionError:
        raise SongFileError(path, "damaged project file (nested too deeply)") from None
    try:
        return song_from_dict(doc)
    except SchemaError as exc:
        raise SongFileError(path, f"damaged project file: {exc}") from None
    except RecursionError:
        raise SongFileError(path, "damaged project file (nested too deeply)") from None
