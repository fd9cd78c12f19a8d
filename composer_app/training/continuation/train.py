"""Train the continuation model: ``python -m composer_app.training.continuation.train [--quick] [--minutes M] ...``."""

from __future__ import annotations

import argparse
import os
import random
import sys
import time
from pathlib import Path

import numpy as np
import torch

from composer_app.model import tokens as tk
from composer_app.model.continuation_net import load_npz
from composer_app.training.continuation import dataset as ds
from composer_app.training.continuation.evaluate import eval_windows, nll_per_note
from composer_app.training.continuation.export import export_npz
from composer_app.training.continuation.model_torch import Config, ContinuationNet, lr_at, parameter_count
from composer_app.training.sources import SOURCES

DEFAULT_OUT = Path(__file__).resolve().parents[3] / "resources" / "models" / "continuation.npz"
ACCOMP_KEEP = {"pop909": 0.3}
"""Share of a source's accompaniment windows kept per epoch (POP909 piano would otherwise dominate)."""
CHORD_DROPOUT = 0.15
FIM_RATE = 0.5
"""Share of training windows reordered as gap fills (before, after, then the middle)."""
DETECTED_KEY_RATE = 0.5
"""Share of training windows normalised to the key detected from their notes instead of the annotated key."""


def default_ckpt() -> Path:
    base = Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache")
    return base / "composer" / "checkpoints" / "continuation.pt"


def _source_weight(text: str) -> tuple[str, float]:
    source, _, weight = text.partition("=")
    try:
        value = float(weight)
    except ValueError:
        value = -1.0
    if source not in SOURCES or value < 0:
        raise argparse.ArgumentTypeError(f"expected SOURCE=W with SOURCE one of {', '.join(SOURCES)} and "
                                         f"W >= 0, not {text!r}")
    return source, value


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    p = argparse.ArgumentParser(description=__doc__)
    p.add_argument("--quick", action="store_true", help="a few steps on a few tunes (tests)")
    p.add_argument("--epochs", type=int, default=15)
    p.add_argument("--minutes", type=float, default=None, help="stop (and export) after this much training time")
    p.add_argument("--out", type=Path, default=DEFAULT_OUT)
    p.add_argument("--ckpt", type=Path, default=None, help="checkpoint file (resumed when it exists)")
    p.add_argument("--init", type=Path, default=None,
                   help="start from the weights of an exported .npz (fine-tuning; new embedding rows start as BOS's)")
    p.add_argument("--warmup", type=int, default=300, help="warm-up steps of the learning rate")
    p.add_argument("--no-resume", action="store_true")
    p.add_argument("--device", default="cpu", choices=("cpu", "cuda"))
    p.add_argument("--threads", type=int, default=2)
    p.add_argument("--sources", nargs="*", default=list(ds.DEFAULT_SOURCES))
    p.add_argument("--limit", type=int, default=None, help="pieces per source")
    p.add_argument("--datasets", type=Path, default=None, help="datasets root (default ../shared/datasets)")
    p.add_argument("--batch", type=int, default=8)
    p.add_argument("--lr", type=float, default=1.5e-3)
    p.add_argument("--seed", type=int, default=1234)
    p.add_argument("--d-model", type=int, default=192)
    p.add_argument("--layers", type=int, default=4)
    p.add_argument("--heads", type=int, default=4)
    p.add_argument("--max-len", type=int, default=192)
    p.add_argument("--max-steps", type=int, default=None)
    p.add_argument("--source-weight", action="append", default=[], metavar="SOURCE=W", type=_source_weight,
                   help="see SOURCE's windows W times as often per epoch (0.5: half of them; repeatable)")
    p.add_argument("--last", action="store_true",
                   help="export the last state (default: the epoch with the best validation NLL)")
    return p.parse_args(argv)


def epoch_windows(seqs: list[ds.Sequence], length: int, rng: np.random.Generator,
                  source_weights: dict[str, float] | None = None) -> list[np.ndarray]:
    """Shuffled training windows for one epoch (random phase, chord dropout, accompaniment subsampling).

    ``source_weights`` scales how often each source's windows are seen: 0.5 keeps about half of them each
    epoch, 2 sees each twice (3.5: three times, and a fourth time half of them)."""
    out = []
    for s in seqs:
        keep = ACCOMP_KEEP.get(s.source, 1.0) if s.role == "accompaniment" else 1.0
        keep *= (source_weights or {}).get(s.source, 1.0)
        whole, part = int(keep), keep - int(keep)
        for w in ds.windows(s.rows, length, int(rng.integers(0, length - 1))):
            copies = whole + (1 if part and rng.random() < part else 0)  # no draw for whole weights: the
            for _ in range(copies):                                      # default recipe's windows are unchanged
                out.append(_augmented(w, rng, length))
    order = rng.permutation(len(out))
    return [out[i] for i in order]


