"""Harmonizer training: sequences from pieces, a tiny training run whose weights the engine loads, the
lead-sheet exporter and the evaluation on exported files."""

import numpy as np
import pytest

from composer_app.model.harmony import Harmonizer, HarmonyRequest
from composer_app.model.harmony_features import N_FEATURES
from composer_app.model.harmony_net import load_weights
from composer_app.model.harmony_vocab import label_to_class
from composer_app.training.harmony.data import piece_sequences
from composer_app.training.harmony.evaluate import evaluate_files, format_report
from composer_app.training.harmony.export import export_pieces
from composer_app.training.harmony.synthetic import synthetic_pieces, toy_weights


def test_piece_sequences_at_every_rhythm():
    piece = synthetic_pieces(1)[0]
    seqs = piece_sequences(piece)
    assert [s.rhythm for s in seqs] == [0, 1, 2]
    bar, half, beat = seqs
    assert len(bar.classes) == 8 and len(half.classes) == 16 and len(beat.classes) == 32
    assert bar.feats.shape == (8, N_FEATURES)
    assert list(bar.classes) == [label_to_class(lab)[0] for _, _, lab in piece.chords]
    assert np.allclose(beat.beats.sum(axis=1), 1.0)  # one beat of melody per beat slot


def test_quick_training_run_writes_weights_the_engine_loads(tmp_path):
    pytest.importorskip("torch")
    from composer_app.training.harmony.train import main

    out = tmp_path / "harmony.npz"
    assert main(["--quick", "--synthetic", "--out", str(out), "--epochs", "1"]) == 0
    weights = load_weights(out)
    with np.load(out, allow_pickle=False) as raw:
        assert raw["chord.weight"].dtype == np.float16
        assert str(raw["format"]) == "composer-harmony-1"
    melody = tuple((60 + (i % 5), i * 480, 480) for i in range(16))
    res = Harmonizer(weights).harmonize(HarmonyRequest(melody, candidates=2))
    assert 1 <= len(res) <= 2 and res[0].chords


def test_export_and_evaluate_lead_sheets(tmp_path):
    paths = export_pieces(synthetic_pieces(3), tmp_path)
    assert len(paths) == 3 and all(p.name.startswith("folk--") for p in paths)
    report = evaluate_files(paths, Harmonizer(toy_weights(0)), candidates=3)
    assert report["files"] == 3 and not report["skipped"]
    for method in ("model", "hmm"):
        assert 0 <= report["accuracy"][method]["root"] <= 1
    assert report["fit"]["real"]["CTnCTR"] == 1.0  # the toy melodies use chord tones only
    assert report["accuracy"]["hmm"]["root"] > 0.5
    assert "per-beat accuracy" in format_report(report)


def test_quick_run_on_the_real_corpus(tmp_path):
    pytest.importorskip("torch")
    from composer_app.training.sources import source_root

    root = source_root("nottingham")
    if root is None or not root.is_dir():
        pytest.skip(f"dataset folder missing: {root}")
    from composer_app.training.harmony.train import main

    out = tmp_path / "quick.npz"
    assert main(["--quick", "--out", str(out)]) == 0
    res = Harmonizer.load(out).harmonize(HarmonyRequest(tuple((62 + i % 3, i * 480, 480) for i in range(8))))
    assert res and res[0].chords
