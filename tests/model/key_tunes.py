"""Small made-up tunes that key detection tests share."""

from __future__ import annotations

BAR = 1920


def relative_lean_then_c_major(lean: int = 4, bars: int = 24) -> list[tuple[int, int, int]]:
    """``lean`` bars on A, C and E (no G#: the relative minor by the notes alone), then C major to bar ``bars``,
    ending on a held C."""
    figures = ((9, 0, 4, 9), (7, 4, 2, 9), (0, 4, 7, 5), (2, 11, 7, 0))
    notes = []
    for b in range(bars):
        figure = figures[b % 2] if b < lean else figures[2 + b % 2]
        notes += [(60 + pc, b * BAR + i * 480, 480) for i, pc in enumerate(figure)]
    return notes + [(60, bars * BAR, 2 * BAR)]

