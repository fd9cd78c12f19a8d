"""Render-speed figures for the benchmark command (seconds of audio per CPU second, levels)."""

from __future__ import annotations

import time
from pathlib import Path

from composer_app.audio.render import peak_dbfs, render_song, rms_dbfs
from composer_app.audio.synth import FluidSynthSynth
from composer_app.core.song import Song


def bench_render(song: Song, soundfont: str | Path | None = None, sample_rate: int = 44100, *,
                 repeat: int = 1) -> dict[str, float | int | str]:
    """Render ``song`` ``repeat`` times and report the best run.

    Figures: ``audio_seconds`` (rendered length, tail included), ``cpu_seconds`` and ``wall_seconds``
    of the best run, ``realtime_factor`` (audio seconds per CPU second), ``load_seconds`` (creating a
    synth and loading the font alone), ``notes``, ``tracks``, ``peak_dbfs``, ``rms_dbfs``, ``soundfont``.
    """
    if repeat < 1:
        raise ValueError("repeat must be at least 1")
    t0 = time.perf_counter()
    with FluidSynthSynth(soundfont, sample_rate=sample_rate) as synth:
        font = synth.soundfont
    load = time.perf_counter() - t0
    best_cpu = best_wall = float("inf")
    samples = None
    for _ in range(repeat):
        c0, w0 = time.process_time(), time.perf_counter()
        samples = render_song(song, font, sample_rate)
        best_cpu = min(best_cpu, time.process_time() - c0)
        best_wall = min(best_wall, time.perf_counter() - w0)
    assert samples is not None
    audio = samples.shape[0] / sample_rate
    return {
        "soundfont": str(font),
        "sample_rate": sample_rate,
        "tracks": len(song.tracks),
        "notes": song.note_count,
        "audio_seconds": round(audio, 3),
        "cpu_seconds": round(best_cpu, 4),
        "wall_seconds": round(best_wall, 4),
        "realtime_factor": round(audio / best_cpu, 1) if best_cpu > 0 else float("inf"),
        "load_seconds": round(load, 4),
        "peak_dbfs": round(peak_dbfs(samples), 2),
        "rms_dbfs": round(rms_dbfs(samples), 2),
    }
