"""The Synth protocol and FluidSynthSynth: soundfont loading, song-to-channel setup, realtime driver start."""

from __future__ import annotations

import atexit
import ctypes
import os
import sys
import threading
import weakref
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Protocol, runtime_checkable

import numpy as np

from composer_app.audio.soundfonts import default_soundfont, project_soundfont_dir, validate_soundfont
from composer_app.core.errors import SongFileError
from composer_app.core.song import DRUM_CHANNEL, Song, Track

try:  # pyfluidsynth raises ImportError when the C library is missing; the app must still start
    import fluidsynth as _fluidsynth

    _IMPORT_PROBLEM = ""
except (ImportError, OSError) as _e:  # pragma: no cover - depends on the machine
    _fluidsynth = None
    _IMPORT_PROBLEM = str(_e) or type(_e).__name__

DEFAULT_GAIN = 0.25
"""FluidSynth ``synth.gain``. Measured with TimGM6mb: a dense 5-part GM arrangement (drums, bass,
strings, piano, lead; velocities 100-120) peaks at -2.6 dBFS, a 9-part one at -1.3 dBFS; piano-only
songs are far quieter (Nottingham about -22 dBFS, POP909 -15..-21 dBFS peak)."""

DRUM_BANK = 128
FLUID_FAILED = -1

# FluidSynth log levels
_PANIC, _ERR, _WARN, _INFO, _DBG = range(5)

PLATFORM_DRIVERS: dict[str, tuple[str, ...]] = {
    "linux": ("pipewire", "pulseaudio", "alsa", "jack"),
    "darwin": ("coreaudio", "portaudio"),
    "win32": ("wasapi", "dsound", "waveout"),
}
"""Realtime audio drivers tried in order when none is named (only those this FluidSynth build has)."""


class AudioUnavailableError(RuntimeError):
    """The FluidSynth C library could not be loaded; ``str()`` says why in one line."""


def fluidsynth_problem() -> str:
    """Why FluidSynth cannot be used here, or "" when it can."""
    return _IMPORT_PROBLEM


# --------------------------------------------------------------------------------------------- ctypes
# A few C functions pyfluidsynth does not wrap. Prototypes are built here (like pyfluidsynth does) so
# the shared CDLL's attributes are never mutated.

_LOG_FUNC = ctypes.CFUNCTYPE(None, ctypes.c_int, ctypes.c_char_p, ctypes.c_void_p)
_OPTION_FUNC = ctypes.CFUNCTYPE(None, ctypes.c_void_p, ctypes.c_char_p, ctypes.c_char_p)


class _C:
    """Lazily bound C prototypes from libfluidsynth."""

    _done = False

    @classmethod
    def bind(cls) -> None:
        if cls._done:
            return
        if _fluidsynth is None:
            raise AudioUnavailableError(f"FluidSynth is not available: {_IMPORT_PROBLEM}")
        lib = getattr(_fluidsynth, "_fl", None) or ctypes.CDLL(_fluidsynth.lib)

        def proto(name, restype, *argtypes):
            return ctypes.CFUNCTYPE(restype, *argtypes)((name, lib))

        vp, ci = ctypes.c_void_p, ctypes.c_int
        cls.set_log_function = proto("fluid_set_log_function", vp, ci, _LOG_FUNC, vp)
        cls.write_float = proto("fluid_synth_write_float", ci, vp, ci, vp, ci, ci, vp, ci, ci)
        cls.set_gain = proto("fluid_synth_set_gain", None, vp, ctypes.c_float)
        cls.get_gain = proto("fluid_synth_get_gain", ctypes.c_float, vp)
        cls.settings_setstr = proto("fluid_settings_setstr", ci, vp, ctypes.c_char_p, ctypes.c_char_p)
        cls.foreach_option = proto("fluid_settings_foreach_option", None, vp, ctypes.c_char_p, vp,
                                   _OPTION_FUNC)
        cls.new_audio_driver = proto("new_fluid_audio_driver", vp, vp, vp)
        cls.delete_audio_driver = proto("delete_fluid_audio_driver", None, vp)
        cls._done = True


