"""A clip's controller changes (sustain pedal, expression, ...): as they act, and cut with the clip.

A clip's controls act from their tick to the clip's end, as a region's do in a DAW: a pedal still down at the
end is let up there, so a clip never leaves the next one pedalled. Cutting a clip (split, trim, excerpt) keeps
what was in force at the cut: the part after it starts with those values."""

from __future__ import annotations

from collections.abc import Iterable, Iterator

from composer_app.core.song import PERFORMANCE_CONTROLS, Clip, Control, Track
from composer_app.core.timing import MeterMap

ControlEvent = tuple[int, int, int]
"""(song tick, controller number, value)."""

SUSTAIN = 64


def in_force(controls: Iterable[Control], tick: int) -> dict[int, int]:
    """Each controller's value after the changes before ``tick`` (those that changed at all)."""
    values: dict[int, int] = {}
    for c in controls:
        if c.start >= tick:
            break
        values[c.number] = c.value
    return values


def window(controls: tuple[Control, ...], lo: int, hi: int | None) -> tuple[Control, ...]:
    """The changes in ``[lo, hi)`` moved so ``lo`` is tick 0, led by the values in force at ``lo`` that are not
    at rest (a pedal held down across a cut is down from the start of the part after it)."""
    if not controls:
        return ()
    changed_at_lo = {c.number for c in controls if c.start == lo}
    lead = [Control(0, number, value) for number, value in sorted(in_force(controls, lo).items())
            if value != PERFORMANCE_CONTROLS[number] and number not in changed_at_lo]
    kept = [Control(c.start - lo, c.number, c.value) for c in controls
            if c.start >= lo and (hi is None or c.start < hi)]
    return tuple(lead + kept)


def clip_events(clip: Clip) -> list[ControlEvent]:
    """The clip's changes at song ticks, as they act: those inside it (a change at its very end included), then
    each controller left away from rest brought back to rest at the clip's end."""
    return _inside(clip) + _back_to_rest(clip)


def _inside(clip: Clip) -> list[ControlEvent]:
    return [(clip.start + c.start, c.number, c.value) for c in clip.controls if c.start <= clip.length]


def _back_to_rest(clip: Clip) -> list[ControlEvent]:
    return [(clip.end, number, PERFORMANCE_CONTROLS[number])
            for number, value in sorted(in_force(clip.controls, clip.length + 1).items())
            if value != PERFORMANCE_CONTROLS[number]]


def acting(clips: Iterable[Clip]) -> list[ControlEvent]:
    """The changes of clips of one track as they act, in time order (clip order within one tick). Where the next
    clip sets a controller at the very tick an earlier one ends, that value goes on without coming back to rest in
    between: a pedal held across a split stays down, and the notes it holds ring on."""
    clips = list(clips)
    inside = [e for clip in clips for e in _inside(clip)]
    set_at = {(tick, number) for tick, number, _ in inside}
    out = inside + [e for clip in clips for e in _back_to_rest(clip) if (e[0], e[1]) not in set_at]
    out.sort(key=lambda e: e[0])
    return out


def track_events(track: Track) -> list[ControlEvent]:
    """All the track's controller changes as they act (``acting``)."""
    return acting(track.clips)


def chased(events: list[ControlEvent], start: int, end: int | None) -> Iterator[ControlEvent]:
    """What playing from ``start`` sends: every controller the events use, at ``start``, at the value in force
    there (its rest value if none yet), then the changes in ``(start, end]`` (a pedal let up at the very end
    is let up)."""
    values = {number: PERFORMANCE_CONTROLS[number] for _, number, _ in events}
    for tick, number, value in events:
        if tick > start:
            break
        values[number] = value
    for number in sorted(values):
        yield start, number, values[number]
    for tick, number, value in events:
        if start < tick and (end is None or tick <= end):
            yield tick, number, value


def pedal_spans(clip: Clip, number: int = SUSTAIN) -> list[tuple[int, int]]:
    """(start, end) ticks into the clip where a pedal is down (value 64 or more), up to the clip's end."""
    out: list[tuple[int, int]] = []
    down: int | None = None
    for c in clip.controls:
        if c.number != number or c.start > clip.length:
            continue
        if c.value >= 64 and down is None:
            down = c.start
        elif c.value < 64 and down is not None:
            if c.start > down:
                out.append((down, c.start))
            down = None
    if down is not None and down < clip.length:
        out.append((down, clip.length))
    return out


def pedal_going_on(track: Track, meters: MeterMap, start: int, end: int) -> tuple[Control, ...]:
    """The sustain pedal for new bars of ``track`` from the bar line ``start`` to ``end`` (ticks into a clip that
    starts at ``start``): each new bar pedalled as the bar before ``start`` was, where that bar used the pedal and the
    new bars are as long. Nothing where the music before did not use it."""
    bar = meters.bar_of(start)
    if bar == 0 or meters.bar_start(bar) != start:
        return ()
    before = meters.bar_start(bar - 1)
    length = start - before
    events = [(tick, value) for tick, number, value in track_events(track) if number == SUSTAIN]
    down = 0
    changes: list[tuple[int, int]] = []
    for tick, value in events:
        if tick <= before:
            down = value
        elif tick < start:
            changes.append((tick - before, value))
    if down < 64 and not any(value >= 64 for _, value in changes):
        return ()
    pattern = [(0, down)] + changes
    out: list[Control] = []
    at = start
    while at < end and meters.bar_start(meters.bar_of(at) + 1) - at == length:
        out += [Control(at - start + offset, SUSTAIN, value) for offset, value in pattern]
        at += length
    return tuple(out)
