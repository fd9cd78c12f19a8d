"""A take played without the click: its beats, found from its onsets, and the song given a tempo map that follows them.

A MIDI file of a performance recorded without a click (a pianist's take, a file saved by a digital piano, a DAW
recording played freely) keeps the recorder's fixed tempo while the player's beat wanders. Its notes drift across the
file's beats, so no bar line, beat or grid of the file means anything: no fixed offset (``beat_offset``) and no
rounding (``played_rhythm``) puts them right, and the models, which read music by its bars and beats, read noise.

The beats are tracked from the onsets (every pitched part and the drums): onsets close together are one event,
weighing more for more notes and longer ones; the events make an onset envelope (10 ms frames); its autocorrelation,
weighed towards a moderate tempo, gives the beat period; dynamic programming then picks the beats that fall on
strong onsets with intervals close to that period (the classic beat tracker of Ellis, 2007). The take is called
played without the click where its onsets come back clearly a beat later (``_pulse``: onsets strewn at random do
not), they are not on any written grid, no fixed offset explains them (``beat_offset``), the tracked beats keep time
with them (``fit``: an onset near a beat counts 2, near a half or third of a beat 1) clearly better than the file's
own beats do, and those beats do not keep in step with the file's time line (a steady simple ratio of its tempo):
the player's tempo wandered, or kept to one of its own. ``follow`` then re-times the song: each tracked beat becomes
a quarter note, the tempo map changes at each beat so that every note sounds when it did, and the bars are the meter
the notes are felt in (``felt_meter``). The beat is taken at the level nearest a moderate tempo, so a slow ballad in
16ths may come out at twice its tempo in 8ths (the model card counts how often).
"""

from __future__ import annotations

import math
from bisect import bisect_right
from dataclasses import dataclass, replace

import numpy as np

from composer_app.core.edits import retime
from composer_app.core.song import Song
from composer_app.core.timing import PPQ, TempoChange, TimeSignature
from composer_app.model.beat_offset import song_offset
from composer_app.model.felt_meter import in_meter, song_meter
from composer_app.model.played_rhythm import is_played
from composer_app.model.song_adapter import remembered

HOP = 0.01
"""Seconds per frame of the onset envelope."""
TOGETHER = 0.03
"""Onsets closer than this (seconds) are one event (a chord struck by hand)."""
SMOOTH = 2.0
"""Frames: the spread of each event in the envelope."""
SHORTEST, LONGEST = 0.3, 1.5
"""Beat periods considered (seconds): 200 to 40 beats a minute."""
CENTRE, SPREAD = 0.55, 0.9
"""The tempo a beat period is weighed towards (seconds; about 110 beats a minute) and how loosely (octaves)."""
TIGHT = 100.0
"""How much the beat tracker pays (per squared log of the ratio) for an interval away from the period."""
NEAR, NEAR_SHARE = 0.05, 0.1
"""An onset this close (seconds) to a beat, a half or a third of one counts on it, and never more than this share of
the beat (in 16ths at a fast tempo, every onset would be near something)."""
MIN_EVENTS = 16
EARLY, EARLY_LEAD = 0.25, 0.75
"""A first note this much of a beat before the first tracked beat was played early on it (that beat starts with it,
not a pickup beat of its own); a tracked beat this much of a beat before the first note lies in the silence before
the take."""
SHORTEST_TAKE, LONGEST_TAKE = 6.0, 900.0
"""Seconds from a take's first onset to its last: shorter is too little to track, longer too long to judge at once."""
MIN_PULSE = 0.15
"""How clearly the onsets must come back a beat later (``_pulse``) for a beat to be tracked at all."""
MIN_FIT = 1.2
"""The fit the tracked beats must reach (on-beat onsets count 2, those on a half or third of a beat 1, as a share of
all events)."""
MIN_GAIN = 0.3
"""How much better than the file's own beats (at the same level) the tracked beats must keep time with the onsets."""
RATIOS = (1, 2, 1 / 2, 4, 1 / 4, 3, 1 / 3, 3 / 2, 2 / 3, 3 / 4, 4 / 3)
"""The lengths, in the file's beats, of a beat of music that keeps in step with the file's time line."""
WINDOW = 8
"""Beats over which the take's tempo is compared with the file's."""
SAME_TEMPO = 0.015
"""How far (a share) the take's median tempo may lie from a simple ratio of the file's and keep in step with it."""
STEADY = 0.03
"""How much (a share of the median, between the quartiles) the take's tempo may vary and keep in step."""


