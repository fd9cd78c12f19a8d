"""A part that plays a tune over its own accompaniment, continued as both: a piano solo in one track, a keyboard take
with the tune in the right hand and chords in the left, a lead sheet played on the piano.

Asked as one accompaniment (what the network learnt from POP909's pianos and the chorales' lower voices, neither of
which carries the tune), such a part lost its tune: the new bars had chords and no melody on top. Here its top line
is taken for the tune (``split``), the rest for the accompaniment. The tune is continued first, over the chords
heard in the accompaniment; then each new tune gets its accompaniment, under the chords the harmonizer hears in it,
as an accompaniment track goes on under a tune track (``melody_chords``); each pair is one candidate of the part.

``tune_on_top`` tells such a part from chords alone (block chords, a comping pattern): its top line is mostly struck
alone or with one other note (a tune over held chords, over a left-hand figure), or it leads the voices under it by
seconds and thirds about once a beat (a hymn, a chorale in one track); and it moves as a tune does, seldom leaping
further than a sixth (an oom-pah's top line leaps from bass to chord every beat).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import replace
from typing import Any

import numpy as np

from composer_app.core.pitch import KeySignature
from composer_app.core.song import NoteTuple
from composer_app.core.timing import PPQ
from composer_app.model.facts import candidate_facts
from composer_app.model.heard_chords import as_heard, chords_outside, heard_chords
from composer_app.model.tokens import BarGrid

BOTH = "tune_and_accompaniment"
"""The request role of a part that plays its tune and its accompaniment (``song_adapter.part_role``)."""
CHORDS_SAID = "the chords of its own accompaniment, and under each new tune the harmonizer's"
"""Where a ``BOTH`` request's chords come from (the JSON's phrase; the status line says the tune over its
accompaniment)."""
TOGETHER = 30
"""Ticks within which notes count as struck together (a played chord is seldom exact to the tick)."""
HELD = 30
"""An earlier note that sounds more than this many ticks into a later onset is still held there."""
THIN = 0.5
"""Least share of the top line's notes struck alone or with one other note for a tune (the top line of block chords:
0; tunes over block chords, a left-hand figure or a pop piano: at least 0.5 in nine pieces of ten; the chorales'
soprano 0.09; POP909's pianos 0.56)."""
LEAP = 9
"""A step of the top line larger than this (semitones) is a leap out of a tune's way."""
LEAPS = 0.15
"""Most share of such leaps in the top line of a tune (tunes over chords: at most 0.14 in nine of ten; an oom-pah's
top line, bass and chord in turn: 0.4 and more; POP909's pianos 0.17)."""
STEPWISE = 0.6
"""Least share of a leading voice's steps that move by a second or a third, 1 to 4 semitones (the chorales' soprano
at least 0.66 in nineteen of twenty; chords restruck every beat 0.12-0.33, the top note repeated; POP909's pianos
0.28-0.67)."""
PER_BEAT = 0.6
"""Fewest notes a beat of a leading voice (the chorales' soprano 0.66-1.16; block chords a bar apart 0.29-0.51)."""
MIN_TUNE = 8
"""Fewest notes of a top line taken for a tune."""
BELOW_TUNE = 3
"""Semitones the new bars' tune may go below the lowest note of the tune so far (it stays the top line)."""
ABOVE_TUNE = 7
"""Semitones the new bars' tune may go above its highest note so far."""
UNDER = 12
"""Semitones the new bars' accompaniment may go below its lowest note so far (its highest stays its top)."""
LEAD_BARS = 4
"""Bars of the tune before the new ones that the harmonizer reads, so that its chords follow from the phrase."""
RHYTHM = "half"
"""Chords per bar the harmonizer puts under a new tune (two, as ``melody_chords`` does)."""


def split(notes: Sequence[NoteTuple]) -> tuple[tuple[NoteTuple, ...], tuple[NoteTuple, ...]]:
    """(tune, accompaniment) of ``notes``: the highest note of each onset (notes struck within TOGETHER ticks) where
    no earlier note is held above it, and the others; both in time order."""
    tune, _ = _top_line(notes)
    top = set(tune)
    rest = tuple(n for n in sorted(notes, key=lambda n: (n[1], n[0])) if n not in top)
    return tuple(tune), rest


def _top_line(notes: Sequence[NoteTuple]) -> tuple[list[NoteTuple], list[int]]:
    """The top line (``split``) and, for each of its notes, how many notes were struck with it."""
    order = sorted(notes, key=lambda n: (n[1], -n[0]))
    groups: list[list[NoteTuple]] = []
    for n in order:
        if groups and n[1] - groups[-1][0][1] <= TOGETHER:
            groups[-1].append(n)
        else:
            groups.append([n])
    line: list[NoteTuple] = []
    sizes: list[int] = []
    held: list[NoteTuple] = []
    for group in groups:
        at = group[0][1]
        held = [n for n in held if n[1] + n[2] > at + HELD]
        top = max(group, key=lambda n: (n[0], -n[1]))
        if not any(n[0] > top[0] for n in held):
            line.append(top)
            sizes.append(len(group))
        held.extend(group)
    return line, sizes


