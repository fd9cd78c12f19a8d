"""``composer-cli eval infill DIR``: hide bars in the middle of lead sheets and judge the model's gap fills.

Per file, a gap of ``--gap`` bars in the middle of the melody (at least 2 bars before it and 1 after it) is
hidden. Figures: the NLL of the real middle with both sides given (the fill ordering) against with only the
same music before it (a continuation): the right side must help; the sampled fills' in-key share, whether every note
lies inside the gap, distinctness, and the step from the last note of the gap into the first note after it
(mean absolute semitones and the share of steps within a fifth) for the fills, for left-only continuations of the
same bars, and for the real music; and how close the fills and those continuations come to the hidden bars
themselves (overlap of their pitch classes, by duration, and of their onsets in the bar).
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from dataclasses import replace
from pathlib import Path

from composer_app.cli.eval_continuation import lead_sheet_files
from composer_app.core.errors import SongFileError
from composer_app.core.song import Song, Track
from composer_app.fileio import open_song
from composer_app.model import song_adapter as sa

MIN_NOTES = 16


def _case(path: Path, gap: int) -> dict | None:
    """The song, its melody track and the hidden span (None when the file has no room for a gap)."""
    song = open_song(path)
    try:
        track = sa.pick_track(song)
    except ValueError:
        return None
    notes = sa.track_notes(track)
    if len(notes) < MIN_NOTES:
        return None
    mm = song.meter_map
    first, last = mm.bar_of(notes[0][1]), mm.bar_of(notes[-1][1])
    start = first + max(2, (last - first + 1) // 2 - gap // 2)
    lo, hi = mm.bar_start(start), mm.bar_start(start + gap)
    real = tuple(n for n in notes if lo <= n[1] < hi)
    after = [n for n in notes if n[1] >= hi]
    if not real or not after or start + gap > last:
        return None
    song, track = _hidden(song, track, lo, hi)
    return {"song": song, "track": track, "start": start, "real": real, "next": after[0]}


def _hidden(song: Song, track: Track, lo: int, hi: int) -> tuple[Song, Track]:
    """The song and track with the track's notes starting in ``lo``..``hi`` taken out: the request sees the music
    on both sides of the gap (its key too) and never the answer."""
    clips = tuple(replace(c, notes=tuple(n for n in c.notes if not lo <= c.start + n.start < hi)) for c in track.clips)
    kept = replace(track, clips=clips)
    return replace(song, tracks=tuple(kept if t is track else t for t in song.tracks)), kept


def _join(fill, nxt) -> int | None:
    """Absolute semitones from the fill's last (highest last-onset) note into the first note after the gap."""
    if not fill:
        return None
    last_onset = max(n[1] for n in fill)
    last = max(n[0] for n in fill if n[1] == last_onset)
    return abs(nxt[0] - last)


