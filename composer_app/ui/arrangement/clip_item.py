"""ClipItem: one clip drawn as a rounded block with its name and a cached miniature of its notes."""

from __future__ import annotations

from bisect import bisect_left

from PySide6.QtCore import QRectF, Qt
from PySide6.QtGui import QColor, QFont, QFontMetrics, QPainter, QPainterPath, QPen
from PySide6.QtWidgets import QGraphicsItem, QStyleOptionGraphicsItem, QWidget

from composer_app.core.song import Clip
from composer_app.ui.arrangement import palette

NAME_STRIP = 16.0  # height of the name strip along the top
RADIUS = 4.0
MIN_PITCH_SPAN = 12
LABEL_ALIGN = Qt.AlignmentFlag.AlignVCenter | Qt.AlignmentFlag.AlignLeft  # built once: enum flags cost in paint
ANTIALIAS = QPainter.RenderHint.Antialiasing
ELIDE = Qt.TextElideMode.ElideRight


class ClipItem(QGraphicsItem):
    """Shows one clip; the scene places it. The miniature is rebuilt only when the clip or its size changes."""

    def __init__(self, clip: Clip, track_name: str, color: QColor, muted: bool = False) -> None:
        super().__init__()
        self.clip = clip
        self.track_name = track_name
        self.color = color
        self.muted = muted
        self._w = 10.0
        self._h = 10.0
        self._rects: list[QRectF] = []
        self._starts: list[float] = []
        self._max_w = 0.0
        self._cache_key: tuple | None = None
        self._cache_clip: Clip | None = None
        self.setFlag(QGraphicsItem.GraphicsItemFlag.ItemIsSelectable, True)
        self.setFlag(QGraphicsItem.GraphicsItemFlag.ItemUsesExtendedStyleOption, True)
        self.setAcceptHoverEvents(False)

    # ------------------------------------------------------------ model
    @property
    def clip_id(self) -> str:
        return self.clip.id

    def set_clip(self, clip: Clip, track_name: str, color: QColor, muted: bool) -> None:
        if (clip is self.clip and track_name == self.track_name and color == self.color
                and muted == self.muted):
            return
        self.clip, self.track_name, self.color, self.muted = clip, track_name, color, muted
        self.update()

    def set_size(self, w: float, h: float) -> None:
        w = max(3.0, w)
        if (w, h) != (self._w, self._h):
            self.prepareGeometryChange()
            self._w, self._h = w, h

    @property
    def width(self) -> float:
        return self._w

    def boundingRect(self) -> QRectF:  # noqa: N802 (Qt override)
        return QRectF(0, 0, self._w, self._h)

    def label(self) -> str:
        return self.clip.name or self.track_name

    # ------------------------------------------------------------ miniature cache
    def _miniature(self) -> None:
        key = (self._w, self._h)
        if self.clip is self._cache_clip and key == self._cache_key:
            return
        self._cache_clip, self._cache_key = self.clip, key
        notes = self.clip.notes
        self._rects, self._starts, self._max_w = [], [], 0.0
        if not notes or self._h < NAME_STRIP + 6:
            return
        if any(a.start > b.start for a, b in zip(notes, notes[1:])):
            notes = tuple(sorted(notes, key=lambda n: n.start))
        lo = min(n.pitch for n in notes)
        hi = max(n.pitch for n in notes)
        if hi - lo < MIN_PITCH_SPAN:
            mid = (hi + lo) / 2
            lo, hi = mid - MIN_PITCH_SPAN / 2, mid + MIN_PITCH_SPAN / 2
        top, bottom = NAME_STRIP + 3.0, self._h - 3.0
        row = (bottom - top) / (hi - lo + 1)
        note_h = max(1.5, min(row, 4.0))
        y0 = top + hi * row + (row - note_h) / 2
        length = self.clip.length
        sx = self._w / length
        spans = [(n.start * sx, max(1.5, (min(n.end, length) - n.start) * sx - 0.5), y0 - n.pitch * row)
                 for n in notes if n.start < length]
        self._rects = [QRectF(x, y, w, note_h) for x, w, y in spans]
        self._starts = [x for x, _w, _y in spans]
        self._max_w = max((w for _x, w, _y in spans), default=0.0)

    # ------------------------------------------------------------ painting
    def paint(self, painter: QPainter, option: QStyleOptionGraphicsItem,
              widget: QWidget | None = None) -> None:
        selected = self.isSelected()
        fill = QColor(self.color)
        if self.muted:
            fill = QColor.fromHsv(fill.hsvHue(), fill.hsvSaturation() // 4, min(255, fill.value() + 20))
        if selected:
            fill = fill.lighter(112)
        rect = QRectF(0.5, 0.5, self._w - 1.0, self._h - 1.0)
        painter.setRenderHint(ANTIALIAS, True)
        body = QPainterPath()
        body.addRoundedRect(rect, RADIUS, RADIUS)
        painter.setPen(Qt.PenStyle.NoPen)
        painter.setBrush(fill)
        painter.drawPath(body)
        # name strip
        painter.save()
        painter.setClipPath(body)
        painter.fillRect(QRectF(0, 0, self._w, NAME_STRIP), palette.header_color(fill))
        painter.restore()
        # notes
        self._miniature()
        if self._rects:
            exposed = option.exposedRect if option is not None else self.boundingRect()
            first = max(0, bisect_left(self._starts, exposed.left() - self._max_w))
            last = bisect_left(self._starts, exposed.right() + 1)
            painter.setRenderHint(ANTIALIAS, False)
            painter.setBrush(palette.note_color(fill))
            painter.drawRects(self._rects[first:last])
            painter.setRenderHint(ANTIALIAS, True)
        # outline
        painter.setBrush(Qt.BrushStyle.NoBrush)
        if selected:
            painter.setPen(QPen(palette.SELECTED_OUTLINE, 2.0))
            painter.drawRoundedRect(rect.adjusted(0.5, 0.5, -0.5, -0.5), RADIUS, RADIUS)
        else:
            painter.setPen(QPen(fill.darker(160), 1.0))
            painter.drawPath(body)
        # label
        if self._w > 14:
            font = QFont(painter.font())
            font.setPointSizeF(8.5)
            font.setBold(selected)
            painter.setFont(font)
            painter.setPen(palette.TEXT_COLOR)
            text_rect = QRectF(5, 0, self._w - 9, NAME_STRIP)
            text = QFontMetrics(font).elidedText(self.label(), ELIDE, int(text_rect.width()))
            painter.drawText(text_rect, LABEL_ALIGN, text)
        painter.setRenderHint(ANTIALIAS, False)  # the view does not save painter state between items
