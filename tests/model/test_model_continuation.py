"""The numpy continuation engine: constraints as masks, seeds, transposition, candidates.

Each test runs on a small random network (always) and on the shipped weights when
resources/models/continuation.npz exists."""

from pathlib import Path

import pytest

from composer_app.core.pitch import KeySignature
from composer_app.model.continuation import DEFAULT_WEIGHTS, ContinuationEngine, ContinuationRequest
from composer_app.model.continuation_net import random_net

CONFIG = {"d_model": 32, "n_layers": 2, "n_heads": 2, "d_ff": 64, "max_len": 48, "rope_base": 10000.0}
BAR = 1920
G_MAJOR = KeySignature(0, 7)
MOTIF = tuple((67 + [0, 2, 4, 5, 7, 5, 4, 2][i % 8], i * 240, 240, 90) for i in range(16))  # 2 bars in G
CHORDS = ((0, 2 * BAR, "G:maj"), (2 * BAR, 2 * BAR, "D:7"), (4 * BAR, 12 * BAR, "G:maj"))


def _shipped() -> ContinuationEngine:
    if not Path(DEFAULT_WEIGHTS).is_file():
        pytest.skip(f"no shipped weights at {DEFAULT_WEIGHTS} (train them with "
                    "python -m composer_app.training.continuation.train)")
    return ContinuationEngine.load()


@pytest.fixture(params=["random", "shipped"], scope="module")
def engine(request) -> ContinuationEngine:
    if request.param == "random":
        return ContinuationEngine(random_net(CONFIG, seed=3))
    return _shipped()


def _request(**kw) -> ContinuationRequest:
    base = dict(context=MOTIF, key=G_MAJOR, chords=CHORDS, seed=7, candidates=4, bars=4)
    base.update(kw)
    return ContinuationRequest(**base)


@pytest.mark.parametrize("bars", [1, 4, 16])
@pytest.mark.parametrize("role", ["melody", "accompaniment"])
def test_exactly_n_bars(engine, bars, role):
    cands = engine.suggest(_request(bars=bars, role=role))
    assert len(cands) == 4
    start, end = 2 * BAR, (2 + bars) * BAR
    for c in cands:
        assert (c.start_tick, c.end_tick) == (start, end)
        assert c.notes, "every candidate has notes"
        assert all(start <= s < end and s + d <= end and d > 0 for _, s, d, _ in c.notes)
        assert any(s >= end - BAR for _, s, _, _ in c.notes), "the last bar gets a note"


def test_melody_stays_one_voice(engine):
    for c in engine.suggest(_request(role="melody")):
        onsets = [s for _, s, _, _ in c.notes]
        assert len(onsets) == len(set(onsets))
        assert all(a[1] + a[2] <= b[1] for a, b in zip(c.notes, c.notes[1:]))


def test_key_lock_gives_only_scale_notes(engine):
    for key in (G_MAJOR, KeySignature(0, 2, "minor")):
        for c in engine.suggest(_request(key_lock=True, key=key, temperature=1.5, role="accompaniment")):
            assert c.facts.in_key == 1.0
            assert all(p % 12 in key.scale for p, _, _, _ in c.notes)


def test_pitch_range_is_respected(engine):
    for c in engine.suggest(_request(pitch_range=(62, 74), temperature=1.5)):
        assert all(62 <= p <= 74 for p, _, _, _ in c.notes)
        assert 62 <= c.facts.lowest <= c.facts.highest <= 74


def test_same_seed_same_result_and_candidates_differ(engine):
    a = engine.suggest(_request(seed=11))
    b = engine.suggest(_request(seed=11))
    assert [c.notes for c in a] == [c.notes for c in b]
    assert [c.log_prob for c in a] == [c.log_prob for c in b]
    assert len({c.notes for c in a}) > 1
    assert [c.notes for c in engine.suggest(_request(seed=12))] != [c.notes for c in a]


def test_candidates_are_transposed_back_to_the_context_key(engine):
    """The same motif in G and a fourth higher in C (both map to the same reference-key notes), with the
    same seed and the same range relative to the key, gives the same candidates a fourth apart."""
    in_c = tuple((p + 5, s, d, v) for p, s, d, v in MOTIF)
    chords_c = ((0, 2 * BAR, "C:maj"), (2 * BAR, 2 * BAR, "G:7"), (4 * BAR, 12 * BAR, "C:maj"))
    a = engine.suggest(_request(context=in_c, key=KeySignature(0, 0), chords=chords_c, pitch_range=(60, 96)))
    b = engine.suggest(_request(pitch_range=(55, 91)))
    assert all(ca.notes for ca in a)
    for ca, cb in zip(a, b):
        assert [(p - 5, s, d, v) for p, s, d, v in ca.notes] == list(cb.notes)
        assert ca.facts.in_key == cb.facts.in_key


def test_continue_from_a_chosen_bar_and_from_nothing(engine):
    cands = engine.suggest(_request(start_bar=1, bars=2))
    assert all(BAR <= s < 3 * BAR for c in cands for _, s, _, _ in c.notes)
    empty = engine.suggest(_request(context=(), bars=2, start_bar=0))
    assert all(0 <= s < 2 * BAR for c in empty for _, s, _, _ in c.notes)


def test_density_changes_note_count(engine):
    sparse = sum(c.facts.note_count for c in engine.suggest(_request(density=1.0, candidates=8)))
    dense = sum(c.facts.note_count for c in engine.suggest(_request(density=8.0, candidates=8)))
    assert dense > sparse


def test_callback_sees_every_candidate_once(engine):
    seen = []
    cands = engine.suggest(_request(candidates=6), on_candidate=seen.append)
    assert sorted(c.index for c in seen) == list(range(6))
    assert {c.index: c for c in seen} == {c.index: c for c in cands}


def test_facts(engine):
    c = engine.suggest(_request())[0]
    assert c.facts.note_count == len(c.notes)
    assert 0.0 <= c.facts.motif_reuse <= 1.0 and 0.0 <= c.facts.in_key <= 1.0
    assert "notes" in c.facts.summary()


def test_bad_requests_are_refused():
    for kw in ({"bars": 0}, {"bars": 17}, {"candidates": 9}, {"style": "metal"}, {"pitch_range": (70, 60)}):
        with pytest.raises(ValueError):
            _request(**kw)


def test_far_start_bar_and_meter_change(engine):
    """A start 10 bars after the context (further than one shift can reach) and a 3/4 bar after 4/4 bars."""
    far = engine.suggest(_request(start_bar=12, bars=2))
    assert all(12 * BAR <= s < 14 * BAR for c in far for _, s, _, _ in c.notes) and all(c.notes for c in far)
    meters = ((0, 4, 4), (2 * BAR, 3, 4))
    waltz = engine.suggest(_request(meters=meters, bars=2))
    start, end = 2 * BAR, 2 * BAR + 2 * 1440
    assert all((c.start_tick, c.end_tick) == (start, end) for c in waltz)
    assert all(start <= s and s + d <= end for c in waltz for _, s, d, _ in c.notes)
