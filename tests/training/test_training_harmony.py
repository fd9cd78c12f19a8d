"""Harmonizer training: sequences from pieces, a tiny training run whose weights the engine loads, the
lead-sheet exporter and the evaluation on exported files."""

import numpy as np
import pytest

from composer_app.core.pitch import KeySignature
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


def test_quick_cross_source_runs_go_where_they_are_told(tmp_path, monkeypatch):
    """``--only-cross-source --cross-out DIR``: one model without each source into DIR (a quick run sees
    Nottingham only, so the run without it has nothing to learn from), each never trained on the source it is
    judged on; the shipped left-out weights stay as they are."""
    import json

    pytest.importorskip("torch")
    from composer_app.training.harmony.crosseval import loso_weights
    from composer_app.training.sources import source_root

    if not source_root("nottingham").is_dir():
        pytest.skip("needs ../shared/datasets")
    from composer_app.training.cache import cache_dir
    from composer_app.training.harmony.train import main

    corpus_cache = cache_dir()
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))  # the report; the parsed pieces stay shared
    monkeypatch.setenv("COMPOSER_TRAINING_CACHE", str(corpus_cache) if corpus_cache is not None else "")
    shipped = {s: loso_weights(s).stat().st_mtime_ns for s in ("pop909", "openewld")}
    assert main(["--quick", "--only-cross-source", "--cross-out", str(tmp_path / "loso")]) == 0
    written = sorted(p.name for p in (tmp_path / "loso").iterdir())
    assert written == ["harmony-without-openewld.npz", "harmony-without-pop909.npz",
                       "harmony-without-when_in_rome.npz"]
    for name in written:
        with np.load(tmp_path / "loso" / name, allow_pickle=False) as arrays:
            info = json.loads(str(arrays["train_info"]))
        assert info["sources"] == ["nottingham"]
    assert {s: loso_weights(s).stat().st_mtime_ns for s in shipped} == shipped
    report = json.loads((tmp_path / "cache" / "composer" / "harmony" / "cross-source.json").read_text())
    assert set(report["sources"]) == {"pop909", "openewld", "when_in_rome"}


def test_excerpts_and_the_evaluation_of_first_candidates():
    from composer_app.training.harmony.crosseval import evaluate_excerpts, excerpts_of, format_table

    pieces = synthetic_pieces(4)
    excerpts = [ex for p in pieces for ex in excerpts_of(p, bars=4, windows=2, transpose=3, strip_key=True)]
    assert len(excerpts) == 8  # two 4-bar windows of each 8-bar tune
    ex = excerpts[0]
    assert ex.melody[0][1] >= 0 and ex.end == 4 * 1920
    given = [e.key for p in pieces for e in excerpts_of(p, bars=4, windows=2, transpose=3)]
    assert {(k.tonic, k.mode) for k in given} == {(3, "major")}  # C major moved up 3
    assert {(e.key.tonic, e.key.mode) for e in excerpts} != {(3, "major")}  # estimated from 4 bars of notes
    exact = [e for p in pieces for e in excerpts_of(p, bars=4, windows=2, transpose=3)]
    report = evaluate_excerpts(exact, Harmonizer(toy_weights(0)), candidates=3)
    assert report["excerpts"] == 8 and report["slots"] == 8 * 8
    assert report["root"]["rule"] > 0.6  # chord-tone melodies: the rule finds most roots (not ii7: IV ties and wins)
    assert report["strong_beat_chord_tones"]["real"] == 1.0
    assert report["root"]["best_of_4"] >= report["root"]["model"]
    assert "diatonic rule" in "\n".join(format_table({"synthetic": report}))
    lo, hi = report["root_model_minus_rule_ci95"]
    assert lo <= report["root"]["model"] - report["root"]["rule"] <= hi


def test_the_bootstrap_interval_of_the_gain_over_the_rule():
    from composer_app.training.harmony.crosseval import gain_interval

    ahead = [(9, 5, 10)] * 40  # the model ahead in every excerpt: the interval is a point, above 0
    assert gain_interval(ahead) == [0.4, 0.4]
    mixed = [(9, 5, 10), (5, 9, 10)] * 20  # as often behind as ahead: the interval straddles 0
    lo, hi = gain_interval(mixed)
    assert lo < 0 < hi
    assert gain_interval([]) is None


