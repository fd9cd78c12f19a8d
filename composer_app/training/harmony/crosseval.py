"""Harmonization on 8-bar excerpts as a musician tries it: model (first and best of 4), HMM, diatonic rule,
real chords; held-out split or cross-source (each source judged by weights trained without it)."""

from __future__ import annotations

import json
import sys
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, replace
from pathlib import Path

import numpy as np

from composer_app.core.pitch import KeySignature
from composer_app.core.song import Song
from composer_app.core.timing import meters_from
from composer_app.model.harmony import DEFAULT_WEIGHTS, Harmonizer, HarmonyRequest
from composer_app.model.harmony_features import slot_grid, slot_labels
from composer_app.model.harmony_metrics import chord_pcs, distinctness
from composer_app.model.harmony_rules import dominant_resolutions, secondary_dominants, seventh_share, two_five_count
from composer_app.model.keys import estimate_key
from composer_app.training.corpus import Piece
from composer_app.training.sources import iter_source
from composer_app.training.split import assign_split, unit_hash

MelodyNote = tuple[int, int, int]
ChordSpan = tuple[int, int, str]
METHODS = ("model", "best_of_4", "hmm", "rule", "real")


@dataclass(frozen=True)
class Excerpt:
    """A few bars of a tune from tick 0: melody, the real chords, meters, the key the request gets."""

    name: str
    source: str
    style: str
    melody: tuple[MelodyNote, ...]
    chords: tuple[ChordSpan, ...]
    meters: tuple[tuple[int, int, int], ...]
    key: KeySignature
    end: int


def excerpts_of(piece: Piece, bars: int = 8, windows: int = 2, transpose: int = 0,
                strip_key: bool = False) -> list[Excerpt]:
    """Up to ``windows`` non-overlapping ``bars``-bar excerpts with a melody and mostly chorded slots."""
    mel = piece.melody
    if mel is None or not piece.chords:
        return []
    if transpose:
        lowest = min(n[0] for n in mel.notes)
        highest = max(n[0] for n in mel.notes)
        if lowest + transpose < 0 or highest + transpose > 127:
            transpose = 0
        piece = piece.transposed(transpose)
        mel = piece.melody
        assert mel is not None
    return _windows(f"{piece.source}:{piece.id}", piece.source, piece.style,
                    tuple((p, s, d) for p, s, d, _ in mel.notes), piece.chords, piece.meters, piece.bar_lines(),
                    None if strip_key else piece.key_at, bars, windows)


def song_excerpts(song: Song, name: str, style: str, bars: int = 8, windows: int = 2) -> list[Excerpt]:
    """``excerpts_of`` for a lead-sheet file as the app reads it (melody track by ``pick_track``, chord symbols):
    the windows start at the bar of the melody's first note; the key is the file's key signature, or where it
    has none the key ``estimate_key`` finds in each excerpt's melody (never the chord symbols, the answer)."""
    from composer_app.model.song_adapter import has_key_signature, meters_of, pick_track, track_notes

    notes = track_notes(pick_track(song))
    if not notes or not song.chords:
        return []
    mm = song.meter_map
    first = mm.bar_of(min(n[1] for n in notes))
    end = max(n[1] + n[2] for n in notes)
    lines = [mm.bar_start(b) for b in range(first, mm.bar_of(end) + 2)]
    return _windows(name, "files", style, tuple((n[0], n[1], n[2]) for n in notes),
                    tuple((c.start, c.duration, c.label) for c in song.chords), meters_of(song), lines,
                    song.key_at if has_key_signature(song) else None, bars, windows)


def _windows(name: str, source: str, style: str, melody_notes: tuple[MelodyNote, ...],
             chord_spans: Iterable[ChordSpan], meters: Iterable[tuple[int, int, int]], lines: list[int],
             key_at: Callable[[int], KeySignature | None] | None, bars: int, windows: int) -> list[Excerpt]:
    """The excerpts of ``bars`` bars from each of the first ``windows`` multiples of ``bars`` in the bar
    ``lines``, with at least 8 melody notes and a chord on 3/4 of their half-bar slots; their key from ``key_at``
    (None, or None there: estimated from the excerpt's melody)."""
    out = []
    for w in range(windows):
        a = w * bars
        if a + bars >= len(lines):
            break
        start, stop = lines[a], lines[a + bars]
        melody = tuple((p, s - start, min(s + d, stop) - s) for p, s, d in melody_notes if start <= s < stop)
        chords = tuple((max(s, start) - start, min(s + d, stop) - max(s, start), lab) for s, d, lab in chord_spans
                       if s < stop and s + d > start)
        if len(melody) < 8 or not chords:
            continue
        excerpt_meters = meters_from(meters, start, stop)
        slots = slot_grid(excerpt_meters, stop - start, "half")
        labels = slot_labels(chords, slots)
        if sum(lab != "N" for lab in labels) < 0.75 * len(labels):
            continue
        key = key_at(start) if key_at is not None else None
        if key is None:
            key = estimate_key(melody).key
        out.append(Excerpt(f"{name}:{w}", source, style, melody, chords, excerpt_meters,
                           KeySignature(0, key.tonic, key.mode), stop - start))
    return out


