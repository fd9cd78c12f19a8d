"""File > Import MIDI into the current song (new tracks at the playhead, one undo step) and partial exports."""

from __future__ import annotations

from pathlib import Path

import pytest
from PySide6.QtWidgets import QMessageBox

from composer_app import fileio
from composer_app.core.song import Clip, Note, Song, Track
from composer_app.midi import read_midi, write_midi
from composer_app.ui.main_window import MainWindow

BAR = 1920
ASHOVER1 = Path(__file__).resolve().parents[3] / "shared/datasets/nottingham/MIDI/ashover1.mid"


def two_tracks() -> Song:
    lead = Clip(BAR, 2 * BAR, tuple(Note(60 + i, i * 480, 480) for i in range(8)), name="Verse")
    bass = Clip(0, 4 * BAR, (Note(36, 0, BAR), Note(43, 2 * BAR, BAR)))
    return Song(tracks=(Track("Lead", channel=0, clips=(lead,)), Track("Bass", program=33, channel=1,
                                                                      clips=(bass,))))


@pytest.fixture
def window(qtbot, document, settings):
    document.load(two_tracks())
    win = MainWindow(document, settings, fileio)
    qtbot.addWidget(win)
    win.show()
    yield win
    win.midi_transfer.loader.cancel()
    win.midi_transfer.loader.wait()
    document.undo_stack.setClean()


def test_import_midi_sits_beside_open_and_the_exports_after_export_midi(window):
    labels = [a.text() for a in window.file_menu.actions() if not a.isSeparator()]
    assert labels.index("&Import MIDI\u2026") == labels.index("&Open\u2026") + 1
    at = labels.index("&Export MIDI\u2026")
    assert {"Export Se&lection as MIDI\u2026", "Export &Track as MIDI\u2026"} <= set(labels[at + 1:at + 4])


@pytest.mark.skipif(not ASHOVER1.is_file(), reason="no Nottingham data in ../shared/datasets")
def test_import_adds_the_files_tracks_at_the_playhead_in_one_step(qtbot, window):
    doc = window.document
    before = doc.song
    window.transport.set_playhead(2 * BAR + 700)  # inside bar 3: the import starts on bar 3
    with qtbot.waitSignal(window.midi_transfer.loader.loaded, timeout=20_000):
        window.midi_transfer.import_path(ASHOVER1)
    song = doc.song
    assert [t.name for t in song.tracks] == ["Lead", "Bass", "Track 1", "Track 2"]
    assert song.tracks[:2] == before.tracks and song.meters == before.meters
    imported = read_midi(ASHOVER1)
    first = min(n.start for t in imported.tracks for n in t.notes_absolute())
    mm = imported.meter_map
    lead_in = first - mm.bar_start(mm.bar_of(first))
    assert min(n.start for n in song.tracks[2].notes_absolute()) == 2 * BAR + lead_in
    assert song.tracks[2].note_count == imported.tracks[0].note_count
    assert len({t.channel for t in song.tracks if not t.is_drum}) == 4  # no two parts share a channel
    assert doc.undo_stack.count() == 1 and doc.undo_stack.text(0) == "Import ashover1.mid"
    assert window.editors.arrangement.current_track_id == song.tracks[2].id
    assert "Imported ashover1.mid: 2 tracks at bar 3" in window.statusBar().currentMessage()
    doc.undo_stack.undo()
    assert doc.song is before


def test_importing_a_file_without_notes_says_so(qtbot, window, tmp_path, monkeypatch):
    shown = []
    monkeypatch.setattr(QMessageBox, "critical", lambda _p, title, text, *a, **k: shown.append((title, text)))
    empty = tmp_path / "empty.mid"
    write_midi(Song(tracks=(Track("Nothing"),)), empty)
    with qtbot.waitSignal(window.midi_transfer.loader.loaded, timeout=20_000):
        window.midi_transfer.import_path(empty)
    assert shown == [("Nothing to Import", "empty.mid: the file holds no notes")]
    assert window.document.undo_stack.count() == 0


@pytest.mark.skipif(not ASHOVER1.is_file(), reason="no Nottingham data in ../shared/datasets")
def test_importing_a_file_cut_short_imports_what_is_there_and_says_so(qtbot, window, tmp_path):
    data = ASHOVER1.read_bytes()
    cut = tmp_path / "cut.mid"
    cut.write_bytes(data[:len(data) * 3 // 4])
    before = window.document.song
    with qtbot.waitSignal(window.midi_transfer.loader.warned, timeout=20_000):
        window.midi_transfer.import_path(cut)
    song = window.document.song
    assert len(song.tracks) == len(before.tracks) + 2 and window.document.undo_stack.count() == 1
    assert 0 < song.note_count - before.note_count < read_midi(ASHOVER1).note_count
    assert window.statusBar().currentMessage().startswith("Warning: cut.mid: the file is cut short: track 2 ")
    shown = [b for b in window.findChildren(QMessageBox) if b.objectName() == "readWarnings" and b.isVisible()]
    assert len(shown) == 1 and not shown[0].isModal()
    assert shown[0].text().startswith("cut.mid was imported, but not all of it could be read:")
    shown[0].close()
    window.document.undo_stack.undo()  # one step takes the whole import back
    assert window.document.song is before


def _save_as(monkeypatch, path: Path) -> list:
    from PySide6.QtWidgets import QFileDialog

    asked = []

    def dialog(_parent, title, suggested, _filter):
        asked.append((title, Path(suggested).name))
        return str(path), ""
    monkeypatch.setattr(QFileDialog, "getSaveFileName", dialog)
    return asked


def test_export_selected_clips_starts_at_their_first_bar(window, tmp_path, monkeypatch):
    arrangement = window.editors.arrangement
    lead_clip = window.document.song.tracks[0].clips[0]
    arrangement.select_clips([lead_clip.id])
    asked = _save_as(monkeypatch, tmp_path / "verse.mid")
    window.midi_transfer.export_selection_action.trigger()
    assert asked == [("Export Selection as MIDI", "Verse.mid")]
    back = read_midi(tmp_path / "verse.mid")
    assert [t.name for t in back.tracks] == ["Lead"]
    assert [n.start for n in back.tracks[0].notes_absolute()][:2] == [0, 480]  # bar 2 became bar 1


def test_export_selected_notes_of_the_open_clip(window, tmp_path, monkeypatch):
    roll = window.editors.roll
    clip = window.document.song.tracks[0].clips[0]
    window.editors.edit_clip(clip.id)
    roll.scene.set_selection([n.id for n in clip.notes[2:4]])
    path = tmp_path / "two.mid"
    assert _save_as(monkeypatch, path) == []
    assert window.midi_transfer.export_selection()
    assert [(n.pitch, n.start) for t in read_midi(path).tracks for n in t.notes_absolute()] == [(62, 960), (63, 1440)]


def test_export_one_track_keeps_the_song_timing(window, tmp_path, monkeypatch):
    window.editors.arrangement.set_current_track(window.document.song.tracks[0].id)
    _save_as(monkeypatch, tmp_path / "lead")
    window.midi_transfer.export_track_action.trigger()
    back = read_midi(tmp_path / "lead.mid")
    assert [t.name for t in back.tracks] == ["Lead"]
    assert min(n.start for n in back.tracks[0].notes_absolute()) == BAR


def test_export_selection_with_nothing_selected_says_what_to_do(window):
    window.editors.arrangement.select_clips([])
    assert window.midi_transfer.export_selection() is False
    assert "Select notes" in window.statusBar().currentMessage()
