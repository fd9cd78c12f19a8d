"""``composer-cli suggest``: continue a MIDI file's melody (or accompaniment) by N bars, one file per candidate."""

from __future__ import annotations

import argparse
import json
import time
from dataclasses import replace
from pathlib import Path

from composer_app.core.errors import SongFileError
from composer_app.core.pitch import KeySignature
from composer_app.fileio import open_song
from composer_app.midi import write_midi
from composer_app.model.as_played import AsPlayed, as_played
from composer_app.model.continuation import DEFAULT_TEMPERATURE


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


def parse_key(text: str):
    """'Eb', 'Eb major', 'F# minor', 'Am', 'c#m' as a KeySignature."""
    from composer_app.core.pitch import KeySignature, parse_pitch_class

    t = text.strip().replace("_", " ")
    mode = "major"
    low = t.lower()
    for word, m in ((" minor", "minor"), (" min", "minor"), (" major", "major"), (" maj", "major")):
        if low.endswith(word):
            t, mode = t[: -len(word)].strip(), m
            break
    else:
        if len(t) > 1 and t.endswith("m"):
            t, mode = t[:-1], "minor"
    try:
        return KeySignature(0, parse_pitch_class(t), mode, sharps="#" in t)
    except ValueError:
        raise argparse.ArgumentTypeError(f"a key is a tonic and a mode (Eb, 'F# minor', Am), not {text!r}") from None


def over_the_tune(song, track, request):
    """``request`` with the harmonizer's chords where it writes an accompaniment's bars under a tune alone, or a
    melody's over a bass line alone (``melody_chords``), and where its chords come from, as the JSON says it; without
    a usable harmonizer, the chords heard in the other parts, as before."""
    from composer_app.model import melody_chords
    from composer_app.model import song_adapter as sa

    if melody_chords.applies(song, track, request):
        try:
            return (melody_chords.with_melody_chords(song, track, request, sa.load_harmonizer(None)),
                    melody_chords.said(song, track, request))
        except SongFileError:
            pass
    return request, sa.request_chords_source(song, track, request)


def open_as_played(path) -> AsPlayed:
    """The song in ``path`` as the models read it (``model.as_played``): a take played without the click given a tempo
    map that follows it, music off the beat grid moved onto it, bars of one beat read in the meter the notes are felt
    in, as the window's "Off the beat" and "Detected: 4/4" would set it. The JSON says what was done
    (``AsPlayed.said``)."""
    return as_played(open_song(path))


def cmd_suggest(args: argparse.Namespace) -> int:
    from composer_app.model import song_adapter as sa

    played = open_as_played(args.input)
    song = played.song
    try:
        track = sa.pick_track(song, args.track)
        request, key = sa.suggest_request(
            song, track, start_bar=args.at_bar - 1 if args.at_bar else None, bars=args.bars,
            candidates=args.candidates, temperature=args.temperature, top_p=args.top_p, seed=args.seed,
            key_lock=args.key_lock, pitch_range=args.range, density=args.density, style=args.style,
            key_explicit=args.key is not None, phrase_end=not args.no_phrase_end, role=args.role)
    except ValueError as exc:
        raise SongFileError(args.input, str(exc)) from None
    if args.key is not None:
        request, key = with_key(request, key, args.key)
    engine = sa.load_continuation_engine(args.model)
    request, chords_from = over_the_tune(song, track, request)
    t0 = time.perf_counter()
    candidates = engine.suggest(request)
    seconds = time.perf_counter() - t0

    def as_song(cand):
        name = f"{track.name or 'part'} candidate {cand.index + 1}"
        return sa.candidate_song(song, track, cand.notes, cand.start_tick, cand.end_tick, name, key.key)

    rows = write_candidates(Path(args.out), candidates, as_song, key.key)
    first = request.start_bar or 0
    at = song.meter_map.bar_start(first)
    print(json.dumps({"input": str(args.input), "track": track.name, "role": request.role, "engine": engine.name,
                      "key": key.key.name, "key_reason": key.reason,
                      "detected_key": key.detected.name if key.detected else None,
                      "chords": chords_from,
                      "meter": str(song.meter_map.meter_at(at)), **played.said(),
                      "start_bar": first + 1, "bars": args.bars,
                      "phrase_end": request.phrase_end, "context_notes": len(request.context),
                      "seconds": round(seconds, 3),
                      "candidates": rows}, indent=2))
    return 0


