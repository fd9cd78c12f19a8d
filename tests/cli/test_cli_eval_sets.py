"""``composer-cli eval continuation --cross-source`` / ``--held-out``: the shipped model on music it never saw, one row
per source (real collections of the music21 corpus and the datasets in ../shared)."""

from __future__ import annotations

import json

import pytest

from composer_app.cli import main
from composer_app.midi import read_midi
from composer_app.model.song_adapter import has_key_signature
from composer_app.training.sources import EVAL_ONLY, default_datasets_root

pytest.importorskip("music21")


@pytest.fixture
def cache(tmp_path, monkeypatch):
    """The user cache in a folder of the test's own (the sets are written under ``eval`` beside ``training``)."""
    monkeypatch.setenv("COMPOSER_TRAINING_CACHE", str(tmp_path / "training"))
    return tmp_path


def test_cross_source_judges_each_unseen_collection_with_the_shipped_model(cache, capsys) -> None:
    rc = main(["eval", "continuation", "--cross-source", "--limit", "2", "--seeds", "2", "--json"])
    out, err = capsys.readouterr()
    assert rc == 0, err
    r = json.loads(out)
    assert r["set"] == "cross-source" and r["seeds"] == [0, 1]
    assert set(r["sources"]) == set(EVAL_ONLY) == {"airds", "essen", "misc_folk"}
    for source, row in r["sources"].items():
        assert row["evaluated"] == 2, source
        s = row["sampling"]
        assert 0 < s["model"]["pitch_class_overlap_first"] <= s["model"]["pitch_class_overlap_best"] <= 1
        assert s["repeat_prompt"]["prompt_rhythm_overlap"] == 1.0  # the replay is the prompt's last bars
    assert r["all"]["evaluated"] == 6
    assert sum(r["all"]["keys"].values()) == 6  # every piece has a key to find
    # the trained network predicts tunes it never saw better than the n-gram counted on the training data
    assert r["all"]["nll"]["model"]["nll"] < r["all"]["nll"]["ngram"]["nll"]
    assert r["all"]["nll"]["model"]["notes"] == sum(row["nll"]["model"]["notes"] for row in r["sources"].values())
    # the pieces are moved to other keys and their key signatures removed, and the set is written once
    sets = sorted((cache / "eval").iterdir())
    assert len(sets) == 3 and all((f / "complete").is_file() for f in sets)
    files = sorted(sets[0].glob("*.mid"))
    assert len(files) == 2 and not any(has_key_signature(read_midi(f)) for f in files)
    stamp = files[0].stat().st_mtime_ns
    rc = main(["eval", "continuation", "--cross-source", "--limit", "2"])
    out = capsys.readouterr().out
    assert rc == 0 and files[0].stat().st_mtime_ns == stamp
    assert "misc_folk" in out and "replay rhy" in out and out.splitlines()[-1].split()[:2] == ["all", "6"]


def test_held_out_needs_the_datasets_and_says_so(cache, capsys, monkeypatch) -> None:
    monkeypatch.setenv("COMPOSER_DATASETS", str(cache / "nowhere"))
    rc = main(["eval", "continuation", "--held-out", "--limit", "2"])
    err = capsys.readouterr().err
    assert rc == 1 and "no piece of the held-out set" in err and "dataset folder is missing" in err


def test_held_out_judges_each_training_source_on_its_test_split(cache, capsys) -> None:
    if not (default_datasets_root() / "nottingham").is_dir():
        pytest.skip("needs ../shared/datasets")
    rc = main(["eval", "continuation", "--held-out", "--limit", "2", "--json"])
    out, err = capsys.readouterr()
    assert rc == 0, err
    r = json.loads(out)
    assert set(r["sources"]) == {"nottingham", "pop909", "openewld"}
    assert all(row["evaluated"] == 2 for row in r["sources"].values())
    assert r["all"]["nll_ratio"] < 1


def test_a_folder_or_a_set_is_asked_for(capsys) -> None:
    assert main(["eval", "continuation"]) == 2
    assert "--held-out / --cross-source" in capsys.readouterr().err
    assert main(["eval", "continuation", "--cross-source", "--seeds", "0"]) == 2
    assert "--seeds" in capsys.readouterr().err


def test_the_key_of_tunes_no_model_saw_is_found_with_their_signatures_removed(cache) -> None:
    """music21's fife tunes and Northumbrian minstrelsy, moved to other keys, their signatures removed: the
    window's Detected key where each starts is their key for most (the relative key counted apart)."""
    from composer_app.cli.eval_continuation_sets import found_keys
    from composer_app.training.continuation.export_leadsheets import eval_set

    folder, _ = eval_set("cross-source", "misc_folk", 30, log=lambda _: None)
    counts = found_keys(folder)
    assert sum(counts.values()) == 30
    assert counts["right"] >= 24 and counts["relative"] <= 3, counts
