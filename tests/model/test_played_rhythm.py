"""A part played in by hand, read as written (``played_rhythm``), by the engine and the song adapter."""

from __future__ import annotations

import random

import pytest

from composer_app.core.song import Clip, Note, Song, Track
from composer_app.model import played_rhythm as pr
from composer_app.model import song_adapter as sa
from composer_app.model.continuation import DEFAULT_WEIGHTS, ContinuationEngine, ContinuationRequest

BAR = 1920
FOUR = ((0, 4, 4),)
# a tune in G: quarters, eighths, a dotted eighth and sixteenth, a half note, 4 bars, every note held to the next
RHYTHM = [480, 480, 240, 240, 480,  360, 120, 480, 960,  240, 240, 240, 240, 480, 480,  480, 240, 240, 960]
PITCHES = [67, 69, 71, 72, 74, 72, 71, 69, 67, 71, 72, 74, 76, 74, 72, 71, 69, 67, 67]


def tune() -> list[tuple[int, int, int, int]]:
    out, at = [], 0
    for p, d in zip(PITCHES, RHYTHM):
        out.append((p, at, d, 90))
        at += d
    return out


def played(notes, seed: int = 0, spread: float = 12.0, late: float = 8.0) -> list[tuple[int, int, int, int]]:
    """``notes`` as a player on a keyboard plays them: onsets a little late and scattered, every note released early
    (detached, 0.7-0.95 of its value); velocities kept."""
    rng = random.Random(seed)
    return [(p, max(0, round(s + late + rng.gauss(0, spread))), round(d * rng.uniform(0.7, 0.95)), v)
            for p, s, d, v in notes]


def test_a_written_part_is_left_as_it_is():
    written = tune()
    assert not pr.is_played(written)
    assert pr.as_written(written, FOUR) == tuple(written)
    thirty_seconds = [(60 + i % 5, i * 60, 60, 80) for i in range(32)]  # 32nds lie on the written grid too
    assert not pr.is_played(thirty_seconds)


@pytest.mark.parametrize("seed", range(6))
def test_a_played_tune_is_read_as_it_was_written(seed):
    take = played(tune(), seed)
    assert pr.is_played(take)
    assert pr.as_written(take, FOUR) == tuple(tune())


@pytest.mark.parametrize("late", (-35, 45))
def test_a_player_early_or_late_throughout_is_read_on_the_beat(late):
    """A take recorded while the click came through a sound card's buffer lands late by as much throughout."""
    assert pr.as_written(played(tune(), 9, spread=10.0, late=late), FOUR) == tuple(tune())


def test_a_last_note_held_past_the_bar_line_ends_on_it():
    take = played(tune(), 1)
    p, s, d, v = take[-1]
    take[-1] = (p, s, 4 * BAR - s + 70, v)  # released 70 ticks into bar 5
    assert pr.as_written(take, FOUR)[-1] == (67, 3 * BAR + 960, 960, 90)


def test_a_released_note_before_a_rest_keeps_its_rest():
    notes = tune()
    notes[8] = (67, 3 * 480 + BAR, 480, 90)  # bar 2 ends with a quarter and a quarter rest
    take = played(notes, 2)
    assert pr.as_written(take, FOUR)[8] == (67, BAR + 1440, 480, 90)


def test_eighth_triplets_and_swung_eighths_are_heard_in_triplets_and_a_late_sixteenth_stays_one():
    rng = random.Random(3)
    triplets = [(60 + i % 3, b * 480 + k * 160 + round(rng.gauss(0, 10)) + 5, 150, 80) for b in range(8)
                for i, k in enumerate(range(3))]
    assert sorted({n[1] % 480 for n in pr.as_written(triplets, FOUR)}) == [0, 160, 320]
    swung = [(62, b * 480 + off + round(rng.gauss(0, 10)), 200, 80) for b in range(8) for off in (0, 300)]
    assert sorted({n[1] % 480 for n in pr.as_written(swung, FOUR)}) == [0, 320]
    dotted = [(64, b * 480 + off + round(rng.gauss(0, 6)) + (22 if off else 0), 100, 80) for b in range(8)
              for off in (0, 360)]  # the sixteenth played 22 ticks late
    assert sorted({n[1] % 480 for n in pr.as_written(dotted, FOUR)}) == [0, 360]


