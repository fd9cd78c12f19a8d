"""Write held-out pieces as lead-sheet MIDI files (what ``composer-cli eval`` reads).

``python -m composer_app.training.continuation.export_leadsheets --out DIR [--split test] [--limit N]``: one
Type 1 file per piece of the split, with a ``melody`` track, a ``chords`` track of block chords carrying the
Harte labels, and key, meter and tempo in track 0. The title is ``source:id [style]`` so eval can condition
on the style. ``--limit`` caps the files per source. ``--strip-keys`` moves every piece to another key and
removes its key signatures (music in keys nobody told the models); ``--split all --sources airds essen`` writes
the collections no model trains on (cross-source evaluation).

``eval_set(kind, source)`` writes (once, into the user cache) the sets ``composer-cli eval continuation --held-out``
and ``--cross-source`` judge: the test split of each training source of lead sheets, or every tune of a
collection no model trains on, a piece spread evenly over the source, each moved to another key without its
signatures.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import re
import sys
import tempfile
from dataclasses import replace
from pathlib import Path

from composer_app.core.chords import parse_chord
from composer_app.core.pitch import KeySignature
from composer_app.core.song import ChordSymbol, Clip, Note, Song, Track
from composer_app.core.timing import TempoChange, TimeSignature
from composer_app.midi import write_midi
from composer_app.training import cache
from composer_app.training.continuation.dataset import DEFAULT_SOURCES, MIN_NOTES
from composer_app.training.corpus import Piece
from composer_app.training.skips import SkipLog
from composer_app.training.sources import EVAL_ONLY, SOURCES, iter_source
from composer_app.training.split import assign_split

CHORD_VELOCITY = 64
EVAL_SETS = {"held-out": ("nottingham", "pop909", "openewld"), "cross-source": EVAL_ONLY}
"""The sets of ``eval_set``: the lead-sheet sources the models train on (their test split), and those no model
trains on (every tune)."""
EVAL_SET_VERSION = 3
KEYS_FILE = "keys.json"
"""In each set's folder: file name -> [tonic, mode] of the key its piece starts in, as moved (the key to find)."""
"""Bump when what a set holds changes, so sets written before are written again."""
SPREAD = 6
"""A cross-source set of N pieces takes every SPREAD-th of the first SPREAD x N a collection yields (both of
miscFolk's collections, more than one book of Aird's airs); a held-out set the first N of the test split."""


def chord_spans(piece: Piece) -> list[tuple[int, int, str]]:
    """The piece's chord spans with every gap before the melody's end filled by 'N' (no chord)."""
    end = piece.end
    out, now = [], 0
    for start, dur, label in piece.chords:
        if start > now:
            out.append((now, start - now, "N"))
        out.append((start, dur, label))
        now = max(now, start + dur)
    if piece.chords and now < end:
        out.append((now, end - now, "N"))
    return out


def block_chord(label: str, start: int, duration: int) -> list[Note]:
    """Root in octave 3 (48..59) and the other chord tones stacked above it; none for 'N'."""
    try:
        chord = parse_chord(label)
    except ValueError:
        return []
    if chord.root is None:
        return []
    root = 48 + chord.root
    pitches = sorted({root} | {root + (pc - chord.root) % 12 for pc in chord.pitch_classes})
    return [Note(p, start, duration, CHORD_VELOCITY) for p in pitches]


def leadsheet_song(piece: Piece) -> Song | None:
    """The piece as a lead-sheet Song (None without a melody)."""
    melody = piece.melody
    if melody is None or len(melody.notes) < MIN_NOTES:
        return None
    end = max(piece.end, 1)
    mel = tuple(Note(p, s, d, v) for p, s, d, v in melody.notes)
    spans = chord_spans(piece)
    chord_notes = tuple(n for s, d, lab in spans for n in block_chord(lab, s, d))
    tracks = [Track(name="melody", program=0, channel=0, clips=(Clip(0, end, mel),))]
    if spans:
        chord_end = max(end, max(s + d for s, d, _ in spans))
        tracks.append(Track(name="chords", program=0, channel=1, clips=(Clip(0, chord_end, chord_notes),)))
    return Song(tracks=tuple(tracks), tempos=tuple(TempoChange(t, us) for t, us in piece.tempos),
                meters=tuple(TimeSignature(t, n, d) for t, n, d in piece.meters),
                keys=piece.keys or (KeySignature(0),), chords=tuple(ChordSymbol(s, d, lab) for s, d, lab in spans),
                title=f"{piece.source}:{piece.id} [{piece.style}]")


