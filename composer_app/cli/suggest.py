"""``composer-cli suggest``: continue a MIDI file's melody (or accompaniment) by N bars, one file per candidate."""

from __future__ import annotations

import argparse
import json
import time
from pathlib import Path

from composer_app.cli import songparts as sp
from composer_app.core.errors import SongFileError
from composer_app.core.pitch import note_name
from composer_app.fileio import open_song
from composer_app.midi import write_midi


def _int_in(lo: int, hi: int, what: str):
    def parse(text: str) -> int:
        try:
            value = int(text)
        except ValueError:
            raise argparse.ArgumentTypeError(f"{what} must be a whole number {lo}..{hi}, not {text!r}") from None
        if not lo <= value <= hi:
            raise argparse.ArgumentTypeError(f"{what} must be {lo}..{hi}, not {value}")
        return value
    return parse


def _positive(what: str, upper: float | None = None):
    def parse(text: str) -> float:
        try:
            value = float(text)
        except ValueError:
            raise argparse.ArgumentTypeError(f"{what} must be a number, not {text!r}") from None
        if value <= 0 or (upper is not None and value > upper):
            raise argparse.ArgumentTypeError(f"{what} must be > 0" + (f" and <= {upper:g}" if upper else ""))
        return value
    return parse


def _range(text: str) -> tuple[int, int]:
    """'LOW:HIGH' as MIDI numbers (60:84) or note names (C4:C6)."""
    from composer_app.core.pitch import parse_pitch_class

    def pitch(t: str) -> int:
        t = t.strip()
        if t.lstrip("-").isdigit():
            return int(t)
        i = next((k for k, ch in enumerate(t) if ch.isdigit() or ch == "-"), len(t))
        if i == len(t):
            raise ValueError(t)
        return parse_pitch_class(t[:i]) + 12 * (int(t[i:]) + 1)

    try:
        lo, hi = (pitch(x) for x in text.split(":"))
    except ValueError:
        raise argparse.ArgumentTypeError(f"range must be LOW:HIGH (60:84 or C4:C6), not {text!r}") from None
    if not 0 <= lo <= hi <= 127:
        raise argparse.ArgumentTypeError(f"range must satisfy 0 <= LOW <= HIGH <= 127, not {lo}:{hi}")
    return lo, hi


def cmd_suggest(args: argparse.Namespace) -> int:
    from composer_app.model import tokens as tk
    from composer_app.model.continuation import ContinuationRequest

    song = open_song(args.input)
    track = sp.pick_track(song, args.track, args.input)
    notes = sp.track_notes(track)
    role = sp.infer_role(notes)
    start_bar = args.at_bar - 1 if args.at_bar else None
    context = notes if start_bar is None else tuple(n for n in notes if n[1] < song.meter_map.bar_start(start_bar))
    if not context and start_bar is None:
        raise SongFileError(args.input, f"track {track.name!r} has no notes to continue")
    engine = sp.load_engine(args.model)
    grid = tk.BarGrid(sp.meters_of(song))
    first = start_bar if start_bar is not None else _bar_after(context, grid)
    key = song.key_at(grid.start(first))
    request = ContinuationRequest(
        context=context, meters=sp.meters_of(song), key=key, chords=sp.chords_of(song), start_bar=first,
        bars=args.bars, candidates=args.candidates, temperature=args.temperature, top_p=args.top_p, seed=args.seed,
        key_lock=args.key_lock, pitch_range=args.range, density=args.density, style=args.style or sp.song_style(song),
        role=role)
    t0 = time.perf_counter()
    candidates = engine.suggest(request)
    seconds = time.perf_counter() - t0
    out = Path(args.out)
    try:
        out.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise SongFileError(out, f"cannot create the folder: {exc.strerror or exc}") from None
    rows = []
    for cand in candidates:
        path = out / f"candidate-{cand.index + 1}.mid"
        name = f"{track.name or 'part'} candidate {cand.index + 1}"
        write_midi(sp.candidate_song(song, track, cand.notes, cand.start_tick, cand.end_tick, name), path)
        f = cand.facts
        rows.append({"file": str(path), "notes": f.note_count, "log_prob": round(cand.log_prob, 3),
                     "in_key": round(f.in_key, 4), "range": [f.lowest, f.highest],
                     "range_names": [note_name(f.lowest), note_name(f.highest)] if f.lowest is not None else None,
                     "motif_reuse": round(f.motif_reuse, 4), "start_tick": cand.start_tick,
                     "end_tick": cand.end_tick, "summary": f.summary()})
    print(json.dumps({"input": str(args.input), "track": track.name, "role": role, "engine": engine.name,
                      "key": key.name, "meter": str(song.meter_map.meter_at(grid.start(first))),
                      "start_bar": first + 1, "bars": args.bars, "context_notes": len(context),
                      "seconds": round(seconds, 3), "candidates": rows}, indent=2))
    return 0


def _bar_after(context: tuple, grid) -> int:
    end = max(s + d for _, s, d, _ in context)
    bar = grid.map.bar_of(end)
    return bar if grid.start(bar) == end else bar + 1


def add_commands(sub) -> None:
    from composer_app.model.tokens import STYLES

    p = sub.add_parser("suggest", help="suggest continuations of a MIDI file's melody (one .mid per candidate)")
    p.add_argument("input", help="a MIDI file or .composer project")
    p.add_argument("--out", required=True, help="folder for candidate-1.mid ... (created if needed)")
    p.add_argument("--track", help="track to continue (default: the track named melody, else the one with most notes)")
    p.add_argument("--bars", type=_int_in(1, 16, "bars"), default=4, help="bars to add, 1..16 (default 4)")
    p.add_argument("--candidates", type=_int_in(1, 8, "candidates"), default=4, help="1..8 (default 4)")
    p.add_argument("--temperature", type=_positive("temperature", 5.0), default=1.0, help="sampling temperature")
    p.add_argument("--top-p", type=_positive("top-p", 1.0), default=0.95, help="nucleus size in (0, 1]")
    p.add_argument("--seed", type=int, default=None, help="random seed (same seed, same candidates)")
    p.add_argument("--key-lock", action="store_true", help="keep every note in the key's scale")
    p.add_argument("--range", type=_range, default=None, help="pitch range LOW:HIGH (60:84 or C4:C6)")
    p.add_argument("--density", type=_positive("density"), default=None, help="target notes per bar")
    p.add_argument("--style", choices=STYLES, default=None, help="style condition (default: from the file, else pop)")
    p.add_argument("--at-bar", type=_int_in(1, 10_000, "bar"), default=None,
                   help="first new bar, 1-based (default: the bar after the track's last note)")
    p.add_argument("--model", help="weights .npz (default resources/models/continuation.npz; an n-gram file works)")
    p.set_defaults(func=cmd_suggest)