# ------------------------------------------------------------------------------------------ logging
# FluidSynth prints warnings and errors to stderr by default. The app keeps it silent and, while it
# calls FluidSynth for something that can fail (loading a font, opening a driver), collects the
# messages to explain the failure. The Python callback is installed only for that short window, so
# FluidSynth's own threads never call into Python otherwise (and never during interpreter shutdown).

_log_lock = threading.RLock()
_log_messages: list[str] | None = None
_quiet = False


@_LOG_FUNC
def _collect_log(level: int, message: bytes | None, _data: int | None) -> None:
    if _log_messages is not None and message and level <= _WARN:
        _log_messages.append(message.decode("utf-8", "replace").strip())


_NO_LOG = _LOG_FUNC()  # a NULL function pointer: FluidSynth then drops the message


def _set_all_log_functions(func) -> None:
    for level in (_PANIC, _ERR, _WARN, _INFO, _DBG):
        _C.set_log_function(level, func, None)


def silence_fluidsynth_log() -> None:
    """Stop FluidSynth printing to stderr (idempotent)."""
    global _quiet
    _C.bind()
    with _log_lock:
        if not _quiet:
            _set_all_log_functions(_NO_LOG)
            _quiet = True


@contextmanager
def _captured_log() -> Iterator[list[str]]:
    """Collect FluidSynth's warnings and errors (instead of printing them) inside the block."""
    global _log_messages
    silence_fluidsynth_log()
    with _log_lock:
        messages: list[str] = []
        outer = _log_messages
        _log_messages = messages
        if outer is None:
            _set_all_log_functions(_collect_log)
        try:
            yield messages
        finally:
            _log_messages = outer
            if outer is None:
                _set_all_log_functions(_NO_LOG)
            else:
                outer.extend(messages)


# ALSA and JACK print their own errors straight to stderr when no device or server is there. While a
# driver opens they are silenced with no-op handlers (kept alive for the life of the process).
_ALSA_HANDLER = ctypes.CFUNCTYPE(None, ctypes.c_char_p, ctypes.c_int, ctypes.c_char_p, ctypes.c_int,
                                 ctypes.c_char_p)
_JACK_HANDLER = ctypes.CFUNCTYPE(None, ctypes.c_char_p)


@_ALSA_HANDLER
def _alsa_quiet(_file, _line, _function, _err, _fmt) -> None:
    return None


@_JACK_HANDLER
def _jack_quiet(_message) -> None:
    return None


def _load_system_lib(name: str) -> ctypes.CDLL | None:
    import ctypes.util

    found = ctypes.util.find_library(name)
    if not found:
        return None
    try:
        return ctypes.CDLL(found)
    except OSError:
        return None


@contextmanager
def _quiet_system_audio_libs(driver: str) -> Iterator[None]:
    alsa = None
    if sys.platform.startswith("linux") and driver == "alsa":
        alsa = _load_system_lib("asound")
        if alsa is not None and hasattr(alsa, "snd_lib_error_set_handler"):
            alsa.snd_lib_error_set_handler(_alsa_quiet)
    if driver == "jack":
        # A JACK client would otherwise try to launch a server and wait seconds for it.
        os.environ.setdefault("JACK_NO_START_SERVER", "1")
        jack = _load_system_lib("jack")
        if jack is not None and hasattr(jack, "jack_set_error_function"):
            jack.jack_set_error_function(_jack_quiet)
            if hasattr(jack, "jack_set_info_function"):
                jack.jack_set_info_function(_jack_quiet)
    try:
        yield
    finally:
        if alsa is not None and hasattr(alsa, "snd_lib_error_set_handler"):
            alsa.snd_lib_error_set_handler(None)  # back to ALSA's default handler


# ------------------------------------------------------------------------------------------- protocol


@dataclass(frozen=True, slots=True)
class AudioStart:
    """What happened when a realtime audio driver was asked for: ``driver`` is None when none opened."""

    driver: str | None
    message: str

    @property
    def opened(self) -> bool:
        return self.driver is not None

    def __bool__(self) -> bool:
        return self.opened

    def __str__(self) -> str:
        return self.message