def iter_excerpts(sources: Iterable[str], split: str | None = "test", pieces: int | None = None,
                  transpose: bool = False, strip_key: bool = False, datasets: Path | None = None,
                  bars: int = 8, windows: int = 2) -> Iterator[Excerpt]:
    """Excerpts of the pieces of ``split`` (every piece when None), ``pieces`` per source at most;
    ``transpose`` moves each piece by a fixed pseudo-random amount (-5..6 semitones)."""
    for source in sources:
        count = 0
        for piece in iter_source(source, datasets=datasets):
            if pieces is not None and count >= pieces:
                break
            if split is not None and assign_split(piece) != split:
                continue
            shift = int(unit_hash(piece.id, "transpose") * 12) - 5 if transpose else 0
            found = excerpts_of(piece, bars, windows, shift, strip_key)
            if found:
                count += 1
                yield from found


def strong_beat_chord_tones(melody: tuple[MelodyNote, ...], chords: Iterable[ChordSpan],
                            meters: tuple[tuple[int, int, int], ...], end: int) -> tuple[int, int]:
    """(chord tones, melody notes) sounding on the strong beats (the starts of the half-bar slots)."""
    spans = sorted(chords)
    hits = total = 0
    for slot in slot_grid(meters, end, "half"):
        tick = slot.start
        note = next((p for p, s, d in melody if s <= tick < s + d), None)
        label = next((lab for s, d, lab in spans if s <= tick < s + d), None)
        if note is None or label is None or not chord_pcs(label):
            continue
        total += 1
        hits += (note % 12) in chord_pcs(label)
    return hits, total


def _roots(labels: list[str]) -> list[int | None]:
    from composer_app.core.chords import parse_chord

    out = []
    for lab in labels:
        try:
            out.append(parse_chord(lab).root)
        except ValueError:
            out.append(None)
    return out


def _mean(xs: list[float]) -> float | None:
    """The mean to 4 places (None for nothing)."""
    return round(float(np.mean(xs)), 4) if xs else None


def evaluate_excerpts(excerpts: Iterable[Excerpt], harmonizer: Harmonizer, candidates: int = 4,
                      style: str | None = None, seed: int = 0) -> dict:
    """Pooled figures over half-bar slots where the real chord exists: root and majmin agreement with the real
    chords, chord tones on strong beats; diversity and style statistics of the alternatives."""
    from composer_app.model.harmony_vocab import reduce_majmin

    root = {m: [0, 0] for m in METHODS if m != "real"}
    majmin = {m: [0, 0] for m in METHODS if m != "real"}
    ct = {m: [0, 0] for m in METHODS if m != "best_of_4"}
    div, sevenths, two_five, resolutions, secondary, n_ex = [], [], [], [], [], 0
    paired: list[tuple[int, int, int]] = []  # per excerpt: model 1st and rule root hits, slots
    for i, ex in enumerate(excerpts):
        req = HarmonyRequest(ex.melody, meters=ex.meters, key=ex.key, end=ex.end, rhythm="half",
                             style=style or ex.style, candidates=candidates, seed=seed + i)
        slots = slot_grid(ex.meters, ex.end, "half")
        truth = slot_labels(ex.chords, slots)
        live = [j for j, lab in enumerate(truth) if lab != "N"]
        t_roots, t_mm = _roots(truth), [reduce_majmin(lab) for lab in truth]
        alts = harmonizer.harmonize(req)
        results = {"model": alts[:1], "hmm": harmonizer.harmonize(replace(req, method="hmm", candidates=1)),
                   "rule": harmonizer.harmonize(replace(req, method="rule", candidates=1))}
        n_ex += 1
        best = -1
        hits: dict[str, int] = {}
        for method, res in results.items():
            labels = list(res[0].slot_labels)
            r = _roots(labels)
            hit = sum(r[j] == t_roots[j] for j in live)
            root[method][0] += hit
            root[method][1] += len(live)
            majmin[method][0] += sum(reduce_majmin(labels[j]) == t_mm[j] for j in live)
            majmin[method][1] += len(live)
            h, t = strong_beat_chord_tones(ex.melody, res[0].chords, ex.meters, ex.end)
            ct[method][0] += h
            ct[method][1] += t
            hits[method] = hit
        paired.append((hits["model"], hits["rule"], len(live)))
        for alt in alts:
            r = _roots(list(alt.slot_labels))
            best = max(best, sum(r[j] == t_roots[j] for j in live))
        root["best_of_4"][0] += best
        root["best_of_4"][1] += len(live)
        majmin["best_of_4"][1] += len(live)
        h, t = strong_beat_chord_tones(ex.melody, ex.chords, ex.meters, ex.end)
        ct["real"][0] += h
        ct["real"][1] += t
        div.append(distinctness([a.slot_labels for a in alts]))
        first = list(alts[0].slot_labels)
        sevenths.append(seventh_share(first))
        two_five.append(two_five_count(first))
        resolutions.append(dominant_resolutions(first))
        secondary.append(secondary_dominants(first, ex.key.tonic))
    ratio = lambda x: round(x[0] / x[1], 4) if x[1] else None  # noqa: E731
    return {"excerpts": n_ex, "slots": root["model"][1],
            "root": {m: ratio(v) for m, v in root.items()},
            "root_model_minus_rule_ci95": gain_interval(paired, seed),
            "majmin": {m: ratio(v) for m, v in majmin.items() if m != "best_of_4"},
            "strong_beat_chord_tones": {m: ratio(v) for m, v in ct.items()},
            "alternatives_distinct": _mean(div), "first_sevenths": _mean(sevenths),
            "first_two_five_per_excerpt": _mean(two_five), "first_dominant_resolutions_per_excerpt": _mean(resolutions),
            "first_secondary_dominants_per_excerpt": _mean(secondary)}


