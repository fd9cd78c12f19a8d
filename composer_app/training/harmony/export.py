"""Write held-out pieces as lead-sheet MIDI files (melody, chords as Harte text events, key, meter, tempo).

``python -m composer_app.training.harmony.export OUT_DIR [--split test] [--limit N]``
"""

from __future__ import annotations

import argparse
import re
from collections.abc import Iterable
from pathlib import Path

from composer_app.core.song import ChordSymbol, Clip, Note, Song, Track
from composer_app.core.timing import TempoChange, TimeSignature
from composer_app.midi import write_midi
from composer_app.training.corpus import Piece
from composer_app.training.harmony.data import SOURCES, iter_test_pieces


def piece_song(piece: Piece) -> Song:
    """The piece's melody and chord labels as a lead-sheet song (original key)."""
    mel = piece.melody
    if mel is None:
        raise ValueError(f"{piece.id} has no melody")
    notes = tuple(Note(p, s, d, v) for p, s, d, v in mel.notes)
    end = max(n.end for n in notes)
    track = Track(name="melody", clips=(Clip(0, end, notes),))
    chords = tuple(ChordSymbol(s, d, lab) for s, d, lab in piece.chords)
    return Song(tracks=(track,), tempos=tuple(TempoChange(t, us) for t, us in piece.tempos),
                meters=tuple(TimeSignature(t, n, d) for t, n, d in piece.meters), keys=piece.keys[:1] or (),
                chords=chords, title=piece.title or piece.id)


def file_name(piece: Piece) -> str:
    """'{style}--{source}-{id}.mid' (the evaluator reads the style from the prefix)."""
    safe = re.sub(r"[^A-Za-z0-9_-]+", "_", piece.id)[-80:]
    return f"{piece.style}--{safe}.mid"


def export_pieces(pieces: Iterable[Piece], out_dir: Path) -> list[Path]:
    out_dir.mkdir(parents=True, exist_ok=True)
    paths = []
    for piece in pieces:
        try:
            song = piece_song(piece)
        except ValueError:
            continue
        path = out_dir / file_name(piece)
        write_midi(song, path)
        paths.append(path)
    return paths


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(prog="python -m composer_app.training.harmony.export", description=__doc__)
    ap.add_argument("out", type=Path)
    ap.add_argument("--split", default="test", choices=("train", "valid", "test"))
    ap.add_argument("--limit", type=int, default=None, help="pieces per source")
    args = ap.parse_args(argv)
    paths = export_pieces(iter_test_pieces(SOURCES, args.limit, args.split), args.out)
    print(f"wrote {len(paths)} lead-sheet files to {args.out}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
