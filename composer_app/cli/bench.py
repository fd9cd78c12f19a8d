"""``composer-cli bench``: one table of speed and memory figures from every part's own benchmark (printed only).

Model figures run in a fresh one-thread interpreter; UI figures in a subprocess on the offscreen Qt platform
(the CLI never imports Qt); live audio/MIDI figures only where ``jackd`` exists.
"""

from __future__ import annotations

import argparse
import importlib.util
import json
import os
import re
import shutil
import subprocess
import sys
import time
from pathlib import Path

PARTS = ("model", "harmony", "render", "ui", "live", "assistant")
HARMONY_BENCHES = ("composer_app.model.harmony_bench", "composer_app.model.bench_harmony")
UI_BENCHES = {"piano_roll": "composer_app.ui.piano_roll.bench", "arrangement": "composer_app.ui.arrangement.bench"}
ROOT = Path(__file__).resolve().parents[2]
ONE_THREAD = {"OMP_NUM_THREADS": "1", "OPENBLAS_NUM_THREADS": "1", "MKL_NUM_THREADS": "1"}


def _run_json(args: list[str], timeout: float, env: dict | None = None) -> dict:
    done = subprocess.run([sys.executable, *args], capture_output=True, text=True, timeout=timeout,
                          cwd=ROOT, env=dict(os.environ, **(env or {})))
    lines = done.stdout.strip().splitlines()
    if done.returncode != 0 or not lines:
        return {"skipped": f"failed: {(done.stderr.strip().splitlines() or ['no output'])[-1][:200]}"}
    return json.loads(lines[-1])