def excerpt_report(files: Iterable[Path], harmonizer: Harmonizer, default_style: str = "pop") -> dict | None:
    """``evaluate_excerpts`` over the ``song_excerpts`` of lead-sheet files (style from a 'style--' name prefix,
    else ``default_style``); None when no file has an excerpt to judge. Unreadable files are left out (the
    whole-file report lists them)."""
    from composer_app.fileio import open_song
    from composer_app.model.as_played import as_played
    from composer_app.training.harmony.evaluate import style_of

    excerpts: list[Excerpt] = []
    for path in files:
        try:
            song = as_played(open_song(path)).song  # as harmonize reads a file
        except Exception:  # noqa: BLE001 - reported by the whole-file evaluation
            continue
        excerpts += song_excerpts(song, path.stem, style_of(path, default_style))
    return evaluate_excerpts(excerpts, harmonizer) if excerpts else None


def gain_interval(paired: list[tuple[int, int, int]], seed: int = 0, draws: int = 2000) -> list[float] | None:
    """95% bootstrap interval (excerpts resampled) of the model's root agreement minus the rule's, pooled over
    slots as in the table: an interval above 0 means the model is ahead beyond the luck of the sample."""
    if not paired:
        return None
    arr = np.array(paired, dtype=np.float64)
    idx = np.random.default_rng(seed).integers(0, len(arr), size=(draws, len(arr)))
    picked = arr[idx]  # (draws, n, 3)
    gain = (picked[..., 0].sum(axis=1) - picked[..., 1].sum(axis=1)) / np.maximum(picked[..., 2].sum(axis=1), 1)
    lo, hi = np.percentile(gain, [2.5, 97.5])
    return [round(float(lo), 4), round(float(hi), 4)]


CROSS_SOURCE_WEIGHTS = DEFAULT_WEIGHTS.parent / "cross_source"
"""The weights trained without each source, as the harmony card's cross-source table measured them (``train
--only-cross-source`` writes them; ``--quick`` runs write theirs into the cache)."""


def loso_weights(source: str, folder: Path | None = None) -> Path:
    """Where the weights trained without ``source`` live: ``folder``, else the shipped ones."""
    return (folder or CROSS_SOURCE_WEIGHTS) / f"harmony-without-{source}.npz"


def cross_source(sources: Iterable[str], load: Callable[[str], Harmonizer | None], pieces: int | None = 60,
                 transpose: bool = True, strip_key: bool = True, log: Callable[[str], None] = print) -> dict:
    """For each source: its pieces (all splits; transposed, key signatures removed so the key is estimated)
    judged by ``load(source)``, the weights trained without it."""
    out = {}
    for source in sources:
        harmonizer = load(source)
        if harmonizer is None:
            log(f"{source}: no weights trained without it; skipped")
            continue
        exs = list(iter_excerpts([source], split=None, pieces=pieces, transpose=transpose, strip_key=strip_key))
        if not exs:
            log(f"{source}: no pieces (datasets missing?); skipped")
            continue
        out[source] = evaluate_excerpts(exs, harmonizer)
        log(f"{source}: {out[source]}")
    return out


