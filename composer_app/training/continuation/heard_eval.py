"""What hearing the chords of the other parts is worth: ``python -m composer_app.training.continuation.heard_eval``.

On songs whose accompaniment and chords are both known (POP909: piano and bridge against ``chord_midi.txt``; the
Bach chorales: alto, tenor and bass against the When in Rome analyses), three figures, printed as the model
card's tables:

- agreement: per beat where a chord is annotated, the heard chord's root and major/minor against the annotation;
- NLL: the shipped network's cost per melody note given the annotated chords, the heard ones, or none;
- fit: the song made into the file a DAW writes (melody and accompaniment tracks, no chord symbols, no key
  signature), the melody continued 4 bars from a few bars in, with the heard chords (what the app does) and
  without (before): the share of the candidates' notes that are tones of the chord the accompaniment really plays
  there, by duration and on the strong beats (the starts of the half bars), against the real next bars;
- accompaniment: the same files' accompaniment continued 4 bars, 8 and 16 bars after the melody's first bar (the
  part cut there, as the musician has it): the overlap of the candidates' pitch classes (by duration) with the real
  next bars', against replaying the 4 bars before; the share of their notes (by duration) on tones of the annotated
  chords, against the real next bars'; and the candidates' notes per note of the real bars; over the chords heard
  in the other parts and over those the harmonizer hears in the tune (``melody_chords``);
- spans: 2 bars of the accompaniment at 8 and 16 bars in regenerated and varied (rhythm kept), the part around them
  as it is: the same two figures over the chords of the notes replaced (what the app does), the harmonizer's under
  the tune, and those heard in the other parts alone.

``--figures`` plays every accompaniment as a broken-chord figure first (``broken``: an Alberti figure a beat or an
arpeggio a half bar, one note at a time), as a piano part from a DAW or a classical score may be: what the app hears
in it and writes over and in it. Bass lines and tunes alone have their own figures: ``band_eval``.
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
import zlib
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import replace

import numpy as np

from composer_app.core.chords import parse_chord
from composer_app.core.song import Clip, Note, Song, Track
from composer_app.core.timing import TimeSignature
from composer_app.model import song_adapter as sa
from composer_app.model import tokens as tk
from composer_app.model.continuation import ContinuationRequest
from composer_app.model.continuation_metrics import onset_histogram, overlap, pitch_class_histogram
from composer_app.model.harmony_features import slot_grid, slot_labels
from composer_app.model.harmony_vocab import reduce_majmin
from composer_app.model.heard_chords import as_heard, heard_chords
from composer_app.training.continuation.export_leadsheets import hide_key
from composer_app.training.corpus import Part, Piece

SOURCES = {"pop909": 8, "when_in_rome": 4}
"""The sources with accompaniment and chords, and the bar of the tune after which the fit test continues."""


WAYS = {"heard": "heard in the other parts", "harmonized": "the harmonizer hears in the tune (melody_chords)"}


def pieces_of(source: str, split: str, limit: int) -> list[Piece]:
    """Up to ``limit`` pieces of ``split`` with a melody, another part and annotated chords."""
    from composer_app.training.sources import iter_source
    from composer_app.training.split import assign_split

    out = []
    for piece in iter_source(source):
        if assign_split(piece) == split and len(piece.parts) > 1 and piece.chords:
            out.append(piece)
            if len(out) >= limit:
                break
    return out


def accompaniment_of(piece: Piece) -> list:
    return [n for part in piece.parts[1:] for n in part.notes]


def end_of(piece: Piece) -> int:
    return max(s + d for part in piece.parts for _, s, d, _ in part.notes)


def points_in(piece: Piece, notes: Sequence[tuple], mm, bars: int = 4, afters: Sequence[int] = (8, 16),
              fewest: int = 4) -> Iterator[tuple[int, int, int, list]]:
    """Where a part is continued: (start bar, its tick, the tick ``bars`` bars later, the ``notes`` between them) at
    ``afters`` bars after the melody's first bar (``mm`` the song's meter map), where ``notes`` has ``fewest`` or
    more there."""
    for after in afters:
        start_bar = mm.bar_of(piece.parts[0].notes[0][1]) + after
        a, b = mm.bar_start(start_bar), mm.bar_start(start_bar + bars)
        real = [n for n in notes if a <= n[1] < b]
        if len(real) >= fewest:
            yield start_bar, a, b, real


def heard_in(piece: Piece) -> tuple:
    """The chords heard in the piece's parts other than the melody, each part as the ear takes it (``as_heard``: a
    broken-chord figure's notes taken together a half bar at a time), as the app hears a song's tracks."""
    notes = [n for part in piece.parts[1:] for n in as_heard(part.notes, piece.meters)]
    return heard_chords(notes, piece.meters, end_of(piece))


FIGURES = {"alberti": "an Alberti figure a beat (low, high, middle, high)",
           "arpeggio": "an arpeggio up and up again a half bar"}


def broken(piece: Piece, kind: str | None = None) -> Piece:
    """The piece with its accompaniment played as a broken-chord figure, one note at a time: per beat (Alberti) or per
    half bar (arpeggio; ``kind`` None chooses by the piece's id), the distinct pitches sounding there (the lowest and
    the three highest of more than four), in equal notes. A file whose piano is an Alberti bass or an arpeggio."""
    kind = kind or sorted(FIGURES)[zlib.crc32(piece.id.encode()) % 2]
    notes = accompaniment_of(piece)
    on = np.array([n[1] for n in notes])
    off = on + np.array([n[2] for n in notes])
    pitch = np.array([n[0] for n in notes])
    figure = []
    for slot in slot_grid(piece.meters, end_of(piece), "beat" if kind == "alberti" else "half"):
        ps = sorted(set(pitch[(on < slot.end) & (off > slot.start)].tolist()))
        if not ps:
            continue
        ps = [ps[0], *ps[-3:]] if len(ps) > 4 else ps
        seq = [ps[0], ps[-1], ps[len(ps) // 2], ps[-1]] if kind == "alberti" else (ps * 8)[:8]
        step = (slot.end - slot.start) // len(seq)
        figure.extend((p, slot.start + i * step, step, 80) for i, p in enumerate(seq))
    return replace(piece, parts=(piece.parts[0], Part("accompaniment", tuple(figure), "Figure")))


def _root(label: str) -> int | None:
    try:
        return parse_chord(label).root
    except ValueError:
        return None


def agreement(pieces: Iterable[Piece]) -> dict:
    """Per beat with an annotated chord: the heard chord's root and major/minor agreement."""
    roots = majmin = total = 0
    for piece in pieces:
        end = end_of(piece)
        slots = slot_grid(piece.meters, end, "beat")
        truth = slot_labels(piece.chords, slots)
        heard = slot_labels(heard_in(piece), slots)
        for t, h in zip(truth, heard):
            if _root(t) is None:
                continue
            total += 1
            roots += _root(h) == _root(t)
            majmin += reduce_majmin(h) == reduce_majmin(t)
    return {"beats": total, "root": round(roots / max(total, 1), 4), "majmin": round(majmin / max(total, 1), 4)}


