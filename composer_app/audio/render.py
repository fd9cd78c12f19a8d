"""Offline rendering of a Song snapshot to stereo samples and WAV files, without an audio device.

Timing: every note-on/off tick goes through ``song.tempo_map`` to exact seconds, then to a sample
index. FluidSynth starts notes only at the boundaries of its 64-frame blocks, so each event is placed
on the nearest block boundary: it sounds at most 32 frames (0.73 ms at 44.1 kHz) from its exact time,
with no drift over a song (measured in tests/audio/test_audio_render.py).

Level: FluidSynth's output level follows ``gain``; DEFAULT_GAIN (0.25) puts a dense GM arrangement
around -3..-1 dBFS (piano-only songs much lower, near -20 dBFS). Rendering is in float, so nothing
clips inside the synth; a render whose peak goes above ``ceiling_db`` (-1 dBFS) is scaled down as a
whole to that peak, and ``normalize=True`` also scales quieter renders up to it.
"""

from __future__ import annotations

import io
import math
import wave
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Protocol

import numpy as np

from composer_app.audio.synth import DEFAULT_GAIN, FluidSynthSynth, assign_channels, audible_tracks
from composer_app.core.atomic import atomic_write_bytes
from composer_app.core.controls import chased, track_events
from composer_app.core.song import Song

BLOCK = 64
"""FluidSynth's internal block (frames): the grain at which a note can start."""

MAX_CHUNK = 4096
"""Most frames rendered between two checks of the cancel flag (93 ms of audio at 44.1 kHz)."""

DEFAULT_TAIL_SECONDS = 1.5


CONTROL = -1
"""A controller change's place among the events of one frame: before the notes."""


class RenderCancelled(Exception):
    """The cancel flag was raised while rendering."""


class _EventLike(Protocol):
    def is_set(self) -> bool: ...


Progress = Callable[[float], object]
Cancel = Callable[[], bool] | _EventLike


@dataclass(frozen=True, slots=True)
class NoteEvent:
    """One scheduled synth event: ``frame`` is block-aligned; ``velocity`` 0 means note off. With ``control`` a
    controller change instead: ``pitch`` is the controller and ``velocity`` its value."""

    frame: int
    channel: int
    pitch: int
    velocity: int
    control: bool = False


def _is_cancelled(cancel: Cancel | None) -> bool:
    if cancel is None:
        return False
    is_set = getattr(cancel, "is_set", None)
    return bool(is_set() if callable(is_set) else cancel())  # type: ignore[operator]


def schedule(song: Song, sample_rate: int, channels: dict[str, int], *, start_tick: int = 0,
             end_tick: int | None = None) -> list[NoteEvent]:
    """Note and controller events of the audible tracks in ``[start_tick, end_tick)``, in play order.

    Frames count from ``start_tick``. Each event sits on the 64-frame block boundary nearest its exact
    time; a note lasts at least one block. At equal frames controller changes (the pedal) come first, then
    note-offs, then note-ons, so a repeated note is released and struck again. The controllers start at their
    values in force at ``start_tick``.
    """
    tm = song.tempo_map
    origin = tm.seconds_exact(start_tick)

    def frame(tick: int) -> int:
        exact = (tm.seconds_exact(tick) - origin) * sample_rate / BLOCK
        return int(math.floor(exact + 0.5)) * BLOCK

    events: list[tuple[int, int, int, int, int]] = []
    for track in audible_tracks(song):
        ch = channels[track.id]
        for note in track.notes_absolute():
            if note.start < start_tick or (end_tick is not None and note.start >= end_tick):
                continue
            end = note.end if end_tick is None else min(note.end, end_tick)
            on, off = frame(note.start), frame(end)
            off = max(off, on + BLOCK)
            events.append((on, 1, ch, note.pitch, note.velocity))
            events.append((off, 0, ch, note.pitch, 0))
        controls = track_events(track)
        if controls:
            events.extend((frame(tick), CONTROL, ch, number, value)
                          for tick, number, value in chased(controls, start_tick, end_tick))
    events.sort()
    return [NoteEvent(f, ch, p, v, kind == CONTROL) for f, kind, ch, p, v in events]


