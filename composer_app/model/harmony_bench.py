"""Benchmark: harmonize an 8-bar melody with 4 alternatives and voice each (prints p50/p95; never asserts).

``python -m composer_app.model.harmony_bench [--runs N] [--weights PATH] [--json]``; ``bench()`` returns the
figures as a dict. Run as a module it pins BLAS to one thread before numpy loads.
"""

from __future__ import annotations

import os
import sys

if __name__ == "__main__":
    for _var in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS"):
        os.environ[_var] = "1"

import argparse  # noqa: E402
import json  # noqa: E402
import time  # noqa: E402
from pathlib import Path  # noqa: E402

import numpy as np  # noqa: E402

from composer_app.core.pitch import KeySignature  # noqa: E402
from composer_app.model.harmony import DEFAULT_WEIGHTS, Harmonizer, HarmonyRequest  # noqa: E402
from composer_app.model.voicing_render import accompany  # noqa: E402

_STEPS = [0, 2, 4, 2, 0, -3, -5, -3, -1, 0, 2, 4, 5, 4, 2, 0, 4, 5, 7, 4, 0, 2, 4, 0, -1, 0, 2, -1, 0, -3, -5, 0]
MELODY = tuple((67 + step, i * 480, 480) for i, step in enumerate(_STEPS))
"""Eight bars of 4/4 in G major, one quarter note per beat."""


def measure(weights: str | Path | None = None, runs: int = 30, voicing: str = "pop", candidates: int = 4,
            rhythm: str = "half") -> dict:
    """Latency figures of harmonize + voicing, in milliseconds."""
    path = Path(weights or DEFAULT_WEIGHTS)
    if not path.is_file():
        return {"skipped": f"no weights at {path}"}
    t0 = time.perf_counter()
    harmonizer = Harmonizer.load(path)
    load_ms = (time.perf_counter() - t0) * 1000
    times, harm_times = [], []
    for run in range(runs + 2):
        req = HarmonyRequest(MELODY, key=KeySignature(0, 7, "major"), rhythm=rhythm, candidates=candidates,
                             seed=run, style=("pop", "folk", "jazz", "chorale")[run % 4])
        t = time.perf_counter()
        results = harmonizer.harmonize(req)
        t_h = time.perf_counter()
        for res in results:
            accompany(res.chords, MELODY, req.meters, voicing)
        if run >= 2:  # two warm-up runs
            times.append((time.perf_counter() - t) * 1000)
            harm_times.append((t_h - t) * 1000)
    return {"bars": 8, "candidates": candidates, "rhythm": rhythm, "voicing": voicing, "runs": runs,
            "load_ms": round(load_ms, 2),
            "p50_ms": round(float(np.percentile(times, 50)), 2), "p95_ms": round(float(np.percentile(times, 95)), 2),
            "harmonize_p50_ms": round(float(np.percentile(harm_times, 50)), 2),
            "harmonize_p95_ms": round(float(np.percentile(harm_times, 95)), 2), "target_p95_ms": 50}


def bench(weights: str | Path | None = None, runs: int = 30) -> dict:
    """Measure and print the figures; returns them."""
    result = measure(weights, runs)
    print(json.dumps(result))
    return result


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(prog="python -m composer_app.model.harmony_bench", description=__doc__)
    ap.add_argument("--runs", type=int, default=30)
    ap.add_argument("--weights")
    ap.add_argument("--voicing", default="pop")
    ap.add_argument("--json", action="store_true", help="one JSON line only")
    args = ap.parse_args(argv)
    result = measure(args.weights, args.runs, args.voicing)
    if args.json:
        print(json.dumps(result))
    else:
        for k, v in result.items():
            print(f"{k:>18}: {v}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