@runtime_checkable
class Synth(Protocol):
    """A General MIDI sound source that the player, audition and live input drive."""

    def note_on(self, channel: int, pitch: int, velocity: int) -> None: ...

    def note_off(self, channel: int, pitch: int) -> None: ...

    def program_select(self, channel: int, program: int, bank: int = 0) -> bool: ...

    def cc(self, channel: int, control: int, value: int) -> None: ...

    def all_notes_off(self, channel: int | None = None) -> None: ...

    def start(self, driver: str | None = None) -> AudioStart: ...

    def close(self) -> None: ...


# ------------------------------------------------------------------------------------ song helpers


def is_drum_track(track: Track) -> bool:
    """Drums when flagged so or on the GM drum channel (MIDI channel 10)."""
    return track.is_drum or track.channel == DRUM_CHANNEL


def audible_tracks(song: Song) -> tuple[Track, ...]:
    """Tracks that sound: not muted, and soloed when any track is soloed (mute wins over solo)."""
    any_solo = any(t.solo for t in song.tracks)
    return tuple(t for t in song.tracks if not t.mute and (t.solo or not any_solo))


def assign_channels(song: Song, channels: int = 16) -> dict[str, int]:
    """Synth channel for each track id: its own MIDI channel when free, else the next free one.

    Melodic tracks never get the drum channel by reassignment; when there are more tracks than
    channels the extra ones share (they then share program, volume and pan too).
    """
    mapping: dict[str, int] = {}
    used: set[int] = set()
    for i, t in enumerate(song.tracks):
        drum = is_drum_track(t)
        want = t.channel if t.channel < channels else DRUM_CHANNEL if drum else 0
        if want in used or (not drum and want == DRUM_CHANNEL and t.channel != DRUM_CHANNEL):
            free = [c for c in range(channels) if c not in used and (drum or c != DRUM_CHANNEL)]
            want = free[0] if free else (i % channels)
        mapping[t.id] = want
        used.add(want)
    return mapping


# ------------------------------------------------------------------------------------- FluidSynth

_live_synths: weakref.WeakSet[FluidSynthSynth] = weakref.WeakSet()


@atexit.register
def _close_live_synths() -> None:  # audio threads must stop before the interpreter goes away
    for s in list(_live_synths):
        s.close()


def available_drivers() -> list[str]:
    """Realtime audio drivers compiled into this FluidSynth (e.g. alsa, jack, pulseaudio)."""
    _C.bind()
    names: list[str] = []

    @_OPTION_FUNC
    def add(_data, _name, option) -> None:
        names.append(option.decode())

    settings = _fluidsynth.new_fluid_settings()
    try:
        _C.foreach_option(settings, b"audio.driver", None, add)
    finally:
        _fluidsynth.delete_fluid_settings(settings)
    return names


def platform_drivers(platform: str | None = None) -> tuple[str, ...]:
    platform = platform or sys.platform
    for prefix, drivers in PLATFORM_DRIVERS.items():
        if platform.startswith(prefix):
            return drivers
    return ()


