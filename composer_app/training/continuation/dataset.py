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
from composer_app.model.keys import estimate_from_histogram
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


def rows_key_histogram(rows: np.ndarray) -> np.ndarray:
    """Duration per pitch class of the note rows (reference-key pitches; BOS, EOS and markers skipped)."""
    notes = rows[rows[:, tk.PITCH] < tk.NONE_PITCH]
    hist = np.zeros(12)
    if len(notes):
        durations = np.asarray(tk.DUR_STEPS)[notes[:, tk.DUR]]
        np.add.at(hist, notes[:, tk.PITCH] % 12, durations)
    return hist


def rekey(rows: np.ndarray, shift: int, mode: int) -> np.ndarray:
    """Rows moved by ``shift`` semitones (pitches and chord roots) with mode ``mode``; unchanged when a pitch
    would leave 0..127."""
    notes = rows[:, tk.PITCH] < tk.NONE_PITCH
    moved = rows[notes, tk.PITCH] + shift
    if shift and (moved.min(initial=0) < 0 or moved.max(initial=0) > 127):
        return rows
    out = rows.copy()
    out[notes, tk.PITCH] = moved
    chords = out[:, tk.CHORD] < tk.NO_CHORD
    q = len(tk.QUALITY_CLASSES)
    out[chords, tk.CHORD] = ((out[chords, tk.CHORD] // q + shift) % 12) * q + out[chords, tk.CHORD] % q
    out[:, tk.MODE] = mode
    return out


def to_detected_key(rows: np.ndarray) -> np.ndarray:
    """Rows normalised to the key detected from their own notes instead of the annotated key (what the engine
    sees for music without a key signature)."""
    est = estimate_from_histogram(rows_key_histogram(rows))
    if est.confidence == 0.0 and not est.key.tonic:
        return rows
    return rekey(rows, tk.reference_shift(est.key), tk.MODES.index(est.key.mode))


FIM_GAPS = (1, 2, 3, 4)
FIM_GAP_WEIGHTS = (0.35, 0.35, 0.15, 0.15)
FIM_SUFFIX_BARS = 8


def marker_row(kind: int, gap_bars: int, ref: np.ndarray, notes: np.ndarray, bar_of: np.ndarray, bar: int
               ) -> np.ndarray:
    """A FILL or MIDDLE row sitting in ``bar``: meter and chord of the first note in that bar (else ``ref``'s
    meter and no chord), the gap length in its ``pos`` field."""
    inside = np.flatnonzero(bar_of == bar)
    first = notes[inside[0]] if len(inside) else None
    meter = first[tk.METER] if first is not None else ref[tk.METER]
    chord = first[tk.CHORD] if first is not None and first[tk.POS] == 0 else tk.NO_CHORD
    row = tk.special_row(kind, meter, ref[tk.MODE], ref[tk.STYLE], ref[tk.ROLE], chord)
    row[tk.POS] = min(gap_bars, tk.MAX_GAP_BARS)
    return row


def fill_in_middle(window: np.ndarray, rng: np.random.Generator, max_len: int) -> np.ndarray | None:
    """A training window reordered for gap filling: BOS, the notes before a gap of 1-4 bars, FILL, up to
    FIM_SUFFIX_BARS bars after it, MIDDLE, the gap's notes, EOS. None when the window has no room for a gap
    with music on both sides."""
    notes = window[1:-1] if window[-1, tk.SHIFT] == tk.EOS else window[1:]
    if len(notes) < 6:
        return None
    bars = np.cumsum(notes[:, tk.SHIFT])
    gap = int(rng.choice(FIM_GAPS, p=FIM_GAP_WEIGHTS))
    lo, hi = int(bars[0]) + 1, int(bars[-1]) - gap
    if hi < lo:
        return None
    start = int(rng.integers(lo, hi + 1))
    end = start + gap
    suffix_end = end + int(rng.integers(1, FIM_SUFFIX_BARS + 1))
    pre = notes[bars < start]
    mid, mid_bars = notes[(bars >= start) & (bars < end)].copy(), bars[(bars >= start) & (bars < end)]
    keep = (bars >= end) & (bars < suffix_end)
    suf, suf_bars = notes[keep].copy(), bars[keep]
    room = max_len - (len(pre) + len(mid) + 4)
    if room < 1 or not len(suf):
        return None
    suf, suf_bars = suf[:room], suf_bars[:room]
    suf[0, tk.SHIFT] = min(int(suf_bars[0]) - end, tk.MAX_SHIFT)
    if len(mid):
        mid[0, tk.SHIFT] = min(int(mid_bars[0]) - start, tk.MAX_SHIFT)
    head = window[0]
    fill = marker_row(tk.FILL, gap, head, suf, suf_bars, end)
    middle = marker_row(tk.MIDDLE, gap, head, mid, mid_bars, start)
    eos = tk.special_row(tk.EOS, (mid[-1] if len(mid) else middle)[tk.METER], head[tk.MODE], head[tk.STYLE],
                         head[tk.ROLE])
    return np.concatenate([head[None], pre, fill[None], suf, middle[None], mid, eos[None]])


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
