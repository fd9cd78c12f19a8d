"""Count the n-gram baseline on the training split: ``python -m composer_app.training.continuation.ngram_fit``.

The same sequences and split as the network (``dataset.build``), both roles; prints valid/test NLL per note.
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

from composer_app.model.ngram import DEFAULT_PATH, NgramModel
from composer_app.training.continuation import dataset as ds


def fit_baseline(sources: list[str] | None = None, limit: int | None = None, method: str = "kn",
                 log=print) -> tuple[NgramModel, dict[str, list[ds.Sequence]]]:
    """The baseline counted on the train split, and the sequences by split."""
    seqs = ds.build(sources or list(ds.DEFAULT_SOURCES), limit, log=log)
    split = {k: [s for s in seqs if s.split == k] for k in ("train", "valid", "test")}
    meta = {"sources": sources or list(ds.DEFAULT_SOURCES), "limit": limit,
            "train_sequences": len(split["train"]), "dataset_version": ds.DATASET_VERSION}
    return NgramModel.fit([s.rows for s in split["train"]], method, meta), split


def window_rows(seqs: list[ds.Sequence], length: int, accompaniment_windows: int | None = 2) -> list:
    """The windows the network's evaluation scores (phase 0; long accompaniment parts keep their first two)."""
    out = []
    for s in seqs:
        ws = ds.windows(s.rows, length, 0)
        out.extend(ws[:accompaniment_windows] if s.role == "accompaniment" and accompaniment_windows else ws)
    return out


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__)
    p.add_argument("--out", type=Path, default=DEFAULT_PATH)
    p.add_argument("--sources", nargs="*", default=list(ds.DEFAULT_SOURCES))
    p.add_argument("--limit", type=int, default=None, help="pieces per source")
    p.add_argument("--method", choices=("kn", "wb"), default="kn")
    p.add_argument("--window", type=int, default=192,
                   help="also score windows of this many rows, as the network's evaluation does (default 192)")
    p.add_argument("--no-save", action="store_true", help="only print the figures")
    args = p.parse_args(argv)
    t = time.time()
    model, split = fit_baseline(args.sources, args.limit, args.method)
    print(f"counted {model.meta['notes']} notes in {time.time() - t:.1f} s", flush=True)
    for name in ("valid", "test"):
        for role in ("melody", "accompaniment"):
            seqs = [s for s in split[name] if s.role == role]
            if seqs:
                whole = model.nll([s.rows for s in seqs])
                windowed = model.nll(window_rows(seqs, args.window))
                fields = " ".join(f"{k} {v:.3f}" for k, v in whole["by_field"].items())
                print(f"{name} {role}: {whole['nll']:.4f} nats/note over {whole['notes']} notes ({fields}); "
                      f"windowed {windowed['nll']:.4f} over {windowed['notes']}")
        windowed = model.nll(window_rows(split[name], args.window))
        print(f"{name} all roles, network eval windows: {windowed['nll']:.4f} nats/note over {windowed['notes']} notes")
    if not args.no_save:
        path = model.save(args.out)
        print(f"wrote {path} ({path.stat().st_size / 1e6:.2f} MB)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
