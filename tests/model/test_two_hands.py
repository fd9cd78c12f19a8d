"""A part that plays its tune over its own accompaniment, continued as both (``two_hands``)."""

from __future__ import annotations

from dataclasses import replace

import numpy as np
import pytest

from composer_app.core.song import Clip, Note, Song, Track
from composer_app.model import song_adapter as sa
from composer_app.model import two_hands as th
from composer_app.model.continuation import DEFAULT_WEIGHTS, ContinuationEngine, ContinuationRequest
from composer_app.model.harmony import DEFAULT_WEIGHTS as HARMONY_WEIGHTS

BAR = 1920
ODE = [64, 64, 65, 67, 67, 65, 64, 62, 60, 60, 62, 64, 64, 62, 62, 62,
       64, 64, 65, 67, 67, 65, 64, 62, 60, 60, 62, 64, 62, 60, 60, 60]
"""Ode to Joy in C, quarter notes: 8 bars."""
CHORDS = ((48, 52, 55), (43, 47, 50), (48, 52, 55), (43, 47, 50),
          (48, 52, 55), (43, 47, 50), (48, 53, 57), (48, 52, 55))
"""One triad a bar under it, C3-B3."""


def tune(octave: int = 12) -> list[tuple[int, int, int, int]]:
    return [(p + octave, i * 480, 480, 90) for i, p in enumerate(ODE)]


def blocks(bars: int = 8) -> list[tuple[int, int, int, int]]:
    return [(p, b * BAR, BAR, 60) for b in range(bars) for p in CHORDS[b % 8]]


def oompah(bars: int = 8) -> list[tuple[int, int, int, int]]:
    out = []
    for b in range(bars):
        root, *upper = CHORDS[b % 8]
        for beat in range(4):
            at = b * BAR + beat * 480
            out.extend([(root - 12, at, 480, 80)] if beat % 2 == 0 else [(p + 12, at, 480, 60) for p in upper])
    return out


def piano(notes, *others: Track) -> Song:
    end = max(s + d for _, s, d, _ in notes)
    track = Track("Piano", clips=(Clip(0, end, tuple(Note(*n) for n in notes)),))
    return Song(tracks=(track, *others))


def test_the_top_line_is_the_tune_over_held_chords_and_struck_with_them():
    humanised = [(p, s + (7 if s % BAR == 0 else 0), d, v) for p, s, d, v in tune()]  # a played chord is not exact
    melody, rest = th.split(humanised + blocks())
    assert [n[0] for n in melody] == [p + 12 for p in ODE]
    assert sorted(rest) == sorted(blocks())


def test_a_note_under_a_held_tune_note_is_no_tune():
    held = [(76, 0, BAR, 90), (60, 480, 480, 60), (64, 960, 480, 60), (79, BAR, 480, 90)]
    melody, rest = th.split(held)
    assert [n[0] for n in melody] == [76, 79]
    assert [n[0] for n in rest] == [60, 64]


def test_a_tune_on_top_is_told_from_chords_alone():
    assert th.tune_on_top(tune() + blocks())
    assert th.tune_on_top(tune() + oompah())
    assert not th.tune_on_top(blocks())  # every top note is struck with a full chord
    assert not th.tune_on_top(oompah())  # its top line leaps from the bass to the chord and back
    hymn = [(p + d, i * 480, 480, 70) for i, p in enumerate(ODE) for d in (0, -5, -9, -17)]
    assert th.tune_on_top(hymn)  # four voices struck together, the top one leading by step: a hymn's tune
    assert not th.tune_on_top([(p + d, i * 1920, 1920, 70) for i, p in enumerate(ODE[::4]) for d in (0, -5, -9)])


def test_a_part_alone_that_plays_its_tune_is_asked_as_both():
    alone = piano(tune() + blocks())
    assert sa.part_role(alone.tracks[0], sa.track_notes(alone.tracks[0]), alone) == th.BOTH
    bass = Track("Bass", channel=1, program=33, clips=(Clip(0, 8 * BAR, tuple(
        Note(36, b * BAR, BAR, 80) for b in range(8))),))
    with_bass = piano(tune() + blocks(), bass)
    assert sa.part_role(with_bass.tracks[0], sa.track_notes(with_bass.tracks[0]), with_bass) == th.BOTH
    singer = Track("Voice", channel=1, clips=(Clip(0, 8 * BAR, tuple(Note(*n) for n in tune(24))),))
    with_tune = piano(tune() + blocks(), singer)
    assert sa.part_role(with_tune.tracks[0], sa.track_notes(with_tune.tracks[0]), with_tune) == "accompaniment"
    chords = piano(blocks())
    assert sa.part_role(chords.tracks[0], sa.track_notes(chords.tracks[0]), chords) == "accompaniment"
    assert sa.part_role(alone.tracks[0], sa.track_notes(alone.tracks[0])) == "accompaniment"  # no song: no judgement


def test_the_request_role_is_checked():
    assert ContinuationRequest(role=th.BOTH).role == th.BOTH
    with pytest.raises(ValueError, match="role"):
        ContinuationRequest(role="choir")


@pytest.fixture(scope="module")
def engine() -> ContinuationEngine:
    if not DEFAULT_WEIGHTS.is_file():
        pytest.skip("no shipped continuation weights")
    return sa.load_continuation_engine(None)


def _check(cands, request, tune_low: int) -> None:
    assert len(cands) == request.candidates
    start, end = BAR * 4, BAR * 8
    for cand in cands:
        assert all(start <= n[1] < end for n in cand.notes)
        melody, rest = th.split(cand.notes)
        assert melody and rest
        assert cand.meta["tune_notes"] >= 4
        # the new tune stays on top: in its own register, above the accompaniment's
        assert min(n[0] for n in melody) >= tune_low - th.BELOW_TUNE
        assert max(n[0] for n in rest) <= max(p for trio in CHORDS for p in trio)


