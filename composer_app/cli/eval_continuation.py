"""``composer-cli eval continuation DIR``: model vs n-gram NLL and sampled-continuation figures on lead sheets."""

from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path

from composer_app.cli.suggest import open_as_played
from composer_app.core.errors import SongFileError
from composer_app.model import song_adapter as sp
from composer_app.model.continuation_metrics import phrase_origin

MIN_NOTES = 8
ENGINES = ("model", "model_key_lock", "ngram", "repeat_prompt")
"""What is sampled; ``repeat_prompt`` is a rule, not a model: the prompt's last bars played again."""


def load_ngram(path: str | None, log=print):
    """The n-gram file given, else resources/models/ngram.npz, else counted now on the training split."""
    from composer_app.model.ngram import DEFAULT_PATH, NgramModel

    target = Path(path) if path else DEFAULT_PATH
    if path or target.is_file():
        try:
            return NgramModel.load(target), str(target)
        except ValueError as exc:
            raise SongFileError(target, str(exc).split(": ", 1)[-1]) from None
    from composer_app.training.continuation.ngram_fit import fit_baseline

    log("no n-gram file: counting the baseline on the training split (cached corpus) ...")
    model, _ = fit_baseline(log=log)
    return model, "counted from the training split"


def _piece(path: Path) -> dict | None:
    """What one lead sheet gives the evaluation (None when too short)."""
    from composer_app.model import note_values as nv
    from composer_app.model import tokens as tk

    song = open_as_played(path).song  # as suggest reads it
    try:
        track = sp.pick_track(song)
    except ValueError:
        return None
    notes = sp.track_notes(track)
    if len(notes) < MIN_NOTES:
        return None
    end = max(n[1] + n[2] for n in notes)
    meters, chords, key = sp.meters_of(song), sp.request_chords(song, track), sp.choose_key(song, notes, end).key
    role, style = sp.infer_role(notes), sp.song_style(song)
    scale = nv.time_scale(meters, notes)  # scored in the note values the engine samples in
    rows = tk.encode_part(nv.shrunk(notes, scale), nv.shrunk_meters(meters, scale), nv.shrunk_chords(chords, scale),
                          key, style, role)
    return {"path": path, "song": song, "notes": notes, "meters": meters, "chords": chords, "key": key, "role": role,
            "style": style, "rows": rows}


def lead_sheet_files(folder: Path, limit: int | None = None) -> list[Path]:
    """The .mid files of an evaluation folder, sorted by name (at most ``limit``); one-line errors."""
    if not folder.is_dir():
        raise SongFileError(folder, "no such folder")
    files = sorted(p for p in folder.iterdir() if p.suffix.lower() in (".mid", ".midi"))[:limit]
    if not files:
        raise SongFileError(folder, "no .mid files in the folder")
    return files


def sampling_options(args: argparse.Namespace) -> dict:
    """The sampling settings given on the command line (the engine's defaults for the others)."""
    return {k: v for k, v in (("temperature", args.temperature), ("top_p", args.top_p), ("reuse", args.reuse))
            if v is not None}


def _sample_figures(piece: dict, engines: dict, args: argparse.Namespace, seed: int) -> dict | None:
    """Per engine: metric means over its candidates for one piece, sampled with ``seed``; plus the real
    continuation's figures."""
    from composer_app.model import continuation_metrics as cm
    from composer_app.model import tokens as tk
    from composer_app.model.continuation import ContinuationRequest

    grid = tk.BarGrid(piece["meters"])
    first = phrase_origin(piece["notes"], grid) + args.prompt_bars
    a, b = grid.start(first), grid.start(first + args.bars)
    prompt = tuple(n for n in piece["notes"] if n[1] < a)
    real = tuple(n for n in piece["notes"] if a <= n[1] < b)
    if not real:
        return None
    # what the window would use (signature, else detected) for a song that ends here: the file's later bars are
    # the answer, so they do not count
    key = sp.choose_key(piece["song"], prompt, a, ahead=False).key
    replay = repeat_prompt(prompt, grid, first, args.bars)
    # what the prompt's last bars are like: the replay's histograms, against which "kept from the prompt" is judged
    told = (cm.pitch_class_histogram(replay), cm.onset_histogram(replay, grid)) if replay else None
    out = {"real": {"in_key": cm.in_key_share(real, key), "copy": cm.copy_share(real, prompt, grid),
                    "notes_per_bar": len(real) / args.bars, **_ending([real], grid, first, args.bars),
                    **_kept([real], told, grid)}}
    pcs, onsets = cm.pitch_class_histogram(real), cm.onset_histogram(real, grid)
    for name, engine in engines.items():
        if engine is None:
            out[name] = _figures([replay], key, grid, first, args, pcs, onsets, prompt, told)
            continue
        req = ContinuationRequest(context=prompt, meters=piece["meters"], key=key, chords=piece["chords"],
                                  start_bar=first, bars=args.bars, candidates=args.candidates, seed=seed,
                                  key_lock=name.endswith("key_lock"), style=piece["style"], role=piece["role"],
                                  phrase_end=not args.no_phrase_end, **sampling_options(args))
        cands = [c.notes for c in engine.suggest(req)]
        out[name] = _figures(cands, key, grid, first, args, pcs, onsets, prompt, told)
    return out


