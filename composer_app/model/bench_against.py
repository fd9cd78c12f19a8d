"""Speed of this checkout's continuation engine against another checkout's, interleaved request by request.

``python -m composer_app.model.bench_against OTHER [--requests N]`` where OTHER is the root of another checkout
(``git worktree add /tmp/old <rev>``). Each engine runs in its own process, with its own code and weights,
loaded once; the same seeds go to each in turn, in a shuffled order, so both see the same minutes of a shared
machine. Prints p50/p95 of the CPU time of ``suggest`` (the bench motif, 4 candidates x 4 bars, temperature
1.0, one BLAS thread), notes per candidate and the median time per note; never asserts.

Every request asks on the same motif, as a musician asking again does, so an engine that keeps the prompt's step
(since session 18) skips it from the second request on. ``--new-prompts`` makes each request's prompt differ from
the one before (the motif's first note alternates between two loudnesses), so every request pays for its prompt.

The worker below uses only what every checkout since session 2 has (``bench.MOTIF``, ``bench.CHORDS``,
``ContinuationEngine``, ``ContinuationRequest``).
"""

from __future__ import annotations

import argparse
import json
import os
import random
import subprocess
import sys
from pathlib import Path

import numpy as np

HERE = Path(__file__).resolve().parents[2]

WORKER = """
import sys, time
import numpy as np
from composer_app.core.pitch import KeySignature
from composer_app.model import bench as b
from composer_app.model.continuation import ContinuationEngine, ContinuationRequest
engine = ContinuationEngine.load(b.DEFAULT_WEIGHTS)
NEW = len(sys.argv) > 1 and sys.argv[1] == "new"
def request(seed):
    motif = b.MOTIF
    if NEW and seed % 2:
        motif = ((motif[0][0], motif[0][1], motif[0][2], 60),) + motif[1:]
    return ContinuationRequest(key=KeySignature(0, 7), chords=b.CHORDS, candidates=4, seed=seed, temperature=1.0,
                               context=motif, bars=4)
engine.suggest(request(0))
print("ready", flush=True)
for line in sys.stdin:
    t = time.process_time()
    cands = engine.suggest(request(int(line)))
    print(time.process_time() - t, float(np.mean([len(c.notes) for c in cands])), flush=True)
"""


def _worker(root: Path, new_prompts: bool = False) -> subprocess.Popen:
    env = dict(os.environ, PYTHONPATH=str(root), OMP_NUM_THREADS="1", OPENBLAS_NUM_THREADS="1", MKL_NUM_THREADS="1")
    proc = subprocess.Popen([sys.executable, "-c", WORKER, "new" if new_prompts else "same"], cwd=root, env=env,
                            text=True,
                            stdin=subprocess.PIPE, stdout=subprocess.PIPE)
    if proc.stdout is None or proc.stdout.readline().strip() != "ready":
        proc.kill()
        raise RuntimeError(f"the engine in {root} did not start")
    return proc


def compare(other: Path, requests: int = 200, seed: int = 0, new_prompts: bool = False) -> dict:
    """Figures per checkout ("this", "other"): p50/p95 CPU ms, notes per candidate, median ms per note."""
    procs = {"this": _worker(HERE, new_prompts), "other": _worker(other, new_prompts)}
    times: dict[str, list[tuple[float, float]]] = {k: [] for k in procs}
    order = list(procs)
    shuffle = random.Random(seed)
    try:
        for s in range(1, requests + 1):
            shuffle.shuffle(order)
            for name in order:
                proc = procs[name]
                assert proc.stdin is not None and proc.stdout is not None
                proc.stdin.write(f"{s}\n")
                proc.stdin.flush()
                cpu, notes = map(float, proc.stdout.readline().split())
                times[name].append((cpu * 1e3, notes))
    finally:
        for proc in procs.values():
            proc.kill()
    out = {}
    for name, rows in times.items():
        ms, notes = np.array([r[0] for r in rows]), np.array([r[1] for r in rows])
        out[name] = {"p50_ms": round(float(np.percentile(ms, 50)), 1), "p95_ms": round(float(np.percentile(ms, 95)), 1),
                     "notes_per_candidate": round(float(notes.mean()), 1),
                     "ms_per_note": round(float(np.median(ms / notes)), 2)}
    return {"requests": requests, "new_prompts": new_prompts, "paths": {"this": str(HERE), "other": str(other)},
            **out}


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(prog="python -m composer_app.model.bench_against", description=__doc__,
                                 formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("other", type=Path, help="the root of another checkout (it holds composer_app/)")
    ap.add_argument("--requests", type=int, default=200)
    ap.add_argument("--new-prompts", action="store_true",
                    help="each request's prompt differs from the one before (no engine reuses the prompt's step)")
    ap.add_argument("--json", action="store_true", help="one JSON object")
    args = ap.parse_args(argv)
    if not (args.other / "composer_app" / "model" / "continuation.py").is_file():
        print(f"{args.other}: not a Composer checkout (no composer_app/model/continuation.py)", file=sys.stderr)
        return 2
    r = compare(args.other.resolve(), args.requests, new_prompts=args.new_prompts)
    if args.json:
        print(json.dumps(r))
        return 0
    prompts = "a new prompt each time" if r["new_prompts"] else "the same prompt each time"
    print(f"melody, 4 candidates x 4 bars, {r['requests']} requests each ({prompts}), interleaved, CPU time:")
    for name in ("this", "other"):
        f = r[name]
        print(f"  {name:<6} p50 {f['p50_ms']} ms  p95 {f['p95_ms']} ms  ({f['notes_per_candidate']} notes per "
              f"candidate, {f['ms_per_note']} ms per note)  {r['paths'][name]}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
