"""Harmonizing music that modulates: each key section on its own, in its own key, the alternatives joined.

``Harmonizer.harmonize`` comes here when a request carries ``key_changes`` (the section keys after the first,
each with the tick where it takes over, at a barline): a whole pop song whose last chorus goes up a semitone
gets its chorus's chords in the new key, not read in the old key's frame. Each section is harmonized as a
request of its own, moved to start at tick 0 (its melody, meters, chords and pins), and alternative k of the
whole is alternative k of every section (a section's last one where it has fewer). A bar range keeps to one key:
such a request is harmonized as before.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace
from typing import TYPE_CHECKING

from composer_app.core.timing import meter_map_of, meters_from

if TYPE_CHECKING:
    from composer_app.model.harmony import Harmonization, Harmonizer, HarmonyRequest


def section_bounds(req: HarmonyRequest) -> list[tuple[int, int, object]]:
    """(start, stop, key) of each section in [0, end): the request's key, then each key change."""
    end = max([req.end] + [s + d for _, s, d in req.melody])
    starts = [(0, req.key)] + [(k.tick, k) for k in sorted(req.key_changes, key=lambda k: k.tick) if 0 < k.tick < end]
    return [(a, b, key) for (a, key), (b, _) in zip(starts, starts[1:] + [(end, None)]) if b > a]


def section_request(req: HarmonyRequest, start: int, stop: int, key: object) -> HarmonyRequest:
    """The part of ``req`` in [start, stop), moved to start at tick 0 and set in ``key`` (its bass line too)."""
    def clipped(spans):
        return tuple((max(s, start) - start, min(s + d, stop) - max(s, start), *rest)
                     for s, d, *rest in spans if s < stop and s + d > start)

    from composer_app.model.harmony import Pin

    pins = tuple(Pin(max(p.start, start) - start, min(p.end, stop) - start, p.label)
                 for p in req.pins if p.start < stop and p.end > start)
    melody = tuple((p, s - start, min(s + d, stop) - s) for p, s, d in req.melody if start <= s < stop)
    last = not any(s >= stop for _, s, _ in req.melody)  # the music's end lies in this part
    bass = tuple((p, max(s, start) - start, min(s + d, stop) - max(s, start)) for p, s, d in req.bass
                 if s < stop and s + d > start)
    return replace(req, melody=melody, meters=meters_from(req.meters, start, stop), key=key, end=stop - start,
                   existing=clipped(req.existing), pins=pins, key_changes=(), ends_music=req.ends_music and last,
                   bass=bass)


def later_request(req: HarmonyRequest) -> HarmonyRequest:
    """A request whose music begins at ``req.start`` (a barline), moved to begin at tick 0: its melody, meters,
    chords and pins from there on, its key changes and bar range moved with them."""
    start = req.start
    end = max([req.end] + [s + d for _, s, d in req.melody])
    moved = section_request(req, start, max(end, start + 1), req.key)
    bar = meter_map_of(req.meters).bar_of(start)
    rng = None if req.range_bars is None else (max(req.range_bars[0] - bar, 0), req.range_bars[1] - bar)
    changes = tuple(replace(k, tick=k.tick - start) for k in req.key_changes if k.tick > start)
    return replace(moved, key_changes=changes, range_bars=rng, start=0)


def moved_back(h: Harmonization, start: int) -> Harmonization:
    """A harmonization of a ``later_request`` in song ticks again."""
    return replace(h, chords=tuple((s + start, d, lab) for s, d, lab in h.chords))


def harmonize_sections(harmonizer: Harmonizer, req: HarmonyRequest,
                       cancel: Callable[[], bool] | None = None) -> list[Harmonization]:
    """The request's sections harmonized one by one and joined (see the module's text)."""
    from composer_app.model.harmony import Harmonization

    bounds = section_bounds(req)
    parts = [(start, harmonizer.harmonize(section_request(req, start, stop, key), cancel))
             for start, stop, key in bounds]
    parts = [(start, found) for start, found in parts if found]
    if not parts:
        return []
    count = max(len(found) for _, found in parts)
    out: list[Harmonization] = []
    for k in range(count):
        chords: list[tuple[int, int, str]] = []
        labels: list[str] = []
        log_prob = 0.0
        for start, found in parts:
            h = found[min(k, len(found) - 1)]
            for s, d, lab in h.chords:
                if chords and chords[-1][2] == lab and chords[-1][0] + chords[-1][1] == s + start:
                    chords[-1] = (chords[-1][0], chords[-1][1] + d, lab)  # one chord across the section line
                else:
                    chords.append((s + start, d, lab))
            labels.extend(h.slot_labels)
            log_prob += h.log_prob
        distinct = min((sum(a != b for a, b in zip(labels, o.slot_labels)) / max(len(labels), 1) for o in out),
                       default=1.0)
        out.append(Harmonization(tuple(chords), tuple(labels), log_prob, distinct, k + 1))
    return out
