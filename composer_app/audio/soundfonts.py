"""Finding SoundFont files (project folder first, then the system) and checking that a file is one."""

from __future__ import annotations

import os
import sys
from collections.abc import Iterable
from pathlib import Path

import composer_app
from composer_app.core.errors import SongFileError

SOUNDFONT_SUFFIXES = (".sf2", ".sf3")

ENV_VAR = "COMPOSER_SOUNDFONT"
"""An environment variable naming a SoundFont that wins over every folder (handy for the CLI and CI)."""

# Complete General MIDI sets, best first. A file whose name holds one of these wins over any other file
# in the same folder (TimGM6mb is a 6 MB GM set: it works, but the full sets sound far better).
_FULL_GM_NAMES = ("fluidr3_gm", "generaluser", "musescore_general", "timbres of heaven", "arachno")
_SMALL_GM_NAMES = ("timgm6mb",)


def project_soundfont_dir() -> Path:
    """The ``soundfonts/`` folder at the repository root (next to the ``composer_app`` package)."""
    return Path(composer_app.__file__).resolve().parent.parent / "soundfonts"


def system_soundfont_dirs() -> list[Path]:
    """Where the operating system and its package managers put SoundFonts, for this platform."""
    home = Path.home()
    dirs: list[Path] = []
    if sys.platform == "darwin":
        dirs += [home / "Library" / "Audio" / "Sounds" / "Banks", Path("/Library/Audio/Sounds/Banks")]
    elif sys.platform == "win32":
        profile = os.environ.get("USERPROFILE")
        if profile:
            dirs += [Path(profile) / "SoundFonts", Path(profile)]
    dirs += [
        Path("/usr/share/sounds/sf2"),
        Path("/usr/share/soundfonts"),
        Path("/usr/local/share/soundfonts"),
        home / ".local" / "share" / "soundfonts",
    ]
    return dirs


def _rank(path: Path) -> tuple[int, int, int, str]:
    """Sort key inside one folder: full GM sets, then other fonts (bigger first), then the small GM set."""
    name = path.name.lower()
    full = next((i for i, n in enumerate(_FULL_GM_NAMES) if n in name), None)
    if full is not None:
        group, order = 0, full
    elif any(n in name for n in _SMALL_GM_NAMES):
        group, order = 2, 0
    else:
        group, order = 1, 0
    try:
        size = path.stat().st_size
    except OSError:
        size = 0
    return group, order, -size, name


def _fonts_in(folder: Path) -> list[Path]:
    try:
        entries = list(folder.iterdir())
    except OSError:  # missing, not a folder, no permission
        return []
    fonts: list[Path] = []
    for p in entries:
        if p.suffix.lower() in SOUNDFONT_SUFFIXES:
            try:
                real = p.resolve()  # Debian's default-GM.sf2 is a link: name the real file
            except (OSError, RuntimeError):
                continue
            if real.is_file():
                fonts.append(real)
    return sorted(fonts, key=_rank)


def find_soundfonts(dirs: Iterable[Path] | None = None) -> list[Path]:
    """Every SoundFont found, best first: the project's ``soundfonts/`` folder, then the system folders.

    Within one folder a complete GM set (FluidR3_GM, GeneralUser ...) comes before other fonts and the
    small TimGM6mb comes last. Links are resolved (Debian's ``default-GM.sf2`` is named by its target)
    and each file appears once.
    Files are not opened here; :func:`validate_soundfont` checks one before use.
    """
    folders = list(dirs) if dirs is not None else [project_soundfont_dir(), *system_soundfont_dirs()]
    found: list[Path] = []
    seen: set[Path] = set()
    for folder in folders:
        for path in _fonts_in(folder):
            if path not in seen:
                seen.add(path)
                found.append(path)
    return found


def default_soundfont() -> Path | None:
    """The SoundFont to use when the user chose none, or None when this machine has none.

    ``$COMPOSER_SOUNDFONT`` wins when it names a real SoundFont; otherwise the first valid file of
    :func:`find_soundfonts`.
    """
    env = os.environ.get(ENV_VAR)
    candidates = ([Path(env).expanduser()] if env else []) + find_soundfonts()
    for path in candidates:
        try:
            return validate_soundfont(path)
        except SongFileError:
            continue
    return None


def validate_soundfont(path: str | Path) -> Path:
    """Return ``path`` if it is a readable SoundFont 2/3 file, else raise SongFileError saying why.

    SoundFont 2 (.sf2) and SoundFont 3 (.sf3, Ogg-compressed samples) files are both RIFF files of
    form type ``sfbk``; the check reads the 12-byte header, not the extension.
    """
    p = Path(path).expanduser()
    if not p.exists():
        raise SongFileError(p, "no such file")
    if p.is_dir():
        raise SongFileError(p, "is a folder, not a SoundFont file")
    try:
        with p.open("rb") as f:
            head = f.read(12)
    except OSError as e:
        raise SongFileError(p, f"cannot be read ({e.strerror or e})") from e
    if len(head) < 12 or head[:4] != b"RIFF" or head[8:12] != b"sfbk":
        raise SongFileError(p, "not a SoundFont file (.sf2/.sf3 files start with a RIFF 'sfbk' header)")
    return p
