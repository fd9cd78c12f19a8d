"""The continuation transformer in numpy: weights from an .npz, a forward pass with a KV cache, factored heads.

Decoding feeds the network one row per candidate at a time, so a step is dominated by the number of numpy
calls, not by arithmetic. Everything that can be done once is therefore done at load time: every linear layer
becomes a contiguous (in, out) matrix, each LayerNorm's scale and shift is folded into the layer that follows
it, the attention scale is folded into the query columns, the input embeddings are stacked into one table (one
gather per step) and the rotary tables are laid out to rotate queries and keys in three array operations.
"""

from __future__ import annotations

import json
import math
import mmap
import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import NamedTuple

import numpy as np

from composer_app.model import tokens as tk
from composer_app.model.weights_check import ModelFileError, read_npz, require

META_KEY = "__meta__"
HEAD_CONDITIONS = {"pos": ("shift", "meter"), "pitch": ("pos", "chord"), "dur": ("pitch",), "vel": ("dur",)}
"""Which sampled (or known) fields each head adds to its input; mirrors the PyTorch model."""
EPS = 1e-5
_GELU_C = math.sqrt(2.0 / math.pi)


@lru_cache(maxsize=64)
def _filled(n: int, value: float) -> np.ndarray:
    """A read-only float32 vector of ``n`` times ``value`` (weights for sums and means by dot product)."""
    out = np.full(n, value, np.float32)
    out.flags.writeable = False
    return out


def load_npz(path: str | Path) -> tuple[dict[str, np.ndarray], dict]:
    """Weights as float32 arrays and the metadata dict, from an .npz written by the training export."""
    data = read_npz(path, "continuation")
    try:
        meta = json.loads(bytes(data[META_KEY]).decode()) if META_KEY in data else {}
    except (ValueError, TypeError):
        raise ModelFileError(path, "its metadata is unreadable", "continuation") from None
    weights = {k: v.astype(np.float32) for k, v in data.items() if k != META_KEY}
    return weights, meta


def normalize(x: np.ndarray, eps: float = EPS) -> np.ndarray:
    """LayerNorm over the last axis without scale and shift, divided by sqrt(d): (x - mean) / sqrt(sum of squares
    + d eps). The scale and shift, and the sqrt(d), are folded into the linear layer that follows (``fold_linear``).

    Both sums are dot products (``np.vecdot``), much cheaper than reductions on the small arrays of a step."""
    d = x.shape[-1]
    xc = x - np.vecdot(x, _filled(d, 1.0 / d))[..., None]
    var = np.vecdot(xc, xc)
    var += d * eps
    xc /= np.sqrt(var, out=var)[..., None]
    return xc


def layer_norm(x: np.ndarray, w: np.ndarray, b: np.ndarray, eps: float = EPS) -> np.ndarray:
    """LayerNorm with its shift ``b`` and its scale ``w`` times sqrt(d) (see ``normalize``)."""
    y = normalize(x, eps)
    y *= w
    y += b
    return y


def gelu2_(x: np.ndarray) -> np.ndarray:
    """Twice GELU (tanh approximation) of ``x``, in place: x (1 + tanh y). The layer after it has its weights
    halved (``fold_linear``), which is exact in floating point and saves a multiplication here."""
    t = np.square(x)
    t *= _GELU_C * 0.044715
    t += _GELU_C
    t *= x
    np.tanh(t, out=t)
    t += 1.0
    x *= t
    return x


def rope_tables(positions: np.ndarray, head_dim: int, base: float) -> tuple[np.ndarray, np.ndarray]:
    """cos and sin tables (len(positions), head_dim/2) of the rotary angles."""
    inv = 1.0 / (base ** (np.arange(0, head_dim, 2, dtype=np.float64) / head_dim))
    ang = positions.astype(np.float64)[:, None] * inv[None, :]
    return np.cos(ang).astype(np.float32), np.sin(ang).astype(np.float32)


def rope_factors(positions: np.ndarray, head_dim: int, base: float) -> tuple[np.ndarray, np.ndarray]:
    """The rotary tables shaped for ``rotate``: cos (P, 1, 1, 1, half) and signed sin (P, 1, 1, 2, half)."""
    cos, sin = rope_tables(positions, head_dim, base)
    p, half = cos.shape
    return cos.reshape(p, 1, 1, 1, half), np.stack([-sin, sin], axis=1).reshape(p, 1, 1, 2, half)


def rotate(qk: np.ndarray, cos: np.ndarray, sin: np.ndarray) -> np.ndarray:
    """Rotary positions on queries and keys (B, T, 2, H, 2, half): each (first half a, second half b) pair
    becomes (a cos - b sin, b cos + a sin); reversing the halves axis pairs every value with its partner."""
    out = qk * cos
    out += qk[..., ::-1, :] * sin
    return out


