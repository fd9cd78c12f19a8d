"""``composer-cli harmonize`` and ``composer-cli eval harmonization``: the harmonizer's command-line face."""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

from composer_app.cli import evaluate
from composer_app.cli.suggest import parse_key
from composer_app.core.chords import normalize_label
from composer_app.core.song import Song
from composer_app.midi import write_midi
from composer_app.model import song_adapter as sa
from composer_app.model.harmony import DEFAULT_WEIGHTS, Pin
from composer_app.model.harmony_features import STYLES, beat_unit, rhythm_name
from composer_app.model.harmony_vocab import COMPLEXITIES
from composer_app.model.voicing import VOICINGS


def parse_pin(text: str, song: Song) -> Pin:
    """'BAR:CHORD' pins a whole bar (1-based); 'BAR.BEAT:CHORD' one beat of it."""
    where, sep, label = text.partition(":")
    if not sep or not label:
        raise argparse.ArgumentTypeError(f"a pin is BAR:CHORD, not {text!r}")
    try:
        label = normalize_label(label)
        bar_text, _, beat_text = where.partition(".")
        bar = int(bar_text) - 1
        mm = song.meter_map
        start = mm.bar_start(bar)
        if not beat_text:
            return Pin(start, mm.bar_start(bar + 1), label)
        unit = beat_unit(mm.meter_at(start))
        s = start + (int(beat_text) - 1) * unit
        return Pin(s, s + unit, label)
    except ValueError as exc:
        raise argparse.ArgumentTypeError(f"bad pin {text!r}: {exc}") from None


def parse_range(text: str) -> tuple[int, int]:
    """'A:B' (1-based bars, inclusive) -> 0-based (A-1, B-1)."""
    a, _, b = text.partition(":")
    try:
        lo, hi = int(a), int(b or a)
    except ValueError:
        raise argparse.ArgumentTypeError(f"a range is A:B in bars, not {text!r}") from None
    if lo < 1 or hi < lo:
        raise argparse.ArgumentTypeError(f"a range is A:B with 1 <= A <= B, not {text!r}")
    return lo - 1, hi - 1


def _error(message: str) -> int:
    print(f"composer-cli: error: {message}", file=sys.stderr)
    return 1


def cmd_harmonize(args: argparse.Namespace) -> int:
    from composer_app.cli.suggest import open_as_played, with_key

    harmonizer = sa.load_harmonizer(args.weights)
    played = open_as_played(args.input)
    song = played.song
    try:
        track = sa.pick_track(song, args.track)
        pins = tuple(parse_pin(p, song) for p in args.pin)
        rng = parse_range(args.range) if args.range else None
        req, key = sa.harmony_request(song, track, rhythm=rhythm_name(args.chords_per_bar), style=args.style,
                                      complexity=args.complexity, candidates=args.candidates, pins=pins,
                                      range_bars=rng, seed=args.seed, method=args.method,
                                      key_explicit=args.key is not None)
        if args.key is not None:
            req, key = with_key(req, key, args.key)
        results = harmonizer.harmonize(req)
    except (ValueError, argparse.ArgumentTypeError) as exc:
        return _error(str(exc))
    out = Path(args.out)
    try:
        out.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        return _error(f"cannot create the folder {out}: {exc.strerror or exc}")
    summary = {"input": str(args.input), "melody_track": track.name, "key": key.key.name, "key_reason": key.reason,
               "detected_key": key.detected.name if key.detected else None, "rhythm": req.rhythm,
               "style": args.style, "voicing": args.voicing, "over_a_bass_line": bool(req.bass),
               **played.said(), "alternatives": []}
    for res in results:
        notes = sa.voice_harmonization(req, res, args.voicing)
        path = out / f"harmonization-{res.rank}.mid"
        write_midi(sa.lead_sheet(song, track, res.chords, notes, key.key), path)
        summary["alternatives"].append({"file": str(path), "rank": res.rank, "log_prob": round(res.log_prob, 3),
                                        "distinct": round(res.distinct, 3),
                                        "chords": [c[2] for c in res.chords]})
    print(json.dumps(summary, indent=2))
    return 0