def _augmented(w: np.ndarray, rng: np.random.Generator, length: int) -> np.ndarray:
    """One window as an epoch sees it: maybe moved to its detected key, maybe reordered as a gap fill, maybe without
    its chords."""
    if rng.random() < DETECTED_KEY_RATE:
        w = ds.to_detected_key(w)
    if rng.random() < FIM_RATE:
        fim = ds.fill_in_middle(w, rng, length)
        w = w if fim is None else fim
    return ds.drop_chords(w) if rng.random() < CHORD_DROPOUT else w


def init_from_npz(model: ContinuationNet, path: Path) -> None:
    """Copy an exported model's weights into ``model``; embedding tables that grew (new input-only markers) keep
    the old rows and start the new ones as a copy of the BOS row."""
    weights, _ = load_npz(path)
    state = model.state_dict()
    for name, tensor in state.items():
        if name not in weights:
            raise ValueError(f"{path}: no weight {name}")
        old = torch.from_numpy(weights[name])
        if old.shape == tensor.shape:
            tensor.copy_(old)
        elif old.dim() == 2 and old.shape[1] == tensor.shape[1] and old.shape[0] < tensor.shape[0]:
            tensor[:old.shape[0]] = old
            tensor[old.shape[0]:] = old[tk.BOS] + 0.02 * torch.randn_like(tensor[old.shape[0]:])
        else:
            raise ValueError(f"{path}: {name} has shape {tuple(old.shape)}, the model {tuple(tensor.shape)}")
    model.load_state_dict(state)


def batches(wins: list[np.ndarray], batch: int) -> list[list[np.ndarray]]:
    """Batches of similar length (sorted inside blocks of 32 batches), block order kept."""
    out = []
    block = batch * 32
    for a in range(0, len(wins), block):
        chunk = sorted(wins[a:a + block], key=len)
        out.extend(chunk[i:i + batch] for i in range(0, len(chunk), batch))
    return out


