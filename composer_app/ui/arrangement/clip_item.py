"""ClipItem: one clip drawn as a rounded block with its name and a cached miniature of its notes."""

from __future__ import annotations

import itertools

from PySide6.QtCore import QPointF, QRectF, Qt
from PySide6.QtGui import QColor, QPainter, QPixmap
from PySide6.QtWidgets import QGraphicsItem, QStyleOptionGraphicsItem, QWidget

from composer_app.core.song import Clip
from composer_app.ui.arrangement import palette
from composer_app.ui.arrangement.clip_look import NAME_STRIP, Label, draw_body
from composer_app.ui.arrangement.miniature import (
    BOTTOM_GAP,
    MAX_PIXMAP_WIDTH,
    STORE,
    TOP_GAP,
    Layout,
    layout_of,
    note_rects,
    render,
)

__all__ = ["NAME_STRIP", "ClipItem"]

SMOOTH = QPainter.RenderHint.SmoothPixmapTransform
MAX_STALE_RATIO = 2.0  # while zooming, a miniature is stretched at most this much before it is drawn again
MIN_LABEL_WIDTH = 14.0
_serials = itertools.count()


class ClipItem(QGraphicsItem):
    """Shows one clip; the scene places it. The miniature is drawn again only when the clip or its size changes,
    and while the scene is zooming a recent one is stretched instead (the scene asks for a crisp one after)."""

    def __init__(self, clip: Clip, track_name: str, color: QColor, muted: bool = False) -> None:
        super().__init__()
        self.clip = clip
        self.track_name = track_name
        self.color = color
        self.muted = muted
        self._w = 10.0
        self._h = 10.0
        self._serial = next(_serials)
        self._version = 0  # goes up when the clip changes: part of every miniature's key
        self._layout: Layout | None = None
        self._layout_version = -1  # the layout is worked out on first paint: clips never seen cost nothing
        self._fills: dict[bool, tuple[QColor, QColor]] = {}
        self._shown: tuple[tuple, float, float] | None = None  # key, width, height of the last miniature drawn
        self._label = Label()
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
        if clip is not self.clip:
            self.forget_miniature()
            self._version += 1
        self.clip, self.track_name, self.color, self.muted = clip, track_name, color, muted
        self._fills.clear()
        self.update()

    def forget_miniature(self) -> None:
        """Free the cached miniature (the clip changed or the item leaves the scene)."""
        if self._shown is not None:
            STORE.discard(self._shown[0])
            self._shown = None

    def set_size(self, w: float, h: float) -> None:
        w = max(3.0, w)
        if w != self._w or h != self._h:
            self.prepareGeometryChange()
            self._w, self._h = w, h

    @property
    def width(self) -> float:
        return self._w

    def boundingRect(self) -> QRectF:  # noqa: N802 (Qt override)
        return QRectF(0, 0, self._w, self._h)

    def label(self) -> str:
        return self.clip.name or self.track_name

    @property
    def miniature_size(self) -> tuple[float, float] | None:
        """Width and height the last miniature was drawn for (None before the first one)."""
        return None if self._shown is None else (self._shown[1], self._shown[2])

    def _note_layout(self) -> Layout | None:
        if self._layout_version != self._version:
            self._layout, self._layout_version = layout_of(self.clip), self._version
        return self._layout

    def _colours(self, selected: bool) -> tuple[QColor, QColor]:
        """Body and note colours, worked out once per state."""
        found = self._fills.get(selected)
        if found is None:
            fill = QColor(self.color)
            if self.muted:
                fill = QColor.fromHsv(fill.hsvHue(), fill.hsvSaturation() // 4, min(255, fill.value() + 20))
            if selected:
                fill = fill.lighter(112)
            found = self._fills[selected] = (fill, palette.note_color(fill))
        return found

    # ------------------------------------------------------------ painting
    def paint(self, painter: QPainter, option: QStyleOptionGraphicsItem,
              widget: QWidget | None = None) -> None:
        selected = self.isSelected()
        fill, ink = self._colours(selected)
        dpr = painter.device().devicePixelRatioF()
        draw_body(painter, fill, selected, self._w, self._h, dpr)
        layout = self._note_layout()
        if layout is not None and self._h >= NAME_STRIP + TOP_GAP + BOTTOM_GAP:
            if self._w * dpr > MAX_PIXMAP_WIDTH:
                self._paint_notes_directly(painter, option, layout, ink)
            else:
                self._paint_miniature(painter, layout, ink, dpr)
        if self._w > MIN_LABEL_WIDTH:
            self._label.draw(painter, self.label(), self._w - 9, selected)

    def _paint_miniature(self, painter: QPainter, layout: Layout, ink: QColor, dpr: float) -> None:
        top = NAME_STRIP + TOP_GAP
        w, h = self._w, self._h - top - BOTTOM_GAP
        key = (self._serial, self._version, w, h, ink.rgba(), dpr)
        pixmap = STORE.get(key)
        if pixmap is None:
            stale = self._stale_miniature(key, w, h)
            if stale is not None:
                painter.setRenderHint(SMOOTH, True)
                painter.drawPixmap(QRectF(0, top, w, h), stale, QRectF(stale.rect()))
                painter.setRenderHint(SMOOTH, False)  # the view does not save painter state between items
                return
            pixmap = render(layout, w, h, ink, dpr)
            STORE.put(key, pixmap)
        self._shown = (key, w, h)
        painter.drawPixmap(QPointF(0, top), pixmap)

    def _stale_miniature(self, key: tuple, w: float, h: float) -> QPixmap | None:
        """While the scene zooms: the last miniature, when it is of this clip and near enough in size."""
        scene = self.scene()
        if self._shown is None or not getattr(scene, "settling", False):
            return None
        old, old_w, old_h = self._shown
        if old[:2] != key[:2] or old[4:] != key[4:]:
            return None
        if not (1 / MAX_STALE_RATIO <= w / old_w <= MAX_STALE_RATIO and 1 / MAX_STALE_RATIO <= h / old_h
                <= MAX_STALE_RATIO):
            return None
        pixmap = STORE.get(old)
        if pixmap is not None:
            scene.refresh_later(self)
        return pixmap

    def _paint_notes_directly(self, painter: QPainter, option: QStyleOptionGraphicsItem, layout: Layout,
                              ink: QColor) -> None:
        """Deep zoom (few clips on screen, each wider than a pixmap may be): the notes in the exposed part only."""
        exposed = option.exposedRect if option is not None else self.boundingRect()
        painter.setPen(Qt.PenStyle.NoPen)
        painter.setBrush(ink)
        painter.drawRects(note_rects(layout, self._w, NAME_STRIP + TOP_GAP, self._h - BOTTOM_GAP, exposed.left(),
                                     exposed.right()))
