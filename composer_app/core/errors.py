"""The one error type for files a user hands us (MIDI, project, soundfont): it names file and problem."""

from __future__ import annotations

from pathlib import Path


class SongFileError(Exception):
    """A file could not be read or written. ``str()`` is one line fit for a status bar or a CLI."""

    def __init__(self, path: str | Path, problem: str) -> None:
        self.path = Path(path)
        self.problem = problem
        super().__init__(f"{self.path.name}: {problem}")