def nll(pieces: Sequence[Piece], net, style: str) -> dict:
    """The network's melody NLL per note (and its pitch field) with the annotated, heard or no chords."""
    from composer_app.model.continuation_nll import net_nll
    from composer_app.training.continuation.dataset import windows

    ways = {"annotated": lambda p: p.chords, "heard": heard_in,
            "none": lambda p: ()}
    out = {}
    for name, chords in ways.items():
        wins = []
        for piece in pieces:
            rows = tk.encode_part(piece.parts[0].notes, piece.meters, chords(piece),
                                  piece.keys[0] if piece.keys else None, style, "melody")
            wins.extend(windows(rows, 192, 0))
        r = net_nll(net, wins)
        out[name] = {"nll": round(r["nll"], 4), "pitch": round(r["by_field"]["pitch"], 4), "notes": r["notes"]}
    return out


def daw_song(piece: Piece) -> Song:
    """The piece as a DAW writes it: a melody track and an accompaniment track, no chord symbols, no key."""
    end = end_of(piece)
    tracks = tuple(Track(name, channel=i, clips=(Clip(0, end, tuple(Note(*n) for n in notes)),))
                   for i, (name, notes) in enumerate((("Melody", piece.parts[0].notes),
                                                      ("Accompaniment", accompaniment_of(piece)))))
    return Song(tracks=tracks, meters=tuple(TimeSignature(t, n, d) for t, n, d in piece.meters))


def chord_tones(notes: Iterable[tuple], chords: Sequence[tuple[int, int, str]], strong: set[int]
                 ) -> tuple[float | None, float | None]:
    """Share of ``notes`` (pitch, start, duration) that are tones of the chord sounding at their onset: by
    duration, and among those starting on a ``strong`` tick."""
    total = hits = on = on_hits = 0
    for pitch, start, duration in notes:
        tones = next((parse_chord(lab).pitch_classes for s, d, lab in chords if s <= start < s + d), None)
        if not tones:
            continue
        inside = pitch % 12 in tones
        total += duration
        hits += duration * inside
        if start in strong:
            on += 1
            on_hits += inside
    return (hits / total if total else None), (on_hits / on if on else None)


