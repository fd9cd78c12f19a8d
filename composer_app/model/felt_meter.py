"""The meter the music is felt in, where its file's bars say otherwise, found from where its notes lean: a waltz in a
4/4 file (music in three that its file calls 2/4 or 4/4; a MIDI file without a time signature reads as 4/4), and bars
of one beat (1/4: most of POP909's MIDI files, written to follow a recording's beats, and other files made so).

Every part leans on the first beat of its bars: notes start there more often, longer ones (a bass note, a chord, a
melody's held note) and low ones (an oom-pah-pah's oom). Per beat of the song, each part that starts something on it
weighs 1, plus the log of the length of its longest note there, plus 1, in a part that plays chords, where its lowest
note there is among the part's lowest quarter. For bars of 2, 3 and 4 beats, at every phase, the downbeats' mean
weight less the other beats' is how strongly the music leans that way (as a share of the mean weight of a beat).
Three beats a bar is taken only where it leans on its downbeats clearly more than two or four do (``MIN_LEAN``); the
phase says where its first bar starts (a pickup of one or two beats before it). Bars of one beat are no meter at all:
there the music is felt in three where it leans so, else in four (the meter pop is written in, and the one the models
learnt POP909 in), from the phase where bars of four lean most. The model card counts how often each is right."""

from __future__ import annotations

import math
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, replace

from composer_app.core.song import NoteTuple, Song
from composer_app.core.timing import TimeSignature
from composer_app.model.beat_offset import on_the_beat
from composer_app.model.song_adapter import remembered

BEAT = 480
"""A quarter note: the beat of the x/4 meters this judges."""

NEAR = 20
"""Ticks an onset may lie from its beat and still count on it."""

MIN_BEATS = 24
"""Fewer beats than this (six bars of 4/4) are too few to judge."""

MIN_LEAN = 0.2
"""How much more, as a share of a beat's mean weight, bars of three must lean on their downbeats than bars of two
or four for the music to be called in three."""


@dataclass(frozen=True, slots=True)
class FeltMeter:
    """The music moves in bars of ``beats`` quarter beats, the first from beat ``pickup`` (0: the song's first beat);
    ``lean``: how clearly (for three: more than two or four; for four: more than its other phases)."""

    beats: int
    pickup: int
    lean: float

    @property
    def name(self) -> str:
        return f"{self.beats}/4"

    def describe(self) -> str:
        """"4/4 from beat 2": the meter, and where its first bar starts."""
        return self.name + (f" from beat {self.pickup + 1}" if self.pickup else "")


