"""Continuation training: PyTorch/numpy parity, windows, and a tiny training run the numpy engine loads."""

import numpy as np
import pytest

torch = pytest.importorskip("torch")

from composer_app.core.pitch import KeySignature  # noqa: E402
from composer_app.model import tokens as tk  # noqa: E402
from composer_app.model.continuation import ContinuationEngine, ContinuationRequest  # noqa: E402
from composer_app.model.continuation_net import ContinuationNet as NumpyNet  # noqa: E402
from composer_app.model.continuation_net import parameter_shapes  # noqa: E402
from composer_app.training.continuation import dataset as ds  # noqa: E402
from composer_app.training.continuation.export import export_npz  # noqa: E402
from composer_app.training.continuation.model_torch import Config, ContinuationNet  # noqa: E402
from composer_app.training.sources import source_root  # noqa: E402


def _rows() -> np.ndarray:
    notes = [(55 + (i * 5) % 19, i * 160, 320, 60 + i % 40) for i in range(40)] + [(72, 480, 240, 90)]
    chords = [(0, 1920, "G:maj"), (1920, 1920, "D:7"), (3840, 9000, "E:min")]
    return tk.encode_part(notes, ((0, 4, 4), (3840, 3, 4)), chords, KeySignature(0, 7), "pop", "accompaniment")


@pytest.fixture(scope="module")
def pair(tmp_path_factory):
    torch.manual_seed(0)
    cfg = Config(d_model=48, n_layers=2, n_heads=4, d_ff=96, max_len=64, dropout=0.0)
    model = ContinuationNet(cfg).eval()
    with torch.no_grad():
        for p in model.parameters():
            p.normal_(0.0, 0.3)
    path = export_npz(model, cfg.to_dict(), tmp_path_factory.mktemp("w") / "w.npz")
    net = NumpyNet.load(path)
    model.load_state_dict({k: torch.from_numpy(v) for k, v in net.w.items()})  # the same fp16-rounded weights
    return model, net


def test_parameter_names_and_shapes_match(pair):
    model, net = pair
    assert {k: tuple(v.shape) for k, v in model.state_dict().items()} == parameter_shapes(net.config)


def test_numpy_kv_cache_forward_matches_pytorch(pair):
    model, net = pair
    rows = _rows()
    with torch.no_grad():
        h = model(torch.from_numpy(rows[None, :-1]))
        ref = {k: v.numpy() for k, v in model.head_logits(h, torch.from_numpy(rows[None, 1:])).items()}
    cache = net.new_cache(1, 64)
    hidden = [net.step(rows[None, :7], cache)]  # a prefill, then one row at a time
    hidden += [net.step(rows[None, i:i + 1], cache) for i in range(7, len(rows) - 1)]
    hn = np.concatenate(hidden, axis=1)
    assert np.abs(hn - h.numpy()).max() < 1e-3
    got = net.head_logits(hn, rows[None, 1:])
    for field in tk.PREDICTED:
        assert np.abs(got[field] - ref[field]).max() < 1e-3, field


def test_windows_cover_every_row_once():
    rows = _rows()
    for phase in (0, 5, 30):
        wins = ds.windows(rows, 16, phase)
        assert all(len(w) <= 16 and w[0, tk.SHIFT] == tk.BOS for w in wins)
        assert sum(len(w) - 1 for w in wins) == len(rows) - 1
        assert all(w[1, tk.SHIFT] == 0 for w in wins[1:] if w[1, tk.SHIFT] != tk.EOS)
    batch, valid = ds.pad_batch(ds.windows(rows, 16, 3))
    assert batch.shape[0] == valid.shape[0] and valid.sum() == sum(len(w) for w in ds.windows(rows, 16, 3))


