"""Open and save songs from any supported file (MIDI or project), chosen by suffix or content."""

from __future__ import annotations

from pathlib import Path

from composer_app.core.errors import SongFileError
from composer_app.core.regular_file import read_regular
from composer_app.core.song import Song
from composer_app.midi import load_midi, read_midi, write_midi
from composer_app.project import PROJECT_SUFFIX, load_project
from composer_app.project import save_project as _save_project

MIDI_SUFFIXES = (".mid", ".midi", ".kar", ".smf")
OPEN_FILTER = "Songs (*.mid *.midi *.kar *.smf *.composer);;MIDI files (*.mid *.midi *.kar *.smf);;" \
              "Composer projects (*.composer);;All files (*)"
PROJECT_FILTER = "Composer projects (*.composer)"
MIDI_FILTER = "MIDI files (*.mid *.midi)"


def kind_of(path: str | Path) -> str:
    """'midi' or 'project': by suffix, else by the first bytes of the file."""
    path = Path(path)
    suffix = path.suffix.lower()
    if suffix in MIDI_SUFFIXES:
        return "midi"
    if suffix == PROJECT_SUFFIX:
        return "project"
    head = read_regular(path, "song file", head=64)
    if head.startswith((b"MThd", b"RIFF")):
        return "midi"
    if head.lstrip().startswith(b"{"):
        return "project"
    raise SongFileError(path, "neither a MIDI file nor a Composer project")


def open_song(path: str | Path) -> Song:
    """Read a MIDI file or a project; raises SongFileError with one readable line."""
    return read_midi(path) if kind_of(path) == "midi" else load_project(path)


def open_song_checked(path: str | Path) -> tuple[Song, tuple[str, ...]]:
    """Like ``open_song``, plus the warnings a person must be shown (e.g. a MIDI file cut short)."""
    if kind_of(path) == "midi":
        read = load_midi(path)
        return read.song, read.warnings
    return load_project(path), ()


def save_project(song: Song, path: str | Path, backup: bool = False, overwrite_read_only: bool = False) -> None:
    """Write a project; ``backup`` keeps the previous file as ``NAME.composer.bak``."""
    _save_project(song, path, backup=backup, overwrite_read_only=overwrite_read_only)


def export_midi(song: Song, path: str | Path) -> None:
    write_midi(song, path)


def save_song(song: Song, path: str | Path) -> None:
    """Write a project or a MIDI file, chosen by the suffix of ``path``."""
    if Path(path).suffix.lower() in MIDI_SUFFIXES:
        write_midi(song, path)
    elif Path(path).suffix.lower() == PROJECT_SUFFIX:
        _save_project(song, path)
    else:
        raise SongFileError(path, f"unknown file type; use {PROJECT_SUFFIX} or .mid")
