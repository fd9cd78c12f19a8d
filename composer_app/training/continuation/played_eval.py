"""Music played in by hand (``played_rhythm``): ``python -m composer_app.training.continuation.played_eval``.

Each piece is played as a player on a keyboard plays it (``humanize``): onsets scattered around their beat (SPREAD,
about 15 ms at 120 bpm), the whole take a little late or early (up to LATE_SPREAD; ``--late`` adds a constant
lateness, as of a take recorded behind a sound card's buffer), every note released early (ARTICULATION of its
value), velocities scattered. Each figure is worked out twice: before (the take as the app read it until now, each
onset rounded to the network's grid) and now (read as written). The model card's tables:

- ``tunes``: lead sheets of the four sources' split (``--unseen``: the collections no model trains on), moved to other
  keys without key signatures, continued 4 bars after their first 4, those 4 bars played: one candidate against
  the real next bars (pitch classes, onsets), its notes per bar, the bars it copies from the prompt as written, and
  the share of the played onsets read back where they were written;
- ``parts``: the part the app hears in played parts (a lead sheet's tune and its left hand in two tracks, the left
  hand alone, both in one track; POP909's and the chorales' melodies and accompaniments);
- ``hands``: the left hands played under their tune, continued 4 bars at 8 and 16 bars in: pitch classes against
  the real next bars, the share of onsets struck with other notes (a chord), the part asked for as chords;
- ``harmony``: 8-bar excerpts of the sources' melodies (moved to other keys, ``crosseval``), played and harmonized:
  the first candidate's roots against the real chords, and the roots when the excerpt is not played.
"""

from __future__ import annotations

import json
import random
import statistics
import zlib
from collections import Counter
from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import replace
from unittest import mock

from composer_app.core.song import Clip, Note, Song, Track
from composer_app.core.timing import TimeSignature
from composer_app.model import continuation_metrics as cm
from composer_app.model import played_rhythm
from composer_app.model import song_adapter as sa
from composer_app.model import tokens as tk
from composer_app.model.continuation import ContinuationRequest
from composer_app.training.continuation import heard_eval as he
from composer_app.training.continuation import two_hands_eval as th
from composer_app.training.continuation.export_leadsheets import hide_key, leadsheet_song

SPREAD = 15.0
"""Standard deviation of a played onset around its beat (ticks; at 120 bpm a tick is about a millisecond)."""
LATE_SPREAD = 10.0
ARTICULATION = (0.7, 0.95)
READINGS = ("before", "now")
UNSEEN = ("airds", "essen")


def humanize(notes: Sequence[tuple[int, int, int, int]], seed: str, late: float = 0.0
             ) -> list[tuple[int, int, int, int]]:
    """``notes`` as played (see the module docstring), in the same order, the same every time for the same ``seed``;
    a key struck again is released first (no note overlaps another of its pitch)."""
    rng = random.Random(zlib.crc32(seed.encode()))
    shift = late + rng.uniform(-LATE_SPREAD, LATE_SPREAD)
    out = [(p, max(0, round(s + shift + rng.gauss(0, SPREAD))), max(20, round(d * rng.uniform(*ARTICULATION))),
            max(1, min(127, round(v + rng.gauss(0, 10))))) for p, s, d, v in notes]
    again: dict[int, int] = {}
    for i in sorted(range(len(out)), key=lambda i: out[i][1], reverse=True):
        p, s, d, v = out[i]
        if p in again:
            d = max(10, min(d, again[p] - s - 10))
        out[i], again[p] = (p, s, d, v), s
    return out


@contextmanager
def reading(which: str) -> Iterator[None]:
    """Within it the app reads a played take ``which`` way: "now" as written, "before" as it is."""
    if which == "now":
        yield
        return
    with mock.patch.object(played_rhythm, "is_played", lambda notes: False):
        yield


def song_of(meters: Sequence[tuple[int, int, int]], *parts: tuple[str, Sequence[tuple]]) -> Song:
    """A song of one track per (name, notes), as a DAW writes it (no chord symbols, no key signature)."""
    tracks = tuple(Track(name, channel=i, clips=(Clip(0, max(s + d for _, s, d, _ in notes) + 10,
                                                        tuple(Note(*n) for n in notes)),))
                   for i, (name, notes) in enumerate(parts))
    return Song(tracks=tracks, meters=tuple(TimeSignature(t, n, d) for t, n, d in meters))