def beat_weights(parts: Iterable[Iterable[NoteTuple]]) -> dict[int, float]:
    """Per beat (quarter) of the song, the weight of what starts on it: for each part with a note there, 1 plus the
    log of its longest note's length (a chord is one onset, as a bass note is; a held note counts more), plus 1 in a
    part that plays chords where its note there is one of its lowest."""
    weights: dict[int, float] = defaultdict(float)
    for notes in parts:
        longest: dict[int, int] = {}
        lowest: dict[int, int] = {}
        count: dict[int, int] = defaultdict(int)
        for pitch, start, duration, _velocity in notes:
            beat, rest = divmod(start, BEAT)
            if rest >= BEAT - NEAR:
                beat += 1
            elif rest > NEAR:
                continue
            longest[beat] = max(longest.get(beat, 0), duration)
            lowest[beat] = min(lowest.get(beat, 128), pitch)
            count[beat] += 1
        if not lowest:
            continue
        chords = sum(n > 1 for n in count.values()) >= len(count) / 4  # a part that plays chords has a bass too
        low = sorted(lowest.values())[len(lowest) // 4] if chords else -1  # its lowest quarter of beats
        for beat, duration in longest.items():
            weights[beat] += 1 + math.log1p(duration / (BEAT / 2)) + (lowest[beat] <= low)
    return weights


def _lean(weights: dict[int, float], first: int, beats: int, per_bar: int) -> tuple[float, int]:
    """(how much bars of ``per_bar`` beats lean on their downbeats at their best phase, that phase), over the beats
    from the first note's ``first`` to ``beats``."""
    best, phase = -math.inf, 0
    for p in range(per_bar):
        down = [weights.get(k, 0.0) for k in range(first, beats) if (k - p) % per_bar == 0]
        other = [weights.get(k, 0.0) for k in range(first, beats) if (k - p) % per_bar]
        lean = sum(down) / len(down) - sum(other) / len(other)
        if lean > best:
            best, phase = lean, p
    return best, phase


def _judged(weights: dict[int, float]) -> tuple[int, int, float] | None:
    """(first beat, beats, mean weight of a beat) of the span the weights cover; None where too short to judge."""
    if not weights:
        return None
    first, beats = min(weights), max(weights) + 1
    if beats - first < MIN_BEATS:
        return None
    return first, beats, sum(weights.values()) / (beats - first)


def _in_three(weights: dict[int, float], span: tuple[int, int, float]) -> FeltMeter | None:
    first, beats, mean = span
    three, phase = _lean(weights, first, beats, 3)
    other = max(_lean(weights, first, beats, 2)[0], _lean(weights, first, beats, 4)[0])
    lean = (three - other) / mean
    return FeltMeter(3, phase, lean) if lean >= MIN_LEAN else None


def triple_meter(parts: Iterable[Iterable[NoteTuple]]) -> FeltMeter | None:
    """Where parts (each its notes, song ticks, quarter beats) move in three beats a bar, clearly more than in two or
    four: the phase of its downbeats; None otherwise (or too few beats to tell)."""
    weights = beat_weights(parts)
    span = _judged(weights)
    return None if span is None else _in_three(weights, span)


def bars_of_beats(parts: Iterable[Iterable[NoteTuple]]) -> FeltMeter | None:
    """For music written in bars of one beat: the bars it moves in, three beats where it leans so clearly, else four,
    from the phase where bars of four lean most. None where too few beats to tell."""
    weights = beat_weights(parts)
    span = _judged(weights)
    if span is None:
        return None
    three = _in_three(weights, span)
    if three is not None:
        return three
    first, beats, mean = span
    lean, phase = _lean(weights, first, beats, 4)
    return FeltMeter(4, phase, lean / mean)


def one_beat_bars(song: Song) -> bool:
    """The song's bars are all one beat long (1/4, 1/8, 1/2): no meter a musician writes a song in."""
    return all(m.numerator == 1 for m in song.meters)


def one_beat_meter(song: Song) -> FeltMeter | None:
    """For a song whose bars are one beat long, the meter its notes are felt in (``song_meter``); None for any other:
    what the command line reads such a file in, and what the assistant's status line asks to set first."""
    return song_meter(song) if one_beat_bars(song) else None


def song_meter(song: Song) -> FeltMeter | None:
    """The meter a song's notes, every part's, are felt in, where its bars say otherwise: for a song written in one
    x/4 meter of 2 or 4 beats (a file without a time signature reads as 4/4), three where they move in three; for
    bars of one quarter beat, the bars they move in. Judged with the notes on the beat (``beat_offset``), once per
    song (the window's hint, the assistant's status line and ``info`` all ask). None for any other song."""
    meters = {(m.numerator, m.denominator) for m in song.meters}
    if meters not in ({(2, 4)}, {(4, 4)}, {(1, 4)}):
        return None
    return remembered(song, "felt meter", lambda: _felt(on_the_beat(song), one_beat_bars(song)))


def _felt(song: Song, one_beat: bool) -> FeltMeter | None:
    parts = [[(n.pitch, c.start + n.start, n.duration, n.velocity) for c in t.clips for n in c.notes]
             for t in song.tracks]
    return bars_of_beats(parts) if one_beat else triple_meter(parts)


def in_meter(song: Song, found: FeltMeter) -> Song:
    """The song in the meter found from its first downbeat, the beats before it a pickup bar of their own (one undo
    step's worth): the notes stay where they are in time."""
    meter = TimeSignature(found.pickup * BEAT, found.beats, 4)
    return replace(song, meters=(TimeSignature(0, found.pickup, 4), meter) if found.pickup else (meter,))