def fit(pieces: Sequence[Piece], engine, after_bars: int, seeds: Sequence[int]) -> dict:
    """Chord tones of 4-bar continuations with the heard chords and with none, and of the real next bars."""
    return melody_fit(pieces, engine, after_bars, seeds, daw_song,
                       lambda song, melody, request: {"heard": request, "none": replace(request, chords=())})


def melody_fit(pieces: Sequence[Piece], engine, after_bars: int, seeds: Sequence[int],
                song_of: Callable[[Piece], Song], ways: Callable[[Song, Track, ContinuationRequest], dict]) -> dict:
    """The melody (the song's first track) continued 4 bars ``after_bars`` after its first bar: per way of asking
    (``ways`` gives the requests by name), the share of the candidates' notes on tones of the annotated chords, by
    duration and on the strong beats; and the real next bars' ("real")."""
    shares: dict[str, list[tuple]] = {"real": []}
    for piece in pieces:
        song = song_of(piece)
        melody = song.tracks[0]
        mm = song.meter_map
        start_bar = mm.bar_of(piece.parts[0].notes[0][1]) + after_bars
        a, b = mm.bar_start(start_bar), mm.bar_start(start_bar + 4)
        real = [(p, s, d) for p, s, d, _ in piece.parts[0].notes if a <= s < b]
        if not real:
            continue
        strong = {slot.start for slot in slot_grid(piece.meters, b, "half") if slot.start >= a}
        shares["real"].append(chord_tones(real, piece.chords, strong))
        for seed in seeds:
            request, _ = sa.suggest_request(song, melody, start_bar=start_bar, bars=4, seed=seed)
            for name, req in ways(song, melody, request).items():
                for cand in engine.suggest(req):
                    shares.setdefault(name, []).append(
                        chord_tones([(p, s, d) for p, s, d, _ in cand.notes], piece.chords, strong))

    def mean(values: list) -> float | None:
        kept = [v for v in values if v is not None]
        return round(statistics.mean(kept), 4) if kept else None

    return {name: {"by_duration": mean([v[0] for v in vals]), "strong_beats": mean([v[1] for v in vals]),
                   "samples": len(vals)} for name, vals in shares.items()}


def accompaniment(pieces: Sequence[Piece], engine, seeds: Sequence[int], harmonizer=None,
                  parts: Callable[[Piece], tuple[Song, list]] | None = None) -> dict:
    """The accompaniment continued 4 bars at 8 and 16 bars in, the part as the musician has it (nothing from the
    first new bar on): the candidates' pitch classes against the real next bars' and the share of their notes (by
    duration) on tones of the annotated chords, over the chords heard in the other parts (before) and, with a
    ``harmonizer``, over its chords under the tune (``melody_chords``, what the app does). ``parts`` makes each
    piece into the song (the part continued as its second track) and that part's notes; default ``daw_song``."""
    from composer_app.model.melody_chords import with_melody_chords

    ways = {"heard": None} if harmonizer is None else {"heard": None, "harmonized": harmonizer}
    cands: dict[str, list[float]] = {w: [] for w in ways}
    tones: dict[str, list[float]] = {w: [] for w in ways}
    ratio: dict[str, list[float]] = {w: [] for w in ways}
    onsets: dict[str, list[float]] = {w: [] for w in ways}
    stacked: dict[str, list[float]] = {w: [] for w in ways}
    replay: list[float] = []
    real_tones: list[float] = []
    real_stacked: list[float] = []
    for piece in pieces:
        song, part_notes = parts(piece) if parts is not None else (daw_song(piece), accompaniment_of(piece))
        mm = song.meter_map
        grid = tk.BarGrid(piece.meters)
        for start_bar, a, _, real in points_in(piece, part_notes, mm):
            before = mm.bar_start(max(start_bar - 4, 0))
            target = pitch_class_histogram(real, by_duration=True)
            rhythm = onset_histogram(real, grid)
            real_stacked.append(per_onset(real))
            before_notes = [n for n in part_notes if before <= n[1] < a]
            replay.append(overlap(pitch_class_histogram(before_notes, by_duration=True), target))
            real_tones.append(chord_tones([n[:3] for n in real], piece.chords, set())[0] or 0.0)
            part = song.tracks[1]
            cut = replace(part, clips=(Clip(0, a, tuple(Note(*n) for n in part_notes if n[1] < a)),))
            now = replace(song, tracks=(song.tracks[0], cut))
            for seed in seeds:
                request, _ = sa.suggest_request(now, cut, start_bar=start_bar, bars=4, seed=seed)
                for way, harm in ways.items():
                    req = request if harm is None else with_melody_chords(now, cut, request, harm)
                    for cand in engine.suggest(req):
                        cands[way].append(overlap(pitch_class_histogram(cand.notes, by_duration=True), target))
                        share = chord_tones([n[:3] for n in cand.notes], piece.chords, set())[0]
                        if share is not None:
                            tones[way].append(share)
                        ratio[way].append(len(cand.notes) / len(real))
                        if cand.notes:
                            onsets[way].append(overlap(onset_histogram(cand.notes, grid), rhythm))
                            stacked[way].append(per_onset(cand.notes))

    def mean(values: list[float]) -> float | None:
        return round(statistics.mean(values), 4) if values else None

    return {"ways": {w: {"candidates": mean(cands[w]), "chord_tones": mean(tones[w]), "notes_ratio": mean(ratio[w]),
                         "onsets": mean(onsets[w]), "per_onset": mean(stacked[w])} for w in ways},
            "replay": mean(replay), "real_chord_tones": mean(real_tones), "real_per_onset": mean(real_stacked),
            "points": len(replay)}