def write_candidates(out: Path, candidates, as_song, key: KeySignature) -> list[dict]:
    """``out``/candidate-K.mid for each candidate (``as_song(candidate)`` is what the file holds) and one JSON-ready
    row per candidate with its facts (its range spelt as ``key`` spells it)."""
    try:
        out.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise SongFileError(out, f"cannot create the folder: {exc.strerror or exc}") from None
    rows = []
    for cand in candidates:
        path = out / f"candidate-{cand.index + 1}.mid"
        write_midi(as_song(cand), path)
        f = cand.facts
        rows.append({"file": str(path), "notes": f.note_count, "log_prob": round(cand.log_prob, 3),
                     "in_key": round(f.in_key, 4), "range": [f.lowest, f.highest],
                     "range_names": [key.spell(f.lowest), key.spell(f.highest)] if f.lowest is not None else None,
                     "motif_reuse": round(f.motif_reuse, 4), "start_tick": cand.start_tick,
                     "end_tick": cand.end_tick, "summary": f.summary()})
    return rows


def with_key(request, choice, key):
    """``--key``: the request in the key the user set on purpose, instead of the song's."""
    from composer_app.model.song_adapter import KeyChoice

    return replace(request, key=key), KeyChoice(key, "set by you (--key)", choice.detected)


def add_role(p: argparse.ArgumentParser) -> None:
    """``--role``: what the part is, as the musician says it (``song_adapter.PART_ROLES``)."""
    from composer_app.model.song_adapter import PART_ROLES

    p.add_argument("--role", choices=tuple(PART_ROLES), default=None,
                   help="what the part is (default: told from its notes): a tune, a tune over its own chords "
                        "(written as both), chords, a bass line")


def add_commands(sub) -> None:
    from composer_app.model.tokens import STYLES

    p = sub.add_parser("suggest", help="suggest continuations of a MIDI file's melody (one .mid per candidate)")
    p.add_argument("input", help="a MIDI file or .composer project")
    p.add_argument("--out", required=True, help="folder for candidate-1.mid ... (created if needed)")
    p.add_argument("--track",
                   help="track to continue, by name or by its number in `info` (default: the track "
                        "named melody, else the melodic line the one rule picks)")
    p.add_argument("--bars", type=_int_in(1, 16, "bars"), default=4, help="bars to add, 1..16 (default 4)")
    p.add_argument("--candidates", type=_int_in(1, 8, "candidates"), default=4, help="1..8 (default 4)")
    p.add_argument("--temperature", type=_positive("temperature", 5.0), default=DEFAULT_TEMPERATURE,
                   help=f"sampling temperature (default {DEFAULT_TEMPERATURE})")
    p.add_argument("--top-p", type=_positive("top-p", 1.0), default=0.95, help="nucleus size in (0, 1]")
    p.add_argument("--seed", type=int, default=None, help="random seed (same seed, same candidates)")
    p.add_argument("--key-lock", action="store_true", help="keep every note in the key's scale")
    p.add_argument("--no-phrase-end", action="store_true",
                   help="let the last bar run on (default: it ends the phrase, with fewer notes and one held)")
    p.add_argument("--range", type=_range, default=None,
                   help="pitch range LOW:HIGH (60:84 or C4:C6; default: an octave and a fifth around the context, "
                        "an octave for an accompaniment)")
    p.add_argument("--density", type=_positive("density"), default=None, help="target notes per bar")
    p.add_argument("--style", choices=STYLES, default=None, help="style condition (default: from the file, else pop)")
    add_role(p)
    p.add_argument("--at-bar", type=_int_in(1, 10_000, "bar"), default=None,
                   help="first new bar, 1-based (default: the bar after the track's last note)")
    p.add_argument("--key", type=parse_key, default=None,
                   help="the key to work in, e.g. Eb, 'F# minor', Am (default: the file's key signature, or the key "
                        "detected from the notes and chord symbols where the file has none or the notes contradict it)")
    p.add_argument("--model", help="weights .npz (default resources/models/continuation.npz; an n-gram file works)")
    p.set_defaults(func=cmd_suggest)
