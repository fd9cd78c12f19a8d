"""Corpus pieces to token sequences (melody and accompaniment parts apart), cached, and training windows."""

from __future__ import annotations

import hashlib
import json
import os
from collections import Counter
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from composer_app.model import tokens as tk
from composer_app.training.corpus import Piece
from composer_app.training.skips import SkipLog
from composer_app.training.sources import iter_source
from composer_app.training.split import assign_split

DEFAULT_SOURCES = ("nottingham", "pop909", "openewld", "when_in_rome", "music21_folk")
"""``jsb`` holds the same chorales as ``when_in_rome`` (with a guessed key and a 4/4 grid): left out."""
DATASET_VERSION = 1
MIN_NOTES = 8


@dataclass
class Sequence:
    """One encoded part: rows (T, NUM_FIELDS) and where it came from."""

    rows: np.ndarray
    source: str
    role: str
    split: str
    piece_id: str


def piece_sequences(piece: Piece, split: str | None = None) -> list[Sequence]:
    """The melody (chorales: soprano) and the accompaniment (pop piano; chorales: alto, tenor, bass) of a piece."""
    split = split or assign_split(piece)
    key = piece.key_at(0)
    out = []
    melody = piece.melody
    streams: list[tuple[str, tuple]] = []
    if melody is not None:
        streams.append(("melody", melody.notes))
    accompaniment = piece.accompaniment_notes()
    if accompaniment and (piece.part("accompaniment") is not None or piece.style == "chorale"):
        streams.append(("accompaniment", accompaniment))
    for role, notes in streams:
        if len(notes) < MIN_NOTES:
            continue
        rows = tk.encode_part(notes, piece.meters, piece.chords, key, piece.style, role)
        out.append(Sequence(rows, piece.source, role, split, piece.id))
    return out


def iter_sequences(sources: Iterable[str], limit: int | None = None, datasets: Path | None = None,
                   skips: SkipLog | None = None) -> Iterator[Sequence]:
    for source in sources:
        for piece in iter_source(source, limit=limit, skips=skips, datasets=datasets):
            yield from piece_sequences(piece)


def cache_path(sources: Iterable[str], limit: int | None) -> Path | None:
    """Where the encoded corpus is cached (user cache dir; ``COMPOSER_TRAINING_CACHE=''`` turns it off)."""
    env = os.environ.get("COMPOSER_TRAINING_CACHE")
    if env == "":
        return None
    home = Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache")
    base = Path(env) if env else home / "composer" / "training"
    key = json.dumps([DATASET_VERSION, sorted(sources), limit, tk.FIELDS, tk.DUR_STEPS, tk.VEL_VALUES, tk.NUM_POS])
    return base / "continuation" / (hashlib.sha1(key.encode()).hexdigest()[:16] + ".npz")


def save(path: Path, seqs: list[Sequence]) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    lengths = np.array([len(s.rows) for s in seqs], np.int64)
    info = json.dumps([[s.source, s.role, s.split, s.piece_id] for s in seqs]).encode()
    tmp = path.with_suffix(".tmp.npz")
    np.savez(tmp, rows=np.concatenate([s.rows for s in seqs]).astype(np.int16), lengths=lengths,
             info=np.frombuffer(info, np.uint8))
    tmp.replace(path)


def load(path: Path) -> list[Sequence]:
    with np.load(path, allow_pickle=False) as data:
        rows, lengths = data["rows"].astype(np.int64), data["lengths"]
        info = json.loads(bytes(data["info"]).decode())
    bounds = np.concatenate([[0], np.cumsum(lengths)])
    return [Sequence(rows[a:b], *meta) for a, b, meta in zip(bounds[:-1], bounds[1:], info)]


def build(sources: Iterable[str] = DEFAULT_SOURCES, limit: int | None = None, datasets: Path | None = None,
          use_cache: bool = True, log=print) -> list[Sequence]:
    """Every sequence of ``sources`` (each source capped at ``limit`` pieces), from the cache when there."""
    sources = list(sources)
    path = cache_path(sources, limit) if use_cache and datasets is None else None
    if path is not None and path.is_file():
        try:
            return load(path)
        except (OSError, ValueError, KeyError):
            pass
    skips = SkipLog()
    seqs = []
    for source in sources:
        before = len(seqs)
        seqs.extend(iter_sequences([source], limit, datasets, skips))
        log(f"  {source}: {len(seqs) - before} sequences")
    if path is not None and seqs:
        save(path, seqs)
    return seqs


def summary(seqs: list[Sequence]) -> dict:
    """Sequences and notes per split, source and role (for the model card)."""
    out: dict = {}
    for s in seqs:
        node = out.setdefault(s.split, {}).setdefault(s.source, Counter())
        node[f"{s.role}_sequences"] += 1
        node[f"{s.role}_notes"] += len(s.rows) - 2
    return {split: {src: dict(c) for src, c in by.items()} for split, by in out.items()}


def windows(seq: np.ndarray, length: int, phase: int) -> list[np.ndarray]:
    """Cut a sequence (BOS, notes, EOS) into windows of at most ``length`` rows that each start with a BOS.

    Every row after the BOS is predicted exactly once over the windows; a window that starts mid-part
    gets a fresh BOS in its first note's bar (whose shift becomes 0), as the engine builds contexts.
    """
    body = length - 1
    n = len(seq)
    first = phase if 0 < phase < body else body
    starts = [1] + list(range(1 + first, n, body))
    ends = starts[1:] + [n]
    out = []
    for a, b in zip(starts, ends):
        chunk = seq[a:b].copy()
        if a == 1:
            head = seq[0]
        else:
            first = chunk[0]
            head = tk.special_row(tk.BOS, first[tk.METER], first[tk.MODE], first[tk.STYLE], first[tk.ROLE],
                                  first[tk.CHORD])
            if first[tk.SHIFT] != tk.EOS:
                chunk[0, tk.SHIFT] = 0
        out.append(np.concatenate([head[None], chunk]))
    return out


def drop_chords(rows: np.ndarray) -> np.ndarray:
    """The same rows with every chord condition set to 'no chord' (chord dropout)."""
    out = rows.copy()
    out[:, tk.CHORD] = tk.NO_CHORD
    return out


def pad_batch(chunks: list[np.ndarray]) -> tuple[np.ndarray, np.ndarray]:
    """Stack windows into (B, T, F) rows padded with EOS-like rows, and the (B, T) validity mask."""
    t = max(len(c) for c in chunks)
    rows = np.zeros((len(chunks), t, tk.NUM_FIELDS), np.int64)
    valid = np.zeros((len(chunks), t), bool)
    for i, c in enumerate(chunks):
        rows[i, :len(c)] = c
        rows[i, len(c):] = tk.special_row(tk.EOS, c[-1][tk.METER], c[-1][tk.MODE], c[-1][tk.STYLE], c[-1][tk.ROLE])
        valid[i, :len(c)] = True
    return rows, valid
