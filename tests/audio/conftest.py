"""Audio test fixtures: a real SoundFont (or a clean skip), the MIDI reader, an onset detector."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
from numpy.lib.stride_tricks import sliding_window_view

from composer_app.audio.soundfonts import default_soundfont


@pytest.fixture(scope="session")
def soundfont() -> Path:
    sf = default_soundfont()
    if sf is None:
        pytest.skip("no SoundFont on this machine (put a .sf2 in soundfonts/ or install timgm6mb-soundfont)")
    try:
        import fluidsynth  # noqa: F401
    except (ImportError, OSError) as e:
        pytest.skip(f"FluidSynth library not available: {e}")
    return sf


@pytest.fixture(scope="session")
def load_midi():
    from composer_app.midi import read_midi

    return read_midi


def detect_onsets(samples: np.ndarray, sample_rate: int, *, hop: int = 16, window_ms: float = 25.0,
                  ratio: float = 2.0, floor_db: float = -45.0, refractory_ms: float = 50.0) -> np.ndarray:
    """Onset times (seconds) from the peak envelope: a hop whose peak exceeds ``ratio`` times the
    loudest of the previous ``window_ms`` (and ``floor_db`` under the overall peak) starts a note; the
    onset is the first sample of that hop over the threshold."""
    mono = np.abs(np.asarray(samples, dtype=np.float64)).max(axis=1)
    n = len(mono) // hop
    if n == 0:
        return np.zeros(0)
    env = mono[: n * hop].reshape(n, hop).max(axis=1)
    if env.max() == 0:
        return np.zeros(0)
    floor = env.max() * 10 ** (floor_db / 20)
    w = max(1, round(window_ms / 1000 * sample_rate / hop))
    background = sliding_window_view(np.concatenate([np.zeros(w), env]), w)[:n].max(axis=1)
    threshold = np.maximum(ratio * background, floor)
    onsets: list[int] = []
    refractory = refractory_ms / 1000 * sample_rate
    for h in np.flatnonzero(env > threshold):
        start = int(h) * hop
        if onsets and start - onsets[-1] < refractory:
            continue
        onsets.append(start + int(np.argmax(mono[start:start + hop] > threshold[h])))
    return np.asarray(onsets, dtype=np.float64) / sample_rate


@pytest.fixture(scope="session")
def onsets():
    return detect_onsets