def test_fast_notes_are_not_merged_onto_one_point():
    rng = random.Random(4)
    run = [(60 + i, i * 60 + round(rng.gauss(0, 6)) + 11, 50, 80) for i in range(16)]  # 32nds, played
    out = pr.as_written(run, FOUR)
    assert len({n[1] for n in out}) == 16


@pytest.fixture(scope="module")
def engine():
    if not DEFAULT_WEIGHTS.is_file():
        pytest.skip("no trained continuation weights")
    return ContinuationEngine.load(DEFAULT_WEIGHTS)


def test_the_engine_continues_a_played_take_as_the_written_tune(engine):
    def ask(context):
        return ContinuationRequest(context=tuple(context), start_bar=4, bars=4, candidates=4, seed=11)

    assert [c.notes for c in engine.suggest(ask(played(tune(), 5)))] == [c.notes for c in engine.suggest(ask(tune()))]


def song_of(*parts: list[tuple[int, int, int, int]], names=("Keys",)) -> Song:
    tracks = []
    for name, notes in zip(names, parts):
        end = max(s + d for _, s, d, _ in notes)
        tracks.append(Track(name, clips=(Clip(0, end, tuple(Note(*n) for n in notes)),)))
    return Song(tracks=tuple(tracks))


def test_chords_played_in_are_continued_as_chords():
    rng = random.Random(6)
    triads = ((48, 52, 55), (53, 57, 60), (55, 59, 62), (48, 52, 55))
    chords = [(p, max(0, b * BAR + k * 960 + round(rng.gauss(0, 12))), round(900 * rng.uniform(0.8, 1.0)), 70)
              for b in range(4) for k in range(2) for p in triads[b]]
    song = song_of(chords)
    assert sa.infer_role(chords) == "melody"  # struck a few milliseconds apart, the notes are no chord as they are
    assert sa.track_role(song, song.tracks[0]) == "accompaniment"
    request, _ = sa.suggest_request(song, song.tracks[0])
    assert request.role == "accompaniment"


def test_a_take_held_past_its_last_bar_line_is_continued_from_the_next_bar():
    take = played(tune(), 7)
    p, s, d, v = take[-1]
    take[-1] = (p, s, 4 * BAR - s + 50, v)
    song = song_of(take)
    request, _ = sa.suggest_request(song, song.tracks[0])
    assert request.start_bar == 4
    assert request.context == tuple(tune())


def test_a_kept_variation_replaces_the_note_played_just_before_its_bar():
    take = played(tune(), 8)
    p, s, d, v = take[5]  # the first note of bar 2, played early: before the bar line
    take[5] = (p, BAR - 9, d, v)
    song = song_of(take)
    track = song.tracks[0]
    request, _ = sa.fill_request(song, track, mode="vary", keep="rhythm", start_bar=1, bars=1)
    bar = [n for n in request.context if BAR <= n[1] < 2 * BAR]
    assert bar[0] == (72, BAR, 360, 90)
    from composer_app.model.continuation import Candidate

    cand = Candidate(0, ((60, BAR, 480, 90),), 0.0, None, BAR, 2 * BAR)
    out = sa.fill_span(song, track.id, cand)
    starts = sorted(n[1] for n in sa.track_notes(out.tracks[0]))
    assert BAR - 9 not in starts and starts.count(BAR) == 1
    assert not [s for s in starts if BAR < s < 2 * BAR]


def test_a_played_melody_is_harmonized_as_written():
    song = song_of(played(tune(), 10))
    request, _ = sa.harmony_request(song, song.tracks[0])
    assert request.melody == tuple((p, s, d) for p, s, d, _ in tune())


def test_a_tune_played_over_its_left_hand_in_one_track_is_held_to_its_next_note():
    """A piano's right hand releases a tune note after the left hand's next notes: it is still the tune's note until
    the tune's next one, so the part is heard as the tune over its chords."""
    from composer_app.model.two_hands import BOTH

    arpeggio = [((48, 55, 52, 55)[i % 4] + (5 if i // 8 % 2 else 0), i * 240, 240, 60) for i in range(32)]
    both = tune() + arpeggio
    written = song_of(both)
    assert sa.track_role(written, written.tracks[0]) == BOTH
    song = song_of(played(both, 12, late=0.0))
    assert sa.track_role(song, song.tracks[0]) == BOTH
    top = [n for n in sa.written(song, song.tracks[0]) if n[0] >= 64]
    assert top == tune()
