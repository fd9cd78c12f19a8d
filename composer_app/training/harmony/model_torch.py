"""The torch twin of ``composer_app.model.harmony_net``: dilated conv encoder + style-conditioned CRF
(shared transitions plus a per-style offset, so a style without data falls back to the shared prior)."""

from __future__ import annotations

import numpy as np
import torch
from torch import nn

from composer_app.model.harmony_features import STYLE_FEATURE
from composer_app.model.harmony_net import NetConfig


class HarmonyNet(nn.Module):
    """Per-slot chord and inversion logits, CRF transitions per style, negative log-likelihood."""

    def __init__(self, cfg: NetConfig) -> None:
        super().__init__()
        self.cfg = cfg
        d = cfg.d_model
        self.inp = nn.Linear(cfg.features, d)
        self.convs = nn.ModuleList(nn.Conv1d(d, d, 3, dilation=cfg.dilation(i), padding=cfg.dilation(i))
                                   for i in range(cfg.layers))
        self.norms = nn.ModuleList(nn.LayerNorm(d, eps=1e-5) for _ in range(cfg.layers))
        self.chord = nn.Linear(d, cfg.vocab)
        self.inv = nn.Linear(d, cfg.inversions)
        # per-style offsets (trans, diag, start, end) on shared parameters (trans0, ...)
        self.trans = nn.Parameter(torch.zeros(cfg.styles, cfg.vocab, cfg.vocab))
        self.diag = nn.Parameter(torch.zeros(cfg.styles, 3))
        self.start = nn.Parameter(torch.zeros(cfg.styles, cfg.vocab))
        self.end = nn.Parameter(torch.zeros(cfg.styles, cfg.vocab))
        self.trans0 = nn.Parameter(torch.zeros(cfg.vocab, cfg.vocab))
        self.diag0 = nn.Parameter(torch.zeros(3))
        self.start0 = nn.Parameter(torch.zeros(cfg.vocab))
        self.end0 = nn.Parameter(torch.zeros(cfg.vocab))

    def crf_for(self, style: torch.Tensor, keep: torch.Tensor | None = None) -> tuple[torch.Tensor, ...]:
        """(trans (B, V, V), diag (B, 3), start (B, V), end (B, V)) for styles (B,); ``keep`` (B,) 0/1 drops
        the style offset (style dropout: the shared prior alone)."""
        k = torch.ones(style.shape[0]) if keep is None else keep.to(torch.float32)
        return (self.trans0 + self.trans[style] * k[:, None, None], self.diag0 + self.diag[style] * k[:, None],
                self.start0 + self.start[style] * k[:, None], self.end0 + self.end[style] * k[:, None])

    def encode(self, x: torch.Tensor, mask: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
        """x (B, T, F), mask (B, T) -> chord logits (B, T, V), inversion logits (B, T, 4)."""
        m = mask.unsqueeze(-1).to(x.dtype)
        h = self.inp(x) * m
        for conv, norm in zip(self.convs, self.norms):
            y = conv(h.transpose(1, 2)).transpose(1, 2)
            h = norm(h + torch.relu(y)) * m
        return self.chord(h), self.inv(h)

    def crf_nll(self, unary: torch.Tensor, y: torch.Tensor, pos: torch.Tensor, style: torch.Tensor,
                mask: torch.Tensor, keep: torch.Tensor | None = None) -> torch.Tensor:
        """Sum over the batch of -log P(y | x) under the linear chain (probability-space forward pass)."""
        b, t_len, _ = unary.shape
        mf = mask.to(unary.dtype)
        trans, diag3, start, end = self.crf_for(style, keep)  # trans (B, V, V)
        diag = diag3.gather(1, pos)  # (B, T)
        t_max = trans.amax(dim=(1, 2), keepdim=True)
        e_trans = torch.exp(trans - t_max)
        e_diag = torch.diagonal(e_trans, dim1=1, dim2=2)
        u_max = unary.amax(dim=2, keepdim=True)
        e_u = torch.exp(unary - u_max)
        s_max = start.amax(dim=1, keepdim=True)
        alpha = torch.exp(start - s_max) * e_u[:, 0]
        log_z = s_max.squeeze(1) + u_max[:, 0, 0]
        norm = alpha.sum(1, keepdim=True)
        alpha = alpha / norm
        log_z = log_z + norm.squeeze(1).log()
        for t in range(1, t_len):
            step = torch.bmm(alpha.unsqueeze(1), e_trans).squeeze(1) + alpha * e_diag * torch.expm1(diag[:, t:t + 1])
            step = step * e_u[:, t]
            norm = step.sum(1, keepdim=True)
            live = mask[:, t:t + 1]
            alpha = torch.where(live, step / norm, alpha)
            inc = t_max.view(b) + u_max[:, t, 0] + norm.squeeze(1).log()
            log_z = log_z + torch.where(live.squeeze(1), inc, torch.zeros_like(inc))
        e_max = end.amax(dim=1, keepdim=True)
        log_z = log_z + e_max.squeeze(1) + (alpha * torch.exp(end - e_max)).sum(1).log()
        # gold path score
        lengths = mask.sum(1)
        gold = start.gather(1, y[:, :1]).squeeze(1) + (unary.gather(2, y.unsqueeze(-1)).squeeze(-1) * mf).sum(1)
        prev, nxt = y[:, :-1], y[:, 1:]
        tr = trans[torch.arange(b).unsqueeze(1), prev, nxt] + diag[:, 1:] * (prev == nxt)
        gold = gold + (tr * mf[:, 1:]).sum(1)
        last = y.gather(1, (lengths - 1).unsqueeze(1))
        gold = gold + end.gather(1, last).squeeze(1)
        return (log_z - gold).sum()


def export_arrays(model: HarmonyNet, trained_styles: tuple[int, ...] | None = None) -> dict[str, np.ndarray]:
    """The parameters under the names the numpy engine reads (CRF per style: shared plus offset). A style not in
    ``trained_styles`` gets the shared CRF and no input weight, as in style dropout."""
    cfg = model.cfg
    styles = range(cfg.styles) if trained_styles is None else trained_styles
    keep = torch.tensor([float(s in styles) for s in range(cfg.styles)])
    trans, diag, start, end = model.crf_for(torch.arange(cfg.styles), keep)
    in_weight = model.inp.weight.detach().clone()
    for s in range(cfg.styles):
        if s not in styles:
            in_weight[:, STYLE_FEATURE + s] = 0.0
    out = {"in.weight": in_weight, "in.bias": model.inp.bias, "chord.weight": model.chord.weight,
           "chord.bias": model.chord.bias, "inv.weight": model.inv.weight, "inv.bias": model.inv.bias,
           "crf.trans": trans, "crf.diag": diag, "crf.start": start, "crf.end": end}
    for i in range(cfg.layers):
        out[f"conv{i}.weight"] = model.convs[i].weight
        out[f"conv{i}.bias"] = model.convs[i].bias
        out[f"norm{i}.weight"] = model.norms[i].weight
        out[f"norm{i}.bias"] = model.norms[i].bias
    arrays = {k: v.detach().cpu().numpy().astype(np.float32) for k, v in out.items()}
    arrays["net_config"] = np.array([cfg.d_model, cfg.layers, cfg.vocab, cfg.inversions, cfg.styles, cfg.features],
                                    dtype=np.int32)
    return arrays
