"""The continuation transformer in PyTorch: pre-LN, rotary positions, factored output heads (training only).

Mirrored exactly by ``composer_app.model.continuation_net`` (numpy); parameter names are shared.
"""

from __future__ import annotations

import math
from dataclasses import asdict, dataclass

import torch
import torch.nn.functional as F
from torch import nn

from composer_app.model import tokens as tk

HEAD_ORDER = ("shift", "pos", "pitch", "dur", "vel")
# what each head's input adds on top of the previous one: (field, column of the target row)
HEAD_CONDITIONS = {"pos": (("shift", tk.SHIFT), ("meter", tk.METER)),
                   "pitch": (("pos", tk.POS), ("chord", tk.CHORD)),
                   "dur": (("pitch", tk.PITCH),),
                   "vel": (("dur", tk.DUR),)}


@dataclass
class Config:
    """Network shape (stored in the exported metadata)."""

    d_model: int = 192
    n_layers: int = 4
    n_heads: int = 4
    d_ff: int = 768
    max_len: int = 256
    dropout: float = 0.1
    rope_base: float = 10000.0

    def to_dict(self) -> dict:
        return asdict(self)


def rope_tables(length: int, head_dim: int, base: float, offset: int = 0) -> tuple[torch.Tensor, torch.Tensor]:
    """cos and sin tables (length, head_dim/2) for rotary positions offset..offset+length-1."""
    inv = 1.0 / (base ** (torch.arange(0, head_dim, 2, dtype=torch.float64) / head_dim))
    ang = torch.arange(offset, offset + length, dtype=torch.float64)[:, None] * inv[None, :]
    return torch.cos(ang).float(), torch.sin(ang).float()


def apply_rope(x: torch.Tensor, cos: torch.Tensor, sin: torch.Tensor) -> torch.Tensor:
    """Rotate pairs (first half, second half) of the last dimension of x (B, H, T, Dh)."""
    half = x.shape[-1] // 2
    a, b = x[..., :half], x[..., half:]
    return torch.cat([a * cos - b * sin, a * sin + b * cos], dim=-1)


