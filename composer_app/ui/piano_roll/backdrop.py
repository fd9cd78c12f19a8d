"""Painting under and over the notes: key rows, scale shading, meter grid, clip bounds, loop and playhead."""

from __future__ import annotations

import math

from PySide6.QtCore import QLineF, QRectF
from PySide6.QtGui import QColor, QPainter, QPen, QTransform

from composer_app.core.song import Clip, Song
from composer_app.ui.piano_roll.state import RollState

BLACK_KEYS = frozenset((1, 3, 6, 8, 10))
ROW_WHITE = QColor(46, 50, 58)
ROW_BLACK = QColor(39, 42, 49)
ROW_OUT = QColor(31, 33, 39)  # outside the scale
ROW_TONIC = QColor(52, 57, 66)
OUTSIDE_CLIP = QColor(0, 0, 0, 70)
BAR_PEN = QColor(112, 120, 134)
BEAT_PEN = QColor(72, 78, 90)
SUB_PEN = QColor(56, 61, 71)
ROW_LINE = QColor(33, 36, 42)
OCTAVE_LINE = QColor(80, 86, 98)
LOOP_FILL = QColor(70, 130, 200, 38)
LOOP_EDGE = QColor(90, 150, 220, 150)
PLAYHEAD = QColor(235, 90, 70)


def _pen(colour: QColor, width: float = 1.0) -> QPen:
    pen = QPen(colour)
    pen.setWidthF(width)
    return pen


def paint_background(p: QPainter, rect: QRectF, song: Song, clip: Clip | None, state: RollState) -> None:
    """Fill ``rect`` (scene units) with rows and grid, drawn in device pixels for crisp lines."""
    t: QTransform = p.transform()
    sx, sy, dx, dy = t.m11(), t.m22(), t.dx(), t.dy()
    p.save()
    p.resetTransform()
    dev = t.mapRect(rect)
    left, right = dev.left(), dev.right() + 1
    r0, r1 = max(0, math.floor(rect.top())), min(128, math.ceil(rect.bottom()))
    t0, t1 = max(0, int(rect.left())), int(rect.right()) + 1
    # key segments: (start tick, end tick, scale) across the exposed span
    keys = [k for k in song.keys if k.tick < t1]
    segments = []
    for i, k in enumerate(keys):
        end = keys[i + 1].tick if i + 1 < len(keys) else t1
        if end > t0:
            segments.append((max(k.tick, t0), end, state.scale_for(k), k.tonic))
    for row in range(r0, r1):
        pitch = 127 - row
        pc = pitch % 12
        y = row * sy + dy
        for s, e, scale, tonic in segments:
            x0 = max(left, s * sx + dx) if s > t0 else left
            x1 = min(right, e * sx + dx) if e < t1 else right
            if scale is None:
                colour = ROW_BLACK if pc in BLACK_KEYS else ROW_WHITE
            elif pc not in scale:
                colour = ROW_OUT
            else:
                colour = ROW_TONIC if pc == tonic else ROW_WHITE
            p.fillRect(QRectF(x0, y, x1 - x0, sy + 1), colour)
    # row separators, stronger between B and C
    if sy >= 6:
        rows, octaves = [], []
        for row in range(r0, r1 + 1):
            y = round(row * sy + dy) - 0.5
            (octaves if (127 - row) % 12 == 11 else rows).append(QLineF(left, y, right, y))
        p.setPen(_pen(ROW_LINE))
        p.drawLines(rows)
        p.setPen(_pen(OCTAVE_LINE))
        p.drawLines(octaves)
    top, bottom = dev.top(), dev.bottom() + 1
    if clip is not None:  # shade what lies outside the edited clip
        cs, ce = clip.start * sx + dx, clip.end * sx + dx
        if cs > left:
            p.fillRect(QRectF(left, top, cs - left, bottom - top), OUTSIDE_CLIP)
        if ce < right:
            p.fillRect(QRectF(ce, top, right - ce, bottom - top), OUTSIDE_CLIP)
    _paint_time_grid(p, song, state, t0, t1, sx, dx, top, bottom)
    p.restore()


def _paint_time_grid(p: QPainter, song: Song, state: RollState, t0: int, t1: int, sx: float, dx: float,
                     top: float, bottom: float) -> None:
    meters = song.meter_map
    bars, beats, subs = [], [], []
    bar = meters.bar_of(t0)
    while True:
        start = meters.bar_start(bar)
        if start > t1:
            break
        m = meters.meter_at(start)
        end = start + m.bar_ticks
        x = round(start * sx + dx) + 0.5
        bars.append(QLineF(x, top, x, bottom))
        step = 0 if state.grid.is_off or state.grid.bar else state.grid.ticks
        if step and step * sx >= 5 and step < m.beat_ticks:
            tick = start + step
            while tick < end:
                if (tick - start) % m.beat_ticks:
                    xs = round(tick * sx + dx) + 0.5
                    subs.append(QLineF(xs, top, xs, bottom))
                tick += step
        if m.beat_ticks * sx >= 6:
            for b in range(1, m.numerator):
                xb = round((start + b * m.beat_ticks) * sx + dx) + 0.5
                beats.append(QLineF(xb, top, xb, bottom))
        bar += 1
    for lines, colour in ((subs, SUB_PEN), (beats, BEAT_PEN), (bars, BAR_PEN)):
        if lines:
            p.setPen(_pen(colour))
            p.drawLines(lines)


def paint_transport(p: QPainter, rect: QRectF, playhead: int, loop: tuple[int, int], loop_on: bool) -> None:
    """Loop region and playhead over the notes (device pixels)."""
    t = p.transform()
    sx, dx = t.m11(), t.dx()
    dev = t.mapRect(rect)
    p.save()
    p.resetTransform()
    ls, le = loop
    if le > ls:
        x0, x1 = ls * sx + dx, le * sx + dx
        if x1 >= dev.left() and x0 <= dev.right():
            if loop_on:
                p.fillRect(QRectF(x0, dev.top(), x1 - x0, dev.height() + 1), LOOP_FILL)
            p.setPen(_pen(LOOP_EDGE))
            p.drawLines([QLineF(x0, dev.top(), x0, dev.bottom() + 1), QLineF(x1, dev.top(), x1, dev.bottom() + 1)])
    x = playhead * sx + dx
    if dev.left() - 2 <= x <= dev.right() + 2:
        p.setPen(_pen(PLAYHEAD, 2))
        p.drawLine(QLineF(x, dev.top(), x, dev.bottom() + 1))
    p.restore()
