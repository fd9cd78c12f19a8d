"""Takes played without the click, made from written music: its notes under a tempo that wanders (a slow swell and a
quicker sway), each onset a little early or late, written at the recorder's fixed 120 BPM."""

from __future__ import annotations

import math
import random
from dataclasses import replace

from composer_app.core.song import Clip, Note, Song
from composer_app.core.timing import TempoChange, TimeSignature

LEAD = 0.5
"""Seconds of silence before the take's first beat."""


def played_take(song: Song, bpm: float, depth: float = 0.06, jitter: float = 0.01, seed: int = 0
                ) -> tuple[Song, list[float]]:
    """(the take, the seconds of its true beats): ``song``'s quarter notes at ``bpm`` swelling by ``depth`` (and half as
    much more quickly), each onset and release moved by a random ``jitter`` (seconds, sd), at 960 ticks a second."""
    rng = random.Random(seed)
    slow, quick = rng.uniform(16, 40), rng.uniform(5, 10)
    a, b = rng.uniform(0, 2 * math.pi), rng.uniform(0, 2 * math.pi)
    step = 1 / 48
    times = [0.0]
    for i in range(int((song.end_tick / 480 + 4) / step)):
        beat = i * step
        times.append(times[-1] + step * 60 / bpm * (1 + depth * math.sin(2 * math.pi * beat / slow + a)
                                                       + depth / 2 * math.sin(2 * math.pi * beat / quick + b)))

    def seconds(tick: int) -> float:
        x = tick / 480 / step
        i = int(x)
        return LEAD + times[i] + (times[i + 1] - times[i]) * (x - i)

    tracks = []
    for track in song.tracks:
        notes = []
        for clip in track.clips:
            for n in clip.notes:
                on = max(0.0, seconds(clip.start + n.start) + rng.gauss(0, jitter))
                off = seconds(clip.start + n.end) + rng.gauss(0, jitter) - 0.01
                notes.append(Note(n.pitch, round(on * 960), max(10, round((off - on) * 960)), n.velocity))
        notes.sort(key=lambda n: (n.start, n.pitch))
        tracks.append(replace(track, clips=(Clip(0, max(n.end for n in notes), tuple(notes)),)))
    beats = [seconds(480 * k) for k in range(int(song.end_tick / 480) + 1)]
    return Song(tracks=tuple(tracks), tempos=(TempoChange(0, 500_000),), meters=(TimeSignature(0, 4, 4),)), beats