def test_continued_as_tune_and_accompaniment(engine):
    song = piano([n for n in tune() + blocks() if n[1] < 4 * BAR])
    request, _ = sa.suggest_request(song, song.tracks[0], start_bar=4, bars=4, seed=3)
    assert request.role == th.BOTH
    streamed = []
    cands = engine.suggest(request, on_candidate=streamed.append)
    assert sorted(streamed, key=lambda c: c.index) == cands  # each as its accompaniment finishes
    _check(cands, request, min(p + 12 for p in ODE[:16]))
    assert len({c.notes for c in cands}) == len(cands)
    assert engine.suggest(request) == cands  # the same seed, the same candidates


@pytest.mark.skipif(not HARMONY_WEIGHTS.is_file(), reason="no shipped harmonizer weights")
def test_the_accompaniment_goes_under_the_harmonizers_chords_of_each_new_tune(engine, monkeypatch):
    song = piano([n for n in tune() + blocks() if n[1] < 4 * BAR])
    request, _ = sa.suggest_request(song, song.tracks[0], start_bar=4, bars=4, seed=3, candidates=2)
    real = sa.load_harmonizer(None)
    asked = []

    class Spy:
        def harmonize(self, req, cancel=None):
            asked.append(req)
            return real.harmonize(req, cancel)

    monkeypatch.setattr(engine, "harmonizer", Spy)
    cands = engine.suggest(request)
    assert len(asked) == 2
    for req, cand in zip(asked, cands):
        new_tune = {(p, s) for p, s, _, _ in th.split(cand.notes)[0]}
        assert new_tune <= {(p, s) for p, s, _ in req.melody}  # it heard the candidate's own tune
        assert req.start == 0 and req.end == 8 * BAR  # from the 4 bars before


def test_without_a_harmonizer_it_still_writes_both(engine, monkeypatch):
    song = piano([n for n in tune() + blocks() if n[1] < 4 * BAR])
    request, _ = sa.suggest_request(song, song.tracks[0], start_bar=4, bars=4, seed=1, candidates=2)
    monkeypatch.setattr(engine, "harmonizer", None)
    cands = engine.suggest(request)
    _check(cands, request, min(p + 12 for p in ODE[:16]))


@pytest.mark.parametrize("mode,keep", [("fill", None), ("vary", "rhythm")])
def test_bars_of_both_regenerated_and_varied(engine, mode, keep):
    song = piano(tune() + blocks())
    request, _ = sa.fill_request(song, song.tracks[0], mode=mode, keep=keep, start_bar=4, bars=2, seed=0)
    assert request.role == th.BOTH
    for cand in engine.suggest(request):
        assert all(4 * BAR <= n[1] < 6 * BAR for n in cand.notes)
        melody, rest = th.split(cand.notes)
        assert melody and rest
        if keep == "rhythm":  # every onset of the original kept
            assert {n[1] for n in cand.notes} == {n[1] for n in tune() + blocks() if 4 * BAR <= n[1] < 6 * BAR}


def test_a_context_without_an_accompaniment_is_asked_as_a_tune(engine):
    request = ContinuationRequest(context=tuple(tune()[:16]), role=th.BOTH, start_bar=4, bars=2, seed=0, candidates=2)
    assert engine.suggest(request) == engine.suggest(replace(request, role="melody"))


def test_each_candidate_can_have_its_own_chords(engine):
    """``chords_each``: one batch, each candidate over its own chords in the new bars (the accompaniments under a
    part's new tunes)."""
    context = tuple(blocks(4))
    new_bars = ((4 * BAR, 4 * BAR),)
    own = (tuple((s, d, "C:maj") for s, d in new_bars), tuple((s, d, "F#:maj") for s, d in new_bars))
    request = ContinuationRequest(context=context, role="accompaniment", start_bar=4, bars=4, seed=2, candidates=2,
                                  chords_each=own)
    first, second = engine.suggest(request)
    on = [sum(n[0] % 12 in tones for n in cand.notes) / len(cand.notes)
          for cand, tones in ((first, {0, 4, 7}), (second, {6, 10, 1}))]
    assert min(on) > 0.6
    with pytest.raises(ValueError, match="one chord list per candidate"):
        ContinuationRequest(candidates=3, chords_each=own)


def test_candidates_asked_again_keep_their_own_chords(engine, monkeypatch):
    """Candidates that come out equal are sampled again (``RETRIES``), each with its own chord list still."""
    from composer_app.model import continuation
    from composer_app.model import tokens as tk

    asked = []

    class Equal:
        """A decoder whose first attempt writes the same note for every candidate."""

        def __init__(self, net, req, key, grid, start_bar, prompt, **_kw) -> None:
            self.req, self.bar = req, start_bar
            asked.append(req)

        def run(self, finish, cancel=None) -> bool:
            for i in range(self.req.candidates):
                row = np.zeros((1, tk.NUM_FIELDS), np.int64)
                row[0, tk.PITCH] = 60 + (i + len(asked) * 10 if len(asked) > 1 else 0)
                finish(i, row, [self.bar], 0.0)
            return True

    monkeypatch.setattr(continuation, "Decoder", Equal)
    own = tuple(((4 * BAR, BAR, label),) for label in ("C:maj", "D:maj", "E:maj"))
    request = ContinuationRequest(context=tuple(blocks(4)), role="accompaniment", start_bar=4, bars=1, seed=0,
                                  candidates=3, chords_each=own)
    assert len(engine.suggest(request)) == 3
    assert [r.chords_each for r in asked] == [own, own[1:]]  # the second and third asked again, with their chords
