"""Per-note negative log-likelihood of the continuation model on a set of sequences."""

from __future__ import annotations

from collections import defaultdict

import numpy as np
import torch

from composer_app.training.continuation.dataset import Sequence, pad_batch, windows
from composer_app.training.continuation.model_torch import HEAD_ORDER, ContinuationNet


def eval_windows(seqs: list[Sequence], length: int, accompaniment_windows: int | None = None
                 ) -> list[tuple[str, np.ndarray]]:
    """Deterministic windows (phase 0) of every sequence, tagged with the sequence's role; accompaniment
    parts (long POP909 piano parts) keep only their first ``accompaniment_windows`` windows when given."""
    out = []
    for s in seqs:
        ws = windows(s.rows, length, 0)
        if accompaniment_windows is not None and s.role == "accompaniment":
            ws = ws[:accompaniment_windows]
        out.extend((s.role, w) for w in ws)
    return out


@torch.no_grad()
def nll_per_note(model: ContinuationNet, tagged: list[tuple[str, np.ndarray]], batch: int = 32,
                 device: str = "cpu") -> dict:
    """{'nll': nats per note overall, 'by_role': {...}, 'by_field': {...}, 'notes': n}.

    A note's NLL sums its five fields (shift, pos, pitch, dur, vel); the EOS shift of each part is
    counted too. Parts longer than a window restart with a fresh BOS (as in training).
    """
    was_training = model.training
    model.eval()
    totals: dict[str, float] = defaultdict(float)
    notes: dict[str, float] = defaultdict(float)
    fields: dict[str, float] = defaultdict(float)
    order = sorted(range(len(tagged)), key=lambda i: (tagged[i][0], len(tagged[i][1])))
    for a in range(0, len(order), batch):
        idx = order[a:a + batch]
        role_groups: dict[str, list[np.ndarray]] = defaultdict(list)
        for i in idx:
            role_groups[tagged[i][0]].append(tagged[i][1])
        for role, chunks in role_groups.items():
            rows, valid = pad_batch(chunks)
            total, n, parts = model.nll(torch.from_numpy(rows).to(device), torch.from_numpy(valid).to(device))
            totals[role] += float(total)
            notes[role] += float(n)
            for f in HEAD_ORDER:
                fields[f] += parts[f]
    model.train(was_training)
    all_notes = sum(notes.values()) or 1.0
    return {
        "nll": sum(totals.values()) / all_notes,
        "by_role": {r: totals[r] / max(notes[r], 1.0) for r in sorted(totals)},
        "by_field": {f: fields[f] / all_notes for f in HEAD_ORDER},
        "notes": int(all_notes),
    }
