"""Dragging music out of the window to a DAW or the desktop: a .mid file (URL) plus the MIDI bytes in the drag.

``midi_drag_data(song, name)`` is the one way to build such a drag (clips, assistant cards, the whole song);
``start_midi_drag`` runs it; ``MidiDragButton`` is a handle that drags the whole song. A song no MIDI file can
hold (over 1,023 tracks, a clip far out on the timeline) raises SongFileError in ``midi_drag_data``;
``drag_failed`` tells the person, and ``start_midi_drag`` does so itself.
"""

from __future__ import annotations

import os
import re
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

from PySide6.QtCore import QByteArray, QMimeData, QPoint, Qt, QUrl
from PySide6.QtGui import QDrag, QMouseEvent
from PySide6.QtWidgets import QApplication, QMainWindow, QMessageBox, QToolButton, QWidget

from composer_app.core.errors import SongFileError
from composer_app.core.excerpt import from_first_bar
from composer_app.core.song import Song
from composer_app.midi import write_midi_bytes
from composer_app.ui.notices import notice_box

MIDI_MIME = "audio/midi"
MIDI_MIME_ALIASES = ("audio/x-midi",)
STALE_SECONDS = 24 * 3600
"""Dragged files older than this are removed the next time a drag starts (the DAW copied them long ago)."""
_UNSAFE = re.compile(r"[^\w\- ]+")


def drag_folder() -> Path:
    """The folder dragged .mid files are written to (one per user, in the system's temporary folder)."""
    folder = Path(tempfile.gettempdir()) / f"composer-drag-{os.getuid() if hasattr(os, 'getuid') else 'user'}"
    folder.mkdir(mode=0o700, exist_ok=True)
    return folder


def file_name(name: str) -> str:
    """``name`` as a plain file name (letters, digits, spaces, dashes), never empty."""
    clean = " ".join(_UNSAFE.sub(" ", name).split())[:60]
    return clean or "Composer"


def _forget_stale(folder: Path) -> None:
    now = time.time()
    for old in folder.glob("*.mid"):
        try:
            if now - old.stat().st_mtime > STALE_SECONDS:
                old.unlink()
        except OSError:
            pass


def _unique(folder: Path, stem: str) -> Path:
    path = folder / f"{stem}.mid"
    n = 2
    while path.exists():
        path = folder / f"{stem} {n}.mid"
        n += 1
    return path


def midi_drag_data(song: Song, name: str = "Composer") -> QMimeData:
    """Drag data for ``song``: a .mid file named after ``name`` (URL) and the same bytes as ``audio/midi``.

    The file starts at the song's first bar with notes (no leading silence). Callers may add their own formats
    (e.g. the notes for drops inside the window) to the returned object before starting the drag. Raises
    SongFileError (naming the file) when the song does not fit in a MIDI file.
    """
    data = write_midi_bytes(from_first_bar(song), f"{file_name(name)}.mid")
    mime = QMimeData()
    for kind in (MIDI_MIME, *MIDI_MIME_ALIASES):
        mime.setData(kind, QByteArray(data))
    try:
        folder = drag_folder()
        _forget_stale(folder)
        path = _unique(folder, file_name(name))
        path.write_bytes(data)
    except OSError:  # no temporary folder: the bytes alone still reach targets that read audio/midi
        return mime
    mime.setUrls([QUrl.fromLocalFile(str(path))])
    return mime


DRAG_FAILED = "dragFailed"
"""Object name of the box ``drag_failed`` shows."""


def drag_failed(source: QWidget, error: SongFileError) -> QMessageBox:
    """Say why a drag could not start: in the window's status bar and a warning box that does not block."""
    window = source.window()
    if isinstance(window, QMainWindow):
        window.statusBar().showMessage(str(error), 15_000)
    return notice_box(window, "Could Not Drag as MIDI", str(error), DRAG_FAILED)


def start_midi_drag(source: QWidget, song: Song, name: str) -> Qt.DropAction:
    """Drag ``song`` out of ``source`` as a MIDI file; returns what the target did (IgnoreAction if nothing,
    or when the song does not fit in a MIDI file: then ``drag_failed`` says why)."""
    try:
        mime = midi_drag_data(song, name)
    except SongFileError as error:
        drag_failed(source, error)
        return Qt.DropAction.IgnoreAction
    drag = QDrag(source)
    drag.setMimeData(mime)
    return drag.exec(Qt.DropAction.CopyAction)


class MidiDragButton(QToolButton):
    """A handle: drag it onto a DAW or the desktop to get ``song()`` as a .mid file."""

    def __init__(self, song: Callable[[], Song], name: Callable[[], str], parent: QWidget | None = None,
                 start: Callable[[QWidget, Song, str], object] = start_midi_drag) -> None:
        super().__init__(parent)
        self._song, self._name, self._start = song, name, start
        self._press: QPoint | None = None
        self.setText("⇱ MIDI")
        self.setAutoRaise(True)
        self.setToolTip("Drag the song from here onto your DAW or the desktop as a MIDI file")
        self.setCursor(Qt.CursorShape.OpenHandCursor)

    def mousePressEvent(self, event: QMouseEvent) -> None:  # noqa: N802 (Qt override)
        if event.button() == Qt.MouseButton.LeftButton:
            self._press = event.position().toPoint()
        super().mousePressEvent(event)

    def mouseMoveEvent(self, event: QMouseEvent) -> None:  # noqa: N802
        if self._press is not None and (event.position().toPoint() - self._press).manhattanLength() \
                >= QApplication.startDragDistance():
            self._press = None
            self.setDown(False)
            self._start(self, self._song(), self._name())
            return
        super().mouseMoveEvent(event)

    def mouseReleaseEvent(self, event: QMouseEvent) -> None:  # noqa: N802
        self._press = None
        super().mouseReleaseEvent(event)