def _nll(engine, request, real) -> tuple[float, float, int]:
    """NLL (nats) of the real middle's notes with both sides and with the left side only, and their count; a
    song in long note values is scored as the engine samples it (``note_values``)."""
    import numpy as np

    from composer_app.model import note_values as nv
    from composer_app.model import tokens as tk
    from composer_app.model.continuation_nll import window_nll
    from composer_app.model.decoding import SIDE_BARS, Decoder

    scale = nv.time_scale(request.meters, request.context)
    request, real = nv.shrunk_request(request, scale), nv.shrunk(real, scale)
    grid = tk.BarGrid(request.meters)
    lo = grid.start(request.start_bar)
    hi = grid.start(request.start_bar + request.bars)
    before = tuple(n for n in request.context if n[1] < lo)
    after = tuple(n for n in request.context if n[1] >= hi)
    middle = tk.encode_part(real, request.meters, request.chords, request.key, request.style, "melody",
                            origin_bar=request.start_bar, eos=False)[1:]
    # the same music before the gap in both (what a fill sees), so only the music after it differs
    near = [n for n in before if n[1] >= grid.start(max(request.start_bar - SIDE_BARS, 0))]
    near = tuple(sorted(near, key=lambda n: (n[1], n[0]))[-(engine.net.max_len * 3 // 8):])
    out = []
    for side in (after, ()):
        req = replace(request, mode="fill" if side else "continue", candidates=1)
        dec = Decoder(engine.net, req, request.key, grid, request.start_bar, near, after=side)
        rows = list(dec.rows)
        if len(rows) + len(middle) > engine.net.max_len:
            return float("nan"), float("nan"), 0
        tail = middle.copy()
        if len(tail):  # the first hidden note counts its bars from the row before it (MIDDLE, or the last note)
            first_bar = request.start_bar + int(middle[0, tk.SHIFT])
            tail[0, tk.SHIFT] = min(max(first_bar - dec.bars[-1], 0), tk.MAX_SHIFT)
        parts, n = window_nll(engine.net, np.stack(rows + list(tail)), score_from=len(rows))
        out.append(sum(parts.values()))
    return out[0], out[1], len(middle)


def evaluate(args: argparse.Namespace, log=print) -> dict:
    from composer_app.model import continuation_metrics as cm
    from composer_app.model import tokens as tk

    folder = Path(args.folder)
    files = lead_sheet_files(folder, args.limit)
    engine = sa.load_continuation_engine(args.model)
    if not hasattr(engine, "net"):
        raise SongFileError(args.model or "model", "eval infill needs the transformer, not the n-gram")
    t0 = time.perf_counter()
    both = left = 0.0
    notes = evaluated = skipped = 0
    fig: dict[str, list] = {k: [] for k in ("in_key", "inside", "distinct", "join_fill", "join_left",
                                            "join_real", "near_fill", "near_left", "near_real",
                                            "pcs_fill", "pcs_left", "onsets_fill", "onsets_left")}
    for path in files:
        try:
            case = _case(path, args.gap)
        except SongFileError as exc:
            log(f"skipped {exc}")
            case = None
        if case is None:
            skipped += 1
            continue
        evaluated += 1
        song, track = case["song"], case["track"]
        request, key = sa.fill_request(song, track, mode="fill", start_bar=case["start"], bars=args.gap,
                                       candidates=args.candidates, seed=args.seed)
        nb, nl, n = _nll(engine, request, case["real"])
        if n:
            both, left, notes = both + nb, left + nl, notes + n
        grid = tk.BarGrid(request.meters)
        fills = [c.notes for c in engine.suggest(request)]
        lefts = [c.notes for c in engine.suggest(replace(request, mode="continue", phrase_end=False,  # mid-tune
                                                         context=tuple(x for x in request.context
                                                                       if x[1] < grid.start(case["start"]))))]
        nxt = case["next"]
        fig["in_key"].append(cm.mean([cm.in_key_share(f, key.key) for f in fills]))
        lo, hi = grid.start(case["start"]), grid.start(case["start"] + args.gap)
        fig["inside"].append(cm.mean([float(bool(f) and all(lo <= n[1] and n[1] + n[2] <= hi for n in f))
                                      for f in fills]))
        fig["distinct"].append(cm.distinct_share(fills))
        real_pcs = cm.pitch_class_histogram(case["real"], by_duration=True)
        real_onsets = cm.onset_histogram(case["real"], grid)
        for name, group in (("fill", fills), ("left", lefts)):
            fig[f"pcs_{name}"].append(cm.mean([cm.overlap(cm.pitch_class_histogram(f, by_duration=True), real_pcs)
                                              for f in group if f]))
            fig[f"onsets_{name}"].append(cm.mean([cm.overlap(cm.onset_histogram(f, grid), real_onsets)
                                                 for f in group if f]))
        for name, group in (("fill", fills), ("left", lefts), ("real", [case["real"]])):
            joins = [j for j in (_join(f, nxt) for f in group) if j is not None]
            fig[f"join_{name}"].append(cm.mean(joins))
            fig[f"near_{name}"].append(cm.mean([float(j <= 7) for j in joins]))
    if not evaluated:
        raise SongFileError(folder, "no lead sheet with room for a gap (a melody with notes before, in and after it)")
    means = {k: (round(cm.mean(v), 4) if cm.mean(v) is not None else None) for k, v in fig.items()}
    return {"folder": str(folder), "files": len(files), "evaluated": evaluated, "skipped": skipped,
            "gap_bars": args.gap, "candidates": args.candidates, "notes": notes,
            "nll_both_sides": round(both / max(notes, 1), 4), "nll_left_only": round(left / max(notes, 1), 4),
            **means, "seconds": round(time.perf_counter() - t0, 1)}


def report(r: dict) -> str:
    return "\n".join([
        f"{r['folder']}: {r['evaluated']} lead sheets ({r['skipped']} skipped), gap {r['gap_bars']} bars, "
        f"{r['notes']} hidden notes, {r['seconds']} s",
        f"NLL of the hidden notes, nats/note: both sides {r['nll_both_sides']}  left side only {r['nll_left_only']}",
        f"fills ({r['candidates']} per file): in key {r['in_key']}  inside the gap {r['inside']}  "
        f"distinct {r['distinct']}",
        "step into the first note after the gap (mean semitones / share within a fifth):",
        f"  fill {r['join_fill']} / {r['near_fill']}   left-only continuation {r['join_left']} / {r['near_left']}   "
        f"real music {r['join_real']} / {r['near_real']}",
        "against the hidden bars (pitch classes / onsets in the bar):",
        f"  fill {r['pcs_fill']} / {r['onsets_fill']}   left-only continuation {r['pcs_left']} / {r['onsets_left']}",
    ])


def cmd_eval_infill(args: argparse.Namespace) -> int:
    result = evaluate(args, log=lambda m: print(m, file=sys.stderr))
    print(json.dumps(result, indent=2) if args.json else report(result))
    return 0


def register_eval(kinds) -> None:
    p = kinds.add_parser("infill", help="hide bars in the middle of lead sheets and judge the model's fills")
    p.add_argument("folder", help="a folder of lead-sheet MIDI files")
    p.add_argument("--json", action="store_true", help="print one JSON object")
    p.add_argument("--limit", type=int, default=None, help="evaluate at most N files (sorted by name)")
    p.add_argument("--gap", type=int, choices=range(1, 9), default=2, metavar="1..8", help="bars hidden (default 2)")
    p.add_argument("--candidates", type=int, choices=range(1, 9), default=4, metavar="1..8")
    p.add_argument("--seed", type=int, default=0)
    p.add_argument("--model", help="continuation weights (default resources/models/continuation.npz)")
    p.set_defaults(func=cmd_eval_infill)
