"""Streaming figures on one thread: time to the first candidate and to all, for the transformer and the n-gram.

``python -m composer_app.model.bench_stream --json [--weights PATH] [--ngram PATH] [--runs N]`` prints one JSON
object (run it as a fresh interpreter: BLAS reads its thread settings when numpy is imported).
"""

from __future__ import annotations

import os

for _var in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ[_var] = "1"

import argparse  # noqa: E402
import json  # noqa: E402
import sys  # noqa: E402
import time  # noqa: E402
from pathlib import Path  # noqa: E402

import numpy as np  # noqa: E402

from composer_app.core.pitch import KeySignature  # noqa: E402
from composer_app.model.continuation import ContinuationEngine, ContinuationRequest  # noqa: E402

MOTIF = tuple((62 + [0, 4, 7, 9, 7, 4, 2, 0][i % 8], i * 240, 240, 90) for i in range(16))
CHORDS = tuple((b * 1920, 1920, lab) for b, lab in enumerate(["G:maj", "E:min", "C:maj", "D:7"] * 4))


def stream_figures(engine: ContinuationEngine, runs: int = 10, bars: int = 4, candidates: int = 4) -> dict:
    """p50/p95 of the time to the first finished candidate and to all of them (ms), after two warm-up calls."""
    first, total = [], []
    for seed in range(runs + 2):
        req = ContinuationRequest(context=MOTIF, key=KeySignature(0, 7), chords=CHORDS, bars=bars,
                                  candidates=candidates, seed=seed)
        got: list[float] = []
        t = time.perf_counter()
        engine.suggest(req, on_candidate=lambda _c, got=got, t=t: got.append(time.perf_counter() - t))
        if seed >= 2:
            first.append(got[0] if got else float("nan"))
            total.append(time.perf_counter() - t)
    pct = lambda xs, q: round(float(np.percentile(np.asarray(xs) * 1e3, q)), 1)  # noqa: E731
    return {"first_p50_ms": pct(first, 50), "first_p95_ms": pct(first, 95), "all_p50_ms": pct(total, 50),
            "all_p95_ms": pct(total, 95), "runs": runs}


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__)
    p.add_argument("--weights", type=Path, default=None)
    p.add_argument("--ngram", type=Path, default=None)
    p.add_argument("--runs", type=int, default=10)
    p.add_argument("--json", action="store_true")
    args = p.parse_args(argv)
    out: dict = {"threads": os.environ.get("OPENBLAS_NUM_THREADS")}
    try:
        out["model"] = stream_figures(ContinuationEngine.load(args.weights), args.runs)
    except (OSError, ValueError, KeyError) as exc:
        out["model"] = f"skipped: {exc}"
    try:
        from composer_app.model.ngram_engine import NgramEngine

        t = time.perf_counter()
        engine = NgramEngine.load(args.ngram)
        out["ngram"] = {"load_ms": round((time.perf_counter() - t) * 1e3, 1), **stream_figures(engine, args.runs)}
    except (OSError, ValueError, KeyError) as exc:
        out["ngram"] = f"skipped: {exc}"
    print(json.dumps(out) if args.json else json.dumps(out, indent=2))
    return 0


if __name__ == "__main__":
    sys.exit(main())
