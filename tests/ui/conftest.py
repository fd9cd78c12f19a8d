"""UI test fixtures: settings in a temporary ini file, a document, a main window."""

from __future__ import annotations

import pytest
from PySide6.QtCore import QSettings

from composer_app.core.song import ChordSymbol, Clip, Note, Song, Track
from composer_app.core.timing import TempoChange, TimeSignature
from composer_app.midi import ports
from composer_app.ui.document import SongDocument
from composer_app.ui.settings import Settings
from tests.ui.sound_fakes import Ports


@pytest.fixture(autouse=True, scope="session")
def _no_user_settings(tmp_path_factory):
    """Anything that forgets to pass a settings object still never touches the user's settings."""
    where = str(tmp_path_factory.mktemp("qsettings"))
    for fmt in (QSettings.Format.NativeFormat, QSettings.Format.IniFormat):
        for scope in (QSettings.Scope.UserScope, QSettings.Scope.SystemScope):
            QSettings.setPath(fmt, scope, where)


@pytest.fixture(autouse=True, scope="session")
def _no_user_data(tmp_path_factory):
    """Recovery copies and logs (QStandardPaths' data folder) go to a temporary folder, never the user's."""
    import os

    os.environ["XDG_DATA_HOME"] = str(tmp_path_factory.mktemp("xdg-data"))


@pytest.fixture
def settings(tmp_path) -> Settings:
    return Settings.from_ini(tmp_path / "settings.ini")


@pytest.fixture
def document(qtbot) -> SongDocument:
    return SongDocument()


@pytest.fixture
def plugged(monkeypatch) -> Ports:
    """The MIDI port scan answers from a ``Ports`` fake the test can plug devices into."""
    found = Ports()
    monkeypatch.setattr(ports, "scan_ports", found)
    return found


def make_song(title: str = "Test song") -> Song:
    """Two tracks (piano melody, drums), a tempo change, 3/4 then 4/4, a chord."""
    melody = Clip(0, 1920, tuple(Note(60 + i * 2, i * 480, 480) for i in range(4)), name="A")
    drums = Clip(0, 3840, tuple(Note(36, i * 480, 120) for i in range(8)))
    return Song(
        tracks=(Track("Lead", program=0, channel=0, clips=(melody,)),
                Track("Kit", program=0, channel=9, is_drum=True, clips=(drums,))),
        tempos=(TempoChange(0, 500_000), TempoChange(1920, 400_000)),
        meters=(TimeSignature(0, 3, 4),),
        chords=(ChordSymbol(0, 1920, "C:maj"),),
        title=title,
    )


@pytest.fixture
def song() -> Song:
    return make_song()


@pytest.fixture(name="make_song")
def make_song_fixture():
    return make_song