class Progress:
    """A plain-text progress line, rewritten in place on a terminal, printed every 30 s otherwise."""

    def __init__(self, total: int) -> None:
        self.total, self.last, self.tty = total, 0.0, sys.stderr.isatty()

    def update(self, step: int, text: str, force: bool = False) -> None:
        now = time.time()
        if not (force or self.tty or now - self.last >= 30):
            return
        self.last = now
        filled = int(30 * min(step, self.total) / max(self.total, 1))
        line = f"[{'#' * filled}{'.' * (30 - filled)}] {step}/{self.total} {text}"
        print(("\r" + line) if self.tty else line, end="" if self.tty else "\n", file=sys.stderr, flush=True)


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    if args.quick:
        args.sources, args.limit = ["nottingham"], args.limit or 6
        args.d_model, args.layers, args.heads, args.max_len = 32, 1, 2, 64
        args.epochs, args.max_steps, args.batch = 10, args.max_steps or 3, 4
    torch.set_num_threads(args.threads)
    random.seed(args.seed)
    np.random.seed(args.seed)
    torch.manual_seed(args.seed)
    device = args.device if args.device == "cpu" or torch.cuda.is_available() else "cpu"
    t0 = time.time()
    print(f"reading {', '.join(args.sources)} ...", flush=True)
    seqs = ds.build(args.sources, args.limit, args.datasets)
    split = {k: [s for s in seqs if s.split == k] for k in ("train", "valid", "test")}
    if not split["train"]:
        print("no training data (is ../shared/datasets there?)", file=sys.stderr)
        return 1
    print(f"{len(seqs)} sequences ({', '.join(f'{k} {len(v)}' for k, v in split.items())}) "
          f"in {time.time() - t0:.0f} s", flush=True)
    cfg = Config(d_model=args.d_model, n_layers=args.layers, n_heads=args.heads, d_ff=4 * args.d_model,
                 max_len=args.max_len)
    model = ContinuationNet(cfg).to(device)
    opt = torch.optim.AdamW(model.parameters(), lr=args.lr, weight_decay=0.01, betas=(0.9, 0.98))
    weights = dict(args.source_weight)
    per_epoch = len(batches(epoch_windows(split["train"], cfg.max_len, np.random.default_rng(0), weights),
                            args.batch))
    total = min(args.max_steps or 10**12, per_epoch * args.epochs)
    ckpt = args.ckpt or (None if args.quick else default_ckpt())
    state = {"epoch": 0, "step": 0, "elapsed": 0.0, "history": []}
    if ckpt is not None and ckpt.is_file() and not args.no_resume:
        saved = torch.load(ckpt, map_location=device, weights_only=False)
        if saved.get("config") == cfg.to_dict():
            model.load_state_dict(saved["model"])
            opt.load_state_dict(saved["opt"])
            state = saved["state"]
            print(f"resumed from {ckpt} at epoch {state['epoch']} step {state['step']}", flush=True)
    if args.init is not None and state["step"] == 0:
        init_from_npz(model, args.init)
        print(f"initialised from {args.init}", flush=True)
    print(f"model: {parameter_count(model):,} parameters, {per_epoch} steps per epoch, {total} steps", flush=True)
    valid_w = eval_windows(split["valid"], cfg.max_len, 2)
    budget = args.minutes * 60 if args.minutes else None
    bar = Progress(total)
    started, base_elapsed = time.time(), state["elapsed"]
    stop = False

    def elapsed() -> float:
        return base_elapsed + time.time() - started

    def save_ckpt() -> None:
        if ckpt is None:
            return
        ckpt.parent.mkdir(parents=True, exist_ok=True)
        state["elapsed"] = elapsed()
        torch.save({"config": cfg.to_dict(), "model": model.state_dict(), "opt": opt.state_dict(),
                    "state": state}, ckpt.with_suffix(".tmp"))
        ckpt.with_suffix(".tmp").replace(ckpt)

    last_save = time.time()
    last_val = None
    best: tuple[float, dict, tuple] | None = None
    while state["epoch"] < args.epochs and not stop:
        epoch = state["epoch"]
        plan = batches(epoch_windows(split["train"], cfg.max_len, np.random.default_rng(args.seed + epoch), weights),
                       args.batch)
        skip = state["step"] - epoch * per_epoch
        run_nll, run_n = 0.0, 0.0
        for chunk in plan[max(skip, 0):]:
            progress = state["step"] / max(total, 1)
            if budget:
                progress = max(progress, elapsed() / budget)
            for g in opt.param_groups:
                g["lr"] = lr_at(int(progress * 10_000), 10_000, args.lr, args.warmup)
            rows, valid = ds.pad_batch(chunk)
            loss, n, _ = model.nll(torch.from_numpy(rows).to(device), torch.from_numpy(valid).to(device))
            opt.zero_grad(set_to_none=True)
            (loss / n.clamp(min=1)).backward()
            torch.nn.utils.clip_grad_norm_(model.parameters(), 1.0)
            opt.step()
            state["step"] += 1
            run_nll, run_n = run_nll * 0.98 + loss.item(), run_n * 0.98 + n.item()
            bar.update(state["step"], f"epoch {epoch + 1} nll/note {run_nll / max(run_n, 1):.3f} "
                       f"{elapsed() / 60:.1f} min")
            if time.time() - last_save > 300:
                save_ckpt()
                last_save = time.time()
            if state["step"] >= total or (budget and elapsed() >= budget):
                stop = True
                break
        if not stop:
            state["epoch"] += 1
        val = nll_per_note(model, valid_w, device=device) if valid_w else {"nll": float("nan")}
        last_val = (state["step"], val)
        state["history"].append({"epoch": epoch + 1, "step": state["step"], "minutes": round(elapsed() / 60, 2),
                                 "valid_nll": round(val["nll"], 4)})
        if not args.last and (best is None or val["nll"] < best[0]):
            best = (val["nll"], {k: v.detach().clone() for k, v in model.state_dict().items()}, last_val)
        bar.update(state["step"], f"validation nll/note {val['nll']:.4f}", force=True)
        print(file=sys.stderr)
        save_ckpt()
    valid = last_val[1] if last_val is not None and last_val[0] == state["step"] else None
    kept = state["history"][-1]["epoch"] if state["history"] else 0
    if best is not None and best[2] is not last_val:
        model.load_state_dict(best[1])
        valid = best[2][1]
        kept = next(h["epoch"] for h in state["history"] if h["step"] == best[2][0])
    if valid is None:
        valid = nll_per_note(model, valid_w, device=device) if valid_w else {"nll": float("nan")}
    test = nll_per_note(model, eval_windows(split["test"], cfg.max_len, 2), device=device)
    given = argv if argv is not None else sys.argv[1:]
    command = " ".join(["python -m composer_app.training.continuation.train", *given])
    extra = {"training": {"command": command,
                          "minutes": round(elapsed() / 60, 2), "steps": state["step"], "batch": args.batch,
                          "seed": args.seed, "history": state["history"], "kept_epoch": kept,
                          "source_weights": weights,
                          "data": ds.summary(seqs)},
             "metrics": {"valid": valid, "test": test}}
    path = export_npz(model, cfg.to_dict(), args.out, extra)
    print(f"kept epoch {kept}: valid nll/note {valid['nll']:.4f}, test nll/note {test['nll']:.4f}; wrote {path} "
          f"({path.stat().st_size / 1e6:.1f} MB) in {(time.time() - t0) / 60:.1f} min", flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