class Linear(NamedTuple):
    """A linear layer as a contiguous (in, out) float32 matrix and its bias."""

    w: np.ndarray
    b: np.ndarray

    def __call__(self, x: np.ndarray) -> np.ndarray:
        """``x`` (..., in) -> (..., out). The rows go through as one (rows, in) matrix: numpy would multiply a
        (B, 1, in) stack row by row (one matrix-vector product per row, streaming the weights B times)."""
        if x.ndim == 2:
            y = x @ self.w
            y += self.b
            return y
        y = self(x.reshape(-1, x.shape[-1]))
        return y.reshape(*x.shape[:-1], y.shape[-1])


class Layer(NamedTuple):
    """One transformer block's linear layers (LayerNorms folded in, queries pre-scaled)."""

    qkv: Linear
    proj: Linear
    fc1: Linear
    fc2: Linear


class Head(NamedTuple):
    """One output head: LayerNorm (folded into fc1), a GELU layer, logits."""

    fc1: Linear
    fc2: Linear


class CacheBuffers:
    """Cache arrays kept from one request to the next, by slot name and shape, and the last prompt's state.

    A request's caches are a few MB; fresh ones cost the kernel a page fault per 4 KB touched (about 2 % of a
    4-bar request), reused ones do not. A slot's arrays go to the next cache of that slot and shape made from
    these buffers, which makes the earlier cache of that slot invalid: one slot per cache that must stay alive.
    One request at a time uses a set (``ContinuationNet.borrow_buffers``); the app runs each request on a thread
    of its own, so the set is lent per request, not kept per thread."""

    def __init__(self) -> None:
        self.arrays: dict[tuple, np.ndarray] = {}
        self.prompt: tuple[np.ndarray, KVCache, np.ndarray] | None = None
        """The last ``ContinuationNet.prompt_state`` in these buffers: its rows, cache and last hidden state."""

    def get(self, slot: str, part: tuple, shape: tuple[int, ...]) -> np.ndarray:
        key = (slot, part, shape)
        out = self.arrays.get(key)
        if out is None:
            out = self.arrays[key] = np.empty(shape, np.float32)
        return out


@dataclass
class KVCache:
    """Keys and values per layer, (B, H, capacity, Dh), filled up to ``length`` (what lies beyond is never read,
    so the buffers are left uninitialised). A cache made from ``buffers`` hands them on to ``repeat``."""

    keys: list[np.ndarray]
    values: list[np.ndarray]
    length: int = 0
    buffers: CacheBuffers | None = None

    def repeat(self, n: int, slot: str = "repeat") -> KVCache:
        """The cache of each sequence copied for ``n`` candidates (same capacity; only the filled part is copied),
        into the buffers' ``slot`` when this cache has buffers."""
        def grow(a: np.ndarray, part: tuple) -> np.ndarray:
            shape = (a.shape[0] * n, *a.shape[1:])
            out = self.buffers.get(slot, part, shape) if self.buffers is not None else np.empty(shape, np.float32)
            out[:, :, :self.length] = np.repeat(a[:, :, :self.length], n, axis=0)
            return out

        return KVCache([grow(k, ("k", i)) for i, k in enumerate(self.keys)],
                       [grow(v, ("v", i)) for i, v in enumerate(self.values)], self.length, self.buffers)


def fold_linear(w: dict[str, np.ndarray], name: str, norm: str | None = None, scale: np.ndarray | None = None,
                after_gelu: bool = False) -> Linear:
    """The PyTorch layer ``name`` as an (in, out) matrix for the input ``normalize`` or ``gelu2_`` gives: the
    LayerNorm ``norm`` before it folded in (its scale times sqrt(d), which ``normalize`` leaves out), or, after
    GELU, the weights halved; the output columns multiplied by ``scale``."""
    wt = w[name + ".weight"].T.astype(np.float32)
    bias = w[name + ".bias"].astype(np.float32)
    if norm is not None:
        bias = bias + w[norm + ".bias"] @ wt
        wt = (w[norm + ".weight"] * np.float32(math.sqrt(len(wt))))[:, None] * wt
    if after_gelu:
        wt = wt * np.float32(0.5)
    if scale is not None:
        wt, bias = wt * scale, bias * scale
    return Linear(np.ascontiguousarray(wt, np.float32), np.ascontiguousarray(bias, np.float32))


HUGE_PAGE = 2 << 20
"""Bytes in a huge page of x86-64 Linux."""


