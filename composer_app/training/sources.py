"""The registry of training sources: where each dataset lives and which reader reads it."""

from __future__ import annotations

import os
from collections.abc import Callable, Iterator
from importlib import import_module
from pathlib import Path

from composer_app.training.corpus import Piece
from composer_app.training.skips import SkipLog

# source name -> (reader module under composer_app.training.readers, folder under the datasets root;
# None for the music21 corpus inside the music21 wheel)
SOURCES: dict[str, tuple[str, str | None]] = {
    "nottingham": ("nottingham", "nottingham"),
    "pop909": ("pop909", "pop909"),
    "openewld": ("openewld", "openewld"),
    "jsb": ("jsb", "jsb_chorales"),
    "when_in_rome": ("when_in_rome", "when_in_rome_bach"),
    "music21_folk": ("music21_folk", None),
    "airds": ("unseen_folk:airds_pieces", None),
    "essen": ("unseen_folk:essen_pieces", None),
    "misc_folk": ("unseen_folk:misc_folk_pieces", None),
}
NEEDS_MUSIC21 = {"openewld", "when_in_rome", "music21_folk", "airds", "essen", "misc_folk"}
EVAL_ONLY = ("airds", "essen", "misc_folk")
"""Sources no model trains on: music the models never saw, for cross-source evaluation (Essen: licence)."""


def default_datasets_root() -> Path:
    """``$COMPOSER_DATASETS`` if set, else ``../shared/datasets`` next to the repository."""
    env = os.environ.get("COMPOSER_DATASETS")
    if env:
        return Path(env)
    return Path(__file__).resolve().parents[2].parent / "shared" / "datasets"


def music21_available() -> bool:
    try:
        import music21  # noqa: F401
    except ImportError:
        return False
    return True


def reader(source: str) -> Callable[..., Iterator[Piece]]:
    module, _ = SOURCES[source]
    module, _, function = module.partition(":")
    return getattr(import_module(f"composer_app.training.readers.{module}"), function or "iter_pieces")


def source_root(source: str, datasets: Path | None = None) -> Path | None:
    _, folder = SOURCES[source]
    if folder is None:
        return None
    return (datasets or default_datasets_root()) / folder


def iter_source(source: str, limit: int | None = None, skips: SkipLog | None = None,
                datasets: Path | None = None) -> Iterator[Piece]:
    """Pieces of one source; nothing (and a skip entry) when its data or music21 is missing."""
    skips = skips if skips is not None else SkipLog()
    if source in NEEDS_MUSIC21 and not music21_available():
        skips.add(source, "*", "music21 is not installed")
        return iter(())
    root = source_root(source, datasets)
    if root is not None and not root.is_dir():
        skips.add(source, str(root), "dataset folder is missing")
        return iter(())
    return reader(source)(root, limit=limit, skips=skips)


def iter_corpus(sources: list[str] | None = None, limit: int | None = None, skips: SkipLog | None = None,
                datasets: Path | None = None) -> Iterator[Piece]:
    """Pieces of every source in turn (``limit`` applies per source)."""
    for source in sources or [s for s in SOURCES if s not in EVAL_ONLY]:
        yield from iter_source(source, limit, skips, datasets)
