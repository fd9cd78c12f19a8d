"""One colour per candidate, shared by the ghost notes and the cards."""

from __future__ import annotations

from PySide6.QtGui import QColor

PALETTE = ("#7ee081", "#ff6b6b", "#c39bff", "#f78fb3", "#b5e655", "#ff8c69", "#ffe066", "#ffb347")
"""Not blue (the piano roll's own notes) and, for the first ones, not amber (its selected notes)."""


def candidate_color(index: int, alpha: int = 255) -> QColor:
    colour = QColor(PALETTE[index % len(PALETTE)])
    colour.setAlpha(alpha)
    return colour