def test_quick_training_run_exports_weights_the_engine_samples_from(tmp_path, monkeypatch):
    if not (source_root("nottingham") or tmp_path).is_dir():
        pytest.skip("no Nottingham data in ../shared/datasets")
    monkeypatch.setenv("COMPOSER_TRAINING_CACHE", str(tmp_path / "cache"))
    from composer_app.training.continuation import train

    out = tmp_path / "continuation.npz"
    assert train.main(["--quick", "--out", str(out), "--ckpt", str(tmp_path / "ckpt.pt")]) == 0
    with np.load(out, allow_pickle=False) as data:
        assert all(data[k].dtype == np.float16 for k in data.files if k != "__meta__")
    engine = ContinuationEngine.load(out)
    assert engine.meta["metrics"]["valid"]["nll"] > 0
    assert engine.meta["training"]["steps"] == 3
    cands = engine.suggest(ContinuationRequest(context=((67, 0, 480, 80), (71, 480, 480, 80)), bars=2,
                                               key=KeySignature(0, 7), seed=1))
    assert len(cands) == 4 and all(c.notes for c in cands)
    # resuming from the checkpoint continues where the run stopped
    assert train.main(["--quick", "--out", str(out), "--ckpt", str(tmp_path / "ckpt.pt"), "--max-steps", "4"]) == 0
    assert ContinuationEngine.load(out).meta["training"]["steps"] == 4


def test_forward_builds_its_rotary_tables_on_the_rows_device():
    """``--device cuda`` trains: the rotary tables follow the rows (the meta device stands in for a GPU)."""
    model = ContinuationNet(Config(d_model=32, n_layers=1, n_heads=2, d_ff=64, max_len=64)).to("meta")
    assert model(torch.zeros((2, 5, tk.NUM_FIELDS), dtype=torch.long, device="meta")).shape == (2, 5, 32)


@pytest.mark.parametrize("last", [False, True])
def test_export_keeps_the_epoch_with_the_best_validation(tmp_path, monkeypatch, last):
    if not (source_root("nottingham") or tmp_path).is_dir():
        pytest.skip("no Nottingham data in ../shared/datasets")
    monkeypatch.setenv("COMPOSER_TRAINING_CACHE", str(tmp_path / "cache"))
    from composer_app.training.continuation import train

    seen = []

    def fake_nll(model, windows, device="cpu"):
        seen.append(model.head["shift"].fc2.weight.detach().clone())
        return {"nll": [5.0, 3.0, 4.0][len(seen) - 1] if len(seen) <= 3 else 4.5}

    monkeypatch.setattr(train, "nll_per_note", fake_nll)
    out = tmp_path / "continuation.npz"
    argv = ["--quick", "--max-steps", "6", "--out", str(out), "--no-resume",
            "--ckpt", str(tmp_path / "ckpt.pt")] + (["--last"] if last else [])
    assert train.main(argv) == 0
    meta = ContinuationEngine.load(out).meta
    history = [h["valid_nll"] for h in meta["training"]["history"]]
    assert history[:3] == [5.0, 3.0, 4.0] and len(history) >= 3
    kept = len(history) if last else 2
    assert meta["training"]["kept_epoch"] == kept
    assert meta["metrics"]["valid"]["nll"] == history[kept - 1]
    with np.load(out, allow_pickle=False) as data:
        exported = torch.from_numpy(data["head.shift.fc2.weight"].astype(np.float32))
    assert torch.allclose(exported, seen[kept - 1], atol=1e-2)
    assert not torch.allclose(seen[1], seen[2], atol=1e-4)


def test_source_weights_scale_how_often_a_source_is_seen():
    """``--source-weight``: a whole weight repeats each of the source's windows, a fraction keeps that share of
    them, 0 leaves the source out; without weights the windows are those of earlier runs."""
    from composer_app.training.continuation import train

    rows = _rows()
    seqs = [ds.Sequence(rows, "nottingham", "melody", "train", f"n{i}") for i in range(40)] + \
           [ds.Sequence(rows, "openewld", "melody", "train", f"o{i}") for i in range(40)]

    def count(weights):
        return len(train.epoch_windows(seqs, 32, np.random.default_rng(3), weights))

    plain = count(None)
    only_openewld = count({"nottingham": 0.0})
    per_source = plain - only_openewld  # each sequence is cut at a random phase: about the same either way
    assert per_source > 40 and count({}) == plain

    def near(got, want):
        return abs(got - want) <= 0.12 * want

    assert near(count({"nottingham": 2.0}), plain + per_source)
    assert near(count({"nottingham": 3.0, "openewld": 0.0}), 3 * per_source)
    assert near(count({"nottingham": 0.5}), only_openewld + 0.5 * per_source)
    assert train.parse_args(["--source-weight", "pop909=0.5"]).source_weight == [("pop909", 0.5)]
    for bad in ("pop909", "nowhere=1", "pop909=-1", "pop909=x"):
        with pytest.raises(SystemExit):
            train.parse_args(["--source-weight", bad])
