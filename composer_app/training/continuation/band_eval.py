"""Bass lines and tunes alone, as a band's file or a first sketch has them:
``python -m composer_app.training.continuation.band_eval``.

The songs of the two sources with a bass and annotated chords (the Bach chorales' bass voice against the When in
Rome analyses; POP909, its piano's lowest note each beat below G3 taken as the bass line) made into a band's file
(melody, accompaniment and bass tracks, no chord symbols, no key signature), and lead sheets' melodies alone:

- bass: the bass line continued 4 bars at 8 and 16 bars in, with the bass role (what the app does) and as a
  melody: its notes on the annotated chords' roots and tones, its pitch classes against the real next bars, its
  notes per real note; the melody, and the accompaniment, continued over the bass line alone, over the chords heard
  in it (before) and over the harmonizer's there (``melody_chords``);
- harmony: the melody harmonized over the bass line alone (no chord part), with and without the bass line heard;
- alone: 2 bars of a lead sheet's melody alone (Nottingham, OpenEWLD, POP909; no chords, no other part)
  regenerated and varied, over no chords and over the harmonizer's reading of the melody.
"""

from __future__ import annotations

import json
import statistics
import sys
from collections.abc import Iterable, Sequence
from dataclasses import replace

from composer_app.core.song import Clip, Note, Song, Track
from composer_app.core.timing import TimeSignature
from composer_app.model import song_adapter as sa
from composer_app.model import tokens as tk
from composer_app.model.continuation_metrics import onset_histogram, overlap, pitch_class_histogram
from composer_app.model.harmony_features import slot_grid, slot_labels
from composer_app.training.continuation import heard_eval as he
from composer_app.training.continuation.export_leadsheets import hide_key
from composer_app.training.corpus import Piece

BASS_BELOW_PITCH = 55
"""A POP909 piano's lowest note in a beat is taken for its bass line where it lies below G3."""


def bass_song(piece: Piece) -> tuple[Song, list]:
    """The piece as a band's file: melody, the accompaniment without its bass line, and the bass line on a bass track
    (the chorales' bass voice; POP909's piano's lowest note each beat, below G3); and the bass line's notes."""
    acc = he.accompaniment_of(piece)
    if piece.source == "when_in_rome":
        bass = list(piece.parts[-1].notes)
        rest = [n for part in piece.parts[1:-1] for n in part.notes]
    else:
        chosen = set()
        for slot in slot_grid(piece.meters, he.end_of(piece), "beat"):
            sounding = [n for n in acc if slot.start <= n[1] < slot.end]
            low = min(sounding, key=lambda n: (n[0], n[1]), default=None)
            if low is not None and low[0] < BASS_BELOW_PITCH:
                chosen.add(low)
        bass = sorted(chosen, key=lambda n: (n[1], n[0]))
        rest = [n for n in acc if n not in chosen]
    end = he.end_of(piece)
    tracks = tuple(Track(name, channel=i, program=program, clips=(Clip(0, end, tuple(Note(*n) for n in notes)),))
                   for i, (name, program, notes) in enumerate((("Melody", 0, piece.parts[0].notes),
                                                                ("Piano", 0, rest), ("Bass", 33, bass))))
    return Song(tracks=tracks, meters=tuple(TimeSignature(t, n, d) for t, n, d in piece.meters)), bass