def bench_model(runs: int) -> dict:
    from composer_app.model.continuation import DEFAULT_WEIGHTS

    out: dict = {}
    if DEFAULT_WEIGHTS.is_file():
        out["continuation"] = _run_json(["-m", "composer_app.model.bench", "--json", "--runs", str(runs)], 900,
                                        ONE_THREAD)
    else:
        out["continuation"] = {"skipped": f"no weights at {DEFAULT_WEIGHTS}"}
    out["stream"] = _run_json(["-m", "composer_app.model.bench_stream", "--json", "--runs", str(max(3, runs // 3))],
                              600, ONE_THREAD)
    return out


def bench_harmony(runs: int) -> dict:
    """The harmony benchmark module's ``--json`` figures in a one-thread child process, when the module exists."""
    for name in HARMONY_BENCHES:
        if importlib.util.find_spec(name) is not None:
            return _run_json(["-m", name, "--json", "--runs", str(runs)], 600, ONE_THREAD)
    return {"skipped": "no harmony benchmark module (" + ", ".join(HARMONY_BENCHES) + ")"}


def bench_song():
    """A generated 16-bar, 3-track song (melody, bass, chords) for the render figure."""
    from composer_app.core.song import Clip, Note, Song, Track
    from composer_app.core.timing import TempoChange

    mel = tuple(Note(72 + [0, 2, 4, 7, 9, 7, 4, 2][i % 8], i * 240, 230, 96) for i in range(128))
    bass = tuple(Note(36 + [0, 9, 5, 7][b % 4], b * 1920, 1800, 90) for b in range(16))
    chords = tuple(Note(60 + [0, 9, 5, 7][b % 4] + iv, b * 1920, 1900, 70) for b in range(16) for iv in (0, 4, 7))
    tracks = (Track("melody", 0, 0, clips=(Clip(0, 30720, mel),)), Track("bass", 33, 1, clips=(Clip(0, 30720, bass),)),
              Track("chords", 48, 2, clips=(Clip(0, 30720, chords),)))
    return Song(tracks=tracks, tempos=(TempoChange.from_bpm(0, 120),), title="bench")


def bench_render(song_path: str | None) -> dict:
    try:
        from composer_app.audio import AudioUnavailableError
        from composer_app.audio.bench import bench_render as run
    except ImportError as exc:
        return {"skipped": f"audio unavailable: {exc}"}
    song = bench_song()
    if song_path:
        from composer_app.fileio import open_song

        song = open_song(song_path)
    try:
        return dict(run(song, repeat=2))
    except AudioUnavailableError as exc:
        return {"skipped": str(exc)}


def _parse_lines(text: str) -> dict:
    """A benchmark's printed lines: its JSON when it printed some, else 'name: value' pairs and the raw lines."""
    lines = [ln for ln in text.strip().splitlines() if ln.strip()]
    if lines:
        try:
            found = json.loads(lines[-1])
            if isinstance(found, dict):
                return found
        except json.JSONDecodeError:
            pass
    out: dict = {}
    for ln in lines:
        m = re.match(r"\s*([\w ]+?)\s*:\s*(-?[\d.]+)\s*$", ln)
        if m:
            out[m.group(1).strip().replace(" ", "_")] = float(m.group(2))
    out["lines"] = [ln.rstrip() for ln in lines]
    return out


def bench_ui() -> dict:
    out = {}
    env = dict(os.environ, QT_QPA_PLATFORM="offscreen")
    for name, module in UI_BENCHES.items():
        try:
            done = subprocess.run([sys.executable, "-m", module], capture_output=True, text=True, timeout=300,
                                  cwd=ROOT, env=env)
        except subprocess.TimeoutExpired:
            out[name] = {"skipped": "timed out after 300 s"}
            continue
        if done.returncode != 0:
            out[name] = {"skipped": f"failed: {(done.stderr.strip().splitlines() or ['?'])[-1][:200]}"}
        else:
            out[name] = _parse_lines(done.stdout)
    return out


def bench_live() -> dict:
    if shutil.which("jackd") is None:
        return {"skipped": "jackd is not installed"}
    try:
        from composer_app.audio.bench_live import run_all
    except ImportError as exc:
        return {"skipped": f"audio unavailable: {exc}"}
    return dict(run_all(log=lambda _line: None))


def bench_assistant(runs: int) -> dict:
    """The real main window offscreen, one thread: click-to-ghost-note times of "Suggest Next Bars"."""
    env = dict(ONE_THREAD, QT_QPA_PLATFORM="offscreen")
    try:
        return _run_json(["-m", "composer_app.ui.assistant.bench", "--runs", str(max(3, runs // 2))], 600, env)
    except subprocess.TimeoutExpired:
        return {"skipped": "timed out after 600 s"}


def run(parts: list[str], runs: int = 20, song: str | None = None) -> dict:
    figures: dict = {}
    for part in parts:
        t = time.perf_counter()
        if part == "model":
            figures[part] = bench_model(runs)
        elif part == "harmony":
            figures[part] = bench_harmony(runs)
        elif part == "render":
            figures[part] = bench_render(song)
        elif part == "ui":
            figures[part] = bench_ui()
        elif part == "live":
            figures[part] = bench_live()
        elif part == "assistant":
            figures[part] = bench_assistant(runs)
        figures[part]["bench_seconds"] = round(time.perf_counter() - t, 1)
    return figures


def _flatten(d: dict, prefix: str = "") -> list[tuple[str, object]]:
    rows: list[tuple[str, object]] = []
    for k, v in d.items():
        if isinstance(v, dict):
            rows.extend(_flatten(v, f"{prefix}{k}."))
        elif k != "lines":
            rows.append((prefix + k, v))
    return rows


def table(figures: dict) -> str:
    lines = []
    for part, figs in figures.items():
        lines.append(f"[{part}]")
        for key, value in _flatten(figs):
            shown = json.dumps(value) if isinstance(value, list) else value
            lines.append(f"  {key:<48} {shown}")
        for name, sub in figs.items():  # benchmarks that only print text: show their lines as they are
            if isinstance(sub, dict) and sub.get("lines") and len(sub) == 1:
                lines.append(f"  {name}:")
                lines.extend(f"    {ln.strip()}" for ln in sub["lines"])
    return "\n".join(lines)


def _parts(text: str) -> list[str]:
    parts = [p.strip() for p in text.split(",") if p.strip()]
    bad = [p for p in parts if p not in PARTS]
    if bad or not parts:
        raise argparse.ArgumentTypeError(f"--only takes a comma list of {','.join(PARTS)}")
    return parts


def cmd_bench(args: argparse.Namespace) -> int:
    figures = run(args.only or list(PARTS), args.runs, args.song)
    print(json.dumps(figures) if args.json else table(figures))
    return 0


def add_commands(sub) -> None:
    p = sub.add_parser("bench", help="print speed and memory figures (model, harmony, render, ui, live, assistant)")
    p.add_argument("--json", action="store_true", help="print one JSON object")
    p.add_argument("--only", type=_parts, default=None, help=f"comma list of {','.join(PARTS)} (default all)")
    p.add_argument("--runs", type=int, default=20, help="suggest calls per model figure (default 20)")
    p.add_argument("--song", default=None, help="a MIDI file or project to render (default: a generated song)")
    p.set_defaults(func=cmd_bench)