def format_table(reports: dict[str, dict]) -> list[str]:
    """Markdown rows: one per source (or split), root agreement and strong-beat chord tones per method."""
    lines = ["| test set | excerpts | root: model 1st | best of 4 | HMM | diatonic rule | chord tones on strong beats: "
             "model 1st | HMM | rule | real chords | alternatives distinct | "
             "model 1st minus rule, root (95% interval) |",
             "|---" * 12 + "|"]
    for name, r in reports.items():
        ro, ct = r["root"], r["strong_beat_chord_tones"]
        lines.append(f"| {name} | {r['excerpts']} | {ro['model']:.3f} | {ro['best_of_4']:.3f} | {ro['hmm']:.3f} | "
                     f"{ro['rule']:.3f} | {ct['model']:.3f} | {ct['hmm']:.3f} | {ct['rule']:.3f} | {ct['real']:.3f} | "
                     f"{r['alternatives_distinct']:.3f} | {_interval(r)} |")
    return lines


def _interval(report: dict) -> str:
    ci = report.get("root_model_minus_rule_ci95")
    gain = report["root"]["model"] - report["root"]["rule"]
    return f"{gain:+.3f}" + (f" ({ci[0]:+.3f} to {ci[1]:+.3f})" if ci else "")


def held_out(harmonizer: Harmonizer, sources: Iterable[str], pieces: int | None = 60,
             log: Callable[[str], None] = print) -> dict:
    """Each source's held-out test pieces (transposed, key signatures removed: the key is estimated) judged by
    ``harmonizer`` (normally the shipped weights, trained on the other split of every source)."""
    out = {}
    for source in sources:
        exs = list(iter_excerpts([source], split="test", pieces=pieces, transpose=True, strip_key=True))
        if exs:
            out[source] = evaluate_excerpts(exs, harmonizer)
            log(f"{source}: {out[source]}")
    return out


def run_cli(mode: str, harmonizer: Harmonizer | None, as_json: bool, pieces: int | None) -> int:
    """``composer-cli eval harmonization --cross-source`` / ``--held-out``: print the table (or JSON)."""
    from composer_app.training.harmony.data import SOURCES

    if mode == "cross-source":
        def load(source: str) -> Harmonizer | None:
            path = loso_weights(source)
            return Harmonizer.load(path) if path.is_file() else None

        reports = cross_source(SOURCES, load, pieces=pieces or 60, log=lambda _: None)
        if not reports:
            print("composer-cli: error: no source could be judged: it needs the datasets (../shared/datasets) and "
                  f"the weights trained without each source ({CROSS_SOURCE_WEIGHTS}; python -m "
                  "composer_app.training.harmony.train --only-cross-source trains them)", file=sys.stderr)
            return 1
    else:
        assert harmonizer is not None
        reports = held_out(harmonizer, SOURCES, pieces=pieces or 60, log=lambda _: None)
        if not reports:
            print("composer-cli: error: no dataset pieces found (../shared/datasets)", file=sys.stderr)
            return 1
    print(json.dumps(reports, indent=2) if as_json else "\n".join(format_table(reports)))
    return 0


def style_contrast(harmonizer: Harmonizer, excerpts: list[Excerpt], styles: tuple[str, ...] = ("pop", "jazz")) -> dict:
    """The first candidate on the same melodies in each style: share of seventh chords, ii-V, dominant
    resolutions and secondary dominants per excerpt, root agreement with the real chords; "real" counts the same
    for the real chords (root None)."""
    out = {}
    for style in styles:
        report = evaluate_excerpts(excerpts, harmonizer, candidates=1, style=style)
        out[style] = {"sevenths": report["first_sevenths"], "two_five": report["first_two_five_per_excerpt"],
                      "resolutions": report["first_dominant_resolutions_per_excerpt"],
                      "secondary": report["first_secondary_dominants_per_excerpt"],
                      "root": report["root"]["model"], "excerpts": report["excerpts"]}
    real = [slot_labels(ex.chords, slot_grid(ex.meters, ex.end, "half")) for ex in excerpts]
    out["real"] = {"sevenths": _mean([seventh_share(lab) for lab in real]),
                   "two_five": _mean([two_five_count(lab) for lab in real]),
                   "resolutions": _mean([dominant_resolutions(lab) for lab in real]),
                   "secondary": _mean([secondary_dominants(lab, ex.key.tonic) for lab, ex in zip(real, excerpts)]),
                   "root": None, "excerpts": len(excerpts)}
    return out
