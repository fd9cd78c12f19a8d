"""A tune and its accompaniment in one track, continued:
``python -m composer_app.training.continuation.two_hands_eval``.

A piano solo, a keyboard take or a lead sheet played on the piano comes as one track that plays the tune over its
own accompaniment. The test pieces made into such files (one "Piano" track, no chord symbols):

- lead sheets played on the piano (Nottingham, OpenEWLD): the melody over a left hand from the chord symbols, by the
  piece's id block chords struck each bar, an arpeggio in eighths or an oom-pah (bass, then chord);
- POP909 piano covers: the melody over the piano's notes that lie below it (below the melody's note sounding there,
  and a fifth under its median where it rests);
- the Bach chorales in one track (a hymn as an organist's file has it): the four voices together.

The part is continued 4 bars at 8 and 16 bars after the melody's first bar (a chorale at 4 and 8), as one
accompaniment (before) and as ``song_adapter.part_role`` asks for it (now: ``two_hands.BOTH`` where it finds the tune
on top). Figures: the share of
parts asked as both; the candidates' top line (``two_hands.split``) against the real melody's next 4 bars (pitch
classes by duration, onsets in the bar, how far its mean pitch lies from the melody's, notes per real melody note);
the share of all their notes (by duration) on tones of the annotated chords; the share of the top line's notes (by
duration) on tones of the chords heard in the candidate's other notes (the tune on its own accompaniment); the same
for the real next bars and for replaying the 4 bars before. ``--spans`` also regenerates and varies (rhythm kept) 2
bars at the same points, the part around them as it is.
"""

from __future__ import annotations

import json
import statistics
import sys
import zlib
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import replace
from typing import NamedTuple

from composer_app.core.chords import parse_chord
from composer_app.core.song import Clip, Note, Song, Track
from composer_app.core.timing import TimeSignature
from composer_app.model import song_adapter as sa
from composer_app.model import tokens as tk
from composer_app.model.continuation_metrics import onset_histogram, overlap, pitch_class_histogram
from composer_app.model.heard_chords import as_heard, heard_chords
from composer_app.model.two_hands import BOTH, split
from composer_app.training.continuation import heard_eval as he
from composer_app.training.continuation.export_leadsheets import hide_key
from composer_app.training.corpus import Piece

LEFT_HANDS = ("blocks", "arpeggio", "oompah")
LEAD_SHEETS = ("nottingham", "openewld")
AFTER = {"when_in_rome": (4, 8)}
"""Bars after the melody's first bar where the part is continued (8 and 16; a chorale is shorter: 4 and 8)."""
SOURCES = ("nottingham", "openewld", "pop909", "when_in_rome")
WAYS = {"accompaniment": "as one accompaniment (before)", "now": "as the app asks (part_role)"}
WAY_ROLES = {"accompaniment": "accompaniment", "now": None}
"""The role each way asks for (None: the one the app infers), as the musician's Part control would."""


