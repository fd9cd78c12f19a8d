"""``composer-cli eval continuation``: NLL of model and baseline, sampled-continuation figures, JSON keys."""

from __future__ import annotations

import json

import pytest

from composer_app.cli import main
from composer_app.cli.evaluate import EVAL_KINDS

SAMPLING_KEYS = {"in_key", "exact_bars", "pitch_class_overlap", "rhythm_overlap", "copy", "distinct", "notes_per_bar",
                 "pitch_class_overlap_first", "rhythm_overlap_first", "pitch_class_overlap_best", "rhythm_overlap_best",
                 "pitch_class_overlap_pooled", "rhythm_overlap_pooled", "last_bar_notes", "last_note_room",
                 "prompt_pitch_class_overlap", "prompt_rhythm_overlap"}


def test_eval_continuation_json(capsys, model_dir, lead_folder) -> None:
    rc = main(["eval", "continuation", str(lead_folder), "--json", "--limit", "2", "--candidates", "2",
               "--seed", "3", "--model", str(model_dir / "random.npz"), "--ngram", str(model_dir / "ngram.npz")])
    out, err = capsys.readouterr()
    assert rc == 0, err
    r = json.loads(out)
    assert r["files"] == 2 and r["evaluated"] == 2 and r["sampled"] == 2
    for name in ("model", "ngram"):
        assert r["nll"][name]["nll"] > 0 and r["nll"][name]["notes"] > 0
        assert set(r["nll"][name]["by_field"]) == {"shift", "pos", "pitch", "dur", "vel"}
    assert r["nll"]["model"]["notes"] == r["nll"]["ngram"]["notes"]
    assert r["nll_ratio"] == pytest.approx(r["nll"]["model"]["nll"] / r["nll"]["ngram"]["nll"], abs=2e-3)
    s = r["sampling"]
    assert set(s) == {"real", "model", "model_key_lock", "ngram", "repeat_prompt"}
    assert s["repeat_prompt"]["copy"] == 1.0
    # how much of the prompt's last bars each keeps: the replay all of it, the real tune and the model less
    assert s["repeat_prompt"]["prompt_rhythm_overlap"] == s["repeat_prompt"]["prompt_pitch_class_overlap"] == 1.0
    for name in ("real", "model", "ngram"):
        assert 0 < s[name]["prompt_rhythm_overlap"] <= 1 and 0 < s[name]["prompt_pitch_class_overlap"] <= 1
    for name in ("model", "model_key_lock", "ngram"):
        assert set(s[name]) == SAMPLING_KEYS
        assert 0 <= s[name]["in_key"] <= 1 and 0 <= s[name]["exact_bars"] <= 1
        assert s[name]["pitch_class_overlap"] <= s[name]["pitch_class_overlap_best"] <= 1
        assert s[name]["rhythm_overlap"] <= s[name]["rhythm_overlap_best"] <= 1
        # the first card (the consensus of the candidates) is one of them: no better than the best
        assert 0 < s[name]["pitch_class_overlap_first"] <= s[name]["pitch_class_overlap_best"]
        assert 0 < s[name]["rhythm_overlap_first"] <= s[name]["rhythm_overlap_best"]
    assert s["repeat_prompt"]["rhythm_overlap_first"] == s["repeat_prompt"]["rhythm_overlap"]
    assert s["model_key_lock"]["in_key"] == 1.0
    assert s["real"]["in_key"] == 1.0  # the generated tunes stay in their key
    assert 0 < s["real"]["last_note_room"] <= 1 and s["real"]["last_bar_notes"] >= 1
    assert r["settings"]["phrase_end"] is True


def test_eval_text_report_and_errors(tmp_path, capsys, model_dir, lead_folder) -> None:
    rc = main(["eval", "continuation", str(lead_folder), "--no-sample", "--model", str(model_dir / "random.npz"),
               "--ngram", str(model_dir / "ngram.npz")])
    out = capsys.readouterr().out
    assert rc == 0 and "ratio" in out and "3 lead sheets" in out
    rc = main(["eval", "continuation", str(tmp_path / "none"), "--model", str(model_dir / "random.npz")])
    assert rc == 1 and "no such folder" in capsys.readouterr().err
    rc = main(["eval", "continuation", str(lead_folder), "--model", str(model_dir / "random.npz"),
               "--ngram", str(model_dir / "random.npz")])
    assert rc == 1 and "not an n-gram model" in capsys.readouterr().err


