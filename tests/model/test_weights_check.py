"""Damaged model files (truncated, random, missing keys, wrong shapes, NaN/Inf) fail on load with one clear line."""

import json
import shutil

import numpy as np
import pytest

from composer_app.cli import main
from composer_app.model.continuation import DEFAULT_WEIGHTS as CONTINUATION
from composer_app.model.continuation_net import META_KEY, ContinuationNet
from composer_app.model.harmony import DEFAULT_WEIGHTS as HARMONY
from composer_app.model.harmony import Harmonizer
from composer_app.model.weights_check import ModelFileError, model_problem

KINDS = {"continuation": (CONTINUATION, ContinuationNet.load), "harmony": (HARMONY, Harmonizer.load)}


def _arrays(path):
    with np.load(path, allow_pickle=False) as data:
        return {k: data[k] for k in data.files}


def _damage(src, dst, how):
    if how == "truncated":
        dst.write_bytes(src.read_bytes()[: src.stat().st_size // 2])
    elif how == "random":
        dst.write_bytes(np.random.default_rng(0).bytes(4096))
    elif how == "empty":
        dst.write_bytes(b"")
    else:
        arrays = _arrays(src)
        key = next(k for k in arrays if k.endswith(".weight") and not k.startswith(("emb.", "cond.")))
        if how == "missing-key":
            del arrays[key]
        elif how == "wrong-shape":
            arrays[key] = arrays[key][:-1]
        elif how in ("nan", "inf"):
            bad = arrays[key].astype(np.float32)
            bad.flat[3] = np.nan if how == "nan" else np.inf
            arrays[key] = bad.astype(arrays[key].dtype)
        np.savez(dst, **arrays)
    return dst


DAMAGE = ["truncated", "random", "empty", "missing-key", "wrong-shape", "nan", "inf"]


@pytest.mark.parametrize("kind", sorted(KINDS))
@pytest.mark.parametrize("how", DAMAGE)
def test_damaged_weights_fail_with_one_clear_message(tmp_path, kind, how):
    src, load = KINDS[kind]
    path = _damage(src, tmp_path / f"{kind}.npz", how)
    with pytest.raises(ModelFileError) as info:
        load(path)
    text = str(info.value)
    assert text.startswith(f"{kind}.npz: ") and "\n" not in text
    assert "reinstall Composer" in text and f"training.{kind}.train" in text
    assert model_problem(kind, path) == text


@pytest.mark.parametrize("kind", sorted(KINDS))
def test_the_shipped_weights_pass(kind):
    assert model_problem(kind) is None


def test_missing_and_special_files(tmp_path):
    assert "the model file is missing" in model_problem("harmony", tmp_path / "none.npz")
    assert "not a regular file" in model_problem("continuation", tmp_path)


def test_a_continuation_file_without_its_config(tmp_path):
    arrays = _arrays(CONTINUATION)
    meta = json.loads(bytes(arrays[META_KEY]).decode())
    del meta["config"]["n_heads"]
    arrays[META_KEY] = np.frombuffer(json.dumps(meta).encode(), dtype=np.uint8)
    np.savez(tmp_path / "c.npz", **arrays)
    with pytest.raises(ModelFileError, match="no usable network config"):
        ContinuationNet.load(tmp_path / "c.npz")


def test_cli_harmonize_with_nan_weights_is_one_line_not_nan_json(tmp_path, capsys, lead_sheet_midi):
    weights = _damage(HARMONY, tmp_path / "harmony.npz", "nan")
    rc = main(["harmonize", str(lead_sheet_midi), "--weights", str(weights), "--out", str(tmp_path / "o")])
    out, err = capsys.readouterr()
    assert rc == 1 and out == "" and err.count("\n") == 1 and "NaN or infinite" in err


def test_cli_suggest_with_inf_weights_is_one_line(tmp_path, capsys, lead_sheet_midi):
    weights = _damage(CONTINUATION, tmp_path / "continuation.npz", "inf")
    rc = main(["suggest", str(lead_sheet_midi), "--out", str(tmp_path / "o"), "--model", str(weights)])
    out, err = capsys.readouterr()
    assert rc == 1 and out == "" and err.count("\n") == 1 and "NaN or infinite" in err


@pytest.fixture
def lead_sheet_midi(tmp_path):
    from composer_app.core.song import Clip, Note, Song, Track
    from composer_app.midi import write_midi

    mel = tuple(Note(p, i * 480, 480) for i, p in enumerate([67, 71, 74, 71, 72, 76, 79, 76] * 2))
    path = tmp_path / "tune.mid"
    write_midi(Song(tracks=(Track("melody", 0, 0, clips=(Clip(0, 4 * 1920, mel),)),)), path)
    return path


def test_the_shipped_files_are_untouched_by_the_checks(tmp_path):
    copy = tmp_path / "h.npz"
    shutil.copy(HARMONY, copy)
    assert model_problem("harmony", copy) is None