def left_hand(piece: Piece, kind: str | None = None) -> list[tuple[int, int, int, int]]:
    """A left hand for the piece's chord symbols (C3-B3, the bass of an oom-pah C2-B2): ``kind`` (default by the
    piece's id) block chords each bar, an arpeggio in eighths (low, high, middle, high) or bass and chord by turns."""
    kind = kind or LEFT_HANDS[zlib.crc32(piece.id.encode()) % len(LEFT_HANDS)]
    bar = 4 * 480
    out = []
    for start, duration, label in piece.chords:
        try:
            chord = parse_chord(label)
        except ValueError:
            continue
        if not chord.pitch_classes or chord.root is None:
            continue
        tones = sorted({48 + pc % 12 for pc in chord.pitch_classes})
        t, i = start, 0
        while t < start + duration:
            length = min(bar if kind == "blocks" else 240 if kind == "arpeggio" else 480, start + duration - t)
            if kind == "blocks":
                out.extend((p, t, length, 70) for p in tones)
            elif kind == "arpeggio":
                out.append(((tones[0], tones[-1], tones[len(tones) // 2], tones[-1])[i % 4], t, length, 70))
            else:
                out.extend([(36 + chord.root % 12, t, length, 80)] if i % 2 == 0 else
                           [(p, t, length, 70) for p in tones])
            t += length
            i += 1
    return out


def below_the_tune(piece: Piece) -> list[tuple[int, int, int, int]]:
    """POP909's piano notes below the melody: under the melody note sounding there, or a fifth under its median."""
    melody = piece.parts[0].notes
    median = statistics.median(n[0] for n in melody)
    out = []
    for n in he.accompaniment_of(piece):
        sounding = [m[0] for m in melody if m[1] < n[1] + n[2] and m[1] + m[2] > n[1]]
        if n[0] < (min(sounding) if sounding else median - 7):
            out.append(n)
    return out


def piano_song(piece: Piece) -> Song:
    """The piece as one piano track: its melody and the left hand (lead sheets), the piano under it (POP909) or the
    other voices (the chorales)."""
    hand = (below_the_tune(piece) if piece.source == "pop909" else he.accompaniment_of(piece)
            if piece.source == "when_in_rome" else left_hand(piece))
    notes = sorted(list(piece.parts[0].notes) + hand, key=lambda n: (n[1], n[0]))
    end = max(s + d for _, s, d, _ in notes)
    track = Track("Piano", channel=0, program=0, clips=(Clip(0, end, tuple(Note(*n) for n in notes)),))
    return Song(tracks=(track,), meters=tuple(TimeSignature(t, n, d) for t, n, d in piece.meters))


def pieces(source: str, split_name: str, limit: int) -> list[Piece]:
    """Up to ``limit`` pieces of ``split_name`` with a melody and chord symbols (POP909, the chorales: and the other
    parts)."""
    from composer_app.training.sources import iter_source
    from composer_app.training.split import assign_split

    out = []
    for piece in iter_source(source):
        if assign_split(piece) == split_name and piece.chords and (source in LEAD_SHEETS or len(piece.parts) > 1):
            out.append(piece)
            if len(out) >= limit:
                break
    return out


class Point(NamedTuple):
    """One place a piece's part is continued or rewritten: its song, the bars from ``start_bar`` (ticks a..b), the
    real tune there as ``_figures`` compares with it."""

    piece: Piece
    song: Song
    grid: tk.BarGrid
    start_bar: int
    a: int
    b: int
    target: tuple


def points(items: Sequence[Piece], bars: int, fewest: int) -> Iterator[Point]:
    """Every piece's points (AFTER bars after its melody's first bar) where the real tune has ``fewest`` notes or more
    in the ``bars`` bars there."""
    for piece in items:
        song = piano_song(piece)
        mm = song.meter_map
        grid = tk.BarGrid(piece.meters)
        melody = piece.parts[0].notes
        for start_bar, a, b, tune in he.points_in(piece, melody, mm, bars, AFTER.get(piece.source, (8, 16)), fewest):
            target = (pitch_class_histogram(tune, by_duration=True), onset_histogram(tune, grid),
                      statistics.mean(n[0] for n in tune), len(tune))
            yield Point(piece, song, grid, start_bar, a, b, target)


def evaluate(items: Sequence[Piece], engine, seeds: Sequence[int]) -> dict:
    """The figures of the module docstring over ``items``."""
    figures: dict[str, list[dict]] = {w: [] for w in (*WAYS, "real", "replay")}
    asked: list[bool] = []
    for pt in points(items, 4, 4):
        track = pt.song.tracks[0]
        notes = sa.track_notes(track)
        figures["real"].append(_figures([n for n in notes if pt.a <= n[1] < pt.b], pt))
        before = pt.song.meter_map.bar_start(max(pt.start_bar - 4, 0))
        figures["replay"].append(_figures([(p, s + pt.a - before, d, v) for p, s, d, v in notes
                                           if before <= s < pt.a], pt))
        cut = replace(track, clips=(Clip(0, pt.a, tuple(Note(*n) for n in notes if n[1] < pt.a)),))
        now = replace(pt.song, tracks=(cut,))
        for seed in seeds:
            for way, role in WAY_ROLES.items():
                request, _ = sa.suggest_request(now, cut, start_bar=pt.start_bar, bars=4, seed=seed, role=role)
                asked.extend([request.role == BOTH] if role is None else [])
                figures[way].extend(_figures(cand.notes, pt) for cand in engine.suggest(request))
    out = {way: means(rows) for way, rows in figures.items()}
    out["asked_as_both"] = round(statistics.mean(asked), 4) if asked else None
    out["points"] = len(figures["real"])
    return out


def spans(items: Sequence[Piece], engine, seeds: Sequence[int]) -> dict:
    """The part's 2 bars at the same points regenerated (a fill) and varied (rhythm kept), the rest of the part around
    them as it is: the figures of ``evaluate`` against the real tune in those bars, as one accompaniment and as the
    app asks."""
    figures: dict[str, list[dict]] = {}
    for pt in points(items, 2, 2):
        track = pt.song.tracks[0]
        figures.setdefault("real", []).append(
            _figures([n for n in sa.track_notes(track) if pt.a <= n[1] < pt.b], pt))
        for mode, keep in (("fill", None), ("vary", "rhythm")):
            for seed in seeds:
                for way, role in WAY_ROLES.items():
                    request, _ = sa.fill_request(pt.song, track, mode=mode, keep=keep, start_bar=pt.start_bar,
                                                 bars=2, seed=seed, role=role)
                    figures.setdefault(f"{mode} {way}", []).extend(_figures(c.notes, pt)
                                                                   for c in engine.suggest(request))
    return {name: means(rows) for name, rows in figures.items()}


def _figures(notes: Sequence[tuple], pt: Point) -> dict:
    """One candidate's (or the real bars', the replay's) figures against the real tune at ``pt``."""
    pcs, onsets, centre, count = pt.target
    piece, grid = pt.piece, pt.grid
    top, rest = split(notes) if notes else ((), ())
    return {"tune_pitch_classes": overlap(pitch_class_histogram(top, by_duration=True), pcs) if top else 0.0,
            "tune_onsets": overlap(onset_histogram(top, grid), onsets) if top else 0.0,
            "tune_register": abs(statistics.mean(n[0] for n in top) - centre) if top else None,
            "tune_notes": len(top) / count,
            "chord_tones": he.chord_tones([n[:3] for n in notes], piece.chords, set())[0],
            "tune_on_its_chords": _on_chords(top, rest, piece) if top and rest else None}


def _on_chords(top: Sequence[tuple], rest: Sequence[tuple], piece: Piece) -> float | None:
    """Share of the top line's notes (by duration) on tones of the chords heard in the other notes."""
    return he.chord_tones([n[:3] for n in top], heard_chords(as_heard(rest, piece.meters), piece.meters), set())[0]


def means(rows: Iterable[dict]) -> dict:
    """Per key of ``rows`` (dicts with the same keys), the mean of its values that are not None (None when none is)."""
    rows = list(rows)
    keys = rows[0].keys() if rows else ()
    return {k: round(statistics.mean(v), 4) if (v := [r[k] for r in rows if r[k] is not None]) else None
            for k in keys}


def main(argv: list[str] | None = None) -> int:
    p = he.parser("two_hands_eval", __doc__)
    p.add_argument("--spans", action="store_true", help="also 2 bars regenerated and varied at the same points")
    args = p.parse_args(argv)
    engine = sa.load_continuation_engine(None)
    report: dict = {}
    for source in SOURCES:
        items = pieces(source, args.split, args.limit)
        items = [hide_key(piece) for piece in items] if args.strip_keys else items
        if not items:
            print(f"two_hands_eval: no {source} pieces (../shared/datasets)", file=sys.stderr)
            continue
        report[source] = {"pieces": len(items), **evaluate(items, engine, args.seeds)}
        if args.spans:
            report[source]["spans"] = spans(items, engine, args.seeds)
    if args.json:
        print(json.dumps(report, indent=2))
        return 0 if report else 1
    for source, r in report.items():
        print(f"{source} ({r['pieces']} {args.split} pieces, {r['points']} points; asked as tune and accompaniment: "
              f"{r['asked_as_both']})")
        for way in ("real", "replay", *WAYS):
            f = r[way]
            print(f"  {WAYS.get(way, way):32s} top line against the real tune: pitch classes "
                  f"{f['tune_pitch_classes']}, "
                  f"onsets {f['tune_onsets']}, {f['tune_register']} semitones off, {f['tune_notes']} notes per note; "
                  f"chord tones {f['chord_tones']}; top line on the chords of the rest {f['tune_on_its_chords']}")
        for name, f in r.get("spans", {}).items():
            print(f"  2 bars, {name:24s} top line against the real tune: pitch classes {f['tune_pitch_classes']}, "
                  f"onsets {f['tune_onsets']}, {f['tune_register']} semitones off; chord tones {f['chord_tones']}; "
                  f"top line on the chords of the rest {f['tune_on_its_chords']}")
    return 0 if report else 1


if __name__ == "__main__":
    raise SystemExit(main())
