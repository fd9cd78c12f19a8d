"""Drag-out data: a .mid file URL and audio/midi bytes that read back as the same notes from their first bar."""

from __future__ import annotations

import os
import time
from pathlib import Path

import pytest
from PySide6.QtCore import QPoint, Qt
from PySide6.QtWidgets import QMainWindow, QMessageBox, QWidget

from composer_app.core.errors import SongFileError
from composer_app.core.pitch import KeySignature
from composer_app.core.song import Clip, Note, Song, Track
from composer_app.core.timing import TempoChange, TimeSignature
from composer_app.midi import read_midi, read_midi_bytes
from composer_app.ui import midi_drag
from composer_app.ui.midi_drag import MIDI_MIME, MidiDragButton, file_name, midi_drag_data

BAR = 1920


def late_song() -> Song:
    notes = (Note(67, 240, 480, 90), Note(71, BAR, 960, 100))
    return Song(tracks=(Track("Lead", program=73, clips=(Clip(8 * BAR, 2 * BAR, notes),)),),
                tempos=(TempoChange.from_bpm(0, 100),), meters=(TimeSignature(0, 4, 4),),
                keys=(KeySignature(0, 7),))


def test_drag_data_is_a_readable_midi_file_starting_at_its_first_bar():
    mime = midi_drag_data(late_song(), "Lead: verse/1")
    assert mime.hasFormat(MIDI_MIME) and mime.hasUrls()
    path = Path(mime.urls()[0].toLocalFile())
    assert path.name.startswith("Lead verse 1") and path.suffix == ".mid"
    data = bytes(mime.data(MIDI_MIME).data())
    assert path.read_bytes() == data
    for song in (read_midi(path), read_midi_bytes(data)):
        notes = [(n.pitch, n.start, n.duration) for t in song.tracks for n in t.notes_absolute()]
        assert notes == [(67, 240, 480), (71, BAR, 960)]  # bar 9 became bar 1: no leading silence
        assert song.keys[0].name == "G major" and round(song.tempos[0].bpm) == 100
        assert song.tracks[0].program == 73


def test_two_drags_of_the_same_name_never_overwrite_each_other():
    a = Path(midi_drag_data(late_song(), "same").urls()[0].toLocalFile())
    b = Path(midi_drag_data(late_song(), "same").urls()[0].toLocalFile())
    assert a != b and a.exists() and b.exists()
    assert file_name("  ") == "Composer" and file_name("a/b:c") == "a b c"


def test_old_dragged_files_are_cleaned_up():
    old = midi_drag.drag_folder() / "very old.mid"
    old.write_bytes(b"MThd")
    past = time.time() - midi_drag.STALE_SECONDS - 60
    os.utime(old, (past, past))
    midi_drag_data(late_song(), "new")
    assert not old.exists()


def test_the_drag_button_drags_the_whole_song(qtbot):
    started = []
    button = MidiDragButton(late_song, lambda: "My song", start=lambda src, song, name: started.append((song, name)))
    qtbot.addWidget(button)
    button.resize(80, 24)
    button.show()
    qtbot.mousePress(button, Qt.MouseButton.LeftButton, pos=QPoint(10, 10))
    qtbot.mouseMove(button, QPoint(60, 12))
    assert len(started) == 1 and started[0][1] == "My song" and started[0][0].note_count == 2


def far_apart() -> Song:
    """Two clips too far apart for a MIDI file (the gap exceeds what one delta time can say)."""
    clips = (Clip(0, BAR, (Note(60, 0, 480),)), Clip(300_000_000, BAR, (Note(62, 0, 480),)))
    return Song(tracks=(Track("Lead", clips=clips),))


class _NoDrag:
    """Stands in for QDrag, whose exec() would wait for the desktop's drag loop; records whether one started."""

    started: list = []

    def __init__(self, source) -> None:
        self.source = source

    def setMimeData(self, mime) -> None:  # noqa: N802 (Qt spelling)
        self.mime = mime

    def exec(self, action):
        _NoDrag.started.append(self.mime)
        return action


def test_drag_data_for_a_song_no_midi_file_holds_names_the_file():
    with pytest.raises(SongFileError, match=r"^Lead\.mid: cannot be exported as MIDI: .*too far out"):
        midi_drag_data(far_apart(), "Lead")


def test_a_drag_that_cannot_be_written_says_why_and_starts_nothing(qtbot, monkeypatch):
    monkeypatch.setattr(midi_drag, "QDrag", _NoDrag)
    _NoDrag.started = []
    window = QMainWindow()
    qtbot.addWidget(window)
    source = QWidget()
    window.setCentralWidget(source)
    window.show()
    assert midi_drag.start_midi_drag(source, far_apart(), "Lead") == Qt.DropAction.IgnoreAction
    assert _NoDrag.started == []
    assert window.statusBar().currentMessage().startswith("Lead.mid: cannot be exported as MIDI: ")
    (box,) = [b for b in window.findChildren(QMessageBox) if b.objectName() == midi_drag.DRAG_FAILED]
    assert box.isVisible() and not box.isModal() and "too far out on the timeline" in box.text()
    box.close()
    assert midi_drag.start_midi_drag(source, late_song(), "Lead") == Qt.DropAction.CopyAction
    assert len(_NoDrag.started) == 1  # a song that fits still drags


def test_the_drag_button_reports_a_song_too_big_for_midi(qtbot, monkeypatch):
    monkeypatch.setattr(midi_drag, "QDrag", _NoDrag)
    _NoDrag.started = []
    tracks = tuple(Track(f"t{i}", clips=(Clip(0, BAR, (Note(60, 0, 480),)),)) for i in range(1024))
    window = QMainWindow()
    qtbot.addWidget(window)
    button = MidiDragButton(lambda: Song(tracks=tracks), lambda: "Big")
    window.setCentralWidget(button)
    window.show()
    qtbot.mousePress(button, Qt.MouseButton.LeftButton, pos=QPoint(5, 5))
    qtbot.mouseMove(button, QPoint(60, 8))
    assert _NoDrag.started == []
    assert "1,024 tracks; a MIDI file holds at most 1,023" in window.statusBar().currentMessage()
