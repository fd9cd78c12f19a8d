"""The order candidates are shown in: the one most like the others first."""

from pathlib import Path

import pytest

from composer_app.core.pitch import KeySignature
from composer_app.model import consensus
from composer_app.model import tokens as tk
from composer_app.model.consensus import consensus_order
from composer_app.model.continuation import DEFAULT_WEIGHTS, ContinuationEngine, ContinuationRequest

GRID = tk.BarGrid(((0, 4, 4),))
BAR = 1920


def _line(pitches, step=480, start=0):
    return tuple((p, start + i * step, step, 90) for i, p in enumerate(pitches))


def test_the_candidate_most_like_the_others_comes_first_and_the_odd_one_out_last():
    quarters = _line([60, 62, 64, 65, 67, 65, 64, 62])  # C major in quarter notes
    near = _line([60, 62, 64, 67, 67, 65, 64, 60])  # the same rhythm, nearly the same pitch classes
    eighths = _line([60, 62, 64, 65, 67, 65, 64, 62] * 2, step=240)  # the same pitch classes, twice as many onsets
    odd = _line([61, 63, 66, 68, 70, 66], step=320)  # other pitch classes, onsets off the beat
    order = consensus_order([odd, eighths, near, quarters], GRID)
    assert order[0] in (2, 3) and order[1] in (2, 3), order
    assert order[-1] == 0, order


def test_equal_candidates_keep_the_sampled_order_and_a_silent_one_goes_last():
    a = _line([60, 64, 67, 72])
    assert consensus_order([a, a, a], GRID) == [0, 1, 2]
    assert consensus_order([(), a, a], GRID) == [1, 2, 0]
    assert consensus_order([], GRID) == []


def _engine() -> ContinuationEngine:
    if not Path(DEFAULT_WEIGHTS).is_file():
        pytest.skip(f"no shipped weights at {DEFAULT_WEIGHTS}")
    return ContinuationEngine.load()


MOTIF = tuple((67 + [0, 2, 4, 5, 7, 5, 4, 2][i % 8], i * 240, 240, 90) for i in range(16))


def test_the_engine_shows_the_same_candidates_in_consensus_order(monkeypatch):
    engine = _engine()
    request = ContinuationRequest(context=MOTIF, key=KeySignature(0, 7), seed=5, candidates=6, bars=4)
    streamed = []
    ordered = engine.suggest(request, on_candidate=streamed.append)
    assert [c.index for c in ordered] == list(range(6))
    assert streamed == ordered, "each is given to the caller once, in the order shown"
    assert consensus_order([c.notes for c in ordered], GRID) == list(range(6)), "already in consensus order"
    monkeypatch.setattr(consensus, "consensus_order", lambda cands, grid: list(range(len(cands))))
    monkeypatch.setattr("composer_app.model.continuation.consensus_order", consensus.consensus_order)
    sampled = engine.suggest(request)
    assert sorted(c.notes for c in sampled) == sorted(c.notes for c in ordered), "the same candidates"
    assert [c.notes for c in sampled] != [c.notes for c in ordered], "this request's sampled order is not kept"


def test_fills_and_candidates_paired_with_their_own_chords_keep_their_places(monkeypatch):
    """An accompaniment batch under each tune's chords (``chords_each``) is joined to its tune by index; a fill's or
    a variation's first candidate is the one that no other pushes away from the echo."""
    engine = _engine()
    asked = []
    monkeypatch.setattr("composer_app.model.continuation.consensus_order",
                        lambda cands, grid: asked.append(len(cands)) or list(range(len(cands)))[::-1])
    own = tuple(((2 * BAR, 4 * BAR, label),) for label in ("C:maj", "A:min", "F:maj"))
    request = ContinuationRequest(context=MOTIF, key=KeySignature(0, 7), seed=5, candidates=3, bars=4,
                                  role="accompaniment", chords_each=own)
    cands = engine.suggest(request)
    assert asked == [] and [c.index for c in cands] == [0, 1, 2]
    for mode in ("fill", "vary"):
        engine.suggest(ContinuationRequest(context=MOTIF, key=KeySignature(0, 7), seed=5, candidates=3, bars=1,
                                           mode=mode, start_bar=1, keep="rhythm" if mode == "vary" else None))
    assert asked == []
    engine.suggest(ContinuationRequest(context=MOTIF, key=KeySignature(0, 7), seed=5, candidates=3, bars=4))
    assert asked == [3], "without chords of their own they are put in order"


def test_a_cancel_hands_over_the_candidates_finished_before_it():
    """The window keeps what was finished when the musician pressed Stop: those candidates, in consensus order,
    then ``Cancelled``."""
    from composer_app.model.continuation import Cancelled

    engine = _engine()
    request = ContinuationRequest(context=MOTIF, key=KeySignature(0, 7), seed=5, candidates=4, bars=4)
    asked = []
    full = engine.suggest(request, cancel=lambda: asked.append(1) and False)
    steps = len(asked)
    streamed, again = [], []
    with pytest.raises(Cancelled):  # at the last time it is asked, before the last step
        engine.suggest(request, on_candidate=streamed.append, cancel=lambda: again.append(1) or len(again) >= steps)
    assert 0 < len(streamed) < 4, "some candidates finish before the last step"
    assert [c.index for c in streamed] == list(range(len(streamed)))
    assert {c.notes for c in streamed} <= {c.notes for c in full}
    assert consensus_order([c.notes for c in streamed], GRID) == list(range(len(streamed)))