def bass_lines(pieces: Sequence[Piece], engine, seeds: Sequence[int]) -> dict:
    """A bass line continued 4 bars at 8 and 16 bars in (the line cut there, the other parts going on): the share of
    its notes on the annotated chord's root and on its tones, the overlap of its pitch classes with the real next
    bars' and its notes per real note, with the bass role (what the app does: ``song_adapter.part_role``) and as a
    melody (before)."""
    from composer_app.core.chords import parse_chord

    def on_chords(notes: Iterable[tuple], chords: Sequence[tuple[int, int, str]]) -> tuple[int, int, int]:
        root = tone = count = 0
        for n in notes:
            label = next((lab for s, d, lab in chords if s <= n[1] < s + d), None)
            try:
                chord = parse_chord(label) if label else None
            except ValueError:
                chord = None
            if chord is None or chord.root is None:
                continue
            count += 1
            root += n[0] % 12 == chord.root
            tone += n[0] % 12 in chord.pitch_classes
        return root, tone, count

    totals: dict[str, list[int]] = {w: [0, 0, 0] for w in ("real", "bass", "melody")}
    overlaps: dict[str, list[float]] = {"bass": [], "melody": []}
    ratios: dict[str, list[float]] = {"bass": [], "melody": []}
    for piece in pieces:
        song, bass = bass_song(piece)
        mm = song.meter_map
        for start_bar, a, _, real in he.points_in(piece, bass, mm):
            totals["real"] = [x + y for x, y in zip(totals["real"], on_chords(real, piece.chords))]
            target = pitch_class_histogram(real, by_duration=True)
            line = song.tracks[2]
            cut = replace(line, clips=(Clip(0, a, tuple(Note(*n) for n in bass if n[1] < a)),))
            now = replace(song, tracks=(*song.tracks[:2], cut))
            for seed in seeds:
                request, _ = sa.suggest_request(now, cut, start_bar=start_bar, bars=4, seed=seed)
                for way, req in (("bass", request), ("melody", replace(request, role="melody"))):
                    for cand in engine.suggest(req):
                        totals[way] = [x + y for x, y in zip(totals[way], on_chords(cand.notes, piece.chords))]
                        overlaps[way].append(overlap(pitch_class_histogram(cand.notes, by_duration=True), target))
                        ratios[way].append(len(cand.notes) / len(real))

    def ratio(x: int, n: int) -> float | None:
        return round(x / n, 4) if n else None

    return {w: {"root": ratio(t[0], t[2]), "chord_tones": ratio(t[1], t[2]), "notes": t[2],
                "pitch_classes": round(statistics.mean(overlaps[w]), 4) if overlaps.get(w) else None,
                "notes_ratio": round(statistics.mean(ratios[w]), 3) if ratios.get(w) else None,
                "most_notes_ratio": round(max(ratios[w]), 2) if ratios.get(w) else None,
                "over_twice": round(sum(r > 2 for r in ratios[w]) / len(ratios[w]), 3) if ratios.get(w) else None}
            for w, t in totals.items()}


def melody_over_bass(pieces: Sequence[Piece], engine, harmonizer, seeds: Sequence[int]) -> dict:
    """The melody continued 4 bars at 8 bars in over its bass line alone (``bass_song`` without the chord part): the
    share of the candidates' notes (by duration, and on the strong beats) on tones of the annotated chords, over the
    chords heard in the bass line (before) and over the harmonizer's there (``melody_chords``, what the app does)."""
    from composer_app.model.melody_chords import with_melody_chords

    def melody_and_bass(piece: Piece) -> Song:
        band, _ = bass_song(piece)
        return replace(band, tracks=(band.tracks[0], band.tracks[2]))

    return he.melody_fit(pieces, engine, 8, seeds, melody_and_bass, lambda song, melody, request: {
        "heard": request, "harmonized": with_melody_chords(song, melody, request, harmonizer)})


ALONE_SOURCES = ("nottingham", "openewld", "pop909")
"""Lead-sheet sources whose melodies the ``alone`` figures take alone (their chords only to judge)."""


def tunes_alone(source: str, split: str, limit: int, strip_keys: bool = False) -> list[tuple[Piece, Song]]:
    """Up to ``limit`` pieces of ``split`` with a melody and annotated chords, each with its melody alone as a song;
    ``strip_keys`` moves each to another key first (``export_leadsheets.hide_key``)."""
    from composer_app.training.sources import iter_source
    from composer_app.training.split import assign_split

    out = []
    for piece in iter_source(source):
        if assign_split(piece) != split or piece.melody is None or not piece.chords:
            continue
        piece = hide_key(piece) if strip_keys else piece
        assert piece.melody is not None
        notes = piece.melody.notes
        end = max(s + d for _, s, d, _ in notes)
        song = Song(tracks=(Track("Melody", clips=(Clip(0, end, tuple(Note(*n) for n in notes)),)),),
                    meters=tuple(TimeSignature(t, n, d) for t, n, d in piece.meters), title=f"[{piece.style}]")
        out.append((piece, song))
        if len(out) >= limit:
            break
    return out


