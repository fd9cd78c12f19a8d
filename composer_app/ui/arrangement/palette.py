"""Calm colours for clips and tracks, and the colours derived from them for drawing."""

from __future__ import annotations

from PySide6.QtGui import QColor

# (name, hex): muted tones that stay readable with dark text on light and dark themes
CLIP_COLORS: tuple[tuple[str, str], ...] = (
    ("Slate blue", "#8fa8c8"),
    ("Sage", "#9fbf9a"),
    ("Sand", "#d9c48f"),
    ("Rose", "#d4a2a8"),
    ("Lavender", "#b3a7cf"),
    ("Teal", "#8cc0bb"),
    ("Apricot", "#e0b08c"),
    ("Stone", "#b5b0a6"),
)

TEXT_COLOR = QColor("#1d2126")
SELECTED_BORDER = QColor("#f4f7fb")
SELECTED_OUTLINE = QColor("#2b6cb0")
MUTE_COLOR = QColor("#e0a24a")
SOLO_COLOR = QColor("#6cbf6a")
PLAYHEAD_COLOR = QColor(220, 80, 60)


def track_color(index: int) -> QColor:
    """The default colour of the track at ``index`` (cycles through the palette)."""
    return QColor(CLIP_COLORS[index % len(CLIP_COLORS)][1])


def clip_color(color: str, track_index: int) -> QColor:
    """A clip's own colour when it has a valid one, else its track's."""
    if color:
        c = QColor(color)
        if c.isValid():
            return c
    return track_color(track_index)


def note_color(fill: QColor) -> QColor:
    """Notes in the miniature: a darker, stronger shade of the clip colour."""
    return fill.darker(230)


def header_color(fill: QColor) -> QColor:
    """The name strip along a clip's top edge."""
    return fill.darker(118)