@dataclass(frozen=True, slots=True)
class PlayedTempo:
    """The beats of a take (seconds from the song's start), and how well they and the file's own fit its onsets."""

    beats: tuple[float, ...]
    fit: float
    fit_on_file: float

    @property
    def bpm(self) -> float:
        """The median tempo of the take (beats a minute)."""
        return 60.0 / float(np.median(np.diff(self.beats)))

    def span(self) -> tuple[float, float]:
        """The slowest and fastest tempo of the take (beats a minute, over 4 beats at a time)."""
        beats = np.asarray(self.beats)
        if len(beats) < 6:
            return self.bpm, self.bpm
        tempi = 240.0 / (beats[4:] - beats[:-4])
        return float(np.percentile(tempi, 5)), float(np.percentile(tempi, 95))

    def describe(self) -> str:
        """"about 84 BPM, drifting between 78 and 92"."""
        low, high = self.span()
        return f"about {self.bpm:.0f} BPM, drifting between {low:.0f} and {high:.0f}"


def onset_events(song: Song) -> list[tuple[float, float]]:
    """(seconds, weight) per event: the onsets of every part (drums too) within TOGETHER of the first, one event; a
    note weighs 1 plus the log of its length in quarter seconds, each note after the first of an event a third."""
    tm = song.tempo_map
    onsets = sorted((tm.seconds(c.start + n.start), tm.seconds(c.start + n.end) - tm.seconds(c.start + n.start))
                    for t in song.tracks for c in t.clips for n in c.notes)
    events: list[list[float]] = []
    for start, length in onsets:
        weight = 1.0 + math.log1p(max(length, 0.0) / 0.25)
        if events and start - events[-1][0] < TOGETHER:
            events[-1][1] += weight / 3
        else:
            events.append([start, weight])
    return [(s, w) for s, w in events]


def _envelope(events: list[tuple[float, float]]) -> np.ndarray:
    frames = np.zeros(int(events[-1][0] / HOP) + 50)
    for start, weight in events:
        frames[int(round(start / HOP))] += weight
    reach = int(3 * SMOOTH)
    kernel = np.exp(-0.5 * (np.arange(-reach, reach + 1) / SMOOTH) ** 2)
    envelope = np.convolve(frames, kernel, mode="same")
    return envelope / (envelope.std() + 1e-9)


