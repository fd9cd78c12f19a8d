"""Finding and validating SoundFont files."""

from __future__ import annotations

from pathlib import Path

import pytest

from composer_app.audio import soundfonts
from composer_app.audio.soundfonts import default_soundfont, find_soundfonts, validate_soundfont
from composer_app.core.errors import SongFileError

FAKE_SF2 = b"RIFF" + (1000).to_bytes(4, "little") + b"sfbk" + b"\0" * 100


def _write(path: Path, data: bytes) -> Path:
    path.write_bytes(data)
    return path


def _font(folder: Path, name: str, size: int = 0) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    p = folder / name
    p.write_bytes(FAKE_SF2 + b"\0" * size)
    return p


def test_full_gm_set_is_preferred_over_timgm6mb(tmp_path):
    d = tmp_path / "sf2"
    small = _font(d, "TimGM6mb.sf2", 5000)
    other = _font(d, "Piano.sf2", 10)
    full = _font(d, "FluidR3_GM.sf2")
    (d / "notes.txt").write_text("not a font")
    assert find_soundfonts([d]) == [p.resolve() for p in (full, other, small)]


def test_project_folder_comes_first_and_links_appear_once(tmp_path):
    project, system = tmp_path / "project", tmp_path / "system"
    mine = _font(project, "mine.sf3")
    timgm = _font(system, "TimGM6mb.sf2")
    (system / "default-GM.sf2").symlink_to(timgm)
    assert find_soundfonts([project, system, tmp_path / "missing"]) == [mine.resolve(), timgm.resolve()]


def test_default_search_starts_in_the_repository_soundfonts_folder():
    import composer_app

    repo = Path(composer_app.__file__).resolve().parent.parent
    assert soundfonts.project_soundfont_dir() == repo / "soundfonts"
    assert Path("/usr/share/sounds/sf2") in soundfonts.system_soundfont_dirs()


def test_default_soundfont_honours_the_environment_and_skips_bad_files(tmp_path, monkeypatch):
    good = _font(tmp_path, "good.sf2")
    monkeypatch.setenv(soundfonts.ENV_VAR, str(good))
    assert default_soundfont() == good
    bad = tmp_path / "bad.sf2"
    bad.write_text("hello")
    monkeypatch.setenv(soundfonts.ENV_VAR, str(bad))
    monkeypatch.setattr(soundfonts, "find_soundfonts", lambda: [bad, good])
    assert default_soundfont() == good
    monkeypatch.setattr(soundfonts, "find_soundfonts", lambda: [])
    assert default_soundfont() is None


def test_real_machine_soundfont_is_valid_when_present():
    sf = default_soundfont()
    if sf is None:
        pytest.skip("no SoundFont on this machine")
    assert validate_soundfont(sf) == sf


@pytest.mark.parametrize(
    ("make", "message"),
    [
        (lambda d: d / "missing.sf2", "no such file"),
        (lambda d: d, "is a folder"),
        (lambda d: _write(d / "song.sf2", b"MThd this is MIDI"), "not a SoundFont file"),
        (lambda d: _write(d / "short.sf2", b"RIFF"), "not a SoundFont file"),
        (lambda d: _write(d / "wave.sf2", b"RIFF\0\0\0\0WAVEfmt "), "not a SoundFont file"),
    ],
)
def test_bad_files_raise_song_file_error(tmp_path, make, message):
    path = make(tmp_path)
    with pytest.raises(SongFileError) as info:
        validate_soundfont(path)
    assert message in str(info.value)
    assert info.value.path == Path(path)
