"""A smoothed n-gram baseline over the compound-note tokens: one back-off chain of contexts per predicted field.

Each predicted field (shift, pos, pitch, dur, vel) is scored given the previous notes and the fields of the
current note that precede it, as the network's factored heads are. Contexts are prefixes of an ordered
feature list (general to specific, see ``FEATURES``): level 0 has no context, level k the first k features.
Levels are combined by interpolated Kneser-Ney (absolute discounting with continuation counts for the lower
levels; ``method="wb"`` gives Witten-Bell) and the bottom one interpolates with the uniform distribution, so
every class keeps a non-zero probability. Counts are int arrays: saved as one ``.npz`` (allow_pickle=False).

A model state is a float row of ``STATE`` columns (the last three notes, the last row's meter/mode/style/role
and the current note's known fields); :mod:`composer_app.model.ngram_engine` samples through it.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from composer_app.model import tokens as tk

FORMAT = "composer-ngram-v1"
DEFAULT_PATH = Path(__file__).resolve().parents[2] / "resources" / "models" / "ngram.npz"

# state columns: previous three notes (5 fields each), the previous row's context, the current note's fields
P1, P2, P3 = 0, 5, 10
C_METER, C_MODE, C_STYLE, C_ROLE = 15, 16, 17, 18
CUR = {"shift": 19, "meter": 20, "pos": 21, "chord": 22, "pitch": 23, "dur": 24}
STATE = 25

_PREV_FIELDS = (tk.SHIFT, tk.POS, tk.PITCH, tk.DUR, tk.VEL)
_Feature = tuple[str, int, Callable[[np.ndarray], np.ndarray]]


def _col(c: int) -> Callable[[np.ndarray], np.ndarray]:
    return lambda s: s[:, c]


def _same_onset(s: np.ndarray) -> np.ndarray:
    return ((s[:, CUR["shift"]] == 0) & (s[:, CUR["pos"]] == s[:, P1 + 1])).astype(np.int64)


def _bar_flag(s: np.ndarray) -> np.ndarray:
    return np.minimum(s[:, CUR["shift"]], 2)


def _beat(s: np.ndarray) -> np.ndarray:
    """Metric weight of the current onset: 0 on a half note grid, 1 quarter, 2 eighth, 3 anything else."""
    pos = s[:, CUR["pos"]]
    return np.select([pos % 24 == 0, pos % 12 == 0, pos % 6 == 0], [0, 1, 2], 3)


_ROLE: _Feature = ("role", 2, _col(C_ROLE))
_STYLE: _Feature = ("style", len(tk.STYLES), _col(C_STYLE))
_SAME: _Feature = ("same_onset", 2, _same_onset)
_METER: _Feature = ("meter", tk.METER_OTHER + 1, _col(CUR["meter"]))


def _prev(k: int, field: int, name: str, size: int) -> _Feature:
    return (f"{name}{k}", size, _col((P1, P2, P3)[k - 1] + field))


FEATURES: dict[str, tuple[_Feature, ...]] = {
    "shift": (_ROLE, ("meter", tk.METER_OTHER + 1, _col(C_METER)), _prev(1, 1, "pos", tk.NUM_POS + 1),
              _prev(1, 3, "dur", tk.NONE_DUR + 1), _STYLE, _prev(2, 1, "pos", tk.NUM_POS + 1)),
    "pos": (_ROLE, _METER, ("bar_flag", 3, _bar_flag), _prev(1, 1, "pos", tk.NUM_POS + 1),
            _prev(1, 3, "dur", tk.NONE_DUR + 1), _STYLE, _prev(2, 1, "pos", tk.NUM_POS + 1)),
    "pitch": (_ROLE, _STYLE, _SAME, _prev(1, 2, "pitch", 129), ("chord", tk.NO_CHORD + 1, _col(CUR["chord"])),
              _prev(2, 2, "pitch", 129), _prev(3, 2, "pitch", 129)),
    "dur": (_ROLE, _METER, _SAME, _prev(1, 3, "dur", tk.NONE_DUR + 1), ("pos", tk.NUM_POS, _col(CUR["pos"])),
            _STYLE, _prev(2, 3, "dur", tk.NONE_DUR + 1)),
    "vel": (_ROLE, _STYLE, _prev(1, 4, "vel", tk.NONE_VEL + 1), _SAME, _prev(2, 4, "vel", tk.NONE_VEL + 1),
            _prev(3, 4, "vel", tk.NONE_VEL + 1), ("beat", 4, _beat)),
}
"""Per predicted field: (name, cardinality, extractor from a state matrix), from general to specific."""


def states(rows: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """The state before each of rows[1:] (int64 ``(T-1, STATE)``, current fields from the target rows) and the
    targets' predicted fields ``(T-1, 5)``."""
    rows = np.asarray(rows, np.int64)
    t = len(rows)
    out = np.zeros((t - 1, STATE), np.int64)
    pad = np.concatenate([np.repeat(rows[:1], 2, axis=0), rows])  # before BOS: BOS again
    for k, base in enumerate((P1, P2, P3)):
        out[:, base:base + 5] = pad[2 - k:2 - k + t - 1][:, _PREV_FIELDS]
    last = rows[:-1]
    out[:, C_METER], out[:, C_MODE] = last[:, tk.METER], last[:, tk.MODE]
    out[:, C_STYLE], out[:, C_ROLE] = last[:, tk.STYLE], last[:, tk.ROLE]
    target = rows[1:]
    for name, c in CUR.items():
        out[:, c] = target[:, tk.FIELDS.index(name)]
    return out, target[:, :5]


