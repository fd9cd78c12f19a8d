"""Load and save ``.composer`` files: bounded, checked reads; atomic writes with an optional ``.bak``."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from composer_app.core.atomic import READ_ONLY_PROBLEM, atomic_write_bytes, is_read_only, write_target
from composer_app.core.errors import SongFileError
from composer_app.core.regular_file import read_regular
from composer_app.core.song import Song
from composer_app.project.schema import SchemaError, song_from_dict, song_to_dict

PROJECT_SUFFIX = ".composer"
BACKUP_SUFFIX = ".bak"
MAX_PROJECT_BYTES = 256 * 1024 * 1024
MAX_NUMBER_DIGITS = 100  # far beyond any tick; keeps int() away from its 4,300-digit limit


class _DuplicateKey(ValueError):
    pass


class _BadNumber(ValueError):
    """A number JSON allows but a project never holds (thousands of digits, NaN, Infinity)."""


def backup_path(path: str | Path) -> Path:
    """Where the previous version of ``path`` is kept: ``NAME.composer.bak`` beside it."""
    path = Path(path)
    return path.with_name(path.name + BACKUP_SUFFIX)


def project_bytes(song: Song, path: str | Path = "song.composer") -> bytes:
    """The project file's bytes for ``song``; SongFileError if some text cannot be written as UTF-8."""
    text = json.dumps(song_to_dict(song), ensure_ascii=False, separators=(",", ":"))
    try:
        return text.encode("utf-8")
    except UnicodeEncodeError as exc:
        near = text[max(0, exc.start - 20):exc.end + 20].encode("utf-8", "replace").decode()
        raise SongFileError(path, f"not saved: some text is not valid Unicode (near {near!r}); "
                                  "rename it and save again") from None


def save_project(song: Song, path: str | Path, backup: bool = False, overwrite_read_only: bool = False) -> None:
    """Write ``song`` as a project file, atomically (the old file survives a crash mid-save).

    With ``backup`` the file that was there is first kept as ``NAME.composer.bak``. Saving through a
    symbolic link writes the file it points to; a read-only file is refused (SongFileError) unless
    ``overwrite_read_only``."""
    data = project_bytes(song, path)
    target = write_target(path)
    if target.exists() and not overwrite_read_only and is_read_only(target):
        raise SongFileError(path, READ_ONLY_PROBLEM)
    if backup and target.is_file():
        try:
            old = read_regular(target, "project file", MAX_PROJECT_BYTES)
        except SongFileError as exc:
            raise SongFileError(path, f"not saved: could not keep a backup ({exc.problem})") from None
        atomic_write_bytes(backup_path(target), old, overwrite_read_only=True)
    atomic_write_bytes(target, data, overwrite_read_only=overwrite_read_only)


def _no_duplicates(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    obj: dict[str, Any] = {}
    for key, value in pairs:
        if key in obj:
            raise _DuplicateKey(key)
        obj[key] = value
    return obj


def _int(text: str) -> int:
    if len(text.lstrip("-")) > MAX_NUMBER_DIGITS:
        raise _BadNumber(f"a number with {len(text)} digits")
    return int(text)


def _float(text: str) -> float:
    if len(text) > MAX_NUMBER_DIGITS * 2:
        raise _BadNumber(f"a number with {len(text)} digits")
    return float(text)


def parse_project_text(path: Path, data: bytes) -> Any:
    """The JSON document in ``data``; SongFileError for anything that is not plain, unambiguous JSON."""
    if not data.strip():
        raise SongFileError(path, "the file is empty")
    try:
        return json.loads(data.decode("utf-8"), object_pairs_hook=_no_duplicates, parse_int=_int,
                          parse_float=_float, parse_constant=_reject_constant)
    except UnicodeDecodeError:
        raise SongFileError(path, "not a Composer project (not UTF-8 text)") from None
    except json.JSONDecodeError as exc:
        raise SongFileError(path, f"damaged project file (bad JSON at line {exc.lineno}, "
                                  f"column {exc.colno}: {exc.msg})") from None
    except _DuplicateKey as exc:
        raise SongFileError(path, f"damaged project file (the key {str(exc)[:40]!r} appears twice "
                                  "in one object)") from None
    except _BadNumber as exc:
        raise SongFileError(path, f"damaged project file ({exc})") from None
    except RecursionError:
        raise SongFileError(path, "damaged project file (nested too deeply)") from None


def _reject_constant(name: str) -> Any:
    raise _BadNumber(f"{name} is not a number a project holds")


def load_project(path: str | Path) -> Song:
    """Read a project file; any problem raises SongFileError with one readable line."""
    path = Path(path)
    doc = parse_project_text(path, read_regular(path, "project file", MAX_PROJECT_BYTES))
    try:
        return song_from_dict(doc)
    except SchemaError as exc:
        raise SongFileError(path, f"damaged project file: {exc}") from None
    except RecursionError:
        raise SongFileError(path, "damaged project file (nested too deeply)") from None