def melody_alone(tunes: Sequence[tuple[Piece, Song]], engine, harmonizer, seeds: Sequence[int]) -> dict:
    """2 bars of a melody alone (no chords, no other part) regenerated and varied keeping their rhythm, 8 bars after
    its first bar: the share of the candidates' notes (by duration) on tones of the annotated chords and the overlap
    of their pitch classes with the span's real notes, over no chords (before) and over the harmonizer's reading of
    the melody around and in the span (``melody_chords.melody_alone``, what the app does)."""
    from composer_app.model.melody_chords import with_melody_chords

    figures: dict[str, list[tuple[float, float]]] = {}
    for piece, song in tunes:
        melody = song.tracks[0]
        mm = song.meter_map
        start_bar = mm.bar_of(piece.melody.notes[0][1]) + 8 if piece.melody else 0
        a, b = mm.bar_start(start_bar), mm.bar_start(start_bar + 2)
        real = [n for n in sa.track_notes(melody) if a <= n[1] < b]
        if len(real) < 3 or not any(n[1] >= b for n in sa.track_notes(melody)):
            continue
        target = pitch_class_histogram(real, by_duration=True)
        grid = tk.BarGrid(piece.meters)
        rhythm = onset_histogram(real, grid)
        for mode, keep in (("fill", None), ("vary", "rhythm")):
            for seed in seeds:
                request, _ = sa.fill_request(song, melody, mode=mode, keep=keep, start_bar=start_bar, bars=2,
                                             seed=seed)
                for way, req in (("none", request), ("harmonized", with_melody_chords(song, melody, request,
                                                                                     harmonizer))):
                    for cand in engine.suggest(req):
                        tones = he.chord_tones([n[:3] for n in cand.notes], piece.chords, set())[0]
                        figures.setdefault(f"{mode} {way}", []).append(
                            (tones or 0.0, overlap(pitch_class_histogram(cand.notes, by_duration=True), target),
                             overlap(onset_histogram(cand.notes, grid), rhythm)))
    return {name: {"chord_tones": round(statistics.mean(v[0] for v in vals), 4),
                   "pitch_classes": round(statistics.mean(v[1] for v in vals), 4),
                   "onsets": round(statistics.mean(v[2] for v in vals), 4), "samples": len(vals)}
            for name, vals in figures.items()}


def over_the_bass(pieces: Sequence[Piece], harmonizer) -> dict:
    """A melody harmonized over a bass line (the song as a band's file without its chord part: melody and bass
    line, ``bass_song``), 8 bars from the melody's first bar and 8 bars later, as the window asks (the adapter, two
    chords a bar): the first candidate's root against the annotated chords' on the half bars, with the bass line
    (what the app does: ``HarmonyRequest.bass``) and without it (before), and the diatonic rule's."""
    from composer_app.training.harmony.crosseval import _roots

    hits = {"bass": 0, "melody alone": 0, "rule": 0}
    slots_total = 0
    for piece in pieces:
        band, _ = bass_song(piece)
        song = replace(band, tracks=(band.tracks[0], band.tracks[2]))
        melody = song.tracks[0]
        mm = song.meter_map
        first = mm.bar_of(piece.parts[0].notes[0][1])
        for bar in (first, first + 8):
            a, b = mm.bar_start(bar), mm.bar_start(bar + 8)
            notes = tuple(n for n in sa.track_notes(melody) if a <= n[1] < b)
            if len(notes) < 8:
                continue
            request, _ = sa.harmony_request(song, melody, notes=notes, rhythm="half", style=piece.style, candidates=4)
            slots = [slot for slot in slot_grid(piece.meters, b, "half") if slot.start >= a]
            truth = _roots(slot_labels(piece.chords, slots))
            live = [j for j, t in enumerate(truth) if t is not None]
            slots_total += len(live)
            for way, req in (("bass", request), ("melody alone", replace(request, bass=())),
                             ("rule", replace(request, method="rule", candidates=1))):
                found = harmonizer.harmonize(req)
                if not found:
                    continue
                got = _roots(slot_labels(found[0].chords, slots))
                hits[way] += sum(got[j] == truth[j] for j in live)
    return {"slots": slots_total, **{w: round(h / slots_total, 4) if slots_total else None for w, h in hits.items()}}


