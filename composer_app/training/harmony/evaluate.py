"""Evaluate the harmonizer, the HMM baseline and the files' own chords on lead-sheet MIDI files."""

from __future__ import annotations

import statistics
from collections.abc import Sequence
from dataclasses import replace
from pathlib import Path

import numpy as np

from composer_app.core.song import Song
from composer_app.midi import read_midi
from composer_app.model.as_played import as_played
from composer_app.model.harmony import Harmonizer
from composer_app.model.harmony_features import STYLES, slot_grid, slot_labels
from composer_app.model.harmony_metrics import beat_accuracy, distinctness, fit_metrics
from composer_app.model.song_adapter import harmony_request, melody_of, pick_track, track_notes, without_chords

METRICS = ("CHE", "CC", "CTD", "CTnCTR", "PCS", "MCTD")


def chord_rhythm(song: Song) -> str:
    """The harmonic rhythm closest to the file's own chords: 'bar', 'half' or 'beat'."""
    bar = song.meters[0].bar_ticks
    median = statistics.median(c.duration for c in song.chords)
    return "bar" if median >= 0.75 * bar else "half" if median >= 0.375 * bar else "beat"


def style_of(path: Path, default: str = "pop") -> str:
    prefix = path.name.split("--", 1)[0]
    return prefix if prefix in STYLES and "--" in path.name else default


def evaluate_files(paths: Sequence[Path], harmonizer: Harmonizer, candidates: int = 4,
                   default_style: str = "pop") -> dict:
    """Per-beat accuracy (model, HMM), fit metrics (model, HMM, real), diversity of the alternatives."""
    acc: dict[str, dict[str, list[float]]] = {m: {"exact": [], "root": [], "majmin": []} for m in ("model", "hmm")}
    fit: dict[str, dict[str, list[float]]] = {m: {k: [] for k in METRICS} for m in ("model", "hmm", "real")}
    div, all_distinct, n_alt, skipped, used = [], [], [], [], 0
    by_style: dict[str, dict[str, list[float]]] = {}
    for i, path in enumerate(paths):
        try:
            song = as_played(read_midi(path)).song  # as harmonize reads a file
            track = pick_track(song)
        except Exception as exc:  # a file we cannot read is reported, never fatal
            skipped.append(f"{path.name}: {exc}")
            continue
        if not song.chords:
            skipped.append(f"{path.name}: no chords")
            continue
        melody = melody_of(track_notes(track))
        ref = tuple((c.start, c.duration, c.label) for c in song.chords)
        style = style_of(path, default_style)
        group = by_style.setdefault(style, {"model": [], "hmm": []})
        asked = without_chords(song)  # the request never hears the answer: not as key evidence either
        req, _ = harmony_request(asked, asked.track(track.id), rhythm=chord_rhythm(song), style=style,
                                 complexity="extended", candidates=1, seed=i, existing=(), color=0.0)
        end = max(s + d for _, s, d in melody)
        beats = slot_grid(req.meters, end, "beat")
        used += 1
        for method in ("model", "hmm"):
            best = harmonizer.harmonize(replace(req, method=method))[0]
            for k, v in beat_accuracy(best.chords, ref, beats).items():
                if k in acc[method]:
                    acc[method][k].append(v)
                if k == "root":
                    group[method].append(v)
            for k, v in fit_metrics(melody, best.chords, beats).items():
                fit[method][k].append(v)
        for k, v in fit_metrics(melody, ref, beats).items():
            fit["real"][k].append(v)
        alts = harmonizer.harmonize(replace(req, candidates=candidates, complexity="sevenths", color=1.0))
        n_alt.append(len(alts))
        labels = [a.slot_labels for a in alts]
        div.append(distinctness(labels))
        all_distinct.append(float(len(alts) == candidates and min(a.distinct for a in alts) >= 1 / 3 - 1e-9))
    mean = lambda xs: round(float(np.mean(xs)), 4) if xs else None  # noqa: E731
    return {
        "files": used, "skipped": skipped,
        "accuracy": {m: {k: mean(v) for k, v in d.items()} for m, d in acc.items()},
        "fit": {m: {k: mean(v) for k, v in d.items()} for m, d in fit.items()},
        "root_accuracy_by_style": {st: {"files": len(d["model"]), "model": mean(d["model"]), "hmm": mean(d["hmm"])}
                                   for st, d in sorted(by_style.items())},
        "diversity": {"candidates": candidates, "mean_returned": mean(n_alt), "mean_pairwise_distinct": mean(div),
                      "all_distinct_third": mean(all_distinct)},
    }


def lead_sheet_files(folder: Path, limit: int | None = None) -> list[Path]:
    files = sorted(p for p in folder.iterdir() if p.suffix.lower() in (".mid", ".midi"))
    return files[:limit] if limit is not None else files


def format_report(report: dict) -> str:
    """A plain-text table of an ``evaluate_files`` report."""
    lines = [f"files: {report['files']} (skipped {len(report['skipped'])})", "",
             "per-beat accuracy     exact   root  majmin"]
    for m, d in report["accuracy"].items():
        lines.append(f"  {m:<18} {d['exact'] or 0:6.3f} {d['root'] or 0:6.3f} {d['majmin'] or 0:6.3f}")
    lines += ["", "fit metrics          " + "".join(f"{k:>8}" for k in METRICS)]
    for m, d in report["fit"].items():
        lines.append(f"  {m:<18} " + "".join(f"{(d[k] or 0):8.3f}" for k in METRICS))
    lines += ["", "root accuracy by style: " + ", ".join(
        f"{st} ({d['files']} files) model {d['model']} / hmm {d['hmm']}"
        for st, d in report["root_accuracy_by_style"].items())]
    dv = report["diversity"]
    lines += ["", f"alternatives: {dv['candidates']} asked, {dv['mean_returned']} returned on average, "
                  f"mean pairwise distinct {dv['mean_pairwise_distinct']}, "
                  f"all >= 1/3 distinct in {dv['all_distinct_third']} of files"]
    return "\n".join(lines)


def slot_truth(song: Song, rhythm: str) -> list[str]:
    """The file's own chord per slot at ``rhythm`` (for inspection)."""
    meters = tuple((m.tick, m.numerator, m.denominator) for m in song.meters)
    slots = slot_grid(meters, song.end_tick, rhythm)
    return slot_labels(tuple((c.start, c.duration, c.label) for c in song.chords), slots)