def _period(envelope: np.ndarray) -> int:
    """The beat period (frames): the envelope's autocorrelation weighed towards CENTRE."""
    lags = np.arange(int(SHORTEST / HOP), min(int(LONGEST / HOP), len(envelope) // 4) + 1)
    ac = np.array([np.dot(envelope[:-lag], envelope[lag:]) for lag in lags])
    prior = np.exp(-0.5 * (np.log2(lags * HOP / CENTRE) / SPREAD) ** 2)
    return int(lags[np.argmax(ac * prior)])


def _pulse(envelope: np.ndarray, period: int) -> float:
    """How clearly the onsets come back every ``period`` frames: the envelope's correlation with itself a beat later
    (about 0.4 in music, under 0.13 for onsets strewn at random)."""
    x = envelope - envelope.mean()
    return float(np.dot(x[:-period], x[period:]) / (np.dot(x, x) + 1e-9))


def _track(envelope: np.ndarray, period: int) -> list[float]:
    """The beats (seconds): each on a strong frame, each interval near ``period`` (dynamic programming)."""
    n = len(envelope)
    score = envelope.copy()
    back = np.full(n, -1)
    steps = np.arange(max(1, period // 2), 2 * period + 1)
    cost = -TIGHT * np.log(steps / period) ** 2
    shortest = int(steps[0])
    # every step is at least ``shortest`` frames, so that many frames at once depend only on frames before them
    for first in range(shortest, n, shortest):
        frames = np.arange(first, min(first + shortest, n))
        before = frames[:, None] - steps[None, :]
        options = np.where(before >= 0, score[np.maximum(before, 0)], -np.inf) + cost
        best = np.argmax(options, axis=1)
        rows = np.arange(len(frames))
        score[frames] += options[rows, best]
        back[frames] = before[rows, best]
    t = n - period - 1 + int(np.argmax(score[n - period - 1:]))
    beats = [t]
    while back[t] >= 0:
        t = int(back[t])
        beats.append(t)
    return [b * HOP for b in reversed(beats)]


def fit(starts: list[tuple[float, float]], beats: list[float]) -> float:
    """How well ``beats`` (seconds, rising) keep time with the events: per event, 2 near a beat, 1 near the half beat
    or a third of the beat between two (``NEAR``, a tenth of the beat at most), 0 otherwise, as a share of the events
    inside the beats' span."""
    score, counted = 0, 0
    for start, _weight in starts:
        i = bisect_right(beats, start) - 1
        if i < 0 or i + 1 >= len(beats):
            continue
        counted += 1
        a, b = beats[i], beats[i + 1]
        near = min(NEAR, NEAR_SHARE * (b - a))
        if min(start - a, b - start) <= near:
            score += 2
        elif min(abs(start - a - (b - a) * k) for k in (1 / 3, 1 / 2, 2 / 3)) <= near:
            score += 1
    return score / counted if counted else 0.0


def halved(beats: list[float]) -> list[float]:
    """The beats with a beat between each two: the level below."""
    out = [x for a, b in zip(beats, beats[1:]) for x in (a, (a + b) / 2)]
    return out + beats[-1:]


def keeps_time(events: list[tuple[float, float]], beats: list[float]) -> float:
    """``fit`` at the beats' level or the level below, the better: music in 16ths keeps time with its 8ths."""
    return max(fit(events, beats), fit(events, halved(beats)))


def _file_beats(song: Song, until: float, period: float) -> list[float]:
    """The file's own beats (seconds) up to ``until``, halved or paired as often as it takes to bring them nearest
    ``period`` (seconds), the level the tracked beats were found at: the two grids are judged at one level."""
    tm = song.tempo_map
    ticks, tick = [], 0
    while True:
        ticks.append(tick)
        if tm.seconds(tick) > until:
            break
        tick += song.meter_map.meter_at(tick).beat_ticks
    seconds = [tm.seconds(t) for t in ticks]
    level = round(math.log2(float(np.median(np.diff(seconds))) / period)) if len(seconds) > 1 else 0
    if level < 0:
        return seconds[::2 ** -level]
    step = 2 ** level
    return [tm.seconds(round(a + (b - a) * k / step)) for a, b in zip(ticks, ticks[1:]) for k in range(step)]


def played_tempo(song: Song) -> PlayedTempo | None:
    """Where the song's notes drift across its beats as a take played without the click: its own beats; None where
    the file's beats keep time with the notes (or too few to tell, or they are on a written grid)."""
    return remembered(song, "played tempo", lambda: _played_tempo(song))


def _on_a_written_grid(song: Song) -> bool:
    """Written music (its onsets on the file's grid), or music a fixed offset off it (``beat_offset``)."""
    notes = [(n.pitch, c.start + n.start, n.duration, n.velocity)
             for t in song.tracks for c in t.clips for n in c.notes]
    return not is_played(notes) or song_offset(song) is not None


def _played_tempo(song: Song) -> PlayedTempo | None:
    if _on_a_written_grid(song):  # the quick answer for written music, first
        return None
    events = onset_events(song)
    if len(events) < MIN_EVENTS or not SHORTEST_TAKE <= events[-1][0] - events[0][0] <= LONGEST_TAKE:
        return None
    envelope = _envelope(events)
    period = _period(envelope)
    if _pulse(envelope, period) < MIN_PULSE:
        return None
    beats = _track(envelope, period)
    # the chain runs on back through the silence before the take: it starts at the last beat before the first onset,
    # or the next one where that beat is most of a beat before it
    start = max(bisect_right(beats, events[0][0] + NEAR) - 1, 0)
    if start + 1 < len(beats) and events[0][0] - beats[start] > EARLY_LEAD * (beats[start + 1] - beats[start]):
        start += 1
    beats = beats[start:]
    if len(beats) < MIN_EVENTS // 2:
        return None
    tracked = keeps_time(events, beats)
    if tracked < MIN_FIT or _in_step_with_file(song, beats):
        return None
    own = keeps_time(events, _file_beats(song, events[-1][0], float(np.median(np.diff(beats)))))
    return PlayedTempo(tuple(beats), tracked, own) if tracked - own >= MIN_GAIN else None


def _in_step_with_file(song: Song, beats: list[float]) -> bool:
    """Whether the tracked beats keep in step with the file's time line: over every ``WINDOW`` beats, their length in
    the file's beats is about one simple ratio (``RATIOS``, within ``SAME_TEMPO``) and hardly varies (the middle half
    of the windows within ``STEADY``). Music on the file's grid, off it by a fixed part of a beat, or in triplets
    against it keeps in step (a tracker's slip onto an off-beat moves a window or two); a take played without the click
    wanders, and one played steadily at a tempo of its own keeps another ratio."""
    tm = song.tempo_map
    ticks = np.array([tm.tick_at(b) for b in beats], dtype=np.float64)
    if len(ticks) <= WINDOW:
        return True
    ratios = (ticks[WINDOW:] - ticks[:-WINDOW]) / (WINDOW * song.meter_map.meter_at(0).beat_ticks)
    middle = float(np.median(ratios))
    spread = float(np.percentile(ratios, 75) - np.percentile(ratios, 25)) / middle
    return spread <= STEADY and any(abs(middle / r - 1) <= SAME_TEMPO for r in RATIOS)


def follow(song: Song, found: PlayedTempo) -> Song:
    """The song re-timed to the take's beats: each beat a quarter note, a tempo change at each so that every note
    sounds when it did (the silence before the first note's beat left out), and bars of the meter the notes are felt in
    (4/4 where that cannot be told), one undo step's worth. Beats before the first one tracked keep its interval, and
    what comes after the last beat keeps the last tempo."""
    beats = list(found.beats)
    tm = song.tempo_map
    first = min((tm.seconds(c.start + n.start) for t in song.tracks for c in t.clips for n in c.notes),
                default=beats[0])
    interval = beats[1] - beats[0]
    if beats[0] - EARLY * interval <= first < beats[0]:  # the first note played a little early: its beat starts there
        beats[0] = first
    lead = max(0, math.ceil((beats[0] - first) / interval - 1e-9))
    start = beats[0] - lead * interval
    beats = [start + i * interval for i in range(lead)] + beats

    def tick_of(old_tick: int) -> int:
        seconds = tm.seconds(old_tick)
        i = min(max(bisect_right(beats, seconds) - 1, 0), len(beats) - 2)
        a, b = beats[i], beats[i + 1]
        return max(0, round((i + (seconds - a) / (b - a)) * PPQ))

    tempos: list[TempoChange] = []
    for i in range(len(beats) - 1):
        us = round((beats[i + 1] - beats[i]) * 1e6)
        if not tempos or tempos[-1].us_per_quarter != us:  # a beat as long as the last needs no change
            tempos.append(TempoChange(i * PPQ, us))
    retimed = retime(song, tick_of, tuple(tempos), (TimeSignature(0, 1, 4),))
    felt = song_meter(retimed)
    return in_meter(retimed, felt) if felt is not None else replace(retimed, meters=(TimeSignature(0, 4, 4),))
