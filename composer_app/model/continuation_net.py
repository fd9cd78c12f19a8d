"""The continuation transformer in numpy: weights from an .npz, a forward pass with a KV cache, factored heads."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from composer_app.model import tokens as tk

META_KEY = "__meta__"
HEAD_CONDITIONS = {"pos": ("shift", "meter"), "pitch": ("pos", "chord"), "dur": ("pitch",), "vel": ("dur",)}
"""Which sampled (or known) fields each head adds to its input; mirrors the PyTorch model."""


def load_npz(path: str | Path) -> tuple[dict[str, np.ndarray], dict]:
    """Weights as float32 arrays and the metadata dict, from an .npz written by the training export."""
    with np.load(path, allow_pickle=False) as data:
        meta = json.loads(bytes(data[META_KEY]).decode()) if META_KEY in data.files else {}
        weights = {k: data[k].astype(np.float32) for k in data.files if k != META_KEY}
    return weights, meta


def layer_norm(x: np.ndarray, w: np.ndarray, b: np.ndarray, eps: float = 1e-5) -> np.ndarray:
    mu = x.mean(-1, keepdims=True)
    var = ((x - mu) ** 2).mean(-1, keepdims=True)
    return (x - mu) / np.sqrt(var + eps) * w + b


def normalize(x: np.ndarray, eps: float = 1e-5) -> np.ndarray:
    """LayerNorm without scale and shift (those are folded into the next linear layer)."""
    xc = x - x.mean(-1, keepdims=True)
    return xc / np.sqrt((xc * xc).mean(-1, keepdims=True) + eps)


def gelu(x: np.ndarray) -> np.ndarray:
    return 0.5 * x * (1.0 + np.tanh(0.7978845608028654 * (x + 0.044715 * x * x * x)))


def rope_tables(positions: np.ndarray, head_dim: int, base: float) -> tuple[np.ndarray, np.ndarray]:
    inv = 1.0 / (base ** (np.arange(0, head_dim, 2, dtype=np.float64) / head_dim))
    ang = positions.astype(np.float64)[:, None] * inv[None, :]
    return np.cos(ang).astype(np.float32), np.sin(ang).astype(np.float32)


def apply_rope(x: np.ndarray, cos: np.ndarray, sin: np.ndarray) -> np.ndarray:
    half = x.shape[-1] // 2
    a, b = x[..., :half], x[..., half:]
    return np.concatenate([a * cos - b * sin, a * sin + b * cos], axis=-1)


@dataclass
class KVCache:
    """Keys and values per layer, (B, H, capacity, Dh), filled up to ``length``."""

    keys: list[np.ndarray]
    values: list[np.ndarray]
    length: int = 0

    def repeat(self, n: int) -> KVCache:
        """The cache of one sequence copied for ``n`` candidates."""
        return KVCache([np.repeat(k, n, axis=0) for k in self.keys],
                       [np.repeat(v, n, axis=0) for v in self.values], self.length)


@dataclass
class ContinuationNet:
    """The network: ``step`` runs new rows through the layers, ``head`` scores one field."""

    w: dict[str, np.ndarray]
    config: dict
    meta: dict = field(default_factory=dict)

    def __post_init__(self) -> None:
        # Precomputed at load: every linear layer as a contiguous (in, out) matrix, and each LayerNorm's
        # scale and shift folded into the linear layer that follows it (so a step only normalises).
        w = self.w
        self.t: dict[str, np.ndarray] = {}
        self.b: dict[str, np.ndarray] = {}
        folds = {"qkv": "ln1", "fc1": "ln2"}
        for k, v in w.items():
            if v.ndim != 2 or k.startswith(("emb.", "cond.")):
                continue
            name = k[: -len(".weight")]
            prefix, _, last = name.rpartition(".")
            ln = prefix + "." + folds[last] if last in folds and prefix.startswith("layers.") else None
            if prefix.startswith("head.") and last == "fc1":
                ln = prefix + ".ln"
            wt = np.ascontiguousarray(v.T, dtype=np.float32)
            bias = w[name + ".bias"]
            if ln is not None:
                bias = bias + w[ln + ".bias"] @ wt
                wt = np.ascontiguousarray(w[ln + ".weight"][:, None] * wt)
            self.t[name], self.b[name] = wt, bias.astype(np.float32)
        dh = int(self.config["d_model"]) // int(self.config["n_heads"])
        cos, sin = rope_tables(np.arange(4 * int(self.config["max_len"])), dh, float(self.config["rope_base"]))
        self._rope = (cos, sin)

    @classmethod
    def load(cls, path: str | Path) -> ContinuationNet:
        weights, meta = load_npz(path)
        return cls(weights, meta["config"], meta)

    @property
    def d(self) -> int:
        return int(self.config["d_model"])

    @property
    def max_len(self) -> int:
        return int(self.config["max_len"])

    def new_cache(self, batch: int, capacity: int) -> KVCache:
        h = int(self.config["n_heads"])
        shape = (batch, h, capacity, self.d // h)
        n = int(self.config["n_layers"])
        return KVCache([np.zeros(shape, np.float32) for _ in range(n)], [np.zeros(shape, np.float32) for _ in range(n)])

    def embed(self, rows: np.ndarray) -> np.ndarray:
        """(B, T, NUM_FIELDS) int rows -> (B, T, d) input vectors."""
        return sum(self.w[f"emb.{f}.weight"][rows[..., i]] for i, f in enumerate(tk.FIELDS))

    def step(self, rows: np.ndarray, cache: KVCache) -> np.ndarray:
        """Run rows (B, T, F) that follow what ``cache`` holds; returns final hidden states (B, T, d)."""
        w, cfg = self.w, self.config
        b, t = rows.shape[:2]
        nh, d = int(cfg["n_heads"]), self.d
        dh = d // nh
        start = cache.length
        if start + t <= len(self._rope[0]):
            cos, sin = self._rope[0][start:start + t], self._rope[1][start:start + t]
        else:
            cos, sin = rope_tables(np.arange(start, start + t), dh, float(cfg["rope_base"]))
        x = self.embed(rows)
        causal = np.triu(np.full((t, start + t), -np.inf, np.float32), k=start + 1) if t > 1 else None
        scale = np.float32(1.0 / np.sqrt(dh))
        for i in range(int(cfg["n_layers"])):
            p = f"layers.{i}."
            qkv = normalize(x) @ self.t[p + "qkv"] + self.b[p + "qkv"]
            qkv = qkv.reshape(b, t, 3, nh, dh).transpose(2, 0, 3, 1, 4)  # (3, B, H, T, Dh)
            qk = apply_rope(qkv[:2], cos, sin)
            cache.keys[i][:, :, start:start + t] = qk[1]
            cache.values[i][:, :, start:start + t] = qkv[2]
            keys, values = cache.keys[i][:, :, :start + t], cache.values[i][:, :, :start + t]
            att = (qk[0] * scale) @ keys.transpose(0, 1, 3, 2)
            if causal is not None:
                att = att + causal
            att = np.exp(att - att.max(-1, keepdims=True))
            o = ((att / att.sum(-1, keepdims=True)) @ values).transpose(0, 2, 1, 3).reshape(b, t, d)
            x = x + (o @ self.t[p + "proj"] + self.b[p + "proj"])
            x = x + (gelu(normalize(x) @ self.t[p + "fc1"] + self.b[p + "fc1"]) @ self.t[p + "fc2"]
                     + self.b[p + "fc2"])
        cache.length = start + t
        return layer_norm(x, w["ln_f.weight"], w["ln_f.bias"])

    def cond(self, name: str, index: np.ndarray) -> np.ndarray:
        """The head-input embedding of a sampled or known field value."""
        return self.w[f"cond.{name}.weight"][index]

    def head(self, field_name: str, u: np.ndarray) -> np.ndarray:
        """Logits of one field from the head input ``u`` (..., d)."""
        p = f"head.{field_name}."
        h = gelu(normalize(u) @ self.t[p + "fc1"] + self.b[p + "fc1"])
        return h @ self.t[p + "fc2"] + self.b[p + "fc2"]

    def head_logits(self, h: np.ndarray, target: np.ndarray) -> dict[str, np.ndarray]:
        """Teacher-forced logits of every field of ``target`` rows (what the PyTorch model computes)."""
        out = {"shift": self.head("shift", h)}
        u = h
        for name in ("pos", "pitch", "dur", "vel"):
            for cname in HEAD_CONDITIONS[name]:
                u = u + self.cond(cname, target[..., tk.FIELDS.index(cname)])
            out[name] = self.head(name, u)
        return out


def parameter_shapes(config: dict) -> dict[str, tuple[int, ...]]:
    """Name and shape of every weight the network reads (the PyTorch state_dict's, exactly)."""
    d, ff = int(config["d_model"]), int(config["d_ff"])
    shapes: dict[str, tuple[int, ...]] = {f"emb.{f}.weight": (tk.INPUT_SIZES[f], d) for f in tk.FIELDS}
    for i in range(int(config["n_layers"])):
        p = f"layers.{i}."
        for name, out, inp in (("qkv", 3 * d, d), ("proj", d, d), ("fc1", ff, d), ("fc2", d, ff)):
            shapes[p + name + ".weight"], shapes[p + name + ".bias"] = (out, inp), (out,)
        for ln in ("ln1", "ln2"):
            shapes[p + ln + ".weight"], shapes[p + ln + ".bias"] = (d,), (d,)
    shapes["ln_f.weight"], shapes["ln_f.bias"] = (d,), (d,)
    for conds in HEAD_CONDITIONS.values():
        for f in conds:
            shapes[f"cond.{f}.weight"] = (tk.INPUT_SIZES[f], d)
    for f in tk.PREDICTED:
        p = f"head.{f}."
        shapes.update({p + "ln.weight": (d,), p + "ln.bias": (d,), p + "fc1.weight": (d, d), p + "fc1.bias": (d,),
                       p + "fc2.weight": (tk.OUTPUT_SIZES[f], d), p + "fc2.bias": (tk.OUTPUT_SIZES[f],)})
    return shapes


def random_net(config: dict, seed: int = 0, scale: float = 0.2) -> ContinuationNet:
    """A network with random weights (tests and benchmarks without trained weights)."""
    rng = np.random.default_rng(seed)
    w = {}
    for name, shape in parameter_shapes(config).items():
        if name.endswith("ln.weight") or (".ln" in name and name.endswith(".weight")) or name == "ln_f.weight":
            w[name] = np.ones(shape, np.float32)
        else:
            w[name] = (rng.standard_normal(shape) * scale).astype(np.float32)
    return ContinuationNet(w, dict(config), {"config": dict(config)})