def _kept(cands: list, told: tuple | None, grid) -> dict:
    """How much of the prompt's last bars' pitch classes and onsets a candidate keeps: the overlap of its
    histograms with theirs, averaged over the candidates (the real continuation's figure says how much a tune
    keeps on its own)."""
    from composer_app.model import continuation_metrics as cm

    heard = [c for c in cands if c]
    if told is None or not heard:
        return {"prompt_pitch_class_overlap": None, "prompt_rhythm_overlap": None}
    return {"prompt_pitch_class_overlap": cm.mean([cm.overlap(cm.pitch_class_histogram(c), told[0]) for c in heard]),
            "prompt_rhythm_overlap": cm.mean([cm.overlap(cm.onset_histogram(c, grid), told[1]) for c in heard])}


def repeat_prompt(prompt: tuple, grid, first: int, bars: int) -> tuple:
    """The prompt's last ``bars`` bars moved forward to start at bar ``first`` (cut at the span's end)."""
    src = max(first - bars, 0)
    shift = grid.start(first) - grid.start(src)
    end = grid.start(first + bars)
    return tuple((p, s + shift, min(d, end - s - shift), v) for p, s, d, v in prompt
                 if grid.start(src) <= s < grid.start(first) and s + shift < end)


def _figures(cands: list, key, grid, first: int, args: argparse.Namespace, pcs, onsets, prompt,
             told: tuple | None) -> dict:
    """Metric means over one engine's candidates for one piece."""
    from composer_app.model import continuation_metrics as cm

    heard = [c for c in cands if c]
    pc = [cm.overlap(cm.pitch_class_histogram(c), pcs) for c in heard]
    rhythm = [cm.overlap(cm.onset_histogram(c, grid), onsets) for c in heard]
    pooled = [n for c in heard for n in c]
    return {
        "in_key": cm.mean([cm.in_key_share(c, key) for c in cands]),
        "exact_bars": cm.mean([float(cm.exact_bars(c, grid, first, args.bars)) for c in cands]),
        "pitch_class_overlap": cm.mean(pc),
        "rhythm_overlap": cm.mean(rhythm),
        # the first card (the engine's consensus choice), the candidate a musician would keep, and all candidates
        # together (one sample's noise averaged out)
        "pitch_class_overlap_first": pc[0] if pc else None,
        "rhythm_overlap_first": rhythm[0] if rhythm else None,
        "pitch_class_overlap_best": max(pc, default=None),
        "rhythm_overlap_best": max(rhythm, default=None),
        "pitch_class_overlap_pooled": cm.overlap(cm.pitch_class_histogram(pooled), pcs) if pooled else None,
        "rhythm_overlap_pooled": cm.overlap(cm.onset_histogram(pooled, grid), onsets) if pooled else None,
        "copy": cm.mean([cm.copy_share(c, prompt, grid) for c in cands]),
        "distinct": cm.distinct_share(cands),
        "notes_per_bar": cm.mean([len(c) / args.bars for c in cands]),
        **_ending(cands, grid, first, args.bars), **_kept(cands, told, grid)}


def _ending(cands: list, grid, first: int, bars: int) -> dict:
    """Means over the candidates of their last bar's onsets and the share of that bar after its last onset."""
    from composer_app.model import continuation_metrics as cm

    ends = [e for e in (cm.phrase_ending(c, grid, first, bars) for c in cands) if e is not None]
    return {"last_bar_notes": cm.mean([e[0] for e in ends]), "last_note_room": cm.mean([e[1] for e in ends])}