def hide_key(piece: Piece) -> Piece:
    """The piece moved to another key (-5..+6 semitones, chosen by its id) with its key signatures removed: music in
    keys nobody told the models, as most files from a DAW are."""
    return replace(moved_piece(piece), keys=())


def moved_piece(piece: Piece) -> Piece:
    """The piece moved as ``hide_key`` moves it, its key signatures moved with it (the keys to find)."""
    shift = int(hashlib.sha1(piece.id.encode()).hexdigest(), 16) % 12 - 5
    try:
        return piece.transposed(shift)
    except ValueError:
        return piece


def write_piece(piece: Piece, out: Path) -> Path | None:
    """The piece as a lead-sheet file in ``out``, named for its source and id (None without a melody)."""
    song = leadsheet_song(piece)
    if song is None:
        return None
    name = re.sub(r"[^A-Za-z0-9._-]+", "_", f"{piece.source}-{piece.id}")[:100]
    path = out / f"{name}.mid"
    write_midi(song, path)
    return path


def export(out: Path, split: str = "test", sources: list[str] | None = None, limit: int | None = None,
           log=print, strip_keys: bool = False) -> list[Path]:
    """Write every ``split`` piece of ``sources`` (at most ``limit`` per source; split "all" takes every piece)
    into ``out``; ``strip_keys`` moves each to another key and removes its key signatures."""
    out.mkdir(parents=True, exist_ok=True)
    written: list[Path] = []
    skips = SkipLog()
    for source in sources or list(DEFAULT_SOURCES):
        count = 0
        for piece in iter_source(source, skips=skips):
            if limit is not None and count >= limit:
                break
            if split != "all" and assign_split(piece) != split:
                continue
            path = write_piece(hide_key(piece) if strip_keys else piece, out)
            if path is None:
                continue
            written.append(path)
            count += 1
        log(f"  {source}: {count} lead sheets")
    return written


def eval_set(kind: str, source: str, pieces: int = 30, log=print) -> tuple[Path, SkipLog]:
    """The folder of ``source``'s lead sheets in the evaluation set ``kind`` (see EVAL_SETS, SPREAD), at most
    ``pieces``, written once into the user cache (a temporary folder when caching is off); with the reasons
    pieces were skipped (a missing dataset among them)."""
    split, spread = ("test", 1) if kind == "held-out" else ("all", SPREAD)
    base = cache.cache_dir()
    folder = (base.parent / "eval" / f"{kind}-{source}-{pieces}-v{EVAL_SET_VERSION}" if base is not None
              else Path(tempfile.mkdtemp(prefix=f"composer-eval-{source}-")))
    done = folder / "complete"
    skips = SkipLog()
    if done.is_file():
        return folder, skips
    folder.mkdir(parents=True, exist_ok=True)
    for old in folder.glob("*.mid"):
        old.unlink()
    chosen, seen = [], 0
    for piece in iter_source(source, skips=skips):
        if split != "all" and assign_split(piece) != split:
            continue
        if seen % spread == 0:
            chosen.append(piece)
        seen += 1
        if seen >= spread * pieces:
            break
    keys = {}
    for piece in chosen:
        moved = moved_piece(piece)
        path = write_piece(replace(moved, keys=()), folder)
        if path is not None and moved.keys:
            keys[path.name] = [moved.keys[0].tonic, moved.keys[0].mode]
    (folder / KEYS_FILE).write_text(json.dumps(keys, indent=0))
    written = len(list(folder.glob("*.mid")))
    if written:
        done.write_text(f"{written}\n")
    log(f"  {kind} {source}: {written} lead sheets in {folder}")
    return folder, skips


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__)
    p.add_argument("--out", type=Path, required=True)
    p.add_argument("--split", choices=("train", "valid", "test", "all"), default="test",
                   help="which split (all: every piece, for sources no model trains on such as airds, essen)")
    p.add_argument("--strip-keys", action="store_true",
                   help="move each piece to another key and remove its key signatures")
    p.add_argument("--sources", nargs="*", default=list(DEFAULT_SOURCES), choices=list(SOURCES))
    p.add_argument("--limit", type=int, default=None, help="files per source")
    args = p.parse_args(argv)
    files = export(args.out, args.split, args.sources, args.limit, strip_keys=args.strip_keys)
    print(f"wrote {len(files)} lead sheets to {args.out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
