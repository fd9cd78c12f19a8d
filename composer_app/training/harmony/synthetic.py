"""Toy chord-annotated tunes (chord-tone melodies over common progressions) for tests without datasets."""

from __future__ import annotations

import numpy as np

from composer_app.core.pitch import KeySignature
from composer_app.training.corpus import Part, Piece
from composer_app.training.harmony.data import HarmonySequence, piece_sequences

PROGRESSIONS = (
    ("C:maj", "F:maj", "G:7", "C:maj"),
    ("C:maj", "A:min", "F:maj", "G:maj"),
    ("D:min7", "G:7", "C:maj7", "C:maj"),
    ("C:maj", "G:maj/3", "A:min", "F:maj"),
)
TONES = {"C:maj": (60, 64, 67), "F:maj": (65, 69, 72), "G:7": (67, 71, 74, 65), "A:min": (69, 72, 64),
         "G:maj": (67, 71, 74), "D:min7": (62, 65, 69, 72), "C:maj7": (60, 64, 67, 71), "G:maj/3": (67, 71, 74)}


def synthetic_piece(index: int, rng: np.random.Generator, bars: int = 8) -> Piece:
    """One 4/4 tune in C major: each bar a chord of a progression, four chord-tone quarter notes."""
    prog = PROGRESSIONS[index % len(PROGRESSIONS)]
    notes, chords = [], []
    for bar in range(bars):
        label = prog[bar % len(prog)]
        tones = TONES[label]
        chords.append((bar * 1920, 1920, label))
        for beat in range(4):
            notes.append((int(tones[int(rng.integers(len(tones)))]), bar * 1920 + beat * 480, 480, 90))
    return Piece(id=f"synthetic/{index}", source="synthetic", style="folk", meters=((0, 4, 4),),
                 keys=(KeySignature(0, 0, "major"),), chords=tuple(chords), parts=(Part("melody", tuple(notes)),),
                 licence="generated", split="valid" if index % 5 == 4 else "train", title=f"toy {index}")


def synthetic_pieces(n: int, seed: int = 0) -> list[Piece]:
    rng = np.random.default_rng(seed)
    return [synthetic_piece(i, rng) for i in range(n)]


def synthetic_sequences(n: int, seed: int = 0) -> list[HarmonySequence]:
    """Every rhythm of ``n`` toy tunes (every fifth one in the 'valid' split)."""
    return [s for p in synthetic_pieces(n, seed) for s in piece_sequences(p)]


def toy_weights(seed: int = 0, d_model: int = 16, layers: int = 2) -> dict[str, np.ndarray]:
    """Random network weights plus an HMM counted on toy tunes: an engine for tests, no torch needed."""
    from composer_app.model.harmony_features import N_FEATURES
    from composer_app.model.harmony_hmm import fit_hmm
    from composer_app.model.harmony_vocab import VOCAB_SIZE

    rng = np.random.default_rng(seed)
    d, v = d_model, VOCAB_SIZE
    w: dict[str, np.ndarray] = {
        "in.weight": rng.normal(0, 0.3, (d, N_FEATURES)), "in.bias": np.zeros(d),
        "chord.weight": rng.normal(0, 0.5, (v, d)), "chord.bias": np.zeros(v),
        "inv.weight": rng.normal(0, 0.5, (4, d)), "inv.bias": np.zeros(4),
        "crf.trans": rng.normal(0, 0.5, (4, v, v)), "crf.diag": np.ones((4, 3)),
        "crf.start": np.zeros((4, v)), "crf.end": np.zeros((4, v)),
    }
    for i in range(layers):
        w[f"conv{i}.weight"] = rng.normal(0, 0.2, (d, d, 3))
        w[f"conv{i}.bias"] = np.zeros(d)
        w[f"norm{i}.weight"] = np.ones(d)
        w[f"norm{i}.bias"] = np.zeros(d)
    seqs = synthetic_sequences(12, seed)
    w.update(fit_hmm((s.rhythm, s.classes, s.beats) for s in seqs))
    out = {k: np.asarray(a, dtype=np.float32) for k, a in w.items()}
    out["net_config"] = np.array([d, layers, v, 4, 4, N_FEATURES], dtype=np.int32)
    return out
