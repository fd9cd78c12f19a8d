"""A per-file JSON cache of parsed pieces in the user cache dir (never the repo or the datasets)."""

from __future__ import annotations

import hashlib
import json
import os
from collections.abc import Callable
from pathlib import Path

from composer_app.core.pitch import KeySignature
from composer_app.training.corpus import Part, Piece

CACHE_VERSION = 3
"""Bump when a reader's output changes, so stale entries are ignored."""


def cache_dir() -> Path | None:
    """``$COMPOSER_TRAINING_CACHE``, else ``$XDG_CACHE_HOME/composer/training`` (``~/.cache``);
    None when ``COMPOSER_TRAINING_CACHE`` is set to an empty string (caching off)."""
    env = os.environ.get("COMPOSER_TRAINING_CACHE")
    if env is not None:
        return Path(env) if env else None
    base = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return Path(base) / "composer" / "training"


def piece_to_json(piece: Piece) -> dict:
    return {
        "id": piece.id, "source": piece.source, "style": piece.style, "meters": piece.meters,
        "keys": [(k.tick, k.tonic, k.mode) for k in piece.keys], "chords": piece.chords,
        "parts": [{"role": p.role, "name": p.name, "notes": p.notes} for p in piece.parts],
        "licence": piece.licence, "tempos": piece.tempos, "split": piece.split, "title": piece.title,
        "meta": piece.meta,
    }


def piece_from_json(d: dict) -> Piece:
    return Piece(
        id=d["id"], source=d["source"], style=d["style"], meters=tuple(tuple(m) for m in d["meters"]),
        keys=tuple(KeySignature(*k) for k in d["keys"]), chords=tuple(tuple(c) for c in d["chords"]),
        parts=tuple(Part(p["role"], tuple(tuple(n) for n in p["notes"]), p["name"]) for p in d["parts"]),
        licence=d["licence"], tempos=tuple(tuple(t) for t in d["tempos"]), split=d["split"],
        title=d["title"], meta=dict(d["meta"]),
    )


def _entry(source: str, path: Path) -> Path | None:
    root = cache_dir()
    if root is None:
        return None
    st = path.stat()
    key = f"{CACHE_VERSION}|{source}|{path.resolve()}|{st.st_size}|{st.st_mtime_ns}"
    return root / source / (hashlib.sha1(key.encode()).hexdigest() + ".json")


def load(source: str, path: Path) -> list[dict] | None:
    """The cached records for ``path`` (pieces as dicts, or {"skip": reason}), or None on a miss."""
    entry = _entry(source, path)
    if entry is None or not entry.is_file():
        return None
    try:
        return json.loads(entry.read_text())
    except (OSError, ValueError):
        return None


def store(source: str, path: Path, records: list[dict]) -> None:
    entry = _entry(source, path)
    if entry is None:
        return
    try:
        entry.parent.mkdir(parents=True, exist_ok=True)
        tmp = entry.with_suffix(".tmp")
        tmp.write_text(json.dumps(records))
        tmp.replace(entry)
    except OSError:
        pass  # a cache that cannot be written is only slower


def to_records(results: list[Piece | str]) -> list[dict]:
    return [piece_to_json(r) if isinstance(r, Piece) else {"skip": r} for r in results]


def from_records(records: list[dict]) -> list[Piece | str]:
    return [r["skip"] if "skip" in r else piece_from_json(r) for r in records]


def cached(source: str, path: Path, build: Callable[[], list[Piece | str]]) -> list[Piece | str]:
    """``build()``'s pieces (or skip reasons) for ``path``, from the cache when it has them."""
    records = load(source, path)
    if records is not None:
        try:
            return from_records(records)
        except (KeyError, TypeError, ValueError):
            pass
    results = build()
    store(source, path, to_records(results))
    return results
