"""The harmonizer's network in numpy: a residual dilated 1-D convolution encoder over slots with a
chord head and an inversion head, plus style-conditioned CRF transitions (mirrors the torch model)."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import numpy as np

from composer_app.model.harmony_features import N_FEATURES

FORMAT = "composer-harmony-1"
EPS = 1e-5


@dataclass(frozen=True)
class NetConfig:
    """Sizes of the encoder."""

    d_model: int = 128
    layers: int = 4
    vocab: int = 0
    inversions: int = 4
    styles: int = 4
    features: int = N_FEATURES

    def dilation(self, layer: int) -> int:
        return 2 ** (layer % 4)


def load_weights(path: str | Path) -> dict[str, np.ndarray]:
    """Every array of an .npz (no pickles) as float32 (integer arrays kept)."""
    with np.load(Path(path), allow_pickle=False) as data:
        out = {k: data[k] for k in data.files}
    return {k: v.astype(np.float32) if v.dtype.kind == "f" else v for k, v in out.items()}


def config_of(weights: dict[str, np.ndarray]) -> NetConfig:
    """The encoder sizes recorded in the weights."""
    meta = weights["net_config"].astype(np.int64)
    return NetConfig(int(meta[0]), int(meta[1]), int(meta[2]), int(meta[3]), int(meta[4]), int(meta[5]))


def _layer_norm(x: np.ndarray, gamma: np.ndarray, beta: np.ndarray) -> np.ndarray:
    mu = x.mean(axis=-1, keepdims=True)
    var = ((x - mu) ** 2).mean(axis=-1, keepdims=True)
    return (x - mu) / np.sqrt(var + EPS) * gamma + beta


def _conv(h: np.ndarray, weight: np.ndarray, bias: np.ndarray, dilation: int) -> np.ndarray:
    """Same-length 1-D convolution with zero padding; ``weight`` in torch's (out, in, 3) layout."""
    t_len = h.shape[0]
    padded = np.pad(h, ((dilation, dilation), (0, 0)))
    out = bias + padded[0:t_len] @ weight[:, :, 0].T
    out = out + padded[dilation:dilation + t_len] @ weight[:, :, 1].T
    return out + padded[2 * dilation:2 * dilation + t_len] @ weight[:, :, 2].T


def encode(weights: dict[str, np.ndarray], feats: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Chord logits (T, V) and inversion logits (T, 4) for slot features (T, F)."""
    cfg = config_of(weights)
    h = feats.astype(np.float32) @ weights["in.weight"].T + weights["in.bias"]
    for i in range(cfg.layers):
        y = _conv(h, weights[f"conv{i}.weight"], weights[f"conv{i}.bias"], cfg.dilation(i))
        h = _layer_norm(h + np.maximum(y, 0.0), weights[f"norm{i}.weight"], weights[f"norm{i}.bias"])
    chords = h @ weights["chord.weight"].T + weights["chord.bias"]
    inversions = h @ weights["inv.weight"].T + weights["inv.bias"]
    return chords, inversions


def crf_params(weights: dict[str, np.ndarray], style: int) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """(trans (V, V), diag bonus per metrical class (3,), start (V,), end (V,)) for a style index."""
    return (weights["crf.trans"][style], weights["crf.diag"][style], weights["crf.start"][style],
            weights["crf.end"][style])