class FluidSynthSynth:
    """A FluidSynth synthesizer with one SoundFont loaded; implements :class:`Synth`.

    Without :meth:`start_realtime` it makes no sound by itself: :meth:`write_float` pulls samples
    (offline rendering). All methods may be called from any thread (FluidSynth's API is thread safe).
    Construction errors about the font raise SongFileError; a missing C library AudioUnavailableError.
    """

    def __init__(self, soundfont: str | Path | None = None, *, sample_rate: int = 44100,
                 gain: float = DEFAULT_GAIN, channels: int = 64, reverb: bool = True,
                 chorus: bool = True) -> None:
        _C.bind()
        if soundfont is None:
            soundfont = default_soundfont()
            if soundfont is None:
                raise SongFileError(project_soundfont_dir(),
                                    "no SoundFont found: put a .sf2 file here or install fluid-soundfont-gm")
        self.soundfont = validate_soundfont(soundfont)
        if not 8000 <= sample_rate <= 192000:
            raise ValueError(f"sample rate {sample_rate} is outside 8000..192000 Hz")
        self.sample_rate = int(sample_rate)
        self.channels = max(16, -(-int(channels) // 16) * 16)  # FluidSynth wants a multiple of 16
        self._driver: int | None = None
        self._driver_name: str | None = None
        self._closed = False
        self._lock = threading.Lock()
        with _captured_log() as log:
            self._fs = _fluidsynth.Synth(
                gain=float(gain), samplerate=float(self.sample_rate), channels=self.channels,
                **{"synth.reverb.active": int(reverb), "synth.chorus.active": int(chorus)},
            )
            self.sfid = self._fs.sfload(str(self.soundfont))
        if self.sfid == FLUID_FAILED or self.sfid is None:
            self._fs.delete()
            self._closed = True
            why = "; ".join(log[-2:]) or "FluidSynth could not load it"
            raise SongFileError(self.soundfont, f"not a usable SoundFont ({why})")
        for ch in range(self.channels):  # every channel starts on this font, GM piano / standard kit
            self.program_select(ch, 0, DRUM_BANK if ch == DRUM_CHANNEL else 0)
        _live_synths.add(self)

    # ------------------------------------------------------------------------------ Synth protocol
    def note_on(self, channel: int, pitch: int, velocity: int) -> None:
        if not self._closed:
            self._fs.noteon(channel, pitch, max(0, min(127, velocity)))

    def note_off(self, channel: int, pitch: int) -> None:
        if not self._closed:
            self._fs.noteoff(channel, pitch)

    def program_select(self, channel: int, program: int, bank: int = 0) -> bool:
        """Pick a preset; if the font lacks it, fall back to the same program in bank 0 (or the
        standard drum kit for bank 128), then to program 0. True when the exact preset was found."""
        if self._closed:
            return False
        tries = [(bank, program)]
        tries += [(DRUM_BANK, 0)] if bank == DRUM_BANK else [(0, program), (0, 0)]
        for i, (b, p) in enumerate(tries):
            if self._fs.program_select(channel, self.sfid, b, p) != FLUID_FAILED:
                return i == 0
        return False

    def cc(self, channel: int, control: int, value: int) -> None:
        if not self._closed:
            self._fs.cc(channel, control, max(0, min(127, value)))

    def all_notes_off(self, channel: int | None = None) -> None:
        """Release held notes (they fade with their release); None means every channel."""
        if not self._closed:
            for ch in range(self.channels) if channel is None else (channel,):
                self._fs.all_notes_off(ch)

    def all_sounds_off(self, channel: int | None = None) -> None:
        """Silence at once, cutting releases and reverb sends (panic)."""
        if not self._closed:
            for ch in range(self.channels) if channel is None else (channel,):
                self._fs.all_sounds_off(ch)

    def start(self, driver: str | None = None) -> AudioStart:
        return self.start_realtime(driver)

    def close(self) -> None:
        """Stop the audio driver (if any) and free the synthesizer; safe to call twice."""
        with self._lock:
            if self._closed:
                return
            self._closed = True
            driver, self._driver = self._driver, None
            if driver:
                _C.delete_audio_driver(driver)
            self._fs.audio_driver = None
            with _captured_log():
                self._fs.delete()
        _live_synths.discard(self)

    def __enter__(self) -> FluidSynthSynth:
        return self

    def __exit__(self, *exc) -> None:
        self.close()

    # --------------------------------------------------------------------------------- the rest
    @property
    def closed(self) -> bool:
        return self._closed

    @property
    def gain(self) -> float:
        return float(_C.get_gain(self._fs.synth))

    def set_gain(self, gain: float) -> None:
        _C.set_gain(self._fs.synth, float(gain))

    @property
    def active_voices(self) -> int:
        """Voices sounding now (they only decay while samples are being rendered)."""
        return 0 if self._closed else int(self._fs.get_active_voice_count())

    @property
    def driver_name(self) -> str | None:
        """The realtime driver playing now, or None."""
        return self._driver_name

    def apply_song(self, song: Song) -> dict[str, int]:
        """Set program, bank, volume (CC7) and pan (CC10) of each track's channel; muted tracks and
        tracks left out by solo get volume 0. Returns the synth channel of each track id."""
        return set_up_tracks(self, song, self.channels)

    def write_float(self, out: np.ndarray) -> None:
        """Fill ``out`` (shape (n, 2), float32, C-contiguous) with the next n stereo frames."""
        if out.dtype != np.float32 or out.ndim != 2 or out.shape[1] != 2 or not out.flags.c_contiguous:
            raise ValueError("write_float needs a C-contiguous float32 array of shape (n, 2)")
        if self._closed:
            raise RuntimeError("the synth is closed")
        n = out.shape[0]
        if n == 0:
            return
        ptr = out.ctypes.data
        if _C.write_float(self._fs.synth, n, ptr, 0, 2, ptr, 1, 2) == FLUID_FAILED:
            raise RuntimeError("FluidSynth failed to render samples")

    def render(self, frames: int) -> np.ndarray:
        """The next ``frames`` stereo frames as a new (frames, 2) float32 array."""
        out = np.zeros((frames, 2), dtype=np.float32)
        self.write_float(out)
        return out

    def start_realtime(self, driver: str | None = None, device: str | None = None) -> AudioStart:
        """Open a realtime audio output and say truthfully whether one opened.

        With ``driver`` None the platform's drivers are tried in order (Linux: pipewire, pulseaudio,
        alsa, jack; macOS: coreaudio; Windows: wasapi, dsound), skipping those this FluidSynth lacks.
        Never raises for a missing device: the result's ``driver`` is None and ``message`` reads
        ``"No audio device: <reason>"``. JACK is never asked to launch a server.
        """
        with self._lock:
            if self._closed:
                return AudioStart(None, "No audio device: the synth is closed")
            if self._driver is not None:
                return AudioStart(self._driver_name, f"Audio output: {self._driver_name}")
            have = available_drivers()
            if driver:
                if driver not in have:
                    return AudioStart(None, f"No audio device: this FluidSynth has no {driver!r} driver "
                                            f"(it has {', '.join(have) or 'none'})")
                wanted = [driver]
            else:
                wanted = [d for d in platform_drivers() if d in have]
                if not wanted:
                    return AudioStart(None, f"No audio device: no known driver for {sys.platform} "
                                            f"(this FluidSynth has {', '.join(have) or 'none'})")
            reasons: list[str] = []
            for name in wanted:
                ptr, why = self._open_driver(name, device)
                if ptr:
                    self._driver, self._driver_name = ptr, name
                    self._fs.audio_driver = None  # owned here, not by pyfluidsynth's delete()
                    return AudioStart(name, f"Audio output: {name}")
                reasons.append(f"{name}: {why}")
            return AudioStart(None, "No audio device: " + "; ".join(reasons))

    def _open_driver(self, name: str, device: str | None) -> tuple[int | None, str]:
        with _captured_log() as log, _quiet_system_audio_libs(name):
            if _C.settings_setstr(self._fs.settings, b"audio.driver", name.encode()) == FLUID_FAILED:
                return None, "not available"
            if device:
                key = f"audio.{name}.device".encode()
                if _C.settings_setstr(self._fs.settings, key, device.encode()) == FLUID_FAILED:
                    return None, f"unknown device {device!r}"
            ptr = _C.new_audio_driver(self._fs.settings, self._fs.synth)
        errors = [m for m in log if not m.startswith("Using ")]
        return ptr, (errors[-1] if errors else "could not be opened")


def set_up_tracks(sink, song: Song, channels: int) -> dict[str, int]:
    """Send each track's program (drum bank for drums), volume (0 when muted or left out by solo) and
    pan to its channel on ``sink`` (anything with program_select and cc); returns the channel per track id."""
    mapping = assign_channels(song, channels)
    audible = {t.id for t in audible_tracks(song)}
    for t in song.tracks:
        ch = mapping[t.id]
        sink.program_select(ch, t.program, DRUM_BANK if is_drum_track(t) else 0)
        sink.cc(ch, 7, t.volume if t.id in audible else 0)
        sink.cc(ch, 10, t.pan)
    return mapping