def stack_states(sequences: Iterable[np.ndarray]) -> tuple[np.ndarray, np.ndarray]:
    """``states`` of many sequences, concatenated."""
    pairs = [states(r) for r in sequences if len(r) > 1]
    if not pairs:
        return np.zeros((0, STATE), np.int64), np.zeros((0, 5), np.int64)
    return np.concatenate([a for a, _ in pairs]), np.concatenate([b for _, b in pairs])


def _contexts(field: str, state: np.ndarray) -> list[np.ndarray]:
    """Context ids of every level (0..L) for each state row (mixed radix over the feature prefix)."""
    ctx = np.zeros(len(state), np.int64)
    out = [ctx]
    for _, size, get in FEATURES[field]:
        ctx = ctx * size + np.clip(get(state), 0, size - 1)
        out.append(ctx)
    return out


def _lookup(sorted_keys: np.ndarray, query: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """(found mask, index) of ``query`` values in ``sorted_keys``."""
    if len(sorted_keys) == 0:
        return np.zeros(query.shape, bool), np.zeros(query.shape, np.int64)
    i = np.minimum(np.searchsorted(sorted_keys, query), len(sorted_keys) - 1)
    return sorted_keys[i] == query, i


@dataclass
class Level:
    """Counts of one context level: sorted (context * V + class) keys with counts, per-context totals."""

    keys: np.ndarray
    counts: np.ndarray
    discount: float

    def __post_init__(self) -> None:
        self.keys = np.asarray(self.keys, np.int64)
        self.counts = np.asarray(self.counts, np.float64)

    def tables(self, v: int) -> None:
        self.ctx, first = np.unique(self.keys // v, return_index=True)
        self.total = np.add.reduceat(self.counts, first) if len(first) else np.zeros(0)
        self.types = np.diff(np.append(first, len(self.keys))).astype(np.float64)


def _discount(counts: np.ndarray) -> float:
    """Kneser-Ney's D = n1 / (n1 + 2 n2), kept inside [0.1, 0.95]."""
    n1, n2 = float(np.sum(counts == 1)), float(np.sum(counts == 2))
    return float(np.clip(n1 / (n1 + 2 * n2), 0.1, 0.95)) if n1 + n2 else 0.5


def _fit_field(field: str, state: np.ndarray, y: np.ndarray, method: str) -> list[Level]:
    """Levels 0..L of one field: raw counts at the top; below, continuation counts (KN) or raw counts (WB)."""
    v = tk.OUTPUT_SIZES[field]
    ctxs = _contexts(field, state)
    sizes = [size for _, size, _ in FEATURES[field]]
    raw = [np.unique(c * v + y, return_counts=True) for c in ctxs]
    levels = [Level(*raw[-1], 0.0)]
    for k in range(len(ctxs) - 2, -1, -1):
        if method == "kn":
            upper = raw[k + 1][0]  # distinct (context + one more feature, class): count them per (context, class)
            keys, counts = np.unique((upper // v) // sizes[k] * v + upper % v, return_counts=True)
        else:
            keys, counts = raw[k]
        levels.append(Level(keys, counts, 0.0))
    levels.reverse()
    for lev in levels:
        lev.discount = _discount(lev.counts)
    return levels


class NgramModel:
    """Per-field back-off chains; ``prob`` scores states, ``distribution`` gives whole rows for sampling."""

    def __init__(self, levels: dict[str, list[Level]], method: str = "kn", meta: dict | None = None) -> None:
        self.levels, self.method, self.meta = levels, method, dict(meta or {})
        for field, chain in levels.items():
            if len(chain) != len(FEATURES[field]) + 1:
                raise ValueError(f"the n-gram model has {len(chain)} levels for {field}")
            for lev in chain:
                lev.tables(tk.OUTPUT_SIZES[field])

    @classmethod
    def fit(cls, sequences: Iterable[np.ndarray], method: str = "kn", meta: dict | None = None) -> NgramModel:
        """Count every field of every sequence (rows as ``encode_part`` makes them)."""
        if method not in ("kn", "wb"):
            raise ValueError("method must be 'kn' or 'wb'")
        state, target = stack_states(sequences)
        note = target[:, 0] != tk.EOS
        levels = {}
        for i, field in enumerate(tk.PREDICTED):
            keep = slice(None) if field == "shift" else note
            levels[field] = _fit_field(field, state[keep], target[keep, i], method)
        return cls(levels, method, {"notes": int(note.sum()), **(meta or {})})

    def prob(self, field: str, state: np.ndarray, y: np.ndarray) -> np.ndarray:
        """P(y | state) for each state row; ``y`` is (N,) or (N, K) classes per row."""
        v = tk.OUTPUT_SIZES[field]
        y = np.asarray(y, np.int64)
        p = np.full(y.shape, 1.0 / v)
        for ctx, lev in zip(_contexts(field, np.asarray(state, np.int64)), self.levels[field]):
            c = ctx.reshape(ctx.shape + (1,) * (y.ndim - 1))
            has, ci = _lookup(lev.ctx, c)
            found, ki = _lookup(lev.keys, c * v + y)
            count = np.where(found, lev.counts[ki], 0.0)
            total, types = np.where(has, lev.total[ci], 1.0), np.where(has, lev.types[ci], 0.0)
            if self.method == "kn":
                new = (np.maximum(count - lev.discount, 0.0) + lev.discount * types * p) / total
            else:
                new = (count + types * p) / (total + types)
            p = np.where(has, new, p)
        return p

    def distribution(self, field: str, state: np.ndarray) -> np.ndarray:
        """(B, V) probabilities of every class of ``field`` after each state row."""
        v = tk.OUTPUT_SIZES[field]
        return self.prob(field, state, np.broadcast_to(np.arange(v), (len(state), v)))

    def nll(self, sequences: Iterable[np.ndarray]) -> dict:
        """{'nll': nats per note, 'by_field': {...}, 'notes': n}: a note sums its five fields; each sequence's
        EOS shift counts too (as in the network's figure)."""
        state, target = stack_states(sequences)
        note = target[:, 0] != tk.EOS
        notes = max(int(note.sum()), 1)
        by_field = {}
        for i, field in enumerate(tk.PREDICTED):
            keep = slice(None) if field == "shift" else note
            by_field[field] = float(-np.log(self.prob(field, state[keep], target[keep, i])).sum()) / notes
        return {"nll": sum(by_field.values()), "by_field": by_field, "notes": int(note.sum())}

    def save(self, path: str | Path) -> Path:
        """Write the counts (int arrays) and a JSON header into one compressed ``.npz``."""
        path = Path(path)
        path.parent.mkdir(parents=True, exist_ok=True)
        arrays: dict[str, np.ndarray] = {}
        for field, chain in self.levels.items():
            for k, lev in enumerate(chain):
                arrays[f"{field}.{k}.keys"] = lev.keys
                arrays[f"{field}.{k}.counts"] = lev.counts.astype(np.int32)
        meta = {"format": FORMAT, "method": self.method, "features": _feature_names(),
                "discounts": {f: [lev.discount for lev in chain] for f, chain in self.levels.items()},
                "meta": self.meta}
        arrays["__meta__"] = np.frombuffer(json.dumps(meta).encode(), np.uint8)
        tmp = path.with_name(path.name + ".tmp.npz")
        np.savez_compressed(tmp, **arrays)
        tmp.replace(path)
        return path

    @classmethod
    def load(cls, path: str | Path) -> NgramModel:
        """Read a saved model; ValueError when the file is not one (or was counted with other features)."""
        try:
            with np.load(path, allow_pickle=False) as data:
                head = json.loads(bytes(data["__meta__"]).decode())
                if head.get("format") != FORMAT:
                    raise ValueError(f"{path}: not an n-gram model")
                if head.get("features") != _feature_names():
                    raise ValueError(f"{path}: the n-gram model was counted with other features")
                levels = {f: [Level(data[f"{f}.{k}.keys"], data[f"{f}.{k}.counts"], float(d))
                              for k, d in enumerate(head["discounts"][f])] for f in tk.PREDICTED}
        except (OSError, EOFError, KeyError, TypeError, json.JSONDecodeError, UnicodeDecodeError) as exc:
            raise ValueError(f"cannot read n-gram model {path}: {exc}") from None
        return cls(levels, head.get("method", "kn"), head.get("meta", {}))


def _feature_names() -> dict[str, list[str]]:
    return {f: [name for name, _, _ in feats] for f, feats in FEATURES.items()}
