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
  the tune, and those heard in the other parts alone;
- bass: a bass line (the chorales' bass voice; POP909's piano's lowest note each beat) continued 4 bars on its own
  track, with the bass role and as a melody: its notes on the annotated chords' roots and tones; and the melody,
  and the accompaniment, continued over that bass line alone, over the chords heard in it and over the harmonizer's
  there;
- harmony: the melody harmonized over that bass line alone (no chord part), with and without the bass line heard;
- alone (only with ``--only alone``): 2 bars of a lead sheet's melody alone (Nottingham, OpenEWLD, POP909; no chords,
  no other part) regenerated and varied, over no chords and over the harmonizer's reading of the melody.
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
from collections.abc import Callable, Iterable, Sequence
from dataclasses import replace

from composer_app.core.chords import parse_chord
from composer_app.core.song import Clip, Note, Song, Track
from composer_app.core.timing import TimeSignature
from composer_app.model import song_adapter as sa
from composer_app.model import tokens as tk
from composer_app.model.continuation import ContinuationRequest
from composer_app.model.continuation_metrics import overlap, pitch_class_histogram
from composer_app.model.harmony_features import slot_grid, slot_labels
from composer_app.model.harmony_vocab import reduce_majmin
from composer_app.model.heard_chords import heard_chords
from composer_app.training.corpus import Piece

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


def _accompaniment(piece: Piece) -> list:
    return [n for part in piece.parts[1:] for n in part.notes]


def _end(piece: Piece) -> int:
    return max(s + d for part in piece.parts for _, s, d, _ in part.notes)


def _root(label: str) -> int | None:
    try:
        return parse_chord(label).root
    except ValueError:
        return None