def evaluate(args: argparse.Namespace, log=print) -> dict:
    from composer_app.model import continuation_metrics as cm
    from composer_app.model.continuation_nll import net_nll, ngram_nll
    from composer_app.model.ngram_engine import NgramEngine
    from composer_app.training.continuation.dataset import windows

    folder = Path(args.folder)
    files = lead_sheet_files(folder, args.limit)
    model = sp.load_continuation_engine(args.model)
    ngram, ngram_source = load_ngram(args.ngram, log)
    baseline = NgramEngine(ngram)
    length = getattr(model.net, "max_len", 192)
    length = length if length < 10_000 else 192
    t0 = time.perf_counter()
    pieces, skipped, per_piece = [], 0, []
    wins: dict[str, list] = {}
    for path in files:
        try:
            piece = _piece(path)
        except SongFileError as exc:  # one unreadable file is counted, not fatal
            log(f"skipped {exc}")
            piece = None
        if piece is None:
            skipped += 1
            continue
        pieces.append(piece)
        wins.setdefault(piece["style"], []).extend(windows(piece["rows"], length, 0))
    if not pieces:
        raise SongFileError(folder, f"no lead sheet with at least {MIN_NOTES} melody notes")

    def score(ws: list) -> dict:
        return {"model": ngram_nll(model.model, ws) if isinstance(model, NgramEngine) else net_nll(model.net, ws),
                "ngram": ngram_nll(ngram, ws)}

    by_style = {style: score(ws) for style, ws in sorted(wins.items())}
    nll = {name: _combine([g[name] for g in by_style.values()]) for name in ("model", "ngram")}
    engines = {"model": model, "model_key_lock": model, "ngram": baseline, "repeat_prompt": None}
    seeds = list(range(args.seed, args.seed + args.seeds))
    if not args.no_sample:
        for seed in seeds:  # the sampled figures are means over every piece and seed
            for piece in pieces:
                figs = _sample_figures(piece, engines, args, seed)
                if figs is not None:
                    per_piece.append(figs)
    sampling = {}
    for name in ("real", *ENGINES):
        keys = per_piece[0][name].keys() if per_piece else ()
        sampling[name] = {k: _round(cm.mean([p[name][k] for p in per_piece])) for k in keys}
    ratio = nll["model"]["nll"] / nll["ngram"]["nll"] if nll["ngram"]["nll"] else None
    return {"folder": str(folder), "files": len(files), "evaluated": len(pieces), "skipped": skipped,
            "sampled": len(per_piece) // len(seeds), "model": getattr(model, "name", "?"), "ngram_source": ngram_source,
            "window": length, "nll": {k: _round_all(v) for k, v in nll.items()}, "nll_ratio": _round(ratio),
            "nll_by_style": {st: {"model": _round(g["model"]["nll"]), "ngram": _round(g["ngram"]["nll"]),
                                  "notes": g["model"]["notes"]} for st, g in by_style.items()},
            "sampling": sampling, "settings": {"prompt_bars": args.prompt_bars, "bars": args.bars,
                                               "candidates": args.candidates, "seed": args.seed, "seeds": len(seeds),
                                               "phrase_end": not args.no_phrase_end, **sampling_options(args)},
            "seconds": round(time.perf_counter() - t0, 1)}


def _combine(parts: list[dict]) -> dict:
    """Per-note figures of several groups as one (weighted by their notes)."""
    notes = sum(p["notes"] for p in parts)
    by_field = {f: sum(p["by_field"][f] * p["notes"] for p in parts) / max(notes, 1) for f in parts[0]["by_field"]}
    return {"nll": sum(by_field.values()), "by_field": by_field, "notes": notes}


def _round(x: float | None, n: int = 4) -> float | None:
    return None if x is None else round(float(x), n)


def _round_all(d: dict) -> dict:
    return {k: (_round_all(v) if isinstance(v, dict) else _round(v) if isinstance(v, float) else v)
            for k, v in d.items()}