def tune_songs(sources: Sequence[str], split: str, limit: int) -> Iterator[tuple[str, Song]]:
    """(id, lead-sheet song) of up to ``limit`` pieces per source of ``split`` ("all": every piece, for the sources no
    model trains on), moved to another key without its key signature (what ``export_leadsheets --strip-keys``
    writes)."""
    from composer_app.training.sources import iter_source
    from composer_app.training.split import assign_split

    for source in sources:
        count = 0
        for piece in iter_source(source):
            if count >= limit:
                break
            if split != "all" and assign_split(piece) != split:
                continue
            song = leadsheet_song(hide_key(piece))
            if song is not None:
                count += 1
                yield piece.id, song


def tunes(songs: Iterable[tuple[str, Song]], engine, seeds: Sequence[int], late: float = 0.0) -> dict:
    """The ``tunes`` figures of the module docstring, per reading, and for the prompt as written."""
    rows: dict[str, list[dict]] = {"written": [], **{r: [] for r in READINGS}}
    found: list[float] = []
    for name, song in songs:
        track = sa.pick_track(song)
        notes, meters = sa.track_notes(track), sa.meters_of(song)
        grid = tk.BarGrid(meters)
        first = cm.phrase_origin(notes, grid) + 4
        a, b = grid.start(first), grid.start(first + 4)
        prompt = tuple(n for n in notes if n[1] < a)
        real = tuple(n for n in notes if a <= n[1] < b)
        if len(prompt) < 4 or not real:
            continue
        played = humanize(prompt, name, late)
        read = played_rhythm.written_each(played, meters)
        found.append(sum(w[1] == n[1] for w, n in zip(read, prompt)) / len(prompt))
        played = sorted(played, key=lambda n: (n[1], n[0]))
        pcs, onsets = cm.pitch_class_histogram(real), cm.onset_histogram(real, grid)
        asked = {"meters": meters, "chords": sa.request_chords(song, track), "start_bar": first, "bars": 4,
                 "candidates": 4, "style": sa.song_style(song), "role": sa.infer_role(notes)}
        for way, context in (("written", prompt), *((r, tuple(played)) for r in READINGS)):
            with reading("now" if way == "written" else way):
                key = sa.choose_key(song, context, a, ahead=False).key
                for seed in seeds:
                    req = ContinuationRequest(context=context, key=key, seed=seed, **asked)
                    rows[way].extend({"pitch_classes": cm.overlap(cm.pitch_class_histogram(c.notes), pcs),
                                      "onsets": cm.overlap(cm.onset_histogram(c.notes, grid), onsets),
                                      "notes_per_bar": len(c.notes) / 4, "copy": cm.copy_share(c.notes, prompt, grid)}
                                     for c in engine.suggest(req) if c.notes)
    return {**{way: th.means(r) for way, r in rows.items()}, "onsets_read_as_written": _mean(found),
            "pieces": len(found)}


def parts(split: str, limit: int) -> dict:
    """The ``parts`` figures: per kind of part, how often the app hears each role in it, per reading."""
    counts: dict[str, dict[str, Counter]] = {}

    def count(label: str, meters, tracks: tuple, index: int) -> None:
        for way in READINGS:
            with reading(way):
                song = song_of(meters, *tracks)  # one per reading: what is worked out once per song is not shared
                role = sa.track_role(song, song.tracks[index])
            counts.setdefault(label, {w: Counter() for w in READINGS})[way][role] += 1

    for source in th.LEAD_SHEETS:
        for piece in th.pieces(source, split, limit):
            tune = humanize(piece.parts[0].notes, piece.id)
            for kind in th.LEFT_HANDS:
                hand = humanize(th.left_hand(piece, kind), f"{piece.id} {kind}")
                if not hand:
                    continue
                both = sorted(tune + hand, key=lambda n: (n[1], n[0]))
                count(f"{source}: {kind} under the tune", piece.meters, (("Melody", tune), ("Piano", hand)), 1)
                count(f"{source}: {kind} alone", piece.meters, (("Piano", hand),), 0)
                count(f"{source}: tune over {kind}, one track", piece.meters, (("Piano", both),), 0)
    for source in ("pop909", "when_in_rome"):
        for piece in th.pieces(source, split, limit):
            tune = humanize(piece.parts[0].notes, piece.id)
            rest = humanize(he.accompaniment_of(piece), f"{piece.id} accompaniment")
            count(f"{source}: accompaniment under the tune", piece.meters, (("Melody", tune), ("Piano", rest)), 1)
            count(f"{source}: tune over the accompaniment", piece.meters, (("Melody", tune), ("Piano", rest)), 0)
            count(f"{source}: accompaniment alone", piece.meters, (("Piano", rest),), 0)
    return {label: {way: dict(c) for way, c in by.items()} for label, by in counts.items()}