def cmd_eval_harmonization(args: argparse.Namespace) -> int:
    from composer_app.training.harmony.crosseval import excerpt_report, format_table
    from composer_app.training.harmony.evaluate import evaluate_files, format_report, lead_sheet_files

    if args.cross_source:
        from composer_app.training.harmony.crosseval import run_cli

        return run_cli("cross-source", None, args.json, args.limit)
    harmonizer = sa.load_harmonizer(args.weights)
    if args.held_out:
        from composer_app.training.harmony.crosseval import run_cli

        return run_cli("held-out", harmonizer, args.json, args.limit)
    if not args.dir:
        return _error("give a folder of lead-sheet MIDI files, or --held-out / --cross-source")
    folder = Path(args.dir)
    if not folder.is_dir():
        return _error(f"{folder} is not a folder")
    files = lead_sheet_files(folder, args.limit)
    if not files:
        return _error(f"no MIDI files in {folder}")
    report = evaluate_files(files, harmonizer, args.candidates, args.style)
    if report.get("files"):
        report["excerpts"] = excerpt_report(files, harmonizer, args.style)
    if not report.get("files"):
        skipped = report.get("skipped") or []
        reasons = "; ".join(skipped[:5]) + (f"; ... ({len(skipped) - 5} more)" if len(skipped) > 5 else "")
        return _error(f"none of the {len(files)} files in {folder} can be evaluated: a lead sheet needs a melody "
                      f"and chord symbols (a 'chords' track with chord-label text events) ({reasons})")
    if args.json:
        print(json.dumps(report, indent=2))
    else:
        print(format_report(report))
        if report["excerpts"]:
            print("\n8-bar excerpts, as --held-out judges them (key: the file's signature, else the one found in "
                  "each excerpt's melody):")
            print("\n".join(format_table({folder.name: report["excerpts"]})))
    return 0


def add_commands(sub: argparse._SubParsersAction) -> None:
    """Register ``harmonize`` on the top-level subparsers."""
    p = sub.add_parser("harmonize", help="suggest alternative chord progressions (and voicings) for a melody")
    p.add_argument("input", help="a MIDI file or .composer project")
    p.add_argument("--track",
                   help="the melody track, by name or by its number in `info` (default: 'melody', else "
                        "the melodic line the one rule picks)")
    p.add_argument("--candidates", type=int, default=4, choices=range(1, 9), metavar="1..8")
    p.add_argument("--style", default="pop", choices=STYLES)
    p.add_argument("--voicing", default="pop", choices=VOICINGS)
    p.add_argument("--chords-per-bar", default="1", help="1, 2 or beat (default 1)")
    p.add_argument("--complexity", default="sevenths", choices=COMPLEXITIES)
    p.add_argument("--pin", action="extend", nargs="+", default=[], metavar="BAR:CHORD",
                   help="keep CHORD on bar BAR (or on beat BAR.BEAT), e.g. --pin 1:C 4:G7 (1-based)")
    p.add_argument("--range", metavar="A:B",
                   help="reharmonize bars A..B only, keep the other chords (the chord symbols, or where none stands "
                        "the chords the other parts play)")
    p.add_argument("--seed", type=int, default=0)
    p.add_argument("--method", default="model", choices=("model", "hmm", "rule"),
                   help="the model, the HMM baseline or the diatonic-triad rule")
    p.add_argument("--key", type=parse_key, default=None,
                   help="the key to work in, e.g. Eb, 'F# minor', Am (default: the file's key signature, or the key "
                        "detected from the notes and chord symbols where the file has none or the notes contradict it)")
    p.add_argument("--weights", help=f"weights file (default {DEFAULT_WEIGHTS.name} in resources/models)")
    p.add_argument("--out", required=True, help="folder for harmonization-1.mid ...")
    p.set_defaults(func=cmd_harmonize)


def register_eval(eval_sub: argparse._SubParsersAction) -> None:
    """Register ``harmonization`` under the ``eval`` subparsers."""
    p = eval_sub.add_parser("harmonization", help="chord accuracy and melody/chord fit on lead-sheet MIDI files")
    p.add_argument("dir", nargs="?", help="a folder of lead-sheet MIDI files (tracks 'melody' and 'chords')")
    p.add_argument("--held-out", action="store_true",
                   help="8-bar excerpts of the datasets' held-out pieces, transposed, key signatures removed")
    p.add_argument("--cross-source", action="store_true",
                   help="each source judged by the weights trained without it (resources/models/cross_source; "
                        "python -m composer_app.training.harmony.train --only-cross-source trains them again)")
    p.add_argument("--json", action="store_true", help="print JSON")
    p.add_argument("--limit", type=int, help="at most N files (with --held-out/--cross-source: pieces per source)")
    p.add_argument("--candidates", type=int, default=4, choices=range(1, 9), metavar="1..8")
    p.add_argument("--style", default="pop", choices=STYLES, help="style for files without a style prefix")
    p.add_argument("--weights", help="weights file")
    p.set_defaults(func=cmd_eval_harmonization)


evaluate.EVAL_KINDS.append(register_eval)
