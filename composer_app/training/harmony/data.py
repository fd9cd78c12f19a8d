"""Corpus pieces to harmonizer sequences (slot features, chord classes, inversions) at each rhythm, cached."""

from __future__ import annotations

import hashlib
import os
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from composer_app.core.pitch import KeySignature
from composer_app.core.timing import meters_from
from composer_app.model.harmony_features import RHYTHMS, STYLES, meter_kind, slot_features, slot_grid, slot_labels
from composer_app.model.harmony_vocab import N_CLASS, label_to_class
from composer_app.training.corpus import Part, Piece
from composer_app.training.sources import iter_source
from composer_app.training.split import assign_split

SOURCES = ("nottingham", "pop909", "openewld", "when_in_rome")
DATA_VERSION = 2
MIN_CHORDED = 0.5
WINDOW_BARS = 8
"""Bars of the windows that training also sees in the key estimated from their melody."""
MAX_WINDOWS = 2
"""At most this many such windows per piece (the piece in its own key stays the larger share)."""


@dataclass
class HarmonySequence:
    """One piece at one harmonic rhythm, in the reference key."""

    feats: np.ndarray  # (T, F) float32
    classes: np.ndarray  # (T,) int64
    inversions: np.ndarray  # (T,) int64
    pos: np.ndarray  # (T,) metrical class
    beats: np.ndarray  # (T, 12) melody beats per pitch class (for the HMM)
    style: int
    rhythm: int
    split: str
    piece_id: str
    source: str


def piece_sequences(piece: Piece, split: str | None = None) -> list[HarmonySequence]:
    """The piece at every rhythm; empty when it lacks a melody or enough chords."""
    mel = piece.melody
    if mel is None or not piece.chords or len(mel.notes) < 8:
        return []
    try:
        ref, _ = piece.to_reference_key()
    except ValueError:
        return []
    split = split or assign_split(piece)
    key = ref.key_at(0)
    minor = key is not None and key.mode == "minor"
    mel = ref.melody
    assert mel is not None
    melody = [(p, s, d) for p, s, d, _ in mel.notes]
    end = max(s + d for _, s, d in melody)
    out = []
    for r, rhythm in enumerate(RHYTHMS):
        slots = slot_grid(ref.meters, end, rhythm)
        if not slots:
            continue
        labels = slot_labels(ref.chords, slots)
        pairs = [label_to_class(lab) for lab in labels]
        classes = np.array([c for c, _ in pairs], dtype=np.int64)
        if (classes != N_CLASS).mean() < MIN_CHORDED:
            return []
        feats = slot_features(melody, slots, rhythm, minor, piece.style, meter_kind(ref.meters))
        lengths = np.array([(s.end - s.start) / 480 for s in slots], dtype=np.float32)
        out.append(HarmonySequence(feats, classes, np.array([v for _, v in pairs], dtype=np.int64),
                                   np.array([s.pos for s in slots], dtype=np.int64), feats[:, :12] * lengths[:, None],
                                   STYLES.index(piece.style), r, split, piece.id, piece.source))
    return out


def estimated_key_sequences(piece: Piece, split: str) -> list[HarmonySequence]:
    """Each ``WINDOW_BARS``-bar window of the piece seen in the key estimated from its melody, where that differs
    from the piece's own key: a MIDI file without a key signature gets the estimate, right or not."""
    from composer_app.model.keys import estimate_key

    mel = piece.melody
    if mel is None or not piece.chords:
        return []
    lines = piece.bar_lines()
    out = []
    for a in range(0, len(lines) - 1, WINDOW_BARS):
        start, stop = lines[a], lines[min(a + WINDOW_BARS, len(lines) - 1)]
        notes = tuple((p, s - start, min(s + d, stop) - s, v) for p, s, d, v in mel.notes if start <= s < stop)
        if len(notes) < 8:
            continue
        est = estimate_key(notes).key
        own = piece.key_at(start)
        if own is not None and (own.tonic, own.mode) == (est.tonic, est.mode):
            continue
        chords = tuple((max(s, start) - start, min(s + d, stop) - max(s, start), lab) for s, d, lab in piece.chords
                       if s < stop and s + d > start)
        try:
            window = Piece(id=f"{piece.id}#bar{a}", source=piece.source, style=piece.style,
                           meters=meters_from(piece.meters, start, stop), keys=(KeySignature(0, est.tonic, est.mode),),
                           chords=chords, parts=(Part("melody", notes, "melody"),), licence=piece.licence,
                           title=piece.title)
        except ValueError:
            continue
        out += piece_sequences(window, split)
        if len(out) >= MAX_WINDOWS * len(RHYTHMS):
            break
    return out


