"""Per-note negative log-likelihood of the numpy continuation network and the n-gram on the same windows."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from composer_app.model import tokens as tk
from composer_app.model.continuation_net import ContinuationNet
from composer_app.model.ngram import NgramModel
from composer_app.model.sampling import log_softmax


def window_nll(net: ContinuationNet, rows: np.ndarray, score_from: int = 1) -> tuple[dict[str, float], int]:
    """Summed NLL (nats) per field of rows[score_from:] given the rows before each (one window that opens with
    a BOS), and its note count; EOS targets count only their shift field and the input-only FILL/MIDDLE
    markers not at all (as the PyTorch model's ``nll`` does)."""
    rows = np.asarray(rows, np.int64)
    cache = net.new_cache(1, len(rows))
    h = net.step(rows[None, :-1], cache)
    target = rows[None, 1:]
    heads_see = target.copy()
    heads_see[..., tk.SHIFT] = np.minimum(heads_see[..., tk.SHIFT], tk.EOS)  # markers are not scored anyway
    logits = net.head_logits(h, heads_see)
    scored = (target[0, :, tk.SHIFT] < tk.OUTPUT_SIZES["shift"]) & (np.arange(1, len(rows)) >= score_from)
    note = scored & (target[0, :, tk.SHIFT] != tk.EOS)
    out = {}
    for i, field in enumerate(tk.PREDICTED):
        lp = log_softmax(logits[field][0].astype(np.float64))
        tgt = np.minimum(target[0, :, i], lp.shape[-1] - 1)
        nll = -lp[np.arange(len(tgt)), tgt]
        out[field] = float(nll[scored].sum() if field == "shift" else nll[note].sum())
    return out, int(note.sum())


def net_nll(net: ContinuationNet, windows: Sequence[np.ndarray]) -> dict:
    """{'nll': nats per note, 'by_field': {...}, 'notes': n} of the network over ``windows``."""
    totals = dict.fromkeys(tk.PREDICTED, 0.0)
    notes = 0
    for w in windows:
        if len(w) < 2:
            continue
        parts, n = window_nll(net, w)
        notes += n
        for f, v in parts.items():
            totals[f] += v
    per = {f: v / max(notes, 1) for f, v in totals.items()}
    return {"nll": sum(per.values()), "by_field": per, "notes": notes}


def ngram_nll(model: NgramModel, windows: Sequence[np.ndarray]) -> dict:
    """The same figure for the n-gram baseline."""
    return model.nll([w for w in windows if len(w) >= 2])