def per_onset(notes: Sequence[tuple]) -> float:
    """Notes per onset of ``notes`` (pitch, start, ...): 1 for a line or a figure, more for chords."""
    return len(notes) / len({n[1] for n in notes})


SPAN_WAYS = {"replaced": "of the notes it replaces (song_adapter.replaced_chords, what the app does)",
             "harmonized": "the harmonizer hears in the tune (melody_chords, session 18)",
             "heard": "heard in the other parts alone"}


def spans(pieces: Sequence[Piece], engine, seeds: Sequence[int], harmonizer) -> dict:
    """The accompaniment's 2 bars at 8 and 16 bars in regenerated (a fill) and varied keeping their rhythm, the rest of
    the part around them: per way of finding the span's chords (``SPAN_WAYS``), the candidates' pitch classes against
    the span's real notes and the share of their notes (by duration) on tones of the annotated chords."""
    from composer_app.model.melody_chords import harmonized_under

    figures: dict[tuple[str, str], list[tuple[float | None, float, float | None, float | None]]] = {}
    real_tones: list[float] = []
    real_stacked: list[float] = []
    for piece in pieces:
        song = daw_song(piece)
        mm = song.meter_map
        grid = tk.BarGrid(piece.meters)
        tune, part = song.tracks
        for start_bar, _, _, real in points_in(piece, accompaniment_of(piece), mm, bars=2):
            target = pitch_class_histogram(real, by_duration=True)
            rhythm = onset_histogram(real, grid)
            real_tones.append(chord_tones([n[:3] for n in real], piece.chords, set())[0] or 0.0)
            real_stacked.append(per_onset(real))
            for mode, keep in (("fill", None), ("vary", "rhythm")):
                for seed in seeds:
                    request, _ = sa.fill_request(song, part, mode=mode, start_bar=start_bar, bars=2, keep=keep,
                                                 seed=seed)
                    heard = replace(request, chords=sa.request_chords(song, part))
                    ways = {"replaced": request, "harmonized": harmonized_under(song, tune, heard, harmonizer),
                            "heard": heard}
                    for way, req in ways.items():
                        for cand in engine.suggest(req):
                            sounds = bool(cand.notes)
                            figures.setdefault((mode, way), []).append(
                                (chord_tones([n[:3] for n in cand.notes], piece.chords, set())[0],
                                 overlap(pitch_class_histogram(cand.notes, by_duration=True), target),
                                 overlap(onset_histogram(cand.notes, grid), rhythm) if sounds else None,
                                 per_onset(cand.notes) if sounds else None))

    def mean(values: Iterable[float | None]) -> float | None:
        kept = [v for v in values if v is not None]
        return round(statistics.mean(kept), 4) if kept else None

    return {"points": len(real_tones), "real_chord_tones": mean(real_tones), "real_per_onset": mean(real_stacked),
            "ways": {f"{mode} {way}": {"chord_tones": mean(v[0] for v in vals), "candidates": mean(v[1] for v in vals),
                                       "onsets": mean(v[2] for v in vals), "per_onset": mean(v[3] for v in vals),
                                       "samples": len(vals)} for (mode, way), vals in figures.items()}}


