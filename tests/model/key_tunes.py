"""Small tunes that the key, harmony and fill tests share: made up, or traditional and written out by hand."""

from __future__ import annotations

from composer_app.core.song import Clip, Note, Song, TimeSignature, Track

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


GREENSLEEVES = [(69, 1), (72, 2), (74, 1), (76, 1.5), (77, .5), (76, 1), (74, 2), (71, 1), (67, 1.5), (69, .5), (71, 1),
                (72, 2), (69, 1), (69, 1.5), (68, .5), (69, 1), (71, 2), (68, 1), (64, 2), (69, 1), (72, 2), (74, 1),
                (76, 1.5), (77, .5), (76, 1), (74, 2), (71, 1), (67, 1.5), (69, .5), (71, 1), (72, 1.5), (71, .5),
                (69, 1), (68, 1.5), (66, .5), (68, 1), (69, 3), (69, 3)]
"""Greensleeves (traditional) in A minor, 3/4, in beats from its upbeat on the third beat of bar 1."""


def greensleeves(shift: int) -> tuple:
    notes, beat = [], 2.0
    for pitch, beats in GREENSLEEVES:
        notes.append((pitch + shift, int(beat * 480), int(beats * 480)))
        beat += beats
    return tuple(notes)


def greensleeves_song() -> Song:
    """Greensleeves in F# minor as a DAW writes it: one melody track in 3/4, no key signature, no chords."""
    notes = tuple(Note(p, s, d) for p, s, d in greensleeves(-3))
    return Song(tracks=(Track("melody", clips=(Clip(0, 17 * 1440, notes),)),), meters=(TimeSignature(0, 3, 4),))
