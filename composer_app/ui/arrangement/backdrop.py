"""The clip area's backdrop: lanes, bar and beat lines, lane separators."""

from __future__ import annotations

import math

from PySide6.QtCore import QRectF, Qt
from PySide6.QtGui import QColor, QPainter, QPalette, QPixmap
from PySide6.QtWidgets import QApplication

from composer_app.core.song import Song
from composer_app.ui.arrangement import palette
from composer_app.ui.timeline.scale import TimeScale

SHADES = {"beat": 18, "bar": 46, "phrase": 80}  # alpha of each kind of grid line
MIN_BEAT_PIXELS = 14


def grid_lines(song: Song, scale: TimeScale, left: float, right: float) -> dict[str, list[int]]:
    """Scene x of the beat, bar and phrase (every 4th bar) lines between ``left`` and ``right``."""
    meters = song.meter_map
    start_tick = max(0, scale.tick(left))
    bar = meters.bar_of(start_tick)
    bar_px = scale.width(meters.meter_at(start_tick).bar_ticks)
    every = 1 if bar_px >= 12 else (4 if bar_px >= 3 else 16)
    bar -= bar % every
    lines: dict[str, list[int]] = {"beat": [], "bar": [], "phrase": []}
    while True:
        tick = meters.bar_start(bar)
        x = round(scale.x(tick))
        if x > right + 1:
            break
        m = meters.meter_at(tick)
        if scale.width(m.beat_ticks) >= MIN_BEAT_PIXELS:
            lines["beat"].extend(round(scale.x(tick + beat * m.beat_ticks)) for beat in range(1, m.numerator))
        lines["phrase" if bar % 4 == 0 else "bar"].append(x)
        bar += every
    return lines


def _strip(fill: QColor, tint: QColor | None, lines: dict[str, list[int]], ink: QColor, left: int, width: int,
           dpr: float) -> QPixmap:
    """One row of a lane, grid lines included: tiled down the lane, far cheaper than tall thin translucent rects."""
    strip = QPixmap(max(1, math.ceil(width * dpr)), max(1, math.ceil(dpr)))
    strip.setDevicePixelRatio(dpr)
    strip.fill(fill)
    p = QPainter(strip)
    if tint is not None:
        p.fillRect(QRectF(0, 0, width, 1), tint)
    p.setPen(Qt.PenStyle.NoPen)
    for kind, alpha in SHADES.items():
        if lines[kind]:
            p.setBrush(QColor(ink.red(), ink.green(), ink.blue(), alpha))
            p.drawRects([QRectF(x - left, 0, 1, 1) for x in lines[kind]])
    p.end()
    return strip


def draw_backdrop(painter: QPainter, rect: QRectF, song: Song, scale: TimeScale, row_height: int,
                  current_track_id: str | None) -> None:
    """Paint the part of the backdrop inside the scene rectangle ``rect``."""
    painter.setRenderHint(QPainter.RenderHint.Antialiasing, False)
    pal = QApplication.palette()
    base = pal.color(QPalette.ColorRole.Base)
    dark = base.lightness() < 128
    lane_b = base.darker(104) if not dark else base.lighter(112)
    painter.fillRect(rect, pal.color(QPalette.ColorRole.Window).darker(103))
    h = row_height
    rows = len(song.tracks)
    first = max(0, int(rect.top() // h))
    last = min(rows - 1, int(rect.bottom() // h))
    left = math.floor(rect.left())
    width = math.ceil(rect.right()) - left
    if last >= first and width > 0:
        lines = grid_lines(song, scale, rect.left(), rect.right())
        ink = QColor(255, 255, 255) if dark else QColor(0, 0, 0)
        tint = QColor(palette.SELECTED_OUTLINE)
        tint.setAlpha(28)
        dpr = painter.device().devicePixelRatioF()
        strips: dict[tuple[int, bool], QPixmap] = {}
        for row in range(first, last + 1):
            current = song.tracks[row].id == current_track_id
            fill = base if row % 2 == 0 or current else lane_b
            key = (fill.rgba(), current)
            if key not in strips:
                strips[key] = _strip(fill, tint if current else None, lines, ink, left, width, dpr)
            top = max(rect.top(), row * h)
            bottom = min(rect.bottom(), (row + 1) * h)
            painter.drawTiledPixmap(QRectF(left, top, width, bottom - top), strips[key])
    line = pal.color(QPalette.ColorRole.Mid)
    line.setAlpha(90)
    painter.setPen(Qt.PenStyle.NoPen)  # thin filled rects: much cheaper than lines in the raster engine
    painter.setBrush(line)
    painter.drawRects([QRectF(rect.left(), row * h - 1, rect.width(), 1)
                       for row in range(first, min(last + 2, rows + 1))])
