"""Train the harmonizer and its HMM baseline on one split, export fp16 weights, evaluate, write the card.

``python -m composer_app.training.harmony.train [--quick]``
"""

from __future__ import annotations

import argparse
import json
import time
from pathlib import Path

import numpy as np
import torch

from composer_app.model.harmony import DEFAULT_WEIGHTS
from composer_app.model.harmony_hmm import fit_hmm
from composer_app.model.harmony_net import FORMAT, NetConfig
from composer_app.model.harmony_vocab import INVERSIONS, N_CLASS, VOCAB_SIZE
from composer_app.training.harmony.data import SOURCES, HarmonySequence, cache_path, load_sequences
from composer_app.training.harmony.model_torch import HarmonyNet, export_arrays
from composer_app.training.harmony.synthetic import synthetic_sequences

CROP = 96
LR = 2e-3


def _batch(seqs: list[HarmonySequence], rng: np.random.Generator) -> dict[str, torch.Tensor]:
    crops = []
    for s in seqs:
        n = len(s.classes)
        a = int(rng.integers(0, n - CROP + 1)) if n > CROP else 0
        crops.append((s, a, min(n, a + CROP)))
    t_len = max(b - a for _, a, b in crops)
    nf = seqs[0].feats.shape[1]
    x = np.zeros((len(seqs), t_len, nf), dtype=np.float32)
    y, inv, pos = (np.zeros((len(seqs), t_len), dtype=np.int64) for _ in range(3))
    mask = np.zeros((len(seqs), t_len), dtype=bool)
    for i, (s, a, b) in enumerate(crops):
        x[i, :b - a] = s.feats[a:b]
        y[i, :b - a] = s.classes[a:b]
        inv[i, :b - a] = s.inversions[a:b]
        pos[i, :b - a] = s.pos[a:b]
        mask[i, :b - a] = True
    return {"x": torch.from_numpy(x), "y": torch.from_numpy(y), "inv": torch.from_numpy(inv),
            "pos": torch.from_numpy(pos), "mask": torch.from_numpy(mask),
            "style": torch.tensor([s.style for s in seqs], dtype=torch.int64)}


def _loss(model: HarmonyNet, b: dict[str, torch.Tensor]) -> tuple[torch.Tensor, float, int]:
    chords, invs = model.encode(b["x"], b["mask"])
    n = int(b["mask"].sum())
    nll = model.crf_nll(chords, b["y"], b["pos"], b["style"], b["mask"]) / n
    m = b["mask"]
    aux = torch.nn.functional.cross_entropy(chords[m], b["y"][m])
    has = m & (b["y"] != N_CLASS)
    inv = torch.nn.functional.cross_entropy(invs[has], b["inv"][has]) if bool(has.any()) else nll * 0
    return nll + 0.3 * aux + 0.5 * inv, float(nll.detach()), n


