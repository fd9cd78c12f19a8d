"""Made-up pieces in three and in four for the meter tests: a waltz over oom-pah-pah, a march, and a pop song's
verse in four."""

from __future__ import annotations

import random
from pathlib import Path

from composer_app.core.song import Clip, Note, Song, Track
from composer_app.core.timing import TimeSignature

Q = 480


def waltz(bars: int = 12, pickup: int = 0, seed: int = 1) -> list[tuple[int, int, int, int]]:
    """A tune over oom-pah-pah: a bass note on each bar's first beat, chords on the other two, a melody whose long
    notes fall on the first beat; ``pickup`` melody beats before the first bar."""
    rng = random.Random(seed)
    notes = [(72, i * Q, Q, 80) for i in range(pickup)]
    for bar in range(bars):
        t = (pickup + 3 * bar) * Q
        notes.append((43 + rng.choice((0, 5, 7)), t, Q, 90))
        notes += [(60, t + Q, Q, 60), (64, t + Q, Q, 60), (60, t + 2 * Q, Q, 60), (64, t + 2 * Q, Q, 60)]
        if rng.random() < 0.5:
            notes.append((72 + rng.choice((0, 2, 4)), t, 2 * Q, 90))
            notes.append((71, t + 2 * Q, Q, 80))
        else:
            notes += [(74, t, Q, 90), (72, t + Q, Q, 80), (71, t + 2 * Q, Q, 80)]
    return notes


def march(bars: int = 12, seed: int = 1) -> list[tuple[int, int, int, int]]:
    rng = random.Random(seed)
    notes = []
    for bar in range(bars):
        t = 4 * bar * Q
        notes += [(43, t, 2 * Q, 90), (43, t + 2 * Q, 2 * Q, 80)]
        for b in range(4):
            notes.append((72 + rng.choice((0, 2, 4, 5)), t + b * Q, Q, 80))
    return notes


def in_four(bars: int = 12, pickup: int = 0, seed: int = 1) -> list[tuple[int, int, int, int]]:
    """A tune in four over a piano: the left hand's root held from each bar's first beat, the right hand's chord on the
    other three, the tune's long notes on the first beat; ``pickup`` tune beats before the first bar."""
    rng = random.Random(seed)
    notes = [(72, i * Q, Q, 80) for i in range(pickup)]
    for bar in range(bars):
        t = (pickup + 4 * bar) * Q
        notes.append((41 + rng.choice((0, 5, 7)), t, 3 * Q, 90))
        notes += [(p, t + b * Q, Q, 60) for b in (1, 2, 3) for p in (60, 64)]
        if rng.random() < 0.5:
            notes += [(72 + rng.choice((0, 2, 4)), t, 3 * Q, 90), (71, t + 3 * Q, Q, 80)]
        else:
            notes += [(74, t, 2 * Q, 90), (72, t + 2 * Q, Q, 80), (71, t + 3 * Q, Q, 80)]
    return notes


def song_of(notes, meter=(4, 4)) -> Song:
    end = max(s + d for _, s, d, _ in notes)
    return Song(tracks=(Track("Piano", clips=(Clip(0, end, tuple(Note(*n) for n in notes)),)),),
                meters=(TimeSignature(0, *meter),))


def pop909_in_one_beat_bars(count: int) -> list[tuple[Path, Song]]:
    """The first ``count`` POP909 files that read as bars of one beat (1/4), with their songs; the test is skipped
    without ../shared/datasets."""
    import pytest

    from composer_app.midi import read_midi

    root = Path(__file__).resolve().parents[2].parent / "shared" / "datasets" / "pop909" / "POP909"
    found = []
    for path in sorted(root.glob("*/[0-9][0-9][0-9].mid")):
        song = read_midi(path)
        if {(m.numerator, m.denominator) for m in song.meters} == {(1, 4)}:
            found.append((path, song))
            if len(found) == count:
                return found
    if not found:
        pytest.skip("../shared/datasets is not here")
    return found