def hands(split: str, limit: int, engine, seeds: Sequence[int]) -> dict:
    """The ``hands`` figures, per lead-sheet source and left hand, per reading."""
    rows: dict[str, dict[str, list[dict]]] = {}
    for source in th.LEAD_SHEETS:
        for piece in [hide_key(p) for p in th.pieces(source, split, limit)]:
            tune = sorted(humanize(piece.parts[0].notes, piece.id), key=lambda n: (n[1], n[0]))
            for kind in th.LEFT_HANDS:
                written = th.left_hand(piece, kind)
                hand = humanize(written, f"{piece.id} {kind}")
                if not hand:
                    continue
                mm = song_of(piece.meters, ("Piano", hand)).meter_map
                for start_bar, a, _, real in he.points_in(piece, written, mm):
                    target = cm.pitch_class_histogram(real, by_duration=True)
                    for way in READINGS:
                        with reading(way):
                            cut = [h for h, w in zip(hand, written) if w[1] < a]  # the bars before, as played
                            song = song_of(piece.meters, ("Melody", tune), ("Piano", cut))
                            for seed in seeds:
                                request, _ = sa.suggest_request(song, song.tracks[1], start_bar=start_bar, bars=4,
                                                                seed=seed)
                                rows.setdefault(f"{source}: {kind}", {}).setdefault(way, []).extend(
                                    {"pitch_classes": cm.overlap(cm.pitch_class_histogram(c.notes, by_duration=True),
                                                                 target),
                                     "chords": _struck_together(c.notes),
                                     "asked_as_chords": float(request.role == "accompaniment")}
                                    for c in engine.suggest(request))
    return {label: {way: th.means(r) for way, r in by.items()} for label, by in rows.items()}


def harmony(split: str, limit: int, harmonizer) -> dict:
    """The ``harmony`` figures per source: the first candidate's roots (and the diatonic rule's) on the excerpts as
    written, played, per reading."""
    from composer_app.training.harmony import crosseval as ce

    out = {}
    for source in ("nottingham", "pop909", "openewld", "when_in_rome"):
        excerpts = list(ce.iter_excerpts([source], split, limit, transpose=True, strip_key=True))
        played = [replace(ex, melody=tuple(n[:3] for n in humanize([(*n, 80) for n in ex.melody], ex.name)))
                  for ex in excerpts]
        ways = {"written": excerpts}
        for way in READINGS:
            with reading(way):
                ways[way] = [replace(ex, melody=tuple(n[:3] for n in played_rhythm.as_written(
                    [(*n, 80) for n in ex.melody], ex.meters))) for ex in played]
        out[source] = {way: {k: v for k, v in ce.evaluate_excerpts(group, harmonizer)["root"].items()
                             if k in ("model", "rule")} for way, group in ways.items()}
        out[source]["excerpts"] = len(excerpts)
    return out


def _struck_together(notes: Sequence[tuple]) -> float:
    onsets = Counter(n[1] for n in notes)
    return sum(c > 1 for c in onsets.values()) / len(onsets) if onsets else 0.0


def _mean(values: list[float]) -> float | None:
    return round(statistics.mean(values), 4) if values else None


def main(argv: list[str] | None = None) -> int:
    p = he.parser("played_eval", __doc__)
    p.add_argument("--only", choices=("tunes", "parts", "hands", "harmony"), nargs="+",
                   default=["tunes", "parts", "hands", "harmony"])
    p.add_argument("--unseen", action="store_true",
                   help="the tunes of the collections no model trains on (airds, essen: every piece)")
    p.add_argument("--late", type=float, default=0.0, help="ticks every onset is late by (a sound card's buffer)")
    args = p.parse_args(argv)
    engine = sa.load_continuation_engine(None)
    report: dict = {}
    if "tunes" in args.only:
        songs = (tune_songs(UNSEEN, "all", args.limit) if args.unseen else
                 tune_songs(th.SOURCES, args.split, args.limit))
        report["tunes"] = tunes(songs, engine, args.seeds, args.late)
    if "parts" in args.only:
        report["parts"] = parts(args.split, args.limit)
    if "hands" in args.only:
        report["hands"] = hands(args.split, args.limit, engine, args.seeds)
    if "harmony" in args.only:
        report["harmony"] = harmony(args.split, args.limit, sa.load_harmonizer(None))
    print(json.dumps(report, indent=1 if args.json else None))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
