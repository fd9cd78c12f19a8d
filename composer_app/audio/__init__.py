"""Sound: soundfont discovery, the Synth protocol over FluidSynth, offline rendering (no Qt)."""

from composer_app.audio.bench import bench_render
from composer_app.audio.render import (
    RenderCancelled,
    peak_dbfs,
    render_song,
    render_to_wav,
    rms_dbfs,
    to_int16,
    write_wav,
)
from composer_app.audio.soundfonts import default_soundfont, find_soundfonts, validate_soundfont
from composer_app.audio.synth import (
    DEFAULT_GAIN,
    AudioStart,
    AudioUnavailableError,
    FluidSynthSynth,
    Synth,
    audible_tracks,
    available_drivers,
    fluidsynth_problem,
)

__all__ = [
    "DEFAULT_GAIN",
    "AudioStart",
    "AudioUnavailableError",
    "FluidSynthSynth",
    "RenderCancelled",
    "Synth",
    "audible_tracks",
    "available_drivers",
    "bench_render",
    "default_soundfont",
    "find_soundfonts",
    "fluidsynth_problem",
    "peak_dbfs",
    "render_song",
    "render_to_wav",
    "rms_dbfs",
    "to_int16",
    "validate_soundfont",
    "write_wav",
]
