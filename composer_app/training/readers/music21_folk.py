"""O'Neill's 1850 and Ryan's Mammoth Collection (public-domain dance tunes, ABC) from the music21 corpus."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

from composer_app.training import cache
from composer_app.training.corpus import Part, Piece, SkipPiece, chord_spans
from composer_app.training.m21util import chord_symbol_label, part_meters, part_notes, score_keys, ticks
from composer_app.training.skips import SkipLog

SOURCE = "music21_folk"
LICENCE = "Public domain (O'Neill's Music of Ireland 1850 / Ryan's Mammoth Collection 1883, music21 corpus)"
COLLECTIONS = ("oneills1850", "ryansMammoth")  # never essenFolksong (non-commercial licence)


def corpus_root() -> Path | None:
    """The music21 corpus folder inside the installed wheel, or None without music21."""
    try:
        from music21 import common
    except ImportError:
        return None
    return Path(common.getCorpusFilePath())


def piece_from_score(score, piece_id: str, source: str = SOURCE, licence: str = LICENCE) -> Piece:
    from music21 import harmony

    part = score.parts[0] if score.parts else score
    melody = part_notes(part)
    if len(melody) < 8:
        raise SkipPiece("fewer than 8 notes")
    onsets = []
    for cs in part.recurse().getElementsByClass(harmony.ChordSymbol):
        if not cs.figure or cs.figure[0] not in "ABCDEFG":
            continue  # fingerings and other text in quotes
        label = chord_symbol_label(cs)
        if label is not None:
            onsets.append((ticks(cs.getOffsetInHierarchy(part)), label))
    end = max(s + d for _, s, d, _ in melody)
    title = (score.metadata.title if score.metadata is not None else "") or ""
    return Piece(
        id=piece_id, source=source, style="folk", meters=part_meters(part),
        keys=score_keys(score, melody, onsets[-1][1] if onsets else None),
        chords=chord_spans(dict(onsets).items(), end) if onsets else (), parts=(Part("melody", melody),),
        licence=licence, title=title,
    )


def _scores(path: Path):
    from music21 import converter, stream

    parsed = converter.parse(str(path))
    return list(parsed.scores) if isinstance(parsed, stream.Opus) else [parsed]


def iter_pieces(root: Path | None = None, limit: int | None = None,
                skips: SkipLog | None = None) -> Iterator[Piece]:
    """Pieces from the music21 corpus (``root`` defaults to it), O'Neill's first; needs music21.

    O'Neill's files overlap (e.g. 0626-0635 and 0626-0700), so tunes are de-duplicated by number."""
    yield from iter_collections(COLLECTIONS, SOURCE, LICENCE, root, limit, skips)


def iter_collections(collections: tuple[str, ...], source: str, licence: str, root: Path | None = None,
                     limit: int | None = None, skips: SkipLog | None = None) -> Iterator[Piece]:
    """Tunes of the music21 corpus's ABC ``collections`` as Pieces of ``source``."""
    skips = skips if skips is not None else SkipLog()
    root = root or corpus_root()
    if root is None:
        return
    count = 0
    seen: set[str] = set()
    for collection in collections:
        for path in sorted((root / collection).glob("*.abc")):
            records = cache.load(source, path)
            results = (cache.from_records(records) if records is not None
                       else _build(path, collection, source, licence))
            done: list[Piece | str] = []
            for result in results:
                done.append(result)
                if limit is not None and count >= limit:
                    return
                if isinstance(result, str):
                    skips.add(source, path.name, result)
                    continue
                if result.id in seen:
                    continue
                seen.add(result.id)
                count += 1
                yield result
            if records is None:  # the whole file was read: remember it
                cache.store(source, path, cache.to_records(done))


def _build(path: Path, collection: str, source: str = SOURCE, licence: str = LICENCE) -> Iterator[Piece | str]:
    """Each tune of one ABC file as a Piece, or the reason it was skipped."""
    try:
        scores = _scores(path)
    except Exception as exc:  # noqa: BLE001 - a broken file is counted, not fatal
        yield f"{type(exc).__name__}: {exc}"
        return
    for i, score in enumerate(scores):
        number = score.metadata.number if score.metadata is not None else None
        if collection == "oneills1850" and number:
            piece_id = f"{source}/{collection}/{number}"
        else:
            piece_id = f"{source}/{collection}/{path.stem}" + (f"-{i}" if i else "")
        try:
            yield piece_from_score(score, piece_id, source, licence)
        except SkipPiece as exc:
            yield str(exc)
        except Exception as exc:  # noqa: BLE001
            yield f"{type(exc).__name__}: {exc}"
