"""When in Rome Roman-numeral analyses of Bach chorales, paired with the music21 corpus scores (SATB)."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

from composer_app.core.pitch import KeySignature
from composer_app.training.cache import cached
from composer_app.training.corpus import Part, Piece, SkipPiece, chord_spans
from composer_app.training.m21util import measure_offsets, part_meters, part_notes, roman_label, ticks
from composer_app.training.skips import SkipLog, read_or_reason

SOURCE = "when_in_rome"
LICENCE = ("Analyses CC BY-SA 4.0 (When in Rome, M. Gotham et al.); scores public domain (music21 corpus, "
           "J. S. Bach)")
CHORALES = Path("Corpus/Early_Choral/Bach,_Johann_Sebastian/Chorales")
VOICES = ("soprano", "alto", "tenor", "bass")


def _voice_parts(score) -> list:
    named = {}
    for part in score.parts:
        name = (part.partName or "").strip().lower()
        for voice in VOICES:
            if name.startswith(voice) and voice not in named:
                named[voice] = part
    if len(named) == 4:
        return [named[v] for v in VOICES]
    if len(score.parts) == 4:
        return list(score.parts)
    raise SkipPiece(f"cannot find four SATB parts among {len(score.parts)} parts")


def read_chorale(folder: Path) -> Piece:
    from music21 import converter, corpus, roman

    remote = json.loads((folder / "remote.json").read_text())
    pointer = remote.get("remote_score_music21")
    if not pointer:
        raise SkipPiece("remote.json names no music21 score")
    try:
        score = corpus.parse(pointer)
    except Exception as exc:  # noqa: BLE001 - music21 raises several kinds
        raise SkipPiece(f"music21 corpus has no {pointer}") from exc
    voices = _voice_parts(score)
    parts = tuple(Part("satb", part_notes(p), v) for p, v in zip(voices, VOICES))
    if any(not p.notes for p in parts):
        raise SkipPiece("a voice has no notes")
    analysis = converter.parse(str(folder / "analysis.txt"), format="romantext")
    offsets = measure_offsets(voices[0])
    onsets: list[tuple[int, str]] = []
    keys: list[KeySignature] = []
    missing = 0
    for rn in analysis.recurse().getElementsByClass(roman.RomanNumeral):
        bar = offsets.get(rn.measureNumber)
        label = roman_label(rn)
        if bar is None or label is None:
            missing += 1
            continue
        tick = bar + ticks(rn.offset)
        onsets.append((tick, label))
        k = rn.key
        if k is not None:
            mode = "minor" if k.mode == "minor" else "major"
            key = KeySignature(tick if keys else 0, k.tonic.pitchClass, mode)
            if not keys or (key.tonic, key.mode) != (keys[-1].tonic, keys[-1].mode):
                keys.append(key)
    if not onsets or missing > 0.1 * (len(onsets) + missing):
        raise SkipPiece(f"{missing} Roman numerals do not match the score's measures")
    end = max(p.end for p in parts)
    by_tick = dict(sorted(onsets))
    return Piece(
        id=f"{SOURCE}/{folder.name}", source=SOURCE, style="chorale", meters=part_meters(voices[0]),
        keys=tuple(keys), chords=chord_spans(by_tick.items(), end), parts=parts, licence=LICENCE,
        title=str(remote.get("text") or remote.get("tune") or ""),
        meta={"bwv": str(remote.get("BWV", "")), "riemenschneider": str(remote.get("Riemenschneider", "")),
              "score": pointer},
    )


def iter_pieces(root: Path, limit: int | None = None, skips: SkipLog | None = None) -> Iterator[Piece]:
    """Pieces from ``root`` (the when_in_rome_bach folder), in chorale-number order; needs music21."""
    skips = skips if skips is not None else SkipLog()
    count = 0
    for folder in sorted(p for p in (root / CHORALES).iterdir() if p.is_dir()):
        if limit is not None and count >= limit:
            return
        if not (folder / "analysis.txt").is_file():
            skips.add(SOURCE, folder.name, "no analysis.txt")
            continue
        analysis = folder / "analysis.txt"
        for result in cached(SOURCE, analysis, lambda folder=folder: [read_or_reason(read_chorale, folder)]):
            if isinstance(result, str):
                skips.add(SOURCE, folder.name, result)
                continue
            count += 1
            yield result