def packed(arrays: list[np.ndarray]) -> list[np.ndarray]:
    """Copies of the float32 ``arrays`` (the list's entries dropped as they are copied), laid end to end (each on a
    64-byte line) in one buffer that starts on a huge-page boundary, where the system can back it with huge pages.

    A step streams every weight matrix from the last-level cache once (they are several times the size of a
    core's L2); as thousands of 4 KB pages, that walk also misses the TLB on every page. Mapped with a few huge
    pages instead, a 4-candidate step was about 3 % faster on the bench (the arithmetic is the same). The buffer
    is filled first and only then offered for huge pages, so the kernel gathers them in the background
    (khugepaged, within seconds here): asked for at allocation, the first touch could stall the load for a
    quarter of a second while the kernel compacted memory. Without transparent huge pages it is a plain copy."""
    pad = 16  # floats in 64 bytes
    sizes = [a.size + (-a.size) % pad for a in arrays]
    buf, advise = _buffer(sum(sizes) * 4 + HUGE_PAGE)
    at = (-buf.ctypes.data) % HUGE_PAGE // 4
    out = []
    for i, n in enumerate(sizes):
        a, arrays[i] = arrays[i], None  # type: ignore[call-overload]  # the source goes once copied
        view = buf[at:at + a.size].reshape(a.shape)
        view[...] = a
        view.flags.writeable = False
        out.append(view)
        at += n
    advise()
    return out


