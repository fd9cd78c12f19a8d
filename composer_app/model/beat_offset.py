"""Music off the beat grid: notes that keep to a beat of their own, a fixed part of a beat after the bar lines.

A MIDI file aligned to a recording (POP909's) or recorded without the click can hold music in time at its tempo
whose beats fall between the file's: every note a third of a beat after where the grid says. Then every onset
reads as a syncopation, and a suggestion written on the grid sounds a fraction of a beat out against the song.
``beat_offset`` finds that shift from the onsets alone: the shift that puts most of them on beats and half beats
(thirds of the beat in a compound meter), taken only where it fits far better than the grid as it is, and never a
shift of whole half beats: music that sits on the grid's off-beats is syncopated, not displaced."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass

from composer_app.core.edits import shift_music
from composer_app.core.song import Song
from composer_app.core.timing import MeterMap
from composer_app.model.song_adapter import remembered

TOLERANCE = 15
"""Ticks (at 480 a quarter) an onset may lie from a beat or half beat and still count as on it."""

STEP = 5
"""The shifts tried, in ticks."""

MIN_ONSETS = 16
"""Fewer onsets than this are too few to judge."""

MIN_FIT = 0.8
"""The fit the shifted grid must reach: on-beat onsets count 2, those on a half (third) beat 1, as a share of all."""

MIN_GAIN = 0.5
"""How much better than the grid as it is the shifted grid must fit."""


@dataclass(frozen=True, slots=True)
class BeatOffset:
    """The music's beats lie ``ticks`` after the grid's (negative: before), ``beat`` ticks being one beat."""

    ticks: int
    beat: int
    fit: float
    fit_on_grid: float

    def describe(self) -> str:
        """"35 ticks (0.07 beat) late": how far, and which way, the music lies from the grid."""
        share = abs(self.ticks) / self.beat
        return f"{abs(self.ticks)} ticks ({share:.2f} beat) {'late' if self.ticks > 0 else 'early'}"


def beat_offset(starts: Iterable[int], meters: MeterMap) -> BeatOffset | None:
    """Where the onsets ``starts`` (song ticks) keep to beats shifted off the grid's, that shift; None where they
    keep to the grid (or are too few or too free to tell)."""
    starts = sorted(starts)
    if len(starts) < MIN_ONSETS:
        return None
    meter = meters.meter_at(starts[0])
    compound = meter.denominator == 8 and meter.numerator % 3 == 0 and meter.numerator > 3
    beat = 3 * meter.beat_ticks if compound else meter.beat_ticks  # 6/8 is felt in dotted quarters
    sub = beat // 3 if compound else beat // 2
    residues = Counter((s - meters.bar_start(meters.bar_of(s))) % beat for s in starts)
    total = len(starts)

    def near(x: int, m: int) -> bool:
        r = x % m
        return min(r, m - r) <= TOLERANCE

    def fit(shift: int) -> float:
        score = 0
        for r, count in residues.items():
            if near(r - shift, beat):
                score += 2 * count
            elif near(r - shift, sub):
                score += count
        return score / total

    def deviation(x: int, m: int) -> int:
        r = x % m
        return r if r <= m - r else r - m

    on_grid = fit(0)
    best = max(range(0, beat, STEP), key=lambda d: (fit(d), -min(d, beat - d)))
    best_fit = fit(best)
    if best_fit < MIN_FIT or best_fit - on_grid < MIN_GAIN:
        return None
    # the shifts tried are STEP apart and an onset counts within TOLERANCE: the onsets' own mean says where exactly
    matched = [(deviation(r - best, sub), count) for r, count in residues.items() if near(r - best, sub)]
    exact = best + round(sum(e * c for e, c in matched) / sum(c for _, c in matched))
    ticks = exact % beat
    ticks = ticks if ticks <= beat // 2 else ticks - beat
    if near(ticks, sub):  # on the grid's own half beats (an off-beat part, a skank): syncopation, not an offset
        return None
    return BeatOffset(ticks, beat, best_fit, on_grid)


def song_offset(song: Song) -> BeatOffset | None:
    """The offset of the song's notes (every track's) from its beat grid; None when they keep to it. Worked out once
    per song (``song_adapter.remembered``): the window's hint and the assistant's status line both ask."""
    return remembered(song, "beat offset", lambda: beat_offset(
        (c.start + n.start for t in song.tracks for c in t.clips for n in c.notes), song.meter_map))


def on_the_beat(song: Song, offset: BeatOffset | None = None) -> Song:
    """The song with its music moved onto the beat grid: back by the offset, or, where a note lies too early for
    that, on to the next beat. The song itself where its notes keep to the grid."""
    offset = offset if offset is not None else song_offset(song)
    if offset is None:
        return song
    try:
        return shift_music(song, -offset.ticks)
    except ValueError:  # music late by a part of a beat, a note in it too early to go back: on to the next beat
        return shift_music(song, offset.beat - offset.ticks)
