"""Compare key-profile methods on the corpus with key signatures hidden: ``python -m composer_app.training.key_eval``.

Every part of every piece (melody, accompaniment) is judged twice: as a whole, and on 8-bar passages (what the
models see as their local key). A guess is right when tonic and mode match the annotated key in force; the
relative major/minor and the dominant/subdominant confusions are counted apart. Profile correlation does not
depend on transposition, so the encoded corpus (every part moved to C major / A minor by its annotation) is
judged as it is; the tests check transposed real files with their signatures removed.

``--points`` asks instead which key a model continuing a piece every 4 bars should see, against the key in
force there by the piece's own annotations (key changes included, as POP909 and the chorale analyses have
them): the last 8 bars of the melody taken alone (``local_key``), or the section key in force (``key_before``)
judged on the melody, on the melody and the chord symbols, on all parts, or on all parts and the chord symbols
(what the app does at the end of a song), and the section key of the whole piece in force there (``key_amid``,
what a request in the middle of a song sees) on the melody and on all parts and the chord symbols, over all
such points and over those in a key the piece modulated to.
"""

from __future__ import annotations

import argparse
import json
import sys
from collections import Counter, defaultdict

import numpy as np

from composer_app.core.pitch import KeySignature
from composer_app.model import keys as km
from composer_app.model import tokens as tk
from composer_app.training.continuation import dataset as ds

PASSAGE_BARS = 8


def verdict(guess: int, truth: int) -> str:
    """'right', 'relative', 'fifth' (dominant or subdominant, same mode), 'parallel' or 'other' for key indices
    (0..11 major on each tonic, 12..23 minor)."""
    if guess == truth:
        return "right"
    g_minor, t_minor = guess >= 12, truth >= 12
    g, t = guess % 12, truth % 12
    if g_minor != t_minor and (g - t) % 12 == (9 if g_minor else 3):
        return "relative"
    if g_minor == t_minor and (g - t) % 12 in (5, 7):
        return "fifth"
    if g_minor != t_minor and g == t:
        return "parallel"
    return "other"


def passages(rows: np.ndarray, bars: int = PASSAGE_BARS) -> list[np.ndarray]:
    """The note rows of a part cut into passages of ``bars`` bars (by the rows' own bar shifts)."""
    notes = rows[(rows[:, tk.SHIFT] <= tk.MAX_SHIFT) & (rows[:, tk.PITCH] < tk.NONE_PITCH)]
    if not len(notes):
        return []
    bar = np.cumsum(notes[:, tk.SHIFT])
    return [notes[(bar >= b) & (bar < b + bars)] for b in range(0, int(bar[-1]) + 1, bars)
            if np.count_nonzero((bar >= b) & (bar < b + bars)) >= 4]


ENDING = "with the ending"
"""The scope of whole parts judged with how they end (``keys.ending_pitch_class``), default profile only."""


def evaluate(seqs: list[ds.Sequence], profiles: tuple[str, ...] = tuple(km.PROFILES)) -> dict:
    """{profile: {scope: {source: Counter of verdicts}}} over whole parts and 8-bar passages; the default profile
    also judges whole parts with how they end (scope ENDING)."""
    out: dict = {p: {"part": defaultdict(Counter), "passage": defaultdict(Counter)} for p in profiles}
    out[km.DEFAULT_PROFILE][ENDING] = defaultdict(Counter)
    for s in seqs:
        truth = 9 + 12 if int(s.rows[0, tk.MODE]) == 1 else 0
        for scope, chunks in (("part", [s.rows]), ("passage", passages(s.rows))):
            for chunk in chunks:
                hist = ds.rows_key_histogram(chunk)
                if not hist.any():
                    continue
                for p in profiles:
                    scores = km.correlations(hist, p)
                    out[p][scope][s.source][verdict(int(np.argmax(scores)), truth)] += 1
                if scope == "part":
                    guess = km.estimate_from_histogram(hist, final=ending_of(chunk)).key
                    out[km.DEFAULT_PROFILE][ENDING][s.source][verdict(km.key_index(guess), truth)] += 1
    return out


def ending_of(rows: np.ndarray) -> int | None:
    """``keys.ending_pitch_class`` of a part's note rows (reference key): its last onset's lowest note, if held."""
    notes = rows[(rows[:, tk.SHIFT] <= tk.MAX_SHIFT) & (rows[:, tk.PITCH] < tk.NONE_PITCH)]
    if not len(notes):
        return None
    onset = np.cumsum(notes[:, tk.SHIFT]) * tk.NUM_POS + notes[:, tk.POS]
    return km.ending_pitch_class([(int(r[tk.PITCH]), int(t), tk.dur_ticks(int(r[tk.DUR])))
                                  for r, t in zip(notes, onset)])


POINT_BARS = 4
POINT_METHODS = ("local 8 bars", "section key", "section key, melody and chords", "section key, all parts",
                 "section key, all parts and chords", "whole piece, melody", "whole piece, all parts and chords")
"""The first two judge the melody alone; the fifth is what the app does at the end of a song
(``song_adapter.detection_notes``, ``keys.key_before``); the last two hear the music after the point too, as
the app does for a request in the middle of a song (``keys.key_amid``)."""


def _in_time(*groups: list) -> list:
    return sorted((n for g in groups for n in g), key=lambda n: (n[1], n[0]))