def test_a_style_without_training_data_exports_the_shared_crf():
    torch = pytest.importorskip("torch")
    from composer_app.model.harmony_features import STYLE_FEATURE
    from composer_app.model.harmony_net import NetConfig
    from composer_app.model.harmony_vocab import VOCAB_SIZE
    from composer_app.training.harmony.model_torch import HarmonyNet, export_arrays

    torch.manual_seed(0)
    model = HarmonyNet(NetConfig(8, 1, VOCAB_SIZE, 4))
    with torch.no_grad():
        for p in (model.trans, model.trans0, model.start, model.start0):
            p.normal_(0, 0.5)
    full, partial = export_arrays(model), export_arrays(model, trained_styles=(0, 1))
    np.testing.assert_allclose(partial["crf.trans"][:2], full["crf.trans"][:2])
    shared = model.trans0.detach().numpy()
    np.testing.assert_allclose(partial["crf.trans"][2], shared, atol=1e-6)
    np.testing.assert_allclose(partial["crf.trans"][3], shared, atol=1e-6)
    assert not np.allclose(full["crf.trans"][3], shared)
    assert np.all(partial["in.weight"][:, STYLE_FEATURE + 2:STYLE_FEATURE + 4] == 0)
    assert np.any(partial["in.weight"][:, STYLE_FEATURE:STYLE_FEATURE + 2] != 0)


def test_windows_are_also_seen_in_the_estimated_key():
    from dataclasses import replace

    from composer_app.core.pitch import KeySignature
    from composer_app.training.harmony.data import estimated_key_sequences

    piece = synthetic_pieces(1)[0]  # C major, and labelled so
    assert estimated_key_sequences(piece, "train") == []
    mislabelled = replace(piece, keys=(KeySignature(0, 7, "major"),))  # a G major label on a C major tune
    seqs = estimated_key_sequences(mislabelled, "train")
    assert [s.rhythm for s in seqs] == [0, 1, 2]  # the one 8-bar window, at every rhythm
    own = piece_sequences(piece)
    for a, b in zip(seqs, own):  # the estimate (C major) is the reference: as if the label were right
        assert list(a.classes) == list(b.classes) and a.split == "train" and a.piece_id.endswith("#bar0")


def test_a_lead_sheet_file_gives_the_excerpts_its_piece_gives(tmp_path):
    """``song_excerpts`` (a folder of the user's lead sheets, read by the app) cuts the windows the datasets' pieces
    get, keeps a key signature and, in a file without one, estimates the key from each excerpt's melody."""
    from dataclasses import replace

    from composer_app.fileio import open_song
    from composer_app.training.harmony.crosseval import excerpt_report, excerpts_of, song_excerpts

    pieces = synthetic_pieces(2)
    paths = export_pieces(pieces, tmp_path)
    for piece, path in zip(pieces, paths):
        song = open_song(path)
        got = song_excerpts(song, path.stem, "folk", bars=4)
        want = excerpts_of(piece, bars=4)
        assert [(e.melody, e.chords, e.meters, e.end) for e in got] == [(e.melody, e.chords, e.meters, e.end)
                                                                         for e in want]
        # C major is written without a signature: like a DAW file, each excerpt's key is found in its melody
        assert [e.key for e in got] == [e.key for e in excerpts_of(piece, bars=4, strip_key=True)]
        assert {(e.key.tonic, e.key.mode) for e in got} != {(0, "major")}
        signed = song_excerpts(replace(song, keys=(KeySignature(0, 7, "major"),)), path.stem, "folk", bars=4)
        assert [(e.key.tonic, e.key.mode) for e in signed] == [(7, "major")] * 2  # a signature is kept
    report = excerpt_report(paths, Harmonizer(toy_weights(0)))
    assert report["excerpts"] == 2 and report["strong_beat_chord_tones"]["real"] == 1.0
    assert set(report["root"]) == {"model", "best_of_4", "hmm", "rule"}
    assert excerpt_report([tmp_path / "missing.mid"], Harmonizer(toy_weights(0))) is None


def test_the_evaluated_request_never_hears_the_answer(tmp_path, monkeypatch):
    """The files' chord symbols and chords track are what a harmonization is judged against: the request is built
    from the song without them (in a file without a key signature they would otherwise tell it the key)."""
    from composer_app.training.harmony import evaluate as ev

    paths = export_pieces(synthetic_pieces(2), tmp_path)
    asked = []
    real = ev.harmony_request

    def spy(song, track, **options):
        asked.append(song)
        assert track in song.tracks
        return real(song, track, **options)

    monkeypatch.setattr(ev, "harmony_request", spy)
    report = ev.evaluate_files(paths, Harmonizer(toy_weights(0)), candidates=2)
    assert report["files"] == 2 and len(asked) == 2
    assert all(not song.chords and all(t.name.lower() != "chords" for t in song.tracks) for song in asked)
