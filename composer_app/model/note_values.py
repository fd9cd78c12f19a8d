"""Songs written in long note values reach the network in the note values it learnt, and come back in their own.

A 3/2 bar of half notes sounds like a 3/4 bar of quarter notes played twice as fast, and many songs are written
that way: hymns, chorale-like tunes, most of the old German songs of the Essen collection (3/2, 4/2, 3/1 with half
and whole notes). The network learnt its rhythms from tunes whose beat is a quarter or a dotted quarter (x/4, x/8
and cut time moving in quarters and eighths): to it a bar of 3/1 is a meter and a set of durations it has hardly
seen. ``time_scale`` finds how much shorter the request must be written (1, 2 or 4); the engine divides every
tick of the request by it (``shrunk``), samples, and multiplies the candidates' ticks back (``stretched``).

Only meters with a half or a whole note as their beat unit are rewritten, and only when their notes are long
(their median at least a half note in x/2, a whole note in x/1): cut-time standards moving in quarters and
eighths are left as they are, as the network learnt them. The result is written in quarter-note beats where the
meters allow (3/2 -> 3/4, 3/1 -> 3/4), no meter ends up below an eighth-note beat, and the bar numbers stay.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace
from typing import Any, TypeVar

import numpy as np

from composer_app.core.song import NoteTuple as Note

R = TypeVar("R")

SCALED_MEDIAN = 480
"""The shortest median note (ticks at 480 per quarter) the rewritten prompt may have: a quarter note."""
SHORTEST_BEAT = 8
"""No meter is rewritten below an eighth-note beat (x/8)."""


def time_scale(meters: Sequence[tuple[int, int, int]], prompt: Sequence[Note]) -> int:
    """1, 2 or 4: how much shorter the request is shown to the network (1: as it is)."""
    dens = [d for _, _, d in meters] or [4]
    if min(dens) > 2 or not prompt:
        return 1
    median = float(np.median([n[2] for n in prompt]))
    scale = 4 // min(dens)
    while scale > 1:
        if max(dens) * scale <= SHORTEST_BEAT and median / scale >= SCALED_MEDIAN:
            return scale
        scale //= 2
    return 1


def shrunk(notes: Sequence[Note], scale: int) -> tuple[Note, ...]:
    """Notes with start and duration divided by ``scale`` (at least one tick long)."""
    return tuple((p, s // scale, max(1, d // scale), v) for p, s, d, v in notes)


def stretched(notes: Sequence[Note], scale: int) -> tuple[Note, ...]:
    """Notes with start and duration multiplied by ``scale``."""
    return tuple((p, s * scale, d * scale, v) for p, s, d, v in notes)


def shrunk_meters(meters: Sequence[tuple[int, int, int]], scale: int) -> tuple[tuple[int, int, int], ...]:
    """(tick, numerator, denominator) with the tick divided and the beat unit made ``scale`` times shorter."""
    return tuple((t // scale, n, d * scale) for t, n, d in meters)


def shrunk_chords(chords: Sequence[tuple[int, int, str]], scale: int) -> tuple[tuple[int, int, str], ...]:
    """Chord spans (start, duration, label) with their ticks divided by ``scale``."""
    return tuple((s // scale, max(1, d // scale), label) for s, d, label in chords)


def shrunk_request(request: R, scale: int) -> R:
    """A request (any dataclass with ``context``, ``meters`` and ``chords``) with its ticks divided by ``scale``."""
    req: Any = request
    out = replace(req, context=shrunk(req.context, scale), meters=shrunk_meters(req.meters, scale),
                  chords=shrunk_chords(req.chords, scale))
    if getattr(req, "chords_each", ()):
        out = replace(out, chords_each=tuple(shrunk_chords(c, scale) for c in req.chords_each))
    if getattr(req, "avoid", ()):
        out = replace(out, avoid=shrunk(req.avoid, scale))
    return out