def cache_path() -> Path:
    base = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return Path(base) / "composer" / "harmony"


def _save(path: Path, seqs: list[HarmonySequence]) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    lengths = np.array([len(s.classes) for s in seqs], dtype=np.int64)
    np.savez(path.with_suffix(".tmp.npz"), lengths=lengths, feats=np.concatenate([s.feats for s in seqs]),
             classes=np.concatenate([s.classes for s in seqs]),
             inversions=np.concatenate([s.inversions for s in seqs]), pos=np.concatenate([s.pos for s in seqs]),
             beats=np.concatenate([s.beats for s in seqs]),
             meta=np.array([[s.style, s.rhythm] for s in seqs], dtype=np.int64),
             names=np.array([f"{s.split}|{s.source}|{s.piece_id}" for s in seqs]))
    path.with_suffix(".tmp.npz").replace(path)


def _load(path: Path) -> list[HarmonySequence]:
    with np.load(path, allow_pickle=False) as data:
        d = {k: data[k] for k in data.files}  # each NpzFile access reads the whole array again
    bounds = np.concatenate([[0], np.cumsum(d["lengths"])])
    out = []
    for i, name in enumerate(d["names"]):
        a, b = bounds[i], bounds[i + 1]
        split, source, pid = str(name).split("|", 2)
        out.append(HarmonySequence(d["feats"][a:b], d["classes"][a:b], d["inversions"][a:b], d["pos"][a:b],
                                   d["beats"][a:b], int(d["meta"][i, 0]), int(d["meta"][i, 1]), split, pid, source))
    return out


def load_sequences(sources: Iterable[str] = SOURCES, limit: int | None = None,
                   datasets: Path | None = None, use_cache: bool = True) -> list[HarmonySequence]:
    """Every sequence of ``sources`` (``limit`` pieces per source), from a cache in ~/.cache when present."""
    sources = tuple(sources)
    key = hashlib.sha1(f"{DATA_VERSION}|{sources}|{limit}|{datasets}".encode()).hexdigest()[:16]
    path = cache_path() / f"data-{key}.npz"
    if use_cache and path.is_file():
        return _load(path)
    seqs = list(iter_sequences(sources, limit, datasets))
    if use_cache and seqs:
        _save(path, seqs)
    return seqs


def iter_sequences(sources: Iterable[str], limit: int | None = None,
                   datasets: Path | None = None) -> Iterator[HarmonySequence]:
    for source in sources:
        for piece in iter_source(source, limit=limit, datasets=datasets):
            seqs = piece_sequences(piece)
            yield from seqs
            if seqs and seqs[0].split == "train":
                yield from estimated_key_sequences(piece, "train")


def iter_test_pieces(sources: Iterable[str] = SOURCES, limit: int | None = None, split: str = "test",
                     datasets: Path | None = None) -> Iterator[Piece]:
    """Pieces of ``split`` that carry a melody and chords (``limit`` per source)."""
    for source in sources:
        count = 0
        for piece in iter_source(source, limit=None, datasets=datasets):
            if limit is not None and count >= limit:
                break
            if assign_split(piece) == split and piece.melody is not None and piece.chords:
                count += 1
                yield piece