def _point_guesses(notes: list, parts: list, chord_tones: list, at: int, meters,
                   whole: tuple[tuple[KeySignature, ...], tuple[KeySignature, ...]]) -> dict[str, int]:
    """Each POINT_METHODS guess at ``at``; ``whole``: the piece's sections (``keys.piece_sections``) of the melody and
    of all parts and chords, the same at every point (what ``keys.key_amid`` finds there)."""
    def section(evidence: list) -> int:
        return km.key_index(km.key_before(evidence, at, meters))

    def amid(sections: tuple[KeySignature, ...]) -> int:
        return km.key_index(km.key_at(sections, max(at - 1, 0)))

    return {"local 8 bars": km.key_index(km.local_key(notes, at, meters).key),
            "section key": section(notes),
            "section key, melody and chords": section(_in_time(notes, chord_tones)),
            "section key, all parts": section(parts),
            "section key, all parts and chords": section(_in_time(parts, chord_tones)),
            "whole piece, melody": amid(whole[0]),
            "whole piece, all parts and chords": amid(whole[1])}


def evaluate_points(sources: list[str], split: str, limit: int | None = None) -> dict:
    """{'all'|'modulated': {method: {source: Counter of verdicts}}} at every POINT_BARS-th bar of each piece's
    melody (its first part when it has none), truth the annotated key in force there."""
    from composer_app.core.timing import MeterMap, TimeSignature
    from composer_app.model.song_adapter import chord_notes
    from composer_app.training.sources import iter_source
    from composer_app.training.split import assign_split

    out: dict = {scope: {m: defaultdict(Counter) for m in POINT_METHODS} for scope in ("all", "modulated")}
    for source in sources:
        count = 0
        for piece in iter_source(source):
            if not piece.keys or (split != "all" and assign_split(piece) != split):
                continue
            notes = list(next((p for p in piece.parts if p.role == "melody"), piece.parts[0]).notes)
            if len(notes) < 8:
                continue
            chord_tones = list(chord_notes(piece.chords))
            parts = _in_time(*(list(p.notes) for p in piece.parts))
            count += 1
            if limit is not None and count > limit:
                break
            mm = MeterMap([TimeSignature(t, a, b) for t, a, b in piece.meters])
            last_bar = mm.bar_of(max(n[1] + n[2] for n in notes) - 1) + 1
            whole = (km.piece_sections(notes, piece.meters), km.piece_sections(_in_time(parts, chord_tones),
                                                                             piece.meters))
            for bar in range(POINT_BARS, last_bar + 1, POINT_BARS):
                at = mm.bar_start(bar)
                if sum(1 for n in notes if n[1] < at) < 4:
                    continue
                truth = km.key_index(max((k for k in piece.keys if k.tick < at), key=lambda k: k.tick,
                                   default=piece.keys[0]))
                for method, guess in _point_guesses(notes, parts, chord_tones, at, piece.meters, whole).items():
                    v = verdict(guess, truth)
                    out["all"][method][source][v] += 1
                    if truth != km.key_index(piece.keys[0]):
                        out["modulated"][method][source][v] += 1
    return out


def table(results: dict) -> str:
    lines = ["| profile | scope | source | n | right | relative | fifth | parallel | other |", "|" + "---|" * 9]
    for p, scopes in results.items():
        for scope, by_source in scopes.items():
            total: Counter = Counter()
            for source in sorted(by_source):
                c = by_source[source]
                total += c
                lines.append(_row(p, scope, source, c))
            lines.append(_row(p, scope, "**all**", total))
    return "\n".join(lines)


def _row(p: str, scope: str, source: str, c: Counter) -> str:
    n = sum(c.values()) or 1
    cells = " | ".join(f"{c[k] / n:.3f}" for k in ("right", "relative", "fifth", "parallel", "other"))
    return f"| {p} | {scope} | {source} | {sum(c.values())} | {cells} |"


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--split", default="test", choices=("train", "valid", "test", "all"))
    ap.add_argument("--json", action="store_true")
    ap.add_argument("--sources", nargs="*", default=list(ds.DEFAULT_SOURCES))
    ap.add_argument("--points", action="store_true",
                    help="the key a continuation sees every 4 bars, against the annotated key in force there")
    ap.add_argument("--limit", type=int, default=None, help="pieces per source (--points)")
    args = ap.parse_args(argv)
    if args.points:
        results = evaluate_points(args.sources, args.split, args.limit)
        if args.json:
            print(json.dumps({sc: {m: {src: dict(c) for src, c in d.items()} for m, d in v.items()}
                              for sc, v in results.items()}, indent=1))
        else:
            print(table(results).replace("| profile | scope |", "| points | method |"))
        return 0
    seqs = [s for s in ds.build(args.sources, log=lambda *a: None) if args.split == "all" or s.split == args.split]
    if not seqs:
        print("no sequences (is ../shared/datasets there?)", file=sys.stderr)
        return 1
    results = evaluate(seqs)
    if args.json:
        print(json.dumps({p: {sc: {src: dict(c) for src, c in d.items()} for sc, d in v.items()}
                          for p, v in results.items()}, indent=1))
    else:
        print(table(results))
    return 0


if __name__ == "__main__":
    sys.exit(main())
