"""Benchmark of the continuation engine on one thread: load time, latency p50/p95, peak memory (prints only).

``python -m composer_app.model.bench [--weights PATH] [--runs N]``; ``bench()`` returns the figures as a dict
(it runs in a fresh interpreter so that the BLAS thread settings take effect). Besides wall-clock latency it
reports the process CPU time per request (steadier than wall time on a shared machine) and the time per
sampled note (p50 divided by the notes of a candidate: the decoder samples one note per candidate per step).
"""

from __future__ import annotations

import os

for _var in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ[_var] = "1"

import argparse  # noqa: E402
import functools  # noqa: E402
import json  # noqa: E402
import resource  # noqa: E402
import subprocess  # noqa: E402
import sys  # noqa: E402
import time  # noqa: E402
import tracemalloc  # noqa: E402
from pathlib import Path  # noqa: E402

import numpy as np  # noqa: E402

from composer_app.core.pitch import KeySignature  # noqa: E402
from composer_app.model import two_hands  # noqa: E402
from composer_app.model.continuation import DEFAULT_WEIGHTS, ContinuationEngine, ContinuationRequest  # noqa: E402
from composer_app.model.song_adapter import load_harmonizer  # noqa: E402

BAR = 1920
MOTIF = tuple((62 + [0, 4, 7, 9, 7, 4, 2, 0][i % 8] + (i // 8) % 2 * 2, i * 240, 240, 90) for i in range(32))
TUNE = tuple((62 + [0, 4, 7, 9, 7, 4, 2, 0][i % 8] + (i // 8) % 3 * 2, i * 240, 240, 90) for i in range(18 * 8))
"""18 bars of melody: a 2-bar fill at bars 9-10 has 8 bars on each side."""
PIANO = tuple((p, b * 960, 900, 70) for b in range(8) for p in (43, 50, 55, 59))
"""4 bars of a left hand in half notes; under MOTIF, a piano part that plays its tune over it (two_hands)."""
CHORDS = tuple((b * BAR, BAR, lab) for b, lab in enumerate(["G:maj", "E:min", "C:maj", "D:7"] * 6))


def _pct(values: list[float], q: float) -> float:
    return float(np.percentile(np.asarray(values), q))


def _role_figures(times: list[float], cpu: list[float], notes: list[float]) -> dict:
    """Latency percentiles (wall and CPU, ms), notes per candidate and wall ms per sampled note."""
    per_candidate = float(np.mean(notes))
    return {"p50_ms": round(_pct(times, 50) * 1e3, 1), "p95_ms": round(_pct(times, 95) * 1e3, 1),
            "max_ms": round(max(times) * 1e3, 1), "cpu_p50_ms": round(_pct(cpu, 50) * 1e3, 1),
            "cpu_p95_ms": round(_pct(cpu, 95) * 1e3, 1), "notes_per_candidate": round(per_candidate, 1),
            "ms_per_note": round(_pct(times, 50) * 1e3 / max(per_candidate, 1.0), 2)}


def measure(weights: str | Path | None = None, runs: int = 30, bars: int = 4, candidates: int = 4) -> dict:
    """The figures, measured in this process (call through ``bench()`` for one-thread BLAS)."""
    path = Path(weights or DEFAULT_WEIGHTS)
    t = time.perf_counter()
    engine = ContinuationEngine.load(path)
    load_first = time.perf_counter() - t
    loads = []
    for _ in range(5):
        t = time.perf_counter()
        ContinuationEngine.load(path)
        loads.append(time.perf_counter() - t)
    out: dict = {"weights": str(path), "size_mb": round(path.stat().st_size / 1e6, 2),
                 "load_ms_first": round(load_first * 1e3, 1), "load_ms_median": round(_pct(loads, 50) * 1e3, 1),
                 "bars": bars, "candidates": candidates, "runs": runs}
    cases = {"melody": dict(context=MOTIF, bars=bars),
             "accompaniment": dict(context=PIANO, bars=bars, role="accompaniment"),
             "infill": dict(context=TUNE, bars=2, start_bar=8, mode="fill"),
             "vary_rhythm": dict(context=TUNE, bars=2, start_bar=8, mode="vary", keep="rhythm"),
             "two_hands": dict(context=MOTIF + PIANO, bars=bars, role=two_hands.BOTH, chords=())}
    engine.harmonizer = functools.lru_cache(maxsize=1)(load_harmonizer)  # as the app has it
    for role, case in cases.items():
        times, cpu, notes = [], [], []
        for seed in range(runs + 2):
            req = ContinuationRequest(**{"key": KeySignature(0, 7), "chords": CHORDS, "candidates": candidates,
                                         "seed": seed, "temperature": 1.0, **case})
            wall, proc = time.perf_counter(), time.process_time()
            cands = engine.suggest(req)
            if seed >= 2:  # two warm-up calls
                times.append(time.perf_counter() - wall)
                cpu.append(time.process_time() - proc)
                notes.append(sum(c.facts.note_count for c in cands) / candidates)
        out[role] = _role_figures(times, cpu, notes)
    tracemalloc.start()
    engine.suggest(ContinuationRequest(context=PIANO, key=KeySignature(0, 7), bars=bars, candidates=candidates,
                                       seed=0, role="accompaniment"))
    out["suggest_peak_alloc_mb"] = round(tracemalloc.get_traced_memory()[1] / 1e6, 2)
    tracemalloc.stop()
    out["peak_rss_mb"] = round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1)
    out["threads"] = os.environ.get("OPENBLAS_NUM_THREADS")
    return out


def bench(weights: str | Path | None = None, runs: int = 30) -> dict:
    """Run ``measure`` in a fresh one-thread interpreter and return its figures."""
    cmd = [sys.executable, "-m", "composer_app.model.bench", "--json", "--runs", str(runs)]
    if weights:
        cmd += ["--weights", str(weights)]
    env = dict(os.environ, OMP_NUM_THREADS="1", OPENBLAS_NUM_THREADS="1", MKL_NUM_THREADS="1")
    done = subprocess.run(cmd, capture_output=True, text=True, env=env, check=True,
                          cwd=Path(__file__).resolve().parents[2])
    return json.loads(done.stdout.strip().splitlines()[-1])


def report(fig: dict) -> str:
    lines = [f"weights {fig['weights']} ({fig['size_mb']} MB)",
             f"load: first {fig['load_ms_first']} ms, median {fig['load_ms_median']} ms",
             f"{fig['candidates']} candidates x {fig['bars']} bars (infill, vary: 2 bars with 8 on each side), "
             f"one thread, {fig['runs']} runs (two hands: the tune and its accompaniment, no chord symbols, notes of "
             "both):"]
    for role in ("melody", "accompaniment", "infill", "vary_rhythm", "two_hands"):
        if role not in fig:
            continue
        r = fig[role]
        lines.append(f"  {role:<13} p50 {r['p50_ms']} ms  p95 {r['p95_ms']} ms  max {r['max_ms']} ms  "
                     f"({r['notes_per_candidate']} notes per candidate, {r['ms_per_note']} ms per note)")
        lines.append(f"  {'':<13} CPU time p50 {r['cpu_p50_ms']} ms  p95 {r['cpu_p95_ms']} ms")
    lines.append(f"memory: peak RSS {fig['peak_rss_mb']} MB, "
                 f"peak allocation in suggest {fig['suggest_peak_alloc_mb']} MB")
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__)
    p.add_argument("--weights", type=Path, default=None)
    p.add_argument("--runs", type=int, default=30)
    p.add_argument("--json", action="store_true")
    args = p.parse_args(argv)
    fig = measure(args.weights, args.runs)
    print(json.dumps(fig) if args.json else report(fig))
    return 0


if __name__ == "__main__":
    sys.exit(main())
