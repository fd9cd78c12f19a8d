"""Note items: one cheap rectangle per note (C++ painting), coloured by velocity; ghost notes of other clips."""

from __future__ import annotations

from functools import cache

from PySide6.QtCore import QRectF
from PySide6.QtGui import QBrush, QColor, QPen
from PySide6.QtWidgets import QGraphicsRectItem

from composer_app.core.song import Note

NOTE_Z = 0.0  # the default, so new items need no setZValue call
SELECTED_Z = 1.0
GHOST_Z = -1.0
VELOCITY_BUCKETS = 16


def row_of(pitch: int) -> int:
    """Scene row of a pitch: row 0 is pitch 127 at the top."""
    return 127 - pitch


def pitch_of_row(row: float) -> int:
    return max(0, min(127, 127 - int(row // 1)))


@cache
def note_brush(velocity_bucket: int, selected: bool) -> QBrush:
    """Soft notes pale, loud notes strong; selected notes warm amber."""
    v = velocity_bucket / (VELOCITY_BUCKETS - 1)
    if selected:
        colour = QColor.fromHsvF(0.09, 0.35 + 0.5 * v, 1.0)
    else:
        colour = QColor.fromHsvF(0.56, 0.22 + 0.55 * v, 0.62 + 0.33 * v)
    return QBrush(colour)


@cache
def note_pen(selected: bool) -> QPen:
    pen = QPen(QColor(255, 250, 235) if selected else QColor(14, 22, 32))
    pen.setCosmetic(True)  # note: QGraphicsRectItem pads its bounding rect by half the width in scene units
    pen.setWidthF(2 if selected else 0)
    return pen


@cache
def ghost_brush() -> QBrush:
    return QBrush(QColor(150, 160, 175, 55))


@cache
def ghost_pen() -> QPen:
    pen = QPen(QColor(150, 160, 175, 90))
    pen.setCosmetic(True)
    pen.setWidthF(0)
    return pen


def bucket(velocity: int) -> int:
    return velocity >> 3  # 128 // VELOCITY_BUCKETS


class NoteItem(QGraphicsRectItem):
    """A note of the edited clip at absolute song ticks; its selection look is set by the scene."""

    def __init__(self, note: Note, clip_start: int) -> None:
        # kept lean: 20,000 of these are built when a big clip opens
        super().__init__(clip_start + note.start, 127.06 - note.pitch, note.duration, 0.88)
        self.note = note
        self.selected = False
        self.setBrush(_BRUSHES[note.velocity >> 3])
        self.setPen(_PEN)

    def set_note(self, note: Note, clip_start: int) -> None:
        old = self.note
        self.note = note
        self.setRect(note_rect(note, clip_start))
        if bucket(old.velocity) != bucket(note.velocity):
            self.setBrush(note_brush(bucket(note.velocity), self.selected))

    def set_selected(self, selected: bool) -> None:
        if selected != self.selected:
            self.selected = selected
            self._style()

    def _style(self) -> None:
        self.setBrush(note_brush(bucket(self.note.velocity), self.selected))
        self.setPen(note_pen(self.selected))
        self.setZValue(SELECTED_Z if self.selected else NOTE_Z)


class GhostItem(QGraphicsRectItem):
    """A faint, inert note of another clip or track; never hit by tools."""

    def __init__(self, note: Note, clip_start: int) -> None:
        super().__init__(note_rect(note, clip_start))
        self.setBrush(ghost_brush())
        self.setPen(ghost_pen())
        self.setZValue(GHOST_Z)
        self.setAcceptedMouseButtons(self.acceptedMouseButtons().NoButton)


def note_rect(note: Note, clip_start: int) -> QRectF:
    """Scene rectangle: x in song ticks, y in rows (slightly inset so rows stay visible)."""
    return QRectF(clip_start + note.start, row_of(note.pitch) + 0.06, note.duration, 0.88)


_BRUSHES = [note_brush(b, False) for b in range(VELOCITY_BUCKETS)]
_PEN = note_pen(False)
