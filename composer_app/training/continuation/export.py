"""Export a trained ContinuationNet to the numpy engine's format: fp16 arrays plus JSON metadata in one .npz."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
from torch import nn

from composer_app.model import tokens as tk
from composer_app.model.continuation_net import META_KEY

FORMAT = "composer-continuation-v1"


def tokenizer_meta() -> dict:
    """What the engine checks against its own tokenizer before trusting the weights."""
    return {"fields": list(tk.FIELDS), "input_sizes": tk.INPUT_SIZES, "output_sizes": tk.OUTPUT_SIZES,
            "grid": tk.GRID, "dur_steps": list(tk.DUR_STEPS), "vel_values": list(tk.VEL_VALUES),
            "styles": list(tk.STYLES), "roles": list(tk.ROLES), "meters": [list(m) for m in tk.METERS]}


def export_npz(model: nn.Module, config: dict, path: str | Path, extra: dict | None = None) -> Path:
    """Write every parameter as float16 and a ``__meta__`` uint8 array of JSON (format, config, tokenizer, extra)."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    arrays = {name: t.detach().cpu().numpy().astype(np.float16) for name, t in model.state_dict().items()}
    meta = {"format": FORMAT, "config": config, "tokenizer": tokenizer_meta(),
            "parameters": int(sum(a.size for a in arrays.values())), **(extra or {})}
    arrays[META_KEY] = np.frombuffer(json.dumps(meta, indent=1).encode(), np.uint8)
    tmp = path.with_name(path.name + ".tmp.npz")
    np.savez(tmp, **arrays)
    tmp.replace(path)
    return path
