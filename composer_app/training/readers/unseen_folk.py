"""Folk collections of the music21 corpus that no shipped model is trained on, for cross-source evaluation only.

- ``airds``: Aird's Selection of Scotch, English, Irish and Foreign Airs (1782-1797), public domain.
- ``misc_folk``: the American fife tunes and the Northumbrian minstrelsy of music21's ``miscFolk``, public domain.
- ``essen``: the Essen folk song collection; its licence allows non-commercial use only, so it is never a
  training source of shipped weights (DEFAULT_SOURCES leave both out): it only measures music the models never saw.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

from composer_app.training.corpus import Piece
from composer_app.training.readers.music21_folk import iter_collections
from composer_app.training.skips import SkipLog

COLLECTIONS = {"airds": (("airdsAirs",), "Public domain (Aird's Airs, 1782-1797, music21 corpus)"),
               "essen": (("essenFolksong",), "Essen folk song collection (music21 corpus): evaluation only, "
                                             "non-commercial licence"),
               "misc_folk": (("miscFolk",), "Public domain (American fife tunes and Northumbrian minstrelsy, "
                                            "music21 corpus)")}


def airds_pieces(root: Path | None = None, limit: int | None = None,
                 skips: SkipLog | None = None) -> Iterator[Piece]:
    collections, licence = COLLECTIONS["airds"]
    yield from iter_collections(collections, "airds", licence, root, limit, skips)


def essen_pieces(root: Path | None = None, limit: int | None = None,
                 skips: SkipLog | None = None) -> Iterator[Piece]:
    collections, licence = COLLECTIONS["essen"]
    yield from iter_collections(collections, "essen", licence, root, limit, skips)


def misc_folk_pieces(root: Path | None = None, limit: int | None = None,
                     skips: SkipLog | None = None) -> Iterator[Piece]:
    collections, licence = COLLECTIONS["misc_folk"]
    yield from iter_collections(collections, "misc_folk", licence, root, limit, skips)