def tune_on_top(notes: Sequence[NoteTuple]) -> bool:
    """Whether chords ``notes`` carry a tune on top, not chords alone: a top line mostly struck alone or with one
    other note (THIN), or one that moves by seconds and thirds about once a beat over the voices under it
    (STEPWISE, PER_BEAT: a hymn in one track), that seldom leaps (LEAPS)."""
    line, sizes = _top_line(notes)
    if len(line) < MIN_TUNE or len(line) == len(notes):
        return False
    steps = np.abs(np.diff([n[0] for n in line]))
    beats = (line[-1][1] - line[0][1]) / PPQ + 1
    leads = float(np.mean((steps > 0) & (steps <= 4))) >= STEPWISE and len(line) / beats >= PER_BEAT
    return (float(np.mean(np.asarray(sizes) < 3)) >= THIN or leads) and float(np.mean(steps > LEAP)) <= LEAPS


Suggest = Callable[..., list]


def suggest(plain: Suggest, request: Any, on_candidate: Callable[[Any], None] | None = None,
            cancel: Callable[[], bool] | None = None, harmonizer: Any = None) -> list:
    """Candidates of a ``BOTH`` request. ``plain`` (an engine's ``suggest`` for one line or one accompaniment) writes
    the tunes first, over the chords heard in the accompaniment (``heard_chords``, a figure's notes taken together:
    ``as_heard``; a chord symbol wins where one stands); then the accompaniments in one batch, each under the chords
    the ``harmonizer`` (when there is one) puts under its tune in the new bars of a continuation (``chords_each``),
    or under the chords heard in the notes a fill or variation replaces. Each pair comes back as one candidate, in the
    tunes' (consensus) order, with those chords in its bars (``meta["chords"]``). Where the context has no
    accompaniment (one line, or nothing yet), it is asked as a tune."""
    tune, rest = split(request.context)
    if not rest:  # one line (or nothing yet): a tune
        return plain(replace(request, role="melody"), on_candidate, cancel)
    stated = sorted((s, s + d) for s, d, _ in request.chords)
    chords = tuple(sorted(request.chords + chords_outside(heard_chords(as_heard(rest, request.meters), request.meters),
                                                          stated)))
    ranged = request.pitch_range is None
    tune_request = replace(request, context=tune, role="melody", chords=chords, density=None,
                           pitch_range=_range(tune, BELOW_TUNE, ABOVE_TUNE) if ranged else request.pitch_range)
    tunes = plain(tune_request, None, cancel)
    under = tuple(_harmonized(harmonizer, request, chords, tune + line.notes, line.start_tick, line.end_tick, cancel)
                  if request.mode == "continue" and harmonizer is not None else chords for line in tunes)
    acc_request = replace(request, context=rest, role="accompaniment", candidates=len(tunes), chords_each=under,
                          seed=None if request.seed is None else request.seed + 7919,
                          pitch_range=_range(rest, UNDER, 0) if ranged else request.pitch_range)
    prompt = tuple(n for n in request.context if n[1] < tunes[0].start_tick) if tunes else ()
    out = []

    def join(acc: Any) -> None:
        line = tunes[acc.index]
        notes = tuple(sorted(acc.notes + line.notes, key=lambda n: (n[1], n[0])))
        both = replace(line, notes=notes, log_prob=line.log_prob + acc.log_prob,
                       facts=candidate_facts(notes, prompt, request.key or KeySignature(0)),
                       meta={**line.meta, "tune_notes": len(line.notes),
                             "chords": tuple(c for c in under[acc.index] if line.start_tick <= c[0] < line.end_tick)})
        out.append(both)
        if on_candidate is not None:
            on_candidate(both)

    plain(acc_request, join, cancel)
    return sorted(out, key=lambda c: c.index)


def _harmonized(harmonizer: Any, request: Any, chords: tuple, tune: Sequence[NoteTuple], start: int, end: int,
                cancel: Callable[[], bool] | None) -> tuple:
    """``chords`` with, in [start, end), the first harmonization of ``tune`` read from LEAD_BARS before ``start``
    (``chords`` as they are where the harmonizer cannot read it or a chord symbol stands there)."""
    from composer_app.model.harmony import HarmonyRequest  # harmony imports continuation, which imports this module

    if any(s < end and s + d > start for s, d, _ in request.chords):
        return chords
    grid = BarGrid(request.meters)
    lead = grid.start(max(grid.map.bar_of(start) - LEAD_BARS, 0))
    melody = tuple((p, s, d) for p, s, d, _ in sorted(tune, key=lambda n: (n[1], n[0])) if lead <= s < end)
    try:
        found = harmonizer.harmonize(HarmonyRequest(melody, meters=request.meters, key=request.key or KeySignature(0),
                                                    end=end, rhythm=RHYTHM, style=request.style, candidates=1, seed=0,
                                                    start=lead), cancel)
    except ValueError:
        return chords
    inside = tuple((max(s, start), min(s + d, end) - max(s, start), label) for s, d, label in
                   (found[0].chords if found else ()) if s < end and s + d > start)
    return tuple(sorted(chords_outside(chords, [(start, end)]) + inside)) if inside else chords


def _range(notes: Sequence[NoteTuple], below: int, above: int) -> tuple[int, int]:
    pitches = [n[0] for n in notes]
    return max(0, min(pitches) - below), min(127, max(pitches) + above)
