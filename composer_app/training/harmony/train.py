"""Train the harmonizer and its HMM baseline on one split, export fp16 weights, evaluate, write the card.

``python -m composer_app.training.harmony.train [--quick]``; ``--cross-source`` also trains one short model per
source without that source (leave-one-source-out) and evaluates each on the source it never saw;
``--hold-out SOURCE`` trains just one of those.
"""

from __future__ import annotations

import argparse
import json
import time
from pathlib import Path

import numpy as np
import torch

from composer_app.model.harmony import DEFAULT_WEIGHTS
from composer_app.model.harmony_features import STYLE_FEATURE, STYLES
from composer_app.model.harmony_hmm import fit_hmm
from composer_app.model.harmony_net import FORMAT, NetConfig
from composer_app.model.harmony_vocab import INVERSIONS, N_CLASS, VOCAB_SIZE
from composer_app.training.harmony.data import SOURCES, HarmonySequence, cache_path, load_sequences
from composer_app.training.harmony.model_torch import HarmonyNet, export_arrays
from composer_app.training.harmony.synthetic import synthetic_sequences

CROP = 96
LR = 2e-3
STYLE_DROP = 0.25
"""Share of training sequences seen without their style (features and CRF offset), so the shared model stands
alone for a style it has not seen."""
CROSS_SOURCE_MINUTES = 8.0


def _batch(seqs: list[HarmonySequence], rng: np.random.Generator,
           style_drop: float = 0.0) -> dict[str, torch.Tensor]:
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
    keep = rng.random(len(seqs)) >= style_drop if style_drop else np.ones(len(seqs), dtype=bool)
    x[~keep, :, STYLE_FEATURE:STYLE_FEATURE + len(STYLES)] = 0.0
    return {"x": torch.from_numpy(x), "y": torch.from_numpy(y), "inv": torch.from_numpy(inv),
            "pos": torch.from_numpy(pos), "mask": torch.from_numpy(mask),
            "style": torch.tensor([s.style for s in seqs], dtype=torch.int64), "keep": torch.from_numpy(keep)}


def _loss(model: HarmonyNet, b: dict[str, torch.Tensor]) -> tuple[torch.Tensor, float, int]:
    chords, invs = model.encode(b["x"], b["mask"])
    n = int(b["mask"].sum())
    nll = model.crf_nll(chords, b["y"], b["pos"], b["style"], b["mask"], b["keep"]) / n
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
    share = source_shares(tr)
    opt = torch.optim.AdamW(model.parameters(), lr=LR, weight_decay=1e-4)
    t0 = time.time()
    best, best_state, history = float("inf"), None, []
    for epoch in range(epochs):
        model.train()
        order = rng.choice(len(tr), size=len(tr), p=share)
        total, count = 0.0, 0
        for k in range(0, len(order), batch):
            b = _batch([tr[i] for i in order[k:k + batch]], rng, STYLE_DROP)
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


def source_shares(seqs: list[HarmonySequence]) -> np.ndarray:
    """Sampling probability per sequence: each source weighs the square root of its size (no source dominates)."""
    counts: dict[str, int] = {}
    for s in seqs:
        counts[s.source] = counts.get(s.source, 0) + 1
    w = np.array([counts[s.source] ** -0.5 for s in seqs])
    return w / w.sum()


def weights_arrays(model: HarmonyNet, seqs: list[HarmonySequence]) -> dict[str, np.ndarray]:
    """Network and HMM parameters (HMM counted on the same train split) as fp16 arrays; a style without
    training data gets the shared CRF and no style input."""
    arrays = export_arrays(model, tuple(sorted({s.style for s in seqs if s.split == "train"})))
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


def fit_and_save(seqs: list[HarmonySequence], cfg: NetConfig, out: Path, minutes: float, epochs: int, seed: int,
                 command: str) -> dict:
    """Train on ``seqs``, write the weights to ``out``; returns the training info."""
    model, info = train(seqs, cfg, minutes, epochs, seed)
    arrays = weights_arrays(model, seqs)
    info.update({"command": command, "sources": sorted({s.source for s in seqs}), "seed": seed, "minutes": minutes,
                 "parameters": int(sum(p.numel() for p in model.parameters()))})
    arrays["train_info"] = np.array(json.dumps(info))
    save_weights(arrays, out)
    print(f"wrote {out}")
    return info


