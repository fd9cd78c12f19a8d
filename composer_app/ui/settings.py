"""User settings: every QSettings key is declared here once, with its type and default."""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Generic, TypeVar

from PySide6.QtCore import QByteArray, QSettings

ORGANIZATION = "Composer"
APPLICATION = "Composer"
MAX_RECENT_FILES = 10

T = TypeVar("T")


@dataclass(frozen=True)
class Setting(Generic[T]):
    """One stored value: its key, its Python type and the value used when nothing is stored."""

    key: str
    type: type
    default: T


RECENT_FILES: Setting[list[str]] = Setting("files/recent", list, [])
WINDOW_GEOMETRY: Setting[QByteArray] = Setting("window/geometry", QByteArray, QByteArray())
WINDOW_STATE: Setting[QByteArray] = Setting("window/state", QByteArray, QByteArray())
EDITOR_SPLITTER: Setting[QByteArray] = Setting("window/editor_splitter", QByteArray, QByteArray())  # arrangement/roll

# never losing work
KEEP_BACKUP: Setting[bool] = Setting("files/keep_backup", bool, True)  # NAME.composer.bak on each save
AUTOSAVE_SECONDS: Setting[int] = Setting("files/autosave_seconds", int, 60)  # recovery copy interval, 0 = off

# sound and MIDI devices
SOUNDFONT: Setting[str] = Setting("audio/soundfont", str, "")  # "" = the best one found
AUDIO_DRIVER: Setting[str] = Setting("audio/driver", str, "auto")  # "auto" or a FluidSynth driver name
SAMPLE_RATE: Setting[int] = Setting("audio/sample_rate", int, 44100)
EXPORT_SAMPLE_RATE: Setting[int] = Setting("export/sample_rate", int, 44100)
EXPORT_AUDIO_DIR: Setting[str] = Setting("export/audio_dir", str, "")
METRONOME: Setting[bool] = Setting("transport/metronome", bool, False)
COUNT_IN_BARS: Setting[int] = Setting("recording/count_in_bars", int, 1)  # 0, 1 or 2
INPUT_QUANTIZE: Setting[int] = Setting("recording/quantize_ticks", int, 0)  # grid in ticks, 0 = off
INPUT_QUANTIZE_STRENGTH: Setting[int] = Setting("recording/quantize_strength", int, 100)  # percent
MIDI_API: Setting[str] = Setting("midi/api", str, "")  # "" = the platform's own (alsa, coremidi, winmm)
MIDI_INPUT: Setting[str] = Setting("midi/input", str, "")  # "" = the first input found
MIDI_OUTPUT: Setting[str] = Setting("midi/output", str, "")  # "" = the internal synth

# the assistant panel's controls (bars, candidates, creativity, style ...) as one JSON object
ASSISTANT_OPTIONS: Setting[str] = Setting("assistant/options", str, "")

SAMPLE_RATES = (22050, 32000, 44100, 48000, 88200, 96000)
COUNT_IN_CHOICES = (0, 1, 2)


class Settings:
    """Typed access to the settings store (the user's by default, or any QSettings given)."""

    def __init__(self, store: QSettings | None = None) -> None:
        self._store = store if store is not None else QSettings(ORGANIZATION, APPLICATION)

    @classmethod
    def from_ini(cls, path: str | os.PathLike[str]) -> Settings:
        """Settings kept in one ini file (tests, portable installs)."""
        return cls(QSettings(str(path), QSettings.Format.IniFormat))

    @property
    def store(self) -> QSettings:
        return self._store

    def get(self, setting: Setting[T]) -> T:
        raw: Any = self._store.value(setting.key)
        if raw is None:
            return _copy(setting.default)
        if setting.type is list:
            # ini files hand back a lone string for a one-element list
            values = [raw] if isinstance(raw, str) else list(raw)
            return [str(v) for v in values if v]  # type: ignore[return-value]
        if setting.type is QByteArray:
            return raw if isinstance(raw, QByteArray) else QByteArray(raw)  # type: ignore[return-value]
        if setting.type is bool and isinstance(raw, str):  # ini files hand back "true"/"false"
            return raw.strip().lower() in ("true", "1", "yes", "on")  # type: ignore[return-value]
        try:
            return setting.type(raw)
        except (TypeError, ValueError):
            return _copy(setting.default)

    def set(self, setting: Setting[T], value: T) -> None:
        self._store.setValue(setting.key, value)

    def sync(self) -> None:
        self._store.sync()

    # ---------------------------------------------------------- recent files

    def recent_files(self) -> list[str]:
        return self.get(RECENT_FILES)[:MAX_RECENT_FILES]

    def add_recent_file(self, path: str | os.PathLike[str]) -> list[str]:
        """Put ``path`` first in the recent list (no duplicates, at most MAX_RECENT_FILES)."""
        full = str(Path(path).resolve())
        files = [full] + [f for f in self.recent_files() if f != full]
        files = files[:MAX_RECENT_FILES]
        self.set(RECENT_FILES, files)
        return files

    def remove_recent_file(self, path: str | os.PathLike[str]) -> list[str]:
        full = str(Path(path).resolve())
        files = [f for f in self.recent_files() if f != full]
        self.set(RECENT_FILES, files)
        return files

    def clear_recent_files(self) -> None:
        self.set(RECENT_FILES, [])


def _copy(value: T) -> T:
    return list(value) if isinstance(value, list) else value  # type: ignore[return-value]