def accompaniment_over_bass(pieces: Sequence[Piece], engine, seeds: Sequence[int], harmonizer) -> dict:
    """The accompaniment (without its bass line) continued over its bass line alone, no tune (``he.accompaniment``)."""
    def piano_and_bass(piece: Piece) -> tuple[Song, list]:
        band, _ = bass_song(piece)
        return replace(band, tracks=(band.tracks[2], band.tracks[1])), list(sa.track_notes(band.tracks[1]))

    return he.accompaniment(pieces, engine, seeds, harmonizer, parts=piano_and_bass)


def main(argv: list[str] | None = None) -> int:
    p = he.parser("band_eval", __doc__)
    p.add_argument("--only", choices=("bass", "harmony", "alone"), help="only these figures")
    args = p.parse_args(argv)
    engine = sa.load_continuation_engine(None)
    harmonizer = sa.load_harmonizer(None)
    report: dict = {}
    for source in he.SOURCES:
        pieces = he.pieces_of(source, args.split, args.limit)
        pieces = [hide_key(piece) for piece in pieces] if args.strip_keys else pieces
        if not pieces:
            print(f"band_eval: no {source} pieces (../shared/datasets)", file=sys.stderr)
            continue
        r = report[source] = {"pieces": len(pieces)}
        if args.only in (None, "bass"):
            r["bass"] = bass_lines(pieces, engine, args.seeds)
            r["melody_over_bass"] = melody_over_bass(pieces, engine, harmonizer, args.seeds)
            r["accompaniment_over_bass"] = accompaniment_over_bass(pieces, engine, args.seeds, harmonizer)
        if args.only in (None, "harmony"):
            r["over_the_bass"] = over_the_bass(pieces, harmonizer)
    alone = {}
    if args.only in (None, "alone"):
        alone = {source: melody_alone(tunes_alone(source, args.split, args.limit, args.strip_keys), engine,
                                      harmonizer, args.seeds) for source in ALONE_SOURCES}
    if args.json:
        print(json.dumps({"band": report, "alone": alone}, indent=2))
        return 0 if report or alone else 1
    for source, r in report.items():
        print(f"{source} ({r['pieces']} {args.split} pieces):")
        if "bass" in r:
            c = r["bass"]
            print("  a bass line continued 4 bars (notes on the annotated chord's root / its tones; pitch classes "
                  "against the real next bars):")
            for way, label in (("real", "the real next bars"), ("bass", "as a bass line (the app)"),
                               ("melody", "as a melody (before)")):
                w = c[way]
                print(f"    {label}: root {w['root']}, chord tones {w['chord_tones']}"
                      + (f", pitch classes {w['pitch_classes']}, {w['notes_ratio']} times the real notes (at "
                         f"most {w['most_notes_ratio']}; over twice in {w['over_twice']})"
                         if w["pitch_classes"] is not None else ""))
        if "melody_over_bass" in r:
            c = r["melody_over_bass"]
            print("  the melody continued over its bass line alone (notes on the annotated chords' tones, by "
                  "duration / on strong beats):")
            for way, label in (("heard", "over the chords heard in the bass (before)"),
                               ("harmonized", "over the harmonizer's chords over the bass (the app)"),
                               ("real", "the real next bars")):
                print(f"    {label}: {c[way]['by_duration']} / {c[way]['strong_beats']}")
        if "accompaniment_over_bass" in r:
            c = r["accompaniment_over_bass"]
            he.print_ways(f"  the accompaniment continued over its bass line alone ({c['points']} points; the real "
                          f"next bars: chord tones {c['real_chord_tones']}):", c,
                          {"heard": "heard in the bass line (before)",
                           "harmonized": "the harmonizer hears over the bass line (the app)"})
        if "over_the_bass" in r:
            c = r["over_the_bass"]
            print(f"  the melody harmonized over the bass line alone ({c['slots']} half bars; first candidate's "
                  f"root against the annotated): with the bass line {c['bass']}, the melody alone "
                  f"{c['melody alone']}, the diatonic rule {c['rule']}")
    if alone:
        print("2 bars of a melody alone regenerated (fill) or varied (rhythm kept), 8 bars in: the candidates' notes "
              "on the annotated chords' tones / pitch classes / onsets in the bar against the real notes")
        for source, r in alone.items():
            print(f"  {source} ({args.split}): " + "; ".join(
                f"{name} {w['chord_tones']} / {w['pitch_classes']} / {w['onsets']}" for name, w in r.items()))
    return 0 if report or alone else 1


if __name__ == "__main__":
    raise SystemExit(main())