class Block(nn.Module):
    def __init__(self, cfg: Config) -> None:
        super().__init__()
        self.n_heads = cfg.n_heads
        self.ln1 = nn.LayerNorm(cfg.d_model)
        self.qkv = nn.Linear(cfg.d_model, 3 * cfg.d_model)
        self.proj = nn.Linear(cfg.d_model, cfg.d_model)
        self.ln2 = nn.LayerNorm(cfg.d_model)
        self.fc1 = nn.Linear(cfg.d_model, cfg.d_ff)
        self.fc2 = nn.Linear(cfg.d_ff, cfg.d_model)
        self.drop = nn.Dropout(cfg.dropout)

    def forward(self, x: torch.Tensor, cos: torch.Tensor, sin: torch.Tensor) -> torch.Tensor:
        b, t, d = x.shape
        q, k, v = self.qkv(self.ln1(x)).split(d, dim=-1)
        q, k, v = (z.view(b, t, self.n_heads, d // self.n_heads).transpose(1, 2) for z in (q, k, v))
        q, k = apply_rope(q, cos, sin), apply_rope(k, cos, sin)
        att = F.scaled_dot_product_attention(q, k, v, is_causal=True)
        x = x + self.drop(self.proj(att.transpose(1, 2).reshape(b, t, d)))
        return x + self.drop(self.fc2(F.gelu(self.fc1(self.ln2(x)), approximate="tanh")))


class Head(nn.Module):
    """LayerNorm, one hidden GELU layer, logits."""

    def __init__(self, d: int, n_out: int) -> None:
        super().__init__()
        self.ln = nn.LayerNorm(d)
        self.fc1 = nn.Linear(d, d)
        self.fc2 = nn.Linear(d, n_out)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.fc2(F.gelu(self.fc1(self.ln(x)), approximate="tanh"))


class ContinuationNet(nn.Module):
    """Rows (B, T, NUM_FIELDS) in, hidden states out; ``head_logits`` scores the next rows' fields."""

    def __init__(self, cfg: Config) -> None:
        super().__init__()
        self.cfg = cfg
        d = cfg.d_model
        self.emb = nn.ModuleDict({f: nn.Embedding(tk.INPUT_SIZES[f], d) for f in tk.FIELDS})
        self.layers = nn.ModuleList(Block(cfg) for _ in range(cfg.n_layers))
        self.ln_f = nn.LayerNorm(d)
        self.cond = nn.ModuleDict({f: nn.Embedding(tk.INPUT_SIZES[f], d)
                                   for conds in HEAD_CONDITIONS.values() for f, _ in conds})
        self.head = nn.ModuleDict({f: Head(d, tk.OUTPUT_SIZES[f]) for f in HEAD_ORDER})
        self.apply(self._init)

    @staticmethod
    def _init(m: nn.Module) -> None:
        if isinstance(m, nn.Linear):
            nn.init.normal_(m.weight, std=0.02)
            nn.init.zeros_(m.bias)
        elif isinstance(m, nn.Embedding):
            nn.init.normal_(m.weight, std=0.02)

    def embed(self, rows: torch.Tensor) -> torch.Tensor:
        return sum(self.emb[f](rows[..., i]) for i, f in enumerate(tk.FIELDS))

    def forward(self, rows: torch.Tensor) -> torch.Tensor:
        x = self.embed(rows)
        cos, sin = (t.to(rows.device) for t in rope_tables(rows.shape[1], self.cfg.d_model // self.cfg.n_heads,
                                                              self.cfg.rope_base))
        for layer in self.layers:
            x = layer(x, cos, sin)
        return self.ln_f(x)

    def head_logits(self, h: torch.Tensor, target: torch.Tensor) -> dict[str, torch.Tensor]:
        """Logits of every field of ``target`` (rows following h), each head seeing the earlier fields."""
        out = {"shift": self.head["shift"](h)}
        u = h
        for field in HEAD_ORDER[1:]:
            for name, col in HEAD_CONDITIONS[field]:
                u = u + self.cond[name](target[..., col])
            out[field] = self.head[field](u)
        return out

    def nll(self, rows: torch.Tensor, valid: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor, dict[str, float]]:
        """Summed NLL (nats) of rows[:, 1:] given rows[:, :-1], the count of predicted notes, per-field sums.

        ``valid`` (B, T) marks real rows (not padding). EOS targets count only their shift field; the input-only
        FILL and MIDDLE markers of a gap fill are not predicted.
        """
        h = self(rows[:, :-1])
        target = rows[:, 1:]
        mask = valid[:, 1:].float() * (target[..., tk.SHIFT] < tk.OUTPUT_SIZES["shift"]).float()
        note = mask * (target[..., tk.SHIFT] != tk.EOS).float()
        logits = self.head_logits(h, target)
        total = torch.zeros((), device=rows.device)
        parts = {}
        for i, field in enumerate(HEAD_ORDER):
            lg = logits[field]
            tgt = target[..., i].clamp(max=lg.shape[-1] - 1)
            ce = F.cross_entropy(lg.reshape(-1, lg.shape[-1]), tgt.reshape(-1), reduction="none").view_as(mask)
            s = (ce * (mask if field == "shift" else note)).sum()
            parts[field] = float(s.detach())
            total = total + s
        return total, note.sum(), parts


def parameter_count(model: nn.Module) -> int:
    return sum(p.numel() for p in model.parameters())


def lr_at(step: int, total: int, peak: float, warmup: int) -> float:
    """Linear warm-up then cosine decay to 10 % of ``peak``."""
    if step < warmup:
        return peak * (step + 1) / warmup
    frac = min(1.0, (step - warmup) / max(1, total - warmup))
    return peak * (0.1 + 0.9 * 0.5 * (1 + math.cos(math.pi * frac)))
