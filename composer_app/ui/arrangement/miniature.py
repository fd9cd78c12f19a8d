"""Clip miniatures: a clip's notes laid out once per clip, drawn into pixmaps kept within a memory budget."""

from __future__ import annotations

import math
from bisect import bisect_left
from collections import OrderedDict
from collections.abc import Hashable
from dataclasses import dataclass

from PySide6.QtCore import QRectF, Qt
from PySide6.QtGui import QColor, QPainter, QPixmap

from composer_app.core.song import Clip

MIN_PITCH_SPAN = 12
TOP_GAP, BOTTOM_GAP = 3.0, 3.0  # between the name strip and the notes, and under the notes
MAX_PIXMAP_WIDTH = 4096  # device pixels; wider miniatures (deep zoom, few clips on screen) are drawn note by note
BUDGET_BYTES = 48 * 1024 * 1024


@dataclass(frozen=True)
class Layout:
    """Zoom-independent note geometry: starts and lengths as fractions of the clip, rows from the top pitch."""

    starts: tuple[float, ...]
    lengths: tuple[float, ...]
    rows: tuple[float, ...]
    span: float  # pitch rows from the lowest to the highest note (at least MIN_PITCH_SPAN)
    longest: float  # the longest length


def layout_of(clip: Clip) -> Layout | None:
    """The notes of ``clip`` that start inside it, by start; None when there are none."""
    length = clip.length
    notes = sorted([(n.start, n.start + n.duration, n.pitch) for n in clip.notes if n.start < length])
    if not notes or length <= 0:
        return None
    starts, ends, pitches = zip(*notes)
    lo, hi = min(pitches), max(pitches)
    if hi - lo < MIN_PITCH_SPAN:
        mid = (hi + lo) / 2
        lo, hi = mid - MIN_PITCH_SPAN / 2, mid + MIN_PITCH_SPAN / 2
    lengths = tuple([((e if e < length else length) - s) / length for s, e in zip(starts, ends)])
    return Layout(tuple([s / length for s in starts]), lengths, tuple([hi - p for p in pitches]), hi - lo + 1,
                  max(lengths))


def note_rects(layout: Layout, w: float, top: float, bottom: float, left: float | None = None,
               right: float | None = None) -> list[QRectF]:
    """The notes as rectangles in a box ``w`` wide from ``top`` to ``bottom``, at least 1.5 px each way;
    with ``left`` and ``right``, only those that may show between them."""
    row = (bottom - top) / layout.span
    note_h = max(1.5, min(row, 4.0))
    y0 = top + (row - note_h) / 2
    starts, lengths, rows = layout.starts, layout.lengths, layout.rows
    if left is not None and right is not None:
        first = bisect_left(starts, (left - max(1.5, layout.longest * w)) / w)
        last = bisect_left(starts, (right + 1) / w)
        starts, lengths, rows = starts[first:last], lengths[first:last], rows[first:last]
    return [QRectF(s * w, y0 + r * row, n * w - 0.5 if n * w > 2.0 else 1.5, note_h)
            for s, n, r in zip(starts, lengths, rows)]


def render(layout: Layout, w: float, h: float, color: QColor, dpr: float) -> QPixmap:
    """The notes drawn in ``color`` on a transparent pixmap of ``w`` x ``h`` logical pixels."""
    pixmap = QPixmap(max(1, math.ceil(w * dpr)), max(1, math.ceil(h * dpr)))
    pixmap.setDevicePixelRatio(dpr)
    pixmap.fill(Qt.GlobalColor.transparent)
    painter = QPainter(pixmap)
    painter.setPen(Qt.PenStyle.NoPen)
    painter.setBrush(color)
    painter.drawRects(note_rects(layout, w, 0.0, h))
    painter.end()
    return pixmap


class PixmapStore:
    """Pixmaps by key, the least recently used dropped first once they hold more than ``budget`` bytes."""

    def __init__(self, budget: int = BUDGET_BYTES) -> None:
        self.budget = budget
        self.bytes = 0
        self._pixmaps: OrderedDict[Hashable, QPixmap] = OrderedDict()

    def __len__(self) -> int:
        return len(self._pixmaps)

    def get(self, key: Hashable) -> QPixmap | None:
        pixmap = self._pixmaps.get(key)
        if pixmap is not None:
            self._pixmaps.move_to_end(key)
        return pixmap

    def put(self, key: Hashable, pixmap: QPixmap) -> None:
        old = self._pixmaps.pop(key, None)
        if old is not None:
            self.bytes -= _size(old)
        self._pixmaps[key] = pixmap
        self.bytes += _size(pixmap)
        while self.bytes > self.budget and len(self._pixmaps) > 1:
            _key, dropped = self._pixmaps.popitem(last=False)
            self.bytes -= _size(dropped)

    def discard(self, key: Hashable) -> None:
        old = self._pixmaps.pop(key, None)
        if old is not None:
            self.bytes -= _size(old)


def _size(pixmap: QPixmap) -> int:
    return pixmap.width() * pixmap.height() * 4


STORE = PixmapStore()  # shared by every clip item: one budget for the whole app
