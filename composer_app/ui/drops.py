"""Files dragged onto the window: which dropped file, if any, is a song we can open."""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path

from PySide6.QtCore import QMimeData


def song_file_in(mime: QMimeData | None, suffixes: Iterable[str]) -> Path | None:
    """The first local file in ``mime`` whose suffix is one of ``suffixes`` (lower case, with dot)."""
    if mime is None or not mime.hasUrls():
        return None
    wanted = tuple(s.lower() for s in suffixes)
    for url in mime.urls():
        if url.isLocalFile():
            path = Path(url.toLocalFile())
            if path.suffix.lower() in wanted:
                return path
    return None
