"""OpenEWLD public-domain lead sheets (compressed MusicXML) via music21: melody, chord symbols, key, meter."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

from composer_app.training.cache import cached
from composer_app.training.corpus import Part, Piece, SkipPiece, chord_spans
from composer_app.training.m21util import chord_symbol_label, part_meters, part_notes, score_keys, ticks
from composer_app.training.skips import SkipLog, read_or_reason

SOURCE = "openewld"
LICENCE = "Public-domain lead sheets (OpenEWLD, Wikifonia subset); OpenEWLD.db metadata not used"
STYLE = "jazz"  # popular and jazz standards of c. 1890-1940 with 7th/9th/6th chord symbols


def read_score(path: Path) -> Piece:
    from music21 import converter, harmony

    score = converter.parse(str(path))
    if not score.parts:
        raise SkipPiece("no parts")
    part = score.parts[0]
    melody = part_notes(part)
    if not melody:
        raise SkipPiece("no notes")
    onsets = []
    unnamed = 0
    for cs in part.recurse().getElementsByClass(harmony.Harmony):
        label = chord_symbol_label(cs)
        if label is None:
            unnamed += 1
            continue
        onsets.append((ticks(cs.getOffsetInHierarchy(part)), label))
    if not onsets:
        raise SkipPiece("no chord symbols")
    by_tick = dict(onsets)  # one label per onset: the last written wins
    end = max(s + d for _, s, d, _ in melody)
    end = max(end, ticks(part.highestTime))
    rel = path.parent.relative_to(path.parents[2])
    return Piece(
        id=f"{SOURCE}/{rel.as_posix()}", source=SOURCE, style=STYLE, meters=part_meters(part),
        keys=score_keys(score, melody, onsets[-1][1]), chords=chord_spans(by_tick.items(), end),
        parts=(Part("melody", melody),), licence=LICENCE, title=path.stem.replace("_", " "),
        meta={"unnamed_chords": str(unnamed)},
    )


def iter_pieces(root: Path, limit: int | None = None, skips: SkipLog | None = None) -> Iterator[Piece]:
    """Pieces from ``root`` (the openewld folder), in path order; needs music21."""
    skips = skips if skips is not None else SkipLog()
    count = 0
    for path in sorted((root / "dataset").glob("*/*/*.mxl")):
        if limit is not None and count >= limit:
            return
        for result in cached(SOURCE, path, lambda path=path: [read_or_reason(read_score, path)]):
            if isinstance(result, str):
                skips.add(SOURCE, path.name, result)
                continue
            count += 1
            yield result

