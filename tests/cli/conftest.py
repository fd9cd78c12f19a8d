"""CLI test fixtures: generated lead-sheet MIDI files, random-weight continuation files and a tiny n-gram file."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest

from composer_app.core.pitch import KeySignature
from composer_app.core.song import ChordSymbol, Clip, Note, Song, Track
from composer_app.core.timing import TempoChange, TimeSignature
from composer_app.midi import write_midi
from composer_app.model import tokens as tk
from composer_app.model.continuation_net import META_KEY, random_net
from composer_app.model.ngram import NgramModel

TINY = {"d_model": 32, "n_layers": 1, "n_heads": 2, "d_ff": 64, "max_len": 64, "rope_base": 10000.0}
BAR = 1920
LABELS = ["D:maj", "B:min", "G:maj", "A:7"]


def lead_sheet(bars: int = 12, seed: int = 0, tonic: int = 2, meter: tuple[int, int] = (4, 4)) -> Song:
    """A melody of quarters and eighths in D major (or ``tonic``) over one chord per bar, lead-sheet style."""
    rng = np.random.default_rng(seed)
    bar = meter[0] * 1920 // meter[1]
    scale = sorted(KeySignature(0, tonic).scale)
    notes, t = [], 0
    while t < bars * bar:
        d = 480 if rng.random() < 0.6 else 240
        notes.append(Note(60 + scale[int(rng.integers(0, 7))], t, d, 90))
        t += d
    chord_notes = tuple(Note(48 + (tonic + i) % 12, b * bar, bar, 64) for b in range(bars) for i in (0, 4, 7))
    chords = tuple(ChordSymbol(b * bar, bar, LABELS[b % 4]) for b in range(bars))
    tracks = (Track("melody", 0, 0, clips=(Clip(0, bars * bar, tuple(notes)),)),
              Track("chords", 0, 1, clips=(Clip(0, bars * bar, chord_notes),)))
    return Song(tracks=tracks, tempos=(TempoChange.from_bpm(0, 100),), meters=(TimeSignature(0, *meter),),
                keys=(KeySignature(0, tonic),), chords=chords, title=f"tune {seed} [folk]")


def write_lead_sheets(folder: Path, n: int = 3) -> list[Path]:
    folder.mkdir(parents=True, exist_ok=True)
    paths = []
    for i in range(n):
        path = folder / f"tune-{i}.mid"
        write_midi(lead_sheet(seed=i, meter=(3, 4) if i == 2 else (4, 4)), path)
        paths.append(path)
    return paths


def random_weights(path: Path, seed: int = 0) -> Path:
    """A continuation .npz in the export format with random weights (a stand-in for trained ones)."""
    net = random_net(TINY, seed=seed)
    arrays = {k: v.astype(np.float16) for k, v in net.w.items()}
    arrays[META_KEY] = np.frombuffer(json.dumps({"format": "composer-continuation-v1", "config": TINY}).encode(),
                                     np.uint8)
    np.savez(path, **arrays)
    return path


def tiny_ngram(path: Path) -> Path:
    """An n-gram counted on a few generated lead sheets."""
    rows = []
    for seed in range(10, 14):
        song = lead_sheet(seed=seed)
        notes = [(n.pitch, n.start, n.duration, n.velocity) for n in song.tracks[0].notes_absolute()]
        chords = [(c.start, c.duration, c.label) for c in song.chords]
        rows.append(tk.encode_part(notes, ((0, 4, 4),), chords, song.keys[0], "folk", "melody"))
    return NgramModel.fit(rows).save(path)


@pytest.fixture(scope="session")
def model_dir(tmp_path_factory) -> Path:
    """A folder with ``random.npz`` (random continuation weights) and ``ngram.npz`` (a tiny baseline)."""
    folder = tmp_path_factory.mktemp("models")
    random_weights(folder / "random.npz")
    tiny_ngram(folder / "ngram.npz")
    return folder


@pytest.fixture(scope="session")
def lead_folder(tmp_path_factory) -> Path:
    """Three generated lead sheets (two in 4/4, one in 3/4)."""
    folder = tmp_path_factory.mktemp("leadsheets")
    write_lead_sheets(folder, 3)
    return folder