def test_eval_kinds_are_hooks() -> None:
    assert all(callable(f) for f in EVAL_KINDS)


def test_eval_skips_unreadable_files(tmp_path, capsys, model_dir, lead_folder) -> None:
    for path in lead_folder.glob("*.mid"):
        (tmp_path / path.name).write_bytes(path.read_bytes())
    (tmp_path / "zz-broken.mid").write_bytes(b"MThd garbage")
    rc = main(["eval", "continuation", str(tmp_path), "--json", "--no-sample", "--model", str(model_dir / "random.npz"),
               "--ngram", str(model_dir / "ngram.npz")])
    captured = capsys.readouterr()
    assert rc == 0, captured.err
    r = json.loads(captured.out)
    assert r["files"] == 4 and r["evaluated"] == 3 and r["skipped"] == 1 and r["sampled"] == 0
    assert "zz-broken.mid" in captured.err


def test_the_prompt_counts_whole_bars_after_a_pickup_bar() -> None:
    from composer_app.model import tokens as tk
    from composer_app.model.continuation_metrics import phrase_origin

    pickup = ((0, 1, 8), (240, 2, 4))  # an upbeat of one eighth written as a bar of its own, then 2/4
    notes = [(60, 0, 240, 90), (62, 240, 480, 90)]
    assert phrase_origin(notes, tk.BarGrid(pickup)) == 1
    plain = ((0, 4, 4),)
    assert phrase_origin(notes, tk.BarGrid(plain)) == 0


def test_pop909_melodies_in_bars_of_one_beat_are_scored_in_the_meter_they_are_felt_in(tmp_path, capsys, monkeypatch):
    """Most of POP909's MIDI files are written in bars of one beat (1/4). The evaluation reads a file as suggest does:
    on the beat and in the meter felt (4/4), where the shipped model finds those melodies far likelier than in the
    file's own bars."""
    from dataclasses import replace

    import composer_app.cli.eval_continuation as ec
    from composer_app.midi import write_midi
    from tests.model.meter_tunes import pop909_in_one_beat_bars

    songs = pop909_in_one_beat_bars(4)
    for path, song in songs:
        write_midi(replace(song, tracks=(replace(song.tracks[0], name="melody"),)), tmp_path / path.name)
    assert len(songs) == 4

    def nll() -> float:
        assert main(["eval", "continuation", str(tmp_path), "--json", "--no-sample"]) == 0
        return json.loads(capsys.readouterr().out)["nll"]["model"]["nll"]

    felt = nll()
    monkeypatch.setattr(ec, "open_as_played", _on_the_beat_only)
    assert felt < 0.75 * nll()


def _on_the_beat_only(path):
    """A file read on the beat but in its own bars (what ``eval`` did before bars of one beat were read in four)."""
    from composer_app.fileio import open_song
    from composer_app.model.as_played import AsPlayed
    from composer_app.model.beat_offset import on_the_beat

    return AsPlayed(on_the_beat(open_song(path)), None)


def test_eval_continuation_averages_over_seeds(capsys, model_dir, lead_folder) -> None:
    args = ["eval", "continuation", str(lead_folder), "--json", "--limit", "2", "--candidates", "2",
            "--model", str(model_dir / "random.npz"), "--ngram", str(model_dir / "ngram.npz")]
    runs = []
    for seed, seeds in ((3, 1), (4, 1), (3, 2)):
        assert main([*args, "--seed", str(seed), "--seeds", str(seeds)]) == 0
        runs.append(json.loads(capsys.readouterr().out))
    both = runs[2]
    assert both["sampled"] == 2 and both["settings"]["seeds"] == 2
    assert both["sampling"]["model"]["copy"] == pytest.approx(
        (runs[0]["sampling"]["model"]["copy"] + runs[1]["sampling"]["model"]["copy"]) / 2, abs=1e-4)