def report(r: dict) -> str:
    n = r["nll"]
    lines = [f"{r['folder']}: {r['evaluated']} lead sheets ({r['skipped']} skipped), {n['model']['notes']} notes, "
             f"{r['seconds']} s",
             f"NLL nats/note: model ({r['model']}) {n['model']['nll']}  n-gram {n['ngram']['nll']}  "
             f"ratio {r['nll_ratio']}",
             "  by field   " + "  ".join(f"{f} {n['model']['by_field'][f]}/{n['ngram']['by_field'][f]}"
                                        for f in n["model"]["by_field"])]
    lines.extend(f"  {st:<10} model {g['model']}  n-gram {g['ngram']}  ({g['notes']} notes)"
                 for st, g in r["nll_by_style"].items())
    s = r["sampling"]
    if r["sampled"]:
        cols = ("in_key", "exact_bars", "pitch_class_overlap", "rhythm_overlap", "pitch_class_overlap_first",
                "rhythm_overlap_first", "pitch_class_overlap_best", "rhythm_overlap_best", "copy", "distinct",
                "notes_per_bar", "last_bar_notes", "last_note_room", "prompt_pitch_class_overlap",
                "prompt_rhythm_overlap")
        lines.append(f"continuations of {r['settings']['bars']} bars after {r['settings']['prompt_bars']} "
                     f"({r['sampled']} pieces, {r['settings']['candidates']} candidates each"
                     + (f", means over {r['settings']['seeds']} seeds" if r['settings']['seeds'] > 1 else "") + "):")
        heads = ("in key", "exact bars", "pc overlap", "rhythm ovl", "pc 1st", "rhythm 1st", "pc best",
                 "rhythm best", "copy", "distinct", "notes/bar", "last bar", "last room", "pc kept", "rhythm kept")
        lines.append(f"  {'':<15}" + "".join(f"{h:>12}" for h in heads))
        for name in ("real", *ENGINES):
            vals = [s[name].get(c) for c in cols]
            lines.append(f"  {name:<15}" + "".join(f"{'-' if v is None else f'{v:.3f}':>12}" for v in vals))
    return "\n".join(lines)


def cmd_eval_continuation(args: argparse.Namespace) -> int:
    if args.seeds < 1:
        print("composer-cli: error: --seeds must be at least 1", file=sys.stderr)
        return 2
    if args.held_out or args.cross_source:
        from composer_app.cli import eval_continuation_sets

        return eval_continuation_sets.cmd("held-out" if args.held_out else "cross-source", args)
    if not args.folder:
        print("composer-cli: error: give a folder of lead-sheet MIDI files, or --held-out / --cross-source",
              file=sys.stderr)
        return 2
    result = evaluate(args, log=lambda m: print(m, file=sys.stderr))
    print(json.dumps(result, indent=2) if args.json else report(result))
    return 0


def register_eval(kinds) -> None:
    p = kinds.add_parser("continuation", help="continuation model vs the n-gram baseline on lead-sheet MIDI files")
    p.add_argument("folder", nargs="?", help="a folder of lead-sheet MIDI files (track 'melody', track 'chords')")
    sets = p.add_mutually_exclusive_group()
    sets.add_argument("--held-out", action="store_true",
                      help="the test split of the lead-sheet sources the models train on, moved to other keys, key "
                           "signatures removed; one row per source")
    sets.add_argument("--cross-source", action="store_true",
                      help="folk collections no model trains on (Aird's airs, Essen, music21's miscFolk), moved to "
                           "other keys, key signatures removed; one row per source")
    p.add_argument("--seeds", type=int, default=1,
                   help="sample with this many seeds from --seed on and give the means (default 1)")
    p.add_argument("--json", action="store_true", help="print one JSON object")
    p.add_argument("--limit", type=int, default=None,
                   help="evaluate at most N files (sorted by name); with --held-out / --cross-source, pieces per "
                        "source (default 30)")
    p.add_argument("--candidates", type=int, choices=range(1, 9), default=4, metavar="1..8")
    p.add_argument("--seed", type=int, default=0)
    p.add_argument("--bars", type=int, choices=range(1, 17), default=4, metavar="1..16", help="bars to continue")
    p.add_argument("--prompt-bars", type=int, default=4, help="bars of each file given as the prompt (default 4)")
    p.add_argument("--model", help="continuation weights (default resources/models/continuation.npz)")
    p.add_argument("--ngram", help="n-gram baseline file (default resources/models/ngram.npz, else counted)")
    p.add_argument("--no-sample", action="store_true", help="NLL only")
    p.add_argument("--temperature", type=float, default=None, help="sampling temperature (default: the engine's)")
    p.add_argument("--top-p", type=float, default=None, help="nucleus size (default: the engine's)")
    p.add_argument("--no-phrase-end", action="store_true", help="sample without the phrase ending in the last bar")
    p.add_argument("--reuse", type=float, default=None,
                   help="weight of the motif-reuse bonuses (0 turns them off; default: the engine's)")
    p.set_defaults(func=cmd_eval_continuation)