def cross_source_runs(seqs: list[HarmonySequence], cfg: NetConfig, minutes: float, epochs: int, seed: int,
                      sources: tuple[str, ...] = SOURCES, pieces: int | None = 60, folder: Path | None = None) -> dict:
    """Leave-one-source-out: for each source a short run on the others (weights into ``folder``, else
    ``crosseval.CROSS_SOURCE_WEIGHTS``), judged on that source's excerpts (transposed); the report is also saved
    in the cache for the model card."""
    from composer_app.model.harmony import Harmonizer
    from composer_app.training.harmony.crosseval import cross_source, loso_weights

    for held in sources:
        rest = [s for s in seqs if s.source != held]
        if not any(s.split == "train" for s in rest):
            continue
        print(f"--- without {held}: {len(rest)} sequences")
        loso_weights(held, folder).parent.mkdir(parents=True, exist_ok=True)
        fit_and_save(rest, cfg, loso_weights(held, folder), minutes, epochs, seed,
                     f"python -m composer_app.training.harmony.train --hold-out {held}")

    def load(source: str) -> Harmonizer | None:
        path = loso_weights(source, folder)
        return Harmonizer.load(path) if path.is_file() else None

    report = {"minutes_per_run": minutes, "pieces_per_source": pieces,
              "sources": cross_source(sources, load, pieces=pieces)}
    path = cache_path() / "cross-source.json"
    path.write_text(json.dumps(report, indent=1))
    print(f"wrote {path}")
    return report


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(prog="python -m composer_app.training.harmony.train", description=__doc__)
    ap.add_argument("--quick", action="store_true", help="a tiny run (few pieces, small net, seconds)")
    ap.add_argument("--synthetic", action="store_true", help="train on generated toy tunes (no datasets)")
    ap.add_argument("--out", type=Path, default=None,
                    help=f"weights file (default {DEFAULT_WEIGHTS}; with --quick/--synthetic a file in the cache)")
    ap.add_argument("--card", type=Path, default=None, help="model card to write (default: next to --out)")
    ap.add_argument("--minutes", type=float, default=40.0,
                    help="time cap (the epoch in progress stops there); the 7 epochs of the shipped weights took "
                         "26 minutes on a quiet 2-core machine")
    ap.add_argument("--epochs", type=int, default=7)
    ap.add_argument("--limit", type=int, default=None, help="pieces per source")
    ap.add_argument("--eval-limit", type=int, default=None, help="test pieces per source for the card")
    ap.add_argument("--no-eval", action="store_true")
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--cross-source", action="store_true",
                    help=f"also train one model without each source ({CROSS_SOURCE_MINUTES:g} min each) and "
                         "evaluate it on that source, before the shipped model")
    ap.add_argument("--cross-minutes", type=float, default=CROSS_SOURCE_MINUTES)
    ap.add_argument("--only-cross-source", action="store_true", help="the cross-source runs only")
    ap.add_argument("--cross-out", type=Path, default=None,
                    help="folder for the left-out weights (default resources/models/cross_source; a second run to "
                         "compare goes elsewhere)")
    ap.add_argument("--hold-out", choices=SOURCES,
                    help="train without this source (weights into resources/models/cross_source; with --quick "
                         "into the cache)")
    args = ap.parse_args(argv)
    torch.set_num_threads(1)
    if args.hold_out and args.out is None:
        from composer_app.training.harmony.crosseval import loso_weights

        args.out = loso_weights(args.hold_out, cache_path() if args.quick or args.synthetic else None)
    if args.out is None:
        args.out = cache_path() / "harmony-quick.npz" if args.quick or args.synthetic else DEFAULT_WEIGHTS
    if args.quick:
        args.limit, args.epochs, args.minutes = args.limit or 6, min(args.epochs, 2), min(args.minutes, 1.0)
    t0 = time.time()
    if args.synthetic:
        seqs = synthetic_sequences(24, seed=args.seed)
    else:
        seqs = load_sequences(SOURCES if not args.quick else ("nottingham",), limit=args.limit)
    if args.hold_out:
        seqs = [s for s in seqs if s.source != args.hold_out]
    if not any(s.split == "train" for s in seqs):
        print("no training data (datasets missing?)")
        return 1
    cfg = NetConfig(32, 2, VOCAB_SIZE, len(INVERSIONS)) if args.quick else NetConfig(96, 4, VOCAB_SIZE,
                                                                                      len(INVERSIONS))
    print(f"{len(seqs)} sequences loaded in {time.time() - t0:.0f} s; config {cfg}")
    if args.cross_source or args.only_cross_source:
        cross_source_runs(seqs, cfg, args.cross_minutes, args.epochs, args.seed,
                          folder=args.cross_out or (cache_path() if args.quick or args.synthetic else None))
        if args.only_cross_source:
            return 0
    command = "python -m composer_app.training.harmony.train" + (" --quick" if args.quick else "") + (
        f" --hold-out {args.hold_out}" if args.hold_out else "")
    fit_and_save(seqs, cfg, args.out, args.minutes, args.epochs, args.seed, command)
    if not (args.no_eval or args.quick or args.synthetic or args.hold_out):
        from composer_app.training.harmony.card import write_card

        write_card(args.out, args.card or args.out.with_suffix(".md"), args.eval_limit)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