def agreement(pieces: Iterable[Piece]) -> dict:
    """Per beat with an annotated chord: the heard chord's root and major/minor agreement."""
    roots = majmin = total = 0
    for piece in pieces:
        end = _end(piece)
        slots = slot_grid(piece.meters, end, "beat")
        truth = slot_labels(piece.chords, slots)
        heard = slot_labels(heard_chords(_accompaniment(piece), piece.meters, end), slots)
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

    ways = {"annotated": lambda p: p.chords, "heard": lambda p: heard_chords(_accompaniment(p), p.meters),
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
    end = _end(piece)
    tracks = tuple(Track(name, channel=i, clips=(Clip(0, end, tuple(Note(*n) for n in notes)),))
                   for i, (name, notes) in enumerate((("Melody", piece.parts[0].notes),
                                                      ("Accompaniment", _accompaniment(piece)))))
    return Song(tracks=tracks, meters=tuple(TimeSignature(t, n, d) for t, n, d in piece.meters))


def _chord_tones(notes: Iterable[tuple], chords: Sequence[tuple[int, int, str]], strong: set[int]
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
    return _melody_fit(pieces, engine, after_bars, seeds, daw_song,
                       lambda song, melody, request: {"heard": request, "none": replace(request, chords=())})


def _melody_fit(pieces: Sequence[Piece], engine, after_bars: int, seeds: Sequence[int],
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
        shares["real"].append(_chord_tones(real, piece.chords, strong))
        for seed in seeds:
            request, _ = sa.suggest_request(song, melody, start_bar=start_bar, bars=4, seed=seed)
            for name, req in ways(song, melody, request).items():
                for cand in engine.suggest(req):
                    shares.setdefault(name, []).append(
                        _chord_tones([(p, s, d) for p, s, d, _ in cand.notes], piece.chords, strong))

    def mean(values: list) -> float | None:
        kept = [v for v in values if v is not None]
        return round(statistics.mean(kept), 4) if kept else None

    return {name: {"by_duration": mean([v[0] for v in vals]), "strong_beats": mean([v[1] for v in vals]),
                   "samples": len(vals)} for name, vals in shares.items()}


def accompaniment(pieces: Sequence[Piece], engine, seeds: Sequence[int], harmonizer=None,
                  over_bass: bool = False) -> dict:
    """The accompaniment continued 4 bars at 8 and 16 bars in, the part as the musician has it (nothing from the
    first new bar on): the candidates' pitch classes against the real next bars' and the share of their notes (by
    duration) on tones of the annotated chords, over the chords heard in the other parts (before) and, with a
    ``harmonizer``, over its chords under the tune (``melody_chords``, what the app does). ``over_bass``: the
    accompaniment (without its bass line) over its bass line alone, no tune (``bass_song``)."""
    from composer_app.model.melody_chords import with_melody_chords

    ways = {"heard": None} if harmonizer is None else {"heard": None, "harmonized": harmonizer}
    cands: dict[str, list[float]] = {w: [] for w in ways}
    tones: dict[str, list[float]] = {w: [] for w in ways}
    ratio: dict[str, list[float]] = {w: [] for w in ways}
    replay: list[float] = []
    real_tones: list[float] = []
    for piece in pieces:
        if over_bass:
            band, _ = bass_song(piece)
            song = replace(band, tracks=(band.tracks[2], band.tracks[1]))
            part_notes = list(sa.track_notes(band.tracks[1]))
        else:
            song = daw_song(piece)
            part_notes = _accompaniment(piece)
        mm = song.meter_map
        for after in (8, 16):
            start_bar = mm.bar_of(piece.parts[0].notes[0][1]) + after
            a, b = mm.bar_start(start_bar), mm.bar_start(start_bar + 4)
            before = mm.bar_start(max(start_bar - 4, 0))
            real = [n for n in part_notes if a <= n[1] < b]
            if len(real) < 4:
                continue
            target = pitch_class_histogram(real, by_duration=True)
            before_notes = [n for n in part_notes if before <= n[1] < a]
            replay.append(overlap(pitch_class_histogram(before_notes, by_duration=True), target))
            real_tones.append(_chord_tones([n[:3] for n in real], piece.chords, set())[0] or 0.0)
            part = song.tracks[1]
            cut = replace(part, clips=(Clip(0, a, tuple(Note(*n) for n in part_notes if n[1] < a)),))
            now = replace(song, tracks=(song.tracks[0], cut))
            for seed in seeds:
                request, _ = sa.suggest_request(now, cut, start_bar=start_bar, bars=4, seed=seed)
                for way, harm in ways.items():
                    req = request if harm is None else with_melody_chords(now, cut, request, harm)
                    for cand in engine.suggest(req):
                        cands[way].append(overlap(pitch_class_histogram(cand.notes, by_duration=True), target))
                        share = _chord_tones([n[:3] for n in cand.notes], piece.chords, set())[0]
                        if share is not None:
                            tones[way].append(share)
                        ratio[way].append(len(cand.notes) / len(real))

    def mean(values: list[float]) -> float | None:
        return round(statistics.mean(values), 4) if values else None

    return {"ways": {w: {"candidates": mean(cands[w]), "chord_tones": mean(tones[w]), "notes_ratio": mean(ratio[w])}
                     for w in ways},
            "replay": mean(replay), "real_chord_tones": mean(real_tones), "points": len(replay)}


SPAN_WAYS = {"replaced": "of the notes it replaces (song_adapter.replaced_chords, what the app does)",
             "harmonized": "the harmonizer hears in the tune (melody_chords, session 18)",
             "heard": "heard in the other parts alone"}


def spans(pieces: Sequence[Piece], engine, seeds: Sequence[int], harmonizer) -> dict:
    """The accompaniment's 2 bars at 8 and 16 bars in regenerated (a fill) and varied keeping their rhythm, the rest of
    the part around them: per way of finding the span's chords (``SPAN_WAYS``), the candidates' pitch classes against
    the span's real notes and the share of their notes (by duration) on tones of the annotated chords."""
    from composer_app.model.melody_chords import harmonized_under

    figures: dict[tuple[str, str], list[tuple[float | None, float]]] = {}
    real_tones: list[float] = []
    for piece in pieces:
        song = daw_song(piece)
        mm = song.meter_map
        tune, part = song.tracks
        for after in (8, 16):
            start_bar = mm.bar_of(piece.parts[0].notes[0][1]) + after
            a, b = mm.bar_start(start_bar), mm.bar_start(start_bar + 2)
            real = [n for n in _accompaniment(piece) if a <= n[1] < b]
            if len(real) < 4:
                continue
            target = pitch_class_histogram(real, by_duration=True)
            real_tones.append(_chord_tones([n[:3] for n in real], piece.chords, set())[0] or 0.0)
            for mode, keep in (("fill", None), ("vary", "rhythm")):
                for seed in seeds:
                    request, _ = sa.fill_request(song, part, mode=mode, start_bar=start_bar, bars=2, keep=keep,
                                                 seed=seed)
                    heard = replace(request, chords=sa.request_chords(song, part))
                    ways = {"replaced": request, "harmonized": harmonized_under(song, tune, heard, harmonizer),
                            "heard": heard}
                    for way, req in ways.items():
                        for cand in engine.suggest(req):
                            figures.setdefault((mode, way), []).append(
                                (_chord_tones([n[:3] for n in cand.notes], piece.chords, set())[0],
                                 overlap(pitch_class_histogram(cand.notes, by_duration=True), target)))

    def mean(values: Iterable[float | None]) -> float | None:
        kept = [v for v in values if v is not None]
        return round(statistics.mean(kept), 4) if kept else None

    return {"points": len(real_tones), "real_chord_tones": mean(real_tones),
            "ways": {f"{mode} {way}": {"chord_tones": mean(v[0] for v in vals), "candidates": mean(v[1] for v in vals),
                                       "samples": len(vals)} for (mode, way), vals in figures.items()}}


BASS_BELOW_PITCH = 55
"""A POP909 piano's lowest note in a beat is taken for its bass line where it lies below G3."""


def bass_song(piece: Piece) -> tuple[Song, list]:
    """The piece as a band's file: melody, the accompaniment without its bass line, and the bass line on a bass track
    (the chorales' bass voice; POP909's piano's lowest note each beat, below G3); and the bass line's notes."""
    acc = _accompaniment(piece)
    if piece.source == "when_in_rome":
        bass = list(piece.parts[-1].notes)
        rest = [n for part in piece.parts[1:-1] for n in part.notes]
    else:
        chosen = set()
        for slot in slot_grid(piece.meters, _end(piece), "beat"):
            sounding = [n for n in acc if slot.start <= n[1] < slot.end]
            low = min(sounding, key=lambda n: (n[0], n[1]), default=None)
            if low is not None and low[0] < BASS_BELOW_PITCH:
                chosen.add(low)
        bass = sorted(chosen, key=lambda n: (n[1], n[0]))
        rest = [n for n in acc if n not in chosen]
    end = _end(piece)
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
        for after in (8, 16):
            start_bar = mm.bar_of(piece.parts[0].notes[0][1]) + after
            a, b = mm.bar_start(start_bar), mm.bar_start(start_bar + 4)
            real = [n for n in bass if a <= n[1] < b]
            if len(real) < 4:
                continue
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

    return _melody_fit(pieces, engine, 8, seeds, melody_and_bass, lambda song, melody, request: {
        "heard": request, "harmonized": with_melody_chords(song, melody, request, harmonizer)})


ALONE_SOURCES = ("nottingham", "openewld", "pop909")
"""Lead-sheet sources whose melodies the ``alone`` figures take alone (their chords only to judge)."""


def tunes_alone(source: str, split: str, limit: int) -> list[tuple[Piece, Song]]:
    """Up to ``limit`` pieces of ``split`` with a melody and annotated chords, each with its melody alone as a song."""
    from composer_app.training.sources import iter_source
    from composer_app.training.split import assign_split

    out = []
    for piece in iter_source(source):
        if assign_split(piece) != split or piece.melody is None or not piece.chords:
            continue
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
        for mode, keep in (("fill", None), ("vary", "rhythm")):
            for seed in seeds:
                request, _ = sa.fill_request(song, melody, mode=mode, keep=keep, start_bar=start_bar, bars=2,
                                             seed=seed)
                for way, req in (("none", request), ("harmonized", with_melody_chords(song, melody, request,
                                                                                     harmonizer))):
                    for cand in engine.suggest(req):
                        tones = _chord_tones([n[:3] for n in cand.notes], piece.chords, set())[0]
                        figures.setdefault(f"{mode} {way}", []).append(
                            (tones or 0.0, overlap(pitch_class_histogram(cand.notes, by_duration=True), target)))
    return {name: {"chord_tones": round(statistics.mean(v[0] for v in vals), 4),
                   "pitch_classes": round(statistics.mean(v[1] for v in vals), 4), "samples": len(vals)}
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


def _print_ways(title: str, report: dict, labels: dict[str, str]) -> None:
    """An ``accompaniment`` report's lines: the title, then per way the overlap, the chord tones and the notes."""
    print(title)
    for way, w in report["ways"].items():
        print(f"    over the chords {labels[way]}: pitch classes against the real next bars {w['candidates']}, chord "
              f"tones {w['chord_tones']}, {w['notes_ratio']} times their notes")


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(prog="python -m composer_app.training.continuation.heard_eval", description=__doc__,
                                formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--split", default="test", choices=("train", "valid", "test"))
    p.add_argument("--limit", type=int, default=40, help="pieces per source (default 40)")
    p.add_argument("--seeds", type=int, nargs="+", default=[0, 1, 2])
    p.add_argument("--no-sample", action="store_true", help="agreement and NLL only")
    p.add_argument("--only", choices=("fit", "accompaniment", "spans", "bass", "harmony", "alone"),
                   help="of the sampled figures, only these")
    p.add_argument("--json", action="store_true")
    args = p.parse_args(argv)
    engine = sa.load_continuation_engine(None)
    harmonizer = sa.load_harmonizer(None)
    report: dict = {}
    if args.only == "alone":
        for source in ALONE_SOURCES:
            report[source] = melody_alone(tunes_alone(source, args.split, args.limit), engine, harmonizer, args.seeds)
        if args.json:
            print(json.dumps(report, indent=2))
            return 0
        print("2 bars of a melody alone regenerated (fill) or varied (rhythm kept), 8 bars in: the candidates' notes "
              "on the annotated chords' tones / pitch classes against the real notes")
        for source, r in report.items():
            print(f"  {source} ({args.split}): " + "; ".join(
                f"{name} {w['chord_tones']} / {w['pitch_classes']}" for name, w in r.items()))
        return 0
    for source, after in SOURCES.items():
        pieces = pieces_of(source, args.split, args.limit)
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
            if args.only in (None, "bass"):
                report[source]["bass"] = bass_lines(pieces, engine, args.seeds)
                report[source]["melody_over_bass"] = melody_over_bass(pieces, engine, harmonizer, args.seeds)
                report[source]["accompaniment_over_bass"] = accompaniment(pieces, engine, args.seeds, harmonizer,
                                                                          over_bass=True)
            if args.only in (None, "harmony"):
                report[source]["over_the_bass"] = over_the_bass(pieces, harmonizer)
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
                _print_ways(f"  accompaniment continued ({c['points']} points; replaying the 4 bars before: pitch "
                            f"classes {c['replay']}; the real next bars: chord tones {c['real_chord_tones']}):", c,
                            WAYS)
            if "spans" in r:
                c = r["spans"]
                print(f"  2 bars of the accompaniment regenerated or varied (rhythm) ({c['points']} spans; the real "
                      f"notes' chord tones {c['real_chord_tones']}):")
                for name, w in c["ways"].items():
                    mode, way = name.split()
                    print(f"    {mode}, over the chords {SPAN_WAYS[way]}: pitch classes against the real notes "
                          f"{w['candidates']}, chord tones {w['chord_tones']}")
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
                _print_ways(f"  the accompaniment continued over its bass line alone ({c['points']} points; the real "
                            f"next bars: chord tones {c['real_chord_tones']}):", c,
                            {"heard": "heard in the bass line (before)",
                             "harmonized": "the harmonizer hears over the bass line (the app)"})
            if "over_the_bass" in r:
                c = r["over_the_bass"]
                print(f"  the melody harmonized over the bass line alone ({c['slots']} half bars; first candidate's "
                      f"root against the annotated): with the bass line {c['bass']}, the melody alone "
                      f"{c['melody alone']}, the diatonic rule {c['rule']}")
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
    return 0 if report else 1


if __name__ == "__main__":
    raise SystemExit(main())
