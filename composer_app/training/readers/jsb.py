"""JSB chorales (Boulanger-Lewandowski split, 16th-note SATB grid) as four 'satb' parts, key estimated."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

from composer_app.core.timing import PPQ
from composer_app.training.corpus import Note, Part, Piece
from composer_app.training.keyfind import find_key
from composer_app.training.skips import SkipLog

SOURCE = "jsb"
LICENCE = "Public-domain music (J. S. Bach); JSB-Chorales-dataset encoding, no licence stated"
STEP = PPQ // 4  # one 16th note
VOICES = ("soprano", "alto", "tenor", "bass")
VELOCITY = 80
SPLIT_ORDER = ("train", "valid", "test")


def voice_notes(steps: list[list[int]], voice: int) -> tuple[Note, ...]:
    """One voice of the grid as notes; equal pitches on consecutive steps merge (the grid cannot tell
    a held note from a repeated one)."""
    notes: list[Note] = []
    current, start = -1, 0
    for i, step in enumerate([*steps, [-1] * 4]):
        pitch = int(step[voice]) if voice < len(step) else -1
        if pitch != current:
            if current >= 0:
                notes.append((current, start * STEP, (i - start) * STEP, VELOCITY))
            current, start = pitch, i
    return tuple(notes)


def piece_from_grid(name: str, steps: list[list[int]], split: str | None) -> Piece:
    parts = tuple(Part("satb", voice_notes(steps, v), VOICES[v]) for v in range(4))
    all_notes = [n for p in parts for n in p.notes]
    return Piece(
        id=f"{SOURCE}/{name}", source=SOURCE, style="chorale", meters=((0, 4, 4),),
        keys=(find_key(all_notes),), chords=(), parts=parts, licence=LICENCE, split=split,
    )


def iter_pieces(root: Path, limit: int | None = None, skips: SkipLog | None = None) -> Iterator[Piece]:
    """Pieces from ``root`` (the jsb_chorales folder): train, then valid, then test, with that split."""
    skips = skips if skips is not None else SkipLog()
    path = root / "Jsb16thSeparated.json"
    try:
        data = json.loads(path.read_text())
    except (OSError, ValueError) as exc:
        skips.add(SOURCE, path.name, f"{type(exc).__name__}: {exc}")
        return
    count = 0
    for split in SPLIT_ORDER:
        for i, steps in enumerate(data.get(split, [])):
            if limit is not None and count >= limit:
                return
            name = f"{split}{i:03d}"
            try:
                piece = piece_from_grid(name, steps, split)
            except (ValueError, TypeError, IndexError) as exc:
                skips.add(SOURCE, name, f"{type(exc).__name__}: {exc}")
                continue
            count += 1
            yield piece