def print_ways(title: str, report: dict, labels: dict[str, str]) -> None:
    """An ``accompaniment`` report's lines: the title, then per way the overlap, the chord tones and the notes."""
    print(title)
    for way, w in report["ways"].items():
        print(f"    over the chords {labels[way]}: pitch classes against the real next bars {w['candidates']}, onsets "
              f"{w['onsets']}, chord tones {w['chord_tones']}, {w['notes_ratio']} times their notes, {w['per_onset']} "
              f"notes an onset (the real bars {report['real_per_onset']})")


def parser(module: str, doc: str | None) -> argparse.ArgumentParser:
    """The arguments every evaluation of this kind takes: split, pieces per source, seeds, JSON."""
    p = argparse.ArgumentParser(prog=f"python -m composer_app.training.continuation.{module}", description=doc,
                                formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--split", default="test", choices=("train", "valid", "test"))
    p.add_argument("--limit", type=int, default=40, help="pieces per source (default 40)")
    p.add_argument("--seeds", type=int, nargs="+", default=[0, 1, 2])
    p.add_argument("--json", action="store_true")
    p.add_argument("--strip-keys", action="store_true",
                   help="move every piece to another key first (-5..+6 semitones, by its id; as export_leadsheets)")
    return p


def main(argv: list[str] | None = None) -> int:
    p = parser("heard_eval", __doc__)
    p.add_argument("--no-sample", action="store_true", help="agreement and NLL only")
    p.add_argument("--only", choices=("fit", "accompaniment", "spans"), help="of the sampled figures, only these")
    p.add_argument("--figures", action="store_true",
                   help="every accompaniment played as a broken-chord figure first (broken: Alberti or arpeggio)")
    args = p.parse_args(argv)
    engine = sa.load_continuation_engine(None)
    harmonizer = sa.load_harmonizer(None)
    report: dict = {}
    for source, after in SOURCES.items():
        pieces = pieces_of(source, args.split, args.limit)
        pieces = [hide_key(piece) for piece in pieces] if args.strip_keys else pieces
        pieces = [broken(piece) for piece in pieces] if args.figures else pieces
        if not pieces:
            print(f"heard_eval: no {source} pieces (../shared/datasets)", file=sys.stderr)
            continue
        report[source] = {"pieces": len(pieces), "agreement": agreement(pieces),
                          "nll": nll(pieces, engine.net, pieces[0].style)}
        if not args.no_sample:
            if args.only in (None, "fit"):
                report[source]["fit"] = fit(pieces, engine, after, args.seeds)
            if args.only in (None, "accompaniment"):
                report[source]["accompaniment"] = accompaniment(pieces, engine, args.seeds, harmonizer)
            if args.only in (None, "spans"):
                report[source]["spans"] = spans(pieces, engine, args.seeds, harmonizer)
    if args.json:
        print(json.dumps(report, indent=2))
    else:
        for source, r in report.items():
            g, n = r["agreement"], r["nll"]
            print(f"{source} ({r['pieces']} {args.split} pieces): heard against annotated, per beat: root {g['root']}, "
                  f"major/minor {g['majmin']} ({g['beats']} beats)")
            print("  NLL per melody note (pitch): " + ", ".join(f"{k} {v['nll']} ({v['pitch']})" for k, v in n.items()))
            for name, v in r.get("fit", {}).items():
                print(f"  chord tones, {name}: by duration {v['by_duration']}, on strong beats {v['strong_beats']}")
            if "accompaniment" in r:
                c = r["accompaniment"]
                print_ways(f"  accompaniment continued ({c['points']} points; replaying the 4 bars before: pitch "
                            f"classes {c['replay']}; the real next bars: chord tones {c['real_chord_tones']}):", c,
                            WAYS)
            if "spans" in r:
                c = r["spans"]
                print(f"  2 bars of the accompaniment regenerated or varied (rhythm) ({c['points']} spans; the real "
                      f"notes' chord tones {c['real_chord_tones']}):")
                for name, w in c["ways"].items():
                    mode, way = name.split()
                    print(f"    {mode}, over the chords {SPAN_WAYS[way]}: pitch classes against the real notes "
                          f"{w['candidates']}, onsets {w['onsets']}, chord tones {w['chord_tones']}, "
                          f"{w['per_onset']} notes an onset (the real notes {c['real_per_onset']})")
    return 0 if report else 1


if __name__ == "__main__":
    raise SystemExit(main())
