"""Deterministic train/valid/test split by tune: a SHA-1 of the tune key, the same on every machine."""

from __future__ import annotations

import hashlib
import re
from collections.abc import Iterable

from composer_app.training.corpus import Piece

SEED = "composer-split-v1"
FRACTIONS = (0.8, 0.1, 0.1)

# words that name the dance type or an article rather than the tune
_NOISE = {"the", "a", "an", "reel", "jig", "hornpipe", "waltz", "polka", "strathspey", "clog", "fling",
          "highland", "slipjig", "slide", "march", "set", "dance", "lancashire", "no", "or"}


def tune_key(piece: Piece) -> str:
    """What the split hashes: the normalised title when there is one (so one tune from two sources,
    or two harmonisations of one chorale tune, fall on the same side), else the piece id."""
    words = [w for w in re.findall(r"[a-z0-9]+", piece.title.lower()) if w not in _NOISE]
    if words:
        return "title:" + " ".join(words)
    return "id:" + piece.id


def unit_hash(text: str, seed: str = SEED) -> float:
    """``text`` mapped to [0, 1) by SHA-1 (stable across runs, machines and Python versions)."""
    digest = hashlib.sha1(f"{seed}\x00{text}".encode()).digest()
    return int.from_bytes(digest[:8], "big") / 2**64


def assign_split(piece: Piece, seed: str = SEED, fractions: tuple[float, float, float] = FRACTIONS) -> str:
    """'train', 'valid' or 'test': the source's own split when it ships one (JSB), else by tune hash."""
    if piece.split is not None:
        return piece.split
    u = unit_hash(tune_key(piece), seed)
    if u < fractions[0]:
        return "train"
    if u < fractions[0] + fractions[1]:
        return "valid"
    return "test"


def split_pieces(pieces: Iterable[Piece], seed: str = SEED) -> dict[str, list[Piece]]:
    out: dict[str, list[Piece]] = {"train": [], "valid": [], "test": []}
    for piece in pieces:
        out[assign_split(piece, seed)].append(piece)
    return out
