"""SongDocument: the song being edited, where it lives on disk, and its undo history."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import QObject, Signal
from PySide6.QtGui import QUndoCommand, QUndoStack

from composer_app.core.song import Song

PROJECT_SUFFIX = ".composer"


class SongEdit(QUndoCommand):
    """One user gesture: the song before and after it."""

    def __init__(self, document: SongDocument, text: str, before: Song, after: Song) -> None:
        super().__init__(text)
        self._document = document
        self.before = before
        self.after = after

    def redo(self) -> None:
        self._document._set_song(self.after)

    def undo(self) -> None:
        self._document._set_song(self.before)


class SongDocument(QObject):
    """Holds the current Song; views observe ``song_changed`` and ask ``apply`` for edits."""

    song_changed = Signal(object, object)  # old Song, new Song
    path_changed = Signal(object)  # Path | None
    modified_changed = Signal(bool)

    def __init__(self, song: Song | None = None, path: str | Path | None = None,
                 parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._song = song if song is not None else Song()
        self._path = Path(path) if path is not None else None
        self.undo_stack = QUndoStack(self)
        self.undo_stack.cleanChanged.connect(self._on_clean_changed)

    @property
    def song(self) -> Song:
        return self._song

    @property
    def key_explicit(self) -> bool:
        """True when the musician chose the key on purpose (the key selector): the assistant then keeps it."""
        return self._song.key_explicit

    @property
    def path(self) -> Path | None:
        return self._path

    @property
    def modified(self) -> bool:
        return not self.undo_stack.isClean()

    @property
    def display_name(self) -> str:
        """The file name shown in the title bar ("Untitled" before the first save)."""
        return self._path.name if self._path is not None else "Untitled"

    @property
    def is_project(self) -> bool:
        """True when Save can write straight back to ``path`` (a .composer project)."""
        return self._path is not None and self._path.suffix.lower() == PROJECT_SUFFIX

    def apply(self, text: str, new_song: Song) -> None:
        """Make ``new_song`` current as one undo step named ``text`` (nothing if unchanged)."""
        if new_song is self._song:
            return
        self.undo_stack.push(SongEdit(self, text, self._song, new_song))

    def load(self, song: Song, path: str | Path | None = None) -> None:
        """Replace the whole document (New, Open): forgets the undo history."""
        self.undo_stack.clear()
        self.undo_stack.setClean()
        self.set_path(path)
        self._set_song(song)

    def set_path(self, path: str | Path | None) -> None:
        new = Path(path) if path is not None else None
        if new != self._path:
            self._path = new
            self.path_changed.emit(new)

    def mark_saved(self, path: str | Path) -> None:
        """The song now matches the file at ``path``."""
        self.set_path(path)
        self.undo_stack.setClean()

    def _on_clean_changed(self, clean: bool) -> None:
        self.modified_changed.emit(not clean)

    def _set_song(self, song: Song) -> None:
        old = self._song
        if song is old:
            return
        self._song = song
        self.song_changed.emit(old, song)