def _buffer(nbytes: int) -> tuple[np.ndarray, Callable[[], None]]:
    """A float32 buffer of ``nbytes`` and what offers it for huge pages once filled: a private anonymous memory
    map where ``madvise`` knows MADV_HUGEPAGE (Linux), else (or when no map is to be had) a numpy array and
    nothing to do."""
    flag = getattr(mmap, "MADV_HUGEPAGE", None)
    private = getattr(mmap, "MAP_PRIVATE", None)
    area = None
    if flag is not None and private is not None:
        try:
            area = mmap.mmap(-1, nbytes, flags=private | mmap.MAP_ANONYMOUS)
        except OSError:
            area = None
    if area is None:
        return np.empty(nbytes // 4, np.float32), lambda: None

    def advise() -> None:
        try:
            area.madvise(flag)
        except OSError:  # no transparent huge pages here: 4 KB pages as before
            pass

    return np.frombuffer(area, np.float32), advise


@dataclass
class ContinuationNet:
    """The network: ``step`` runs new rows through the layers, ``head`` scores one field."""

    w: dict[str, np.ndarray]
    config: dict
    meta: dict = field(default_factory=dict)

    def __post_init__(self) -> None:
        w, d = self.w, self.d
        self.n_heads = int(self.config["n_heads"])
        dh = d // self.n_heads
        self._emb = np.concatenate([w[f"emb.{f}.weight"] for f in tk.FIELDS]).astype(np.float32)
        self._emb_offsets = np.cumsum([0] + [len(w[f"emb.{f}.weight"]) for f in tk.FIELDS[:-1]]).astype(np.int64)
        q_scale = np.ones(3 * d, np.float32)
        q_scale[:d] = 1.0 / math.sqrt(dh)
        self._layers = [Layer(fold_linear(w, f"layers.{i}.qkv", f"layers.{i}.ln1", q_scale),
                              fold_linear(w, f"layers.{i}.proj"),
                              fold_linear(w, f"layers.{i}.fc1", f"layers.{i}.ln2"),
                              fold_linear(w, f"layers.{i}.fc2", after_gelu=True))
                        for i in range(int(self.config["n_layers"]))]
        self._heads = {f: Head(fold_linear(w, f"head.{f}.fc1", f"head.{f}.ln"),
                               fold_linear(w, f"head.{f}.fc2", after_gelu=True))
                       for f in tk.PREDICTED}
        self._cond = {f: w[f"cond.{f}.weight"].astype(np.float32) for conds in HEAD_CONDITIONS.values() for f in conds}
        self._ln_f = ((w["ln_f.weight"] * np.float32(math.sqrt(d))).astype(np.float32),
                      w["ln_f.bias"].astype(np.float32))
        self._pack()
        self._rope = rope_factors(np.arange(4 * self.max_len), dh, float(self.config["rope_base"]))
        self._kept: CacheBuffers | None = CacheBuffers()
        self._lock = threading.Lock()

    def _pack(self) -> None:
        """Every array a step or a head reads, moved into one buffer (``packed``); each copy's source is freed as
        soon as it is copied, so loading holds the weights twice at most (raw and packed), not three times."""
        shapes = ([len(layer) for layer in self._layers], {f: len(head) for f, head in self._heads.items()},
                  list(self._cond))
        arrays = [m for layer in self._layers for lin in layer for m in lin]
        arrays += [m for head in self._heads.values() for lin in head for m in lin]
        arrays += [*self._cond.values(), self._emb, *self._ln_f]
        self._layers, self._heads, self._cond = [], {}, {}
        del self._emb, self._ln_f
        it = iter(packed(arrays))
        self._layers = [Layer(*(Linear(next(it), next(it)) for _ in range(n))) for n in shapes[0]]
        self._heads = {f: Head(*(Linear(next(it), next(it)) for _ in range(n))) for f, n in shapes[1].items()}
        self._cond = {f: next(it) for f in shapes[2]}
        self._emb = next(it)
        self._ln_f = (next(it), next(it))

    @classmethod
    def load(cls, path: str | Path) -> ContinuationNet:
        weights, meta = load_npz(path)
        config = _checked_config(path, meta)
        # embedding rows are the tokens' business (a model may predate input-only markers): check the width only
        shapes = {k: (-1, *s[1:]) if k.startswith(("emb.", "cond.")) else s
                  for k, s in parameter_shapes(config).items()}
        require(path, weights, shapes, "continuation")
        return cls(weights, config, meta)

    @property
    def d(self) -> int:
        return int(self.config["d_model"])

    @property
    def max_len(self) -> int:
        return int(self.config["max_len"])

    def borrow_buffers(self) -> CacheBuffers:
        """The kept cache buffers for one request (give them back with ``return_buffers``); a fresh set while another
        request holds them (a superseded request still stopping)."""
        with self._lock:
            buf, self._kept = self._kept, None
        return buf if buf is not None else CacheBuffers()

    def return_buffers(self, buffers: CacheBuffers) -> None:
        """Keep ``buffers`` for the next request (the last request to finish leaves its set)."""
        with self._lock:
            self._kept = buffers

    def new_cache(self, batch: int, capacity: int, slot: str | None = None, buffers: CacheBuffers | None = None
                  ) -> KVCache:
        """An empty cache; with ``buffers`` and a ``slot``, in arrays reused from the buffers' earlier caches of that
        slot (see CacheBuffers; a decoder names one slot per cache it keeps), else fresh ones."""
        shape = (batch, self.n_heads, capacity, self.d // self.n_heads)
        n = len(self._layers)
        if slot is None or buffers is None:
            return KVCache([np.empty(shape, np.float32) for _ in range(n)],
                           [np.empty(shape, np.float32) for _ in range(n)])
        return KVCache([buffers.get(slot, ("k", i), shape) for i in range(n)],
                       [buffers.get(slot, ("v", i), shape) for i in range(n)], 0, buffers)

    def prompt_state(self, rows: np.ndarray, buffers: CacheBuffers | None) -> tuple[KVCache, np.ndarray]:
        """The cache after the prompt ``rows`` (T, NUM_FIELDS) and its last row's hidden state (1, d), in the
        ``buffers``' "context" slot (the only user of that slot; read, never written, by the caller).

        The same rows as the buffers' previous prompt give back that cache and state without a step: a musician
        asking again on the same music, or the engine sampling repeated candidates again. Bit for bit what the
        step would compute (the arithmetic is deterministic); the step is about 2.4 ms of a 4-bar request."""
        last = None if buffers is None else buffers.prompt
        if last is not None and last[0].shape == rows.shape and np.array_equal(last[0], rows):
            return last[1], last[2]
        if buffers is not None:
            buffers.prompt = None  # the slot's arrays are about to change
        cache = self.new_cache(1, self.max_len, "context", buffers)
        h = self.step(rows[None], cache, last_only=True)[:, -1]
        if buffers is not None:
            buffers.prompt = (rows.copy(), cache, h)
        return cache, h

    def embed(self, rows: np.ndarray) -> np.ndarray:
        """(B, T, NUM_FIELDS) int rows -> (B, T, d) input vectors (the sum of every field's embedding)."""
        return np.add.reduce(self._emb[rows + self._emb_offsets], axis=-2)

    def _rope_at(self, start: int, t: int) -> tuple[np.ndarray, np.ndarray]:
        cos, sin = self._rope
        if start + t <= len(cos):
            return cos[start:start + t], sin[start:start + t]
        return rope_factors(np.arange(start, start + t), self.d // self.n_heads, float(self.config["rope_base"]))

    def step(self, rows: np.ndarray, cache: KVCache, last_only: bool = False) -> np.ndarray:
        """Run rows (B, T, F) that follow what ``cache`` holds; returns final hidden states (B, T, d), or with
        ``last_only`` only each sequence's last one (B, 1, d): the last layer then attends and runs its
        feed-forward part for that row alone (every row's keys and values still go into the cache), which saves
        a tenth of a prompt's step.

        The residual stream is kept as one (B * T, d) matrix, so every linear layer is a single matrix product."""
        b, t = rows.shape[:2]
        start = cache.length
        rope = self._rope_at(start, t)
        causal = np.triu(np.full((t, start + t), -np.inf, np.float32), k=start + 1) if t > 1 else None
        x = self.embed(rows).reshape(b * t, self.d)
        trim = len(self._layers) - 1 if last_only and t > 1 else -1
        for i, (layer, keys, values) in enumerate(zip(self._layers, cache.keys, cache.values)):
            x = self._attend(layer, x, keys, values, start, rope, None if i == trim else causal, i == trim)
            x += layer.fc2(gelu2_(layer.fc1(normalize(x))))
        cache.length = start + t
        return layer_norm(x, *self._ln_f).reshape(b, -1, self.d)

    def _attend(self, layer: Layer, x: np.ndarray, keys: np.ndarray, values: np.ndarray, start: int,
                rope: tuple[np.ndarray, np.ndarray], causal: np.ndarray | None, last: bool = False) -> np.ndarray:
        """Self-attention of the rows ``x`` (B * T, d) over the cache plus themselves, added to ``x`` (in place,
        and returned); writes their keys and values into the cache (B, H, capacity, Dh) at ``start``. With
        ``last``, only each sequence's last row attends: returns those rows (B, d), a new array."""
        b, nh, _, dh = keys.shape
        t, d = len(x) // b, x.shape[1]
        end = start + t
        qkv = layer.qkv(normalize(x)).reshape(b, t, 3 * d)
        qk = rotate(qkv[..., :2 * d].reshape(b, t, 2, nh, 2, dh // 2), *rope)
        keys[:, :, start:end] = qk[:, :, 1].reshape(b, t, nh, dh).transpose(0, 2, 1, 3)
        values[:, :, start:end] = qkv[..., 2 * d:].reshape(b, t, nh, dh).transpose(0, 2, 1, 3)
        tq = 1 if last else t
        q = qk[:, t - tq:, 0].reshape(b, tq, nh, dh).transpose(0, 2, 3, 1)  # (B, H, Dh, T)
        att = (keys[:, :, :end] @ q).transpose(0, 1, 3, 2)  # (B, H, T, end)
        if causal is not None:
            att += causal
        att -= np.maximum.reduce(att, axis=-1, keepdims=True)
        np.exp(att, out=att)
        o = att @ values[:, :, :end]  # (B, H, T, Dh)
        o /= np.vecdot(att, _filled(keys.shape[2], 1.0)[:end])[..., None]
        out = layer.proj(o.transpose(0, 2, 1, 3).reshape(b * tq, d))
        if last:
            return out + x.reshape(b, t, d)[:, -1]
        x += out
        return x

    def cond(self, name: str, index: np.ndarray) -> np.ndarray:
        """The head-input embedding of a sampled or known field value."""
        return self._cond[name][index]

    def head(self, field_name: str, u: np.ndarray) -> np.ndarray:
        """Logits of one field from the head input ``u`` (..., d)."""
        head = self._heads[field_name]
        return head.fc2(gelu2_(head.fc1(normalize(u))))

    def head_logits(self, h: np.ndarray, target: np.ndarray) -> dict[str, np.ndarray]:
        """Teacher-forced logits of every field of ``target`` rows (what the PyTorch model computes)."""
        out = {"shift": self.head("shift", h)}
        u = h
        for name in ("pos", "pitch", "dur", "vel"):
            for cname in HEAD_CONDITIONS[name]:
                u = u + self.cond(cname, target[..., tk.FIELDS.index(cname)])
            out[name] = self.head(name, u)
        return out


def _checked_config(path: str | Path, meta: object) -> dict:
    """The network config from a weight file's metadata; ModelFileError when missing or impossible."""
    config = meta.get("config") if isinstance(meta, dict) else None
    try:
        sizes = [int(config[k]) for k in ("d_model", "n_layers", "n_heads", "d_ff", "max_len")]  # type: ignore[index]
        if min(sizes) < 1 or sizes[0] % sizes[2] or float(config["rope_base"]) <= 0:  # type: ignore[index]
            raise ValueError("impossible sizes")
    except (KeyError, TypeError, ValueError):
        raise ModelFileError(path, "its metadata has no usable network config", "continuation") from None
    return config  # type: ignore[return-value]


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