def render_song(song: Song, soundfont: str | Path | None = None, sample_rate: int = 44100, *,
                progress: Progress | None = None, cancel: Cancel | None = None,
                tail_seconds: float = DEFAULT_TAIL_SECONDS, gain: float = DEFAULT_GAIN,
                ceiling_db: float | None = -1.0, normalize: bool = False, start_tick: int = 0,
                end_tick: int | None = None,
                reverb: bool = True, chorus: bool = True) -> np.ndarray:
    """Render ``song`` to a float32 array of shape (frames, 2) in -1..1, with no audio device.

    ``soundfont`` None picks :func:`default_soundfont`. ``progress(fraction)`` is called with 0..1
    (at most about a hundred times, and with 1.0 at the end); ``cancel`` (a callable returning True,
    or a threading.Event) is checked between chunks of at most 4096 frames and stops the render with
    RenderCancelled. Muted tracks, and unsoloed ones while any track is soloed, are silent.
    ``tail_seconds`` of release and reverb follow the last note. A peak above ``ceiling_db`` dBFS is
    scaled down to it (None: never); ``normalize`` scales every render so its peak is ``ceiling_db``.
    ``start_tick``/``end_tick`` render a span (notes starting in it, cut at its end).
    Raises SongFileError for a bad font, RenderCancelled when cancelled.
    """
    if tail_seconds < 0:
        raise ValueError("tail_seconds must not be negative")
    end = song.end_tick if end_tick is None else min(end_tick, song.end_tick)
    end = max(end, start_tick)
    tm = song.tempo_map
    n_tracks = max(1, len(song.tracks))
    with FluidSynthSynth(soundfont, sample_rate=sample_rate, gain=gain, reverb=reverb, chorus=chorus,
                         channels=max(16, n_tracks + 1)) as synth:
        channels = assign_channels(song, synth.channels)
        synth.apply_song(song)
        events = schedule(song, sample_rate, channels, start_tick=start_tick, end_tick=end)
        music = float(tm.seconds_exact(end) - tm.seconds_exact(start_tick))
        frames = math.ceil((music + tail_seconds) * sample_rate)
        if events:
            frames = max(frames, events[-1].frame + BLOCK)
        padded = -(-frames // BLOCK) * BLOCK
        out = np.zeros((padded, 2), dtype=np.float32)
        _run(synth, out, events, progress, cancel)
    out = out[:frames]
    if ceiling_db is not None and frames:
        limit = 10 ** (ceiling_db / 20)
        peak = float(np.max(np.abs(out)))
        if peak > limit or (normalize and peak > 0):
            out *= np.float32(limit / peak)
    return out


def _run(synth: FluidSynthSynth, out: np.ndarray, events: list[NoteEvent], progress: Progress | None,
         cancel: Cancel | None) -> None:
    """Render ``out`` chunk by chunk, sending each event exactly at its block-aligned frame."""
    total = out.shape[0]
    held: dict[tuple[int, int], int] = {}  # overlapping notes of one key: release on the last off
    pos, i, reported = 0, 0, -1.0
    while pos < total:
        while i < len(events) and events[i].frame <= pos:
            e = events[i]
            key = (e.channel, e.pitch)
            if e.control:
                synth.cc(e.channel, e.pitch, e.velocity)
            elif e.velocity:
                held[key] = held.get(key, 0) + 1
                synth.note_on(e.channel, e.pitch, e.velocity)
            elif held.get(key, 0) > 0:
                held[key] -= 1
                if not held[key]:
                    synth.note_off(e.channel, e.pitch)
            i += 1
        if _is_cancelled(cancel):
            raise RenderCancelled("rendering was cancelled")
        stop = min(total, pos + MAX_CHUNK)
        if i < len(events):
            stop = min(stop, events[i].frame)
        synth.write_float(out[pos:stop])
        pos = stop
        if progress is not None:
            fraction = pos / total
            if fraction >= 1.0 or fraction - reported >= 0.01:
                reported = fraction
                progress(fraction)
    if progress is not None and reported < 1.0:
        progress(1.0)


def to_int16(samples: np.ndarray) -> np.ndarray:
    """Float samples in -1..1 to int16 (clipped, rounded)."""
    if samples.dtype == np.int16:
        return samples
    return np.clip(np.rint(samples * 32767.0), -32768, 32767).astype(np.int16)


def write_wav(path: str | Path, samples: np.ndarray, sample_rate: int = 44100) -> Path:
    """Write stereo ``samples`` (float -1..1 or int16, shape (frames, 2)) as a 16-bit WAV file.

    Atomic: written to a temporary file in the same folder, then moved over ``path``. A failure to
    write raises SongFileError and leaves any earlier file at ``path`` as it was.
    """
    path = Path(path)
    if samples.ndim != 2 or samples.shape[1] != 2:
        raise ValueError(f"expected stereo samples of shape (frames, 2), got {samples.shape}")
    data = to_int16(samples).astype("<i2", copy=False)  # WAV is little-endian
    buffer = io.BytesIO()
    with wave.open(buffer, "wb") as w:
        w.setnchannels(2)
        w.setsampwidth(2)
        w.setframerate(int(sample_rate))
        w.writeframes(np.ascontiguousarray(data).tobytes())
    atomic_write_bytes(path, buffer.getvalue())
    return path


def render_to_wav(song: Song, path: str | Path, soundfont: str | Path | None = None,
                  sample_rate: int = 44100, **kwargs) -> Path:
    """render_song then write_wav (the CLI's ``render`` command in one call)."""
    return write_wav(path, render_song(song, soundfont, sample_rate, **kwargs), sample_rate)


def peak_dbfs(samples: np.ndarray) -> float:
    """Peak level in dBFS (float samples; -inf for silence)."""
    peak = float(np.max(np.abs(samples))) if samples.size else 0.0
    return 20 * math.log10(peak) if peak > 0 else -math.inf


def rms_dbfs(samples: np.ndarray) -> float:
    """RMS level in dBFS over the whole array (float samples; -inf for silence)."""
    if not samples.size:
        return -math.inf
    rms = float(np.sqrt(np.mean(np.square(samples, dtype=np.float64))))
    return 20 * math.log10(rms) if rms > 0 else -math.inf
