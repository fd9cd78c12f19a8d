"""A clip's body and label, drawn from small cached pieces so that painting costs little at any zoom."""

from __future__ import annotations

import math

from PySide6.QtCore import QPointF, QRectF, Qt
from PySide6.QtGui import QColor, QFont, QFontMetricsF, QPainter, QPainterPath, QPen, QPixmap, QStaticText

from composer_app.ui.arrangement import palette

NAME_STRIP = 16.0  # height of the name strip along the top
RADIUS = 4.0
CAP = 6  # width of the left and right slices of a body: just past the rounded corners
LABEL_POINT_SIZE = 8.5
ANTIALIAS = QPainter.RenderHint.Antialiasing
ELIDE = Qt.TextElideMode.ElideRight
_MAX_CACHED = 512
_bodies: dict[tuple, QPixmap] = {}
_fonts: dict[tuple[str, bool], tuple[QFont, QFontMetricsF, str]] = {}


def _render_body(fill: QColor, selected: bool, h: float, dpr: float) -> QPixmap:
    """A body 2 * CAP + 1 wide: its middle column repeats along any width."""
    w = 2 * CAP + 1
    pixmap = QPixmap(math.ceil(w * dpr), math.ceil(h * dpr))
    pixmap.setDevicePixelRatio(dpr)
    pixmap.fill(Qt.GlobalColor.transparent)
    p = QPainter(pixmap)
    p.setRenderHint(ANTIALIAS, True)
    rect = QRectF(0.5, 0.5, w - 1.0, h - 1.0)
    body = QPainterPath()
    body.addRoundedRect(rect, RADIUS, RADIUS)
    p.setPen(Qt.PenStyle.NoPen)
    p.setBrush(fill)
    p.drawPath(body)
    p.setClipPath(body)
    p.fillRect(QRectF(0, 0, w, NAME_STRIP), palette.header_color(fill))
    p.setClipping(False)
    p.setBrush(Qt.BrushStyle.NoBrush)
    if selected:
        p.setPen(QPen(palette.SELECTED_OUTLINE, 2.0))
        p.drawRoundedRect(rect.adjusted(0.5, 0.5, -0.5, -0.5), RADIUS, RADIUS)
    else:
        p.setPen(QPen(fill.darker(160), 1.0))
        p.drawPath(body)
    p.end()
    return pixmap


def body_pixmap(fill: QColor, selected: bool, h: float, dpr: float) -> QPixmap:
    """The cached body slices for one colour, selection state, height and device pixel ratio."""
    key = (fill.rgba(), selected, h, dpr)
    pixmap = _bodies.get(key)
    if pixmap is None:
        if len(_bodies) >= _MAX_CACHED:
            _bodies.clear()
        pixmap = _bodies[key] = _render_body(fill, selected, h, dpr)
    return pixmap


def draw_body(painter: QPainter, fill: QColor, selected: bool, w: float, h: float, dpr: float) -> None:
    """The rounded block with its name strip and outline, ``w`` x ``h`` at the item's origin."""
    pixmap = body_pixmap(fill, selected, h, dpr)
    hd = pixmap.height()
    half = min(float(CAP), w / 2)
    if w > 2 * half:  # the middle column stretched along the body, tucked under the end slices
        painter.drawPixmap(QRectF(half - 1, 0, w - 2 * half + 2, h), pixmap, QRectF(CAP * dpr, 0, dpr, hd))
    painter.drawPixmap(QRectF(0, 0, half, h), pixmap, QRectF(0, 0, half * dpr, hd))
    right = (2 * CAP + 1 - half) * dpr
    painter.drawPixmap(QRectF(w - half, 0, half, h), pixmap, QRectF(right, 0, half * dpr, hd))


def label_font(base: QFont, bold: bool) -> tuple[QFont, QFontMetricsF, str]:
    """The label font derived from ``base``, its metrics and its key, built once per base font."""
    key = (base.key(), bold)
    found = _fonts.get(key)
    if found is None:
        font = QFont(base)
        font.setPointSizeF(LABEL_POINT_SIZE)
        font.setBold(bold)
        found = _fonts[key] = (font, QFontMetricsF(font), font.key())
    return found


class Label:
    """A clip's name, elided to fit and laid out once; drawn as static text until it changes."""

    def __init__(self) -> None:
        self._key: tuple | None = None
        self._source: tuple[str, str] | None = None
        self._full_width = 0.0
        self._static = QStaticText()
        self._static.setTextFormat(Qt.TextFormat.PlainText)
        self._static.setPerformanceHint(QStaticText.PerformanceHint.AggressiveCaching)
        self._font = QFont()
        self._y = 0.0

    def draw(self, painter: QPainter, text: str, width: float, bold: bool) -> None:
        """Draw ``text`` in the name strip, from x = 5, elided to ``width``."""
        base = painter.font()
        font, metrics, font_key = label_font(base, bold)
        if (text, font_key) != self._source:
            self._source = (text, font_key)
            self._full_width = metrics.horizontalAdvance(text)
        fits = self._full_width <= int(width)
        key = (self._source, fits or int(width))  # a zoom that leaves the whole name visible changes nothing
        if key != self._key:
            self._key = key
            self._static.setText(text if fits else metrics.elidedText(text, ELIDE, int(width)))
            self._static.prepare(painter.transform(), font)
            self._font = font
            self._y = (NAME_STRIP - metrics.height()) / 2
        painter.setFont(self._font)
        painter.setPen(palette.TEXT_COLOR)
        painter.drawStaticText(QPointF(5, self._y), self._static)
        painter.setFont(base)