def train(seqs: list[HarmonySequence], cfg: NetConfig, minutes: float, epochs: int, seed: int = 0,
          batch: int = 32, log=print) -> tuple[HarmonyNet, dict]:
    """Train on the 'train' sequences, keep the best state on 'valid'; stops after ``minutes``."""
    torch.manual_seed(seed)
    rng = np.random.default_rng(seed)
    tr = [s for s in seqs if s.split == "train"]
    va = [s for s in seqs if s.split == "valid"] or tr[:8]
    model = HarmonyNet(cfg)
    opt = torch.optim.AdamW(model.parameters(), lr=LR, weight_decay=1e-4)
    t0 = time.time()
    best, best_state, history = float("inf"), None, []
    for epoch in range(epochs):
        model.train()
        order = rng.permutation(len(tr))
        total, count = 0.0, 0
        for k in range(0, len(order), batch):
            b = _batch([tr[i] for i in order[k:k + batch]], rng)
            loss, nll, n = _loss(model, b)
            opt.zero_grad()
            loss.backward()
            torch.nn.utils.clip_grad_norm_(model.parameters(), 1.0)
            opt.step()
            total += nll * n
            count += n
            if (k // batch) % 50 == 49:
                log(json.dumps({"epoch": epoch + 1, "batch": k // batch + 1, "of": -(-len(order) // batch),
                                "train_nll": round(total / count, 4), "minutes": round((time.time() - t0) / 60, 2)}))
            if time.time() - t0 > minutes * 60:
                break
        model.eval()
        with torch.no_grad():
            vt, vn = 0.0, 0
            for k in range(0, len(va), batch):
                _, nll, n = _loss(model, _batch(va[k:k + batch], np.random.default_rng(0)))
                vt += nll * n
                vn += n
        entry = {"epoch": epoch + 1, "train_nll": total / max(count, 1), "valid_nll": vt / max(vn, 1),
                 "minutes": (time.time() - t0) / 60}
        history.append(entry)
        log(json.dumps(entry))
        if entry["valid_nll"] < best:
            best, best_state = entry["valid_nll"], {k: v.clone() for k, v in model.state_dict().items()}
        if time.time() - t0 > minutes * 60:
            break
    if best_state is not None:
        model.load_state_dict(best_state)
    return model, {"history": history, "train_seconds": time.time() - t0, "train_sequences": len(tr),
                   "train_slots": int(sum(len(s.classes) for s in tr))}


def weights_arrays(model: HarmonyNet, seqs: list[HarmonySequence]) -> dict[str, np.ndarray]:
    """Network and HMM parameters (HMM counted on the same train split) as fp16 arrays."""
    arrays = export_arrays(model)
    hmm = fit_hmm((s.rhythm, s.classes, s.beats) for s in seqs if s.split == "train")
    arrays.update({k: v.astype(np.float32) for k, v in hmm.items()})
    out = {k: (v.astype(np.float16) if v.dtype.kind == "f" else v) for k, v in arrays.items()}
    out["format"] = np.array(FORMAT)
    return out


def save_weights(arrays: dict[str, np.ndarray], path: Path) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(path.name + ".tmp.npz")
    np.savez_compressed(tmp, **arrays)
    tmp.replace(path)


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(prog="python -m composer_app.training.harmony.train", description=__doc__)
    ap.add_argument("--quick", action="store_true", help="a tiny run (few pieces, small net, seconds)")
    ap.add_argument("--synthetic", action="store_true", help="train on generated toy tunes (no datasets)")
    ap.add_argument("--out", type=Path, default=None,
                    help=f"weights file (default {DEFAULT_WEIGHTS}; with --quick/--synthetic a file in the cache)")
    ap.add_argument("--card", type=Path, default=None, help="model card to write (default: next to --out)")
    ap.add_argument("--minutes", type=float, default=12.0, help="time cap (the epoch in progress stops there)")
    ap.add_argument("--epochs", type=int, default=7)
    ap.add_argument("--limit", type=int, default=None, help="pieces per source")
    ap.add_argument("--eval-limit", type=int, default=None, help="test pieces per source for the card")
    ap.add_argument("--no-eval", action="store_true")
    ap.add_argument("--seed", type=int, default=0)
    args = ap.parse_args(argv)
    torch.set_num_threads(1)
    if args.out is None:
        args.out = cache_path() / "harmony-quick.npz" if args.quick or args.synthetic else DEFAULT_WEIGHTS
    if args.quick:
        args.limit, args.epochs, args.minutes = args.limit or 6, min(args.epochs, 2), min(args.minutes, 1.0)
    t0 = time.time()
    if args.synthetic:
        seqs = synthetic_sequences(24, seed=args.seed)
    else:
        seqs = load_sequences(SOURCES if not args.quick else ("nottingham",), limit=args.limit)
    if not any(s.split == "train" for s in seqs):
        print("no training data (datasets missing?)")
        return 1
    cfg = NetConfig(32, 2, VOCAB_SIZE, len(INVERSIONS)) if args.quick else NetConfig(96, 4, VOCAB_SIZE,
                                                                                      len(INVERSIONS))
    print(f"{len(seqs)} sequences loaded in {time.time() - t0:.0f} s; config {cfg}")
    model, info = train(seqs, cfg, args.minutes, args.epochs, args.seed)
    arrays = weights_arrays(model, seqs)
    info.update({"command": "python -m composer_app.training.harmony.train" + (" --quick" if args.quick else ""),
                 "sources": sorted({s.source for s in seqs}), "seed": args.seed,
                 "parameters": int(sum(p.numel() for p in model.parameters()))})
    arrays["train_info"] = np.array(json.dumps(info))
    save_weights(arrays, args.out)
    print(f"wrote {args.out}")
    if not (args.no_eval or args.quick or args.synthetic):
        from composer_app.training.harmony.card import write_card

        write_card(args.out, args.card or args.out.with_suffix(".md"), args.eval_limit)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
