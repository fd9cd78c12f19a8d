"""The n-gram baseline: normalised distributions, finite NLL on unseen contexts, save/load, constrained sampling."""

from __future__ import annotations

import numpy as np
import pytest

from composer_app.core.pitch import KeySignature
from composer_app.model import tokens as tk
from composer_app.model.continuation import ContinuationRequest
from composer_app.model.ngram import NgramModel, stack_states
from composer_app.model.ngram_engine import NgramEngine

METERS = ((0, 4, 4),)
CHORDS = tuple((b * 1920, 1920, lab) for b, lab in enumerate(["C:maj", "A:min", "F:maj", "G:7"] * 4))


def _tune(shift: int, seed: int) -> list[tuple[int, int, int, int]]:
    rng = np.random.default_rng(seed)
    steps = [0, 2, 4, 5, 7, 9, 11, 12]
    return [(60 + shift + steps[int(rng.integers(0, 8))], i * 480, 480, 90) for i in range(24)]


@pytest.fixture(scope="module")
def toy() -> list[np.ndarray]:
    seqs = [tk.encode_part(_tune(0, s), METERS, CHORDS, KeySignature(0), "folk", "melody") for s in range(6)]
    chords = [(p, b * 1920, 1920, 70) for b in range(4) for p in (48, 52, 55)]
    seqs.append(tk.encode_part(chords, METERS, CHORDS, KeySignature(0), "pop", "accompaniment"))
    return seqs


@pytest.mark.parametrize("method", ["kn", "wb"])
def test_distributions_sum_to_one(toy: list[np.ndarray], method: str) -> None:
    model = NgramModel.fit(toy, method)
    state, _ = stack_states(toy)
    for field in tk.PREDICTED:
        dist = model.distribution(field, state)
        assert dist.shape == (len(state), tk.OUTPUT_SIZES[field])
        assert np.all(dist > 0)
        np.testing.assert_allclose(dist.sum(axis=1), 1.0, atol=1e-9)


def test_unseen_contexts_get_finite_nll(toy: list[np.ndarray]) -> None:
    model = NgramModel.fit(toy)
    seen = model.nll(toy)
    odd = [(100 - i, i * 360, 120, 30) for i in range(12)]  # off the training pitches, rhythm and velocity
    unseen = model.nll([tk.encode_part(odd, ((0, 3, 4),), (), KeySignature(0, 9, "minor"), "jazz", "melody")])
    assert np.isfinite(unseen["nll"]) and unseen["nll"] > seen["nll"]
    assert seen["notes"] == sum(len(r) - 2 for r in toy)
    assert set(seen["by_field"]) == set(tk.PREDICTED)


def test_more_data_of_a_kind_lowers_its_nll(toy: list[np.ndarray]) -> None:
    small, big = NgramModel.fit(toy[:1]), NgramModel.fit(toy[:6])
    held = [tk.encode_part(_tune(0, 99), METERS, CHORDS, KeySignature(0), "folk", "melody")]
    assert big.nll(held)["nll"] < small.nll(held)["nll"]


def test_save_load_round_trip(toy: list[np.ndarray], tmp_path) -> None:
    model = NgramModel.fit(toy, meta={"note": "toy"})
    path = model.save(tmp_path / "ngram.npz")
    again = NgramModel.load(path)
    assert again.method == "kn" and again.meta["note"] == "toy"
    assert again.nll(toy)["nll"] == pytest.approx(model.nll(toy)["nll"], rel=1e-12)
    with np.load(path, allow_pickle=False) as data:
        assert all(data[k].dtype != object for k in data.files)


def test_load_rejects_other_files(tmp_path) -> None:
    bad = tmp_path / "bad.npz"
    np.savez(bad, x=np.zeros(3))
    with pytest.raises(ValueError):
        NgramModel.load(bad)


def test_sampling_obeys_the_engine_constraints(toy: list[np.ndarray]) -> None:
    engine = NgramEngine(NgramModel.fit(toy))
    context = tuple(_tune(0, 5)[:8])
    req = ContinuationRequest(context=context, key=KeySignature(0), chords=CHORDS, bars=2, candidates=3, seed=4,
                              key_lock=True, pitch_range=(60, 72), style="folk")
    first = engine.suggest(req)
    assert [c.notes for c in first] == [c.notes for c in engine.suggest(req)]  # same seed, same candidates
    assert len(first) == 3
    for cand in first:
        assert cand.notes and np.isfinite(cand.log_prob) and cand.log_prob < 0
        assert all(60 <= p <= 72 and p % 12 in KeySignature(0).scale for p, _, _, _ in cand.notes)
        assert all(cand.start_tick <= s and s + d <= cand.end_tick for _, s, d, _ in cand.notes)
        assert cand.end_tick - cand.start_tick == 2 * 1920
        assert any(s >= cand.start_tick + 1920 for _, s, _, _ in cand.notes)  # the last bar has a note
