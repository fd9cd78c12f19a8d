"""``composer-cli infill | vary | melody``: rewrite bars A..B of a track, one whole-track .mid per candidate."""

from __future__ import annotations

import argparse
import json
import time
from pathlib import Path

from composer_app.cli.suggest import (
    _int_in,
    _positive,
    _range,
    add_role,
    open_as_played,
    over_the_tune,
    parse_key,
    with_key,
    write_candidates,
)
from composer_app.core.errors import SongFileError

MAX_SPAN_BARS = 16


def bar_span(text: str) -> tuple[int, int]:
    """'A:B' (1-based, inclusive) as (first bar 0-based, bar count)."""
    try:
        a, b = (int(x) for x in text.split(":"))
    except ValueError:
        raise argparse.ArgumentTypeError(f"bars must be A:B, first and last bar (e.g. 5:6), not {text!r}") from None
    if a < 1 or b < a:
        raise argparse.ArgumentTypeError(f"bars must satisfy 1 <= A <= B, not {a}:{b}")
    if b - a + 1 > MAX_SPAN_BARS:
        raise argparse.ArgumentTypeError(f"a span is at most {MAX_SPAN_BARS} bars, not {b - a + 1}")
    return a - 1, b - a + 1


def _track(song, args: argparse.Namespace):
    """The track to rewrite: ``--track``, else the one rule's pick. ``melody`` writes a new track where the file has
    no part for it: a ``--track`` name no track has, or, without ``--track``, when the part the rule picks plays
    chords (a DAW's piano part alone: the melody goes over it, not into it)."""
    from composer_app.core.song import Track
    from composer_app.model import song_adapter as sa

    try:
        track = sa.pick_track(song, args.track)
    except ValueError:
        if args.command != "melody":
            raise
        if args.track:
            if args.track.strip().isdigit() or any(t.name.strip().lower() == args.track.strip().lower()
                                                   for t in song.tracks):
                raise
            return Track(name=args.track.strip())
        named = [t for t in song.tracks if t.name.strip().lower() == "melody"]
        return named[0] if named else Track(name="melody")
    if args.command == "melody" and not args.track and sa.is_accompaniment(sa.written(song, track)):
        return Track(name="melody")
    return track


def cmd_fill(args: argparse.Namespace) -> int:
    from composer_app.model import song_adapter as sa

    played = open_as_played(args.input)
    song = played.song
    start_bar, bars = args.bars
    mode = {"infill": "fill"}.get(args.command, args.command)
    try:
        track = _track(song, args)
        request, key = sa.fill_request(
            song, track, mode=mode, start_bar=start_bar, bars=bars, keep=getattr(args, "keep", None),
            amount=getattr(args, "amount", 0.5), candidates=args.candidates, temperature=args.temperature,
            top_p=args.top_p, seed=args.seed, key_lock=args.key_lock, pitch_range=args.range, density=args.density,
            style=args.style, key_explicit=args.key is not None, role=getattr(args, "role", None))
    except ValueError as exc:
        raise SongFileError(args.input, str(exc)) from None
    if args.key is not None:
        request, key = with_key(request, key, args.key)
    engine = sa.load_continuation_engine(args.model)
    if not hasattr(engine, "net"):
        raise SongFileError(args.model or "model", "infill, vary and melody need the transformer, not the n-gram")
    request, chords_from = over_the_tune(song, track, request)
    t0 = time.perf_counter()
    try:
        candidates = engine.suggest(request)
    except ValueError as exc:
        raise SongFileError(args.input, str(exc)) from None
    seconds = time.perf_counter() - t0
    rows = write_candidates(Path(args.out), candidates,
                            lambda cand: sa.filled_song(song, track, cand, track.name or "part"), key.key)
    print(json.dumps({"input": str(args.input), "command": args.command, "track": track.name, "role": request.role,
                      "keep": request.keep, "amount": request.amount if request.mode == "vary" else None,
                      "key": key.key.name, "key_reason": key.reason,
                      "detected_key": key.detected.name if key.detected else None,
                      "chords": chords_from, **played.said(),
                      "bars": [start_bar + 1, start_bar + bars], "seconds": round(seconds, 3),
                      "candidates": rows}, indent=2))
    return 0


def _common(p: argparse.ArgumentParser) -> None:
    from composer_app.model.tokens import STYLES

    p.add_argument("input", help="a MIDI file or .composer project")
    p.add_argument("--bars", type=bar_span, required=True, help="the span A:B, first and last bar, 1-based")
    p.add_argument("--out", required=True, help="folder for candidate-1.mid ... (created if needed)")
    p.add_argument("--track", help="track to rewrite, by name or by its number in `info` (default: the track "
                                   "named melody, else the main part; melody: a name no track has is a new track, "
                                   "and a main part that plays chords gets a new melody track over it)")
    p.add_argument("--candidates", type=_int_in(1, 8, "candidates"), default=4, help="1..8 (default 4)")
    p.add_argument("--temperature", type=_positive("temperature", 5.0), default=None, help="sampling temperature")
    p.add_argument("--top-p", type=_positive("top-p", 1.0), default=None, help="nucleus size in (0, 1]")
    p.add_argument("--seed", type=int, default=None, help="random seed (same seed, same candidates)")
    p.add_argument("--key-lock", action="store_true", help="keep every note in the key's scale")
    p.add_argument("--range", type=_range, default=None,
                   help="pitch range LOW:HIGH (60:84 or C4:C6; default: an octave and a fifth around the context, "
                        "an octave for an accompaniment)")
    p.add_argument("--density", type=_positive("density"), default=None, help="target notes per bar")
    p.add_argument("--style", choices=STYLES, default=None, help="style condition (default: from the file, else pop)")
    p.add_argument("--key", type=parse_key, default=None, help="the key to work in (default: signature or detected)")
    p.add_argument("--model", help="weights .npz (default resources/models/continuation.npz)")
    p.set_defaults(func=cmd_fill)


def _amount(text: str) -> float:
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"amount must be a number 0..1, not {text!r}") from None
    if not 0.0 <= value <= 1.0:
        raise argparse.ArgumentTypeError(f"amount must be 0..1, not {value:g}")
    return value


def add_commands(sub) -> None:
    p = sub.add_parser("infill", help="regenerate bars A..B of a track from the music before and after them")
    _common(p)
    add_role(p)
    p = sub.add_parser("vary", help="vary bars A..B keeping their rhythm, their contour or their first half")
    _common(p)
    add_role(p)
    p.add_argument("--keep", choices=("rhythm", "contour", "start"), default="rhythm",
                   help="what stays: every onset and duration (rhythm), the up/down pattern (contour), or the "
                        "first half of the span (start); default rhythm")
    p.add_argument("--amount", type=_amount, default=0.5, help="how far from the original, 0 (close) .. 1 (free)")
    p = sub.add_parser("melody", help="write a melody for bars A..B over the file's chord symbols")
    _common(p)
