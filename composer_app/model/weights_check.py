"""Checks a model's weight file before any of it is used: a regular .npz, the keys and shapes, finite values."""

from __future__ import annotations

import os
import stat
import zipfile
import zlib
from collections.abc import Mapping
from pathlib import Path

import numpy as np

from composer_app.core.errors import SongFileError

MAX_MODEL_BYTES = 512 * 1024 * 1024
MODELS_DIR = Path(__file__).resolve().parents[2] / "resources" / "models"
TRAIN_COMMANDS = {
    "continuation": "python -m composer_app.training.continuation.train",
    "harmony": "python -m composer_app.training.harmony.train",
}
Shapes = Mapping[str, "tuple[int, ...] | None"]  # None: the key must exist, any shape; -1: any size on that axis


class ModelFileError(SongFileError):
    """A model's weight file is missing or damaged; ``str()`` names the file, the problem and what to do."""

    def __init__(self, path: str | Path, problem: str, kind: str = "") -> None:
        advice = ("reinstall Composer to restore resources/models" +
                  (f", or train it again with {TRAIN_COMMANDS[kind]}" if kind in TRAIN_COMMANDS else ""))
        super().__init__(path, f"{problem}; {advice}")
        self.kind = kind


def read_npz(path: str | Path, kind: str = "") -> dict[str, np.ndarray]:
    """Every array of the .npz at ``path`` (no pickles); ModelFileError for a missing, special or damaged file."""
    path = Path(path)
    try:
        info = os.stat(path)
    except FileNotFoundError:
        raise ModelFileError(path, "the model file is missing", kind) from None
    except OSError as exc:
        raise ModelFileError(path, f"the model file cannot be read ({exc.strerror or exc})", kind) from None
    if not stat.S_ISREG(info.st_mode):
        raise ModelFileError(path, "the model file is not a regular file", kind)
    if info.st_size > MAX_MODEL_BYTES:
        raise ModelFileError(path, f"the model file is too large ({info.st_size // 2**20} MB)", kind)
    try:
        with np.load(path, allow_pickle=False) as data:
            if not isinstance(data, np.lib.npyio.NpzFile):
                raise ValueError("a single array, not an .npz archive")
            return {k: data[k] for k in data.files}
    except (OSError, ValueError, EOFError, KeyError, zipfile.BadZipFile, zlib.error, RuntimeError) as exc:
        detail = (str(exc).splitlines() or [type(exc).__name__])[0][:120]
        raise ModelFileError(path, f"the model file is damaged ({detail})", kind) from None


def require(path: str | Path, weights: Mapping[str, np.ndarray], shapes: Shapes, kind: str = "") -> None:
    """Every key of ``shapes`` present with that shape, and every float array finite; else ModelFileError."""
    missing = [k for k in shapes if k not in weights]
    if missing:
        more = f" and {len(missing) - 3} more" if len(missing) > 3 else ""
        raise ModelFileError(path, f"the model file lacks {', '.join(missing[:3])}{more}", kind)
    for key, shape in shapes.items():
        if shape is not None and not _fits(tuple(weights[key].shape), tuple(shape)):
            raise ModelFileError(path, f"{key} has shape {tuple(weights[key].shape)}, expected {tuple(shape)}", kind)
    for key, array in weights.items():
        if array.dtype.kind == "f" and not np.isfinite(array).all():
            raise ModelFileError(path, f"{key} holds NaN or infinite values", kind)


def _fits(shape: tuple[int, ...], expected: tuple[int, ...]) -> bool:
    return len(shape) == len(expected) and all(e < 0 or s == e for s, e in zip(shape, expected))


def harmony_weights(path: str | Path) -> dict[str, np.ndarray]:
    """The harmonizer's arrays (floats as float32), checked against the sizes recorded in ``net_config``."""
    from composer_app.model.harmony_net import config_of

    raw = read_npz(path, "harmony")
    require(path, raw, {"net_config": (6,)}, "harmony")
    try:
        cfg = config_of(raw)
    except (ValueError, TypeError, OverflowError) as exc:
        raise ModelFileError(path, f"net_config is unreadable ({exc})", "harmony") from None
    if min(cfg.d_model, cfg.layers, cfg.vocab, cfg.inversions, cfg.styles, cfg.features) < 1:
        raise ModelFileError(path, f"net_config holds impossible sizes {tuple(raw['net_config'])}", "harmony")
    d, v = cfg.d_model, cfg.vocab
    shapes: dict[str, tuple[int, ...] | None] = {
        "in.weight": (d, cfg.features), "in.bias": (d,), "chord.weight": (v, d), "chord.bias": (v,),
        "inv.weight": (cfg.inversions, d), "inv.bias": (cfg.inversions,), "crf.trans": (cfg.styles, v, v),
        "crf.diag": None, "crf.start": (cfg.styles, v), "crf.end": (cfg.styles, v),
        "hmm.emit": (v, 12), "hmm.trans": None, "hmm.start": None,
    }
    for i in range(cfg.layers):
        shapes.update({f"conv{i}.weight": (d, d, 3), f"conv{i}.bias": (d,), f"norm{i}.weight": (d,),
                       f"norm{i}.bias": (d,)})
    require(path, raw, shapes, "harmony")
    return {k: a.astype(np.float32) if a.dtype.kind == "f" else a for k, a in raw.items()}


def model_problem(kind: str, path: str | Path | None = None) -> str | None:
    """None when the ``kind`` model ("continuation" or "harmony") loads and checks out, else one line
    saying which file is wrong and what to do: for the window, to disable only the feature that needs it."""
    from composer_app.model.continuation_net import ContinuationNet

    path = Path(path) if path is not None else MODELS_DIR / f"{kind}.npz"
    try:
        if kind == "harmony":
            harmony_weights(path)
        elif kind == "continuation":
            ContinuationNet.load(path)
        else:
            raise ValueError(f"unknown model kind {kind!r}")
    except SongFileError as exc:
        return str(exc)
    return None
