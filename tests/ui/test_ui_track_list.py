"""The track list and its summary header reflect the document's song."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import Qt

from composer_app.core import edits
from composer_app.core.song import Clip, Note, Song, Track
from composer_app.core.timing import TempoChange
from composer_app.ui import song_summary as summary
from composer_app.ui.track_list import EMPTY_HINT, TrackListPanel, TrackTableModel


def cells(model: TrackTableModel, row: int) -> list[str]:
    return [model.data(model.index(row, c)) for c in range(model.columnCount())]


def test_empty_song_shows_the_hint(qtbot, document):
    panel = TrackListPanel(document)
    qtbot.addWidget(panel)
    assert panel.is_empty
    assert panel.empty_hint.text() == EMPTY_HINT
    assert "Ctrl+O" in EMPTY_HINT


def test_rows_describe_each_track(qtbot, document, song):
    panel = TrackListPanel(document)
    qtbot.addWidget(panel)
    document.load(song, Path("/music/test.composer"))
    model = panel.model
    assert not panel.is_empty
    assert [model.headerData(c, Qt.Orientation.Horizontal) for c in range(6)] == list(TrackTableModel.COLUMNS)
    assert cells(model, 0) == ["Lead", "Acoustic Grand Piano", "1", "1", "4", "C4\u2013F#4"]
    assert cells(model, 1) == ["Kit", "Drum Kit", "10 (drums)", "1", "8", "C2"]


def test_ranges_are_spelt_as_the_key_spells_them(qtbot, document, song):
    panel = TrackListPanel(document)
    qtbot.addWidget(panel)
    document.load(song, None)
    document.apply("Set key", edits.set_key(song, 0, 3, "major"))
    assert cells(panel.model, 0)[-1] == "C4\u2013Gb4"  # F#4 in C major
    document.undo_stack.undo()
    assert cells(panel.model, 0)[-1] == "C4\u2013F#4"


def test_without_a_signature_ranges_follow_the_detected_key(qtbot, document):
    eb = tuple(Note(p, i * 480, 480) for i, p in enumerate((63, 65, 67, 68, 70, 72, 74, 75, 70, 67, 63)))
    panel = TrackListPanel(document)
    qtbot.addWidget(panel)
    document.load(Song(tracks=(Track("Tune", clips=(Clip(0, 3840, eb),)),)), None)
    assert cells(panel.model, 0)[-1] == "Eb4\u2013Eb5"  # D#4-D#5 before


def test_header_summarises_the_song(qtbot, document, song):
    panel = TrackListPanel(document)
    qtbot.addWidget(panel)
    document.load(song, Path("/music/test.composer"))
    text = panel.header.text()
    assert "Test song" in text and "/music/test.composer" in text
    # 3/4 at 120 then 150 BPM: 3840 ticks = 8 quarters = 2.67 bars -> 3 bars
    assert "3 bars" in text and "0:04" in text
    assert "120 BPM (+1 change)" in text
    assert "3/4" in text and "C major" in text and "1 chord" in text


def test_the_table_follows_edits_and_undo(qtbot, document, song):
    panel = TrackListPanel(document)
    qtbot.addWidget(panel)
    document.load(song, None)
    document.apply("Add track", edits.add_track(song, Track("Bass", program=33, channel=2)))
    assert panel.model.rowCount() == 3
    assert cells(panel.model, 2) == ["Bass", "Electric Bass (finger)", "3", "0", "0", "\u2014"]
    document.undo_stack.undo()
    assert panel.model.rowCount() == 2


def test_an_unnamed_track_and_summary_texts():
    track = Track("", program=40, channel=3, clips=(Clip(0, 480, (Note(72, 0, 480),)),))
    model = TrackTableModel(Song(tracks=(track,)))
    assert cells(model, 0) == ["(unnamed)", "Violin", "4", "1", "1", "C5"]
    assert summary.clock(3725) == "1:02:05"
    assert summary.bpm_text(92.5) == "92.5"
    song = Song(tempos=(TempoChange.from_bpm(0, 90), TempoChange.from_bpm(960, 100), TempoChange.from_bpm(1920, 110)))
    assert summary.tempo_text(song) == "90 BPM (+2 changes)"
    assert summary.chords_text(Song()) == "no chords"
    assert summary.opened_message(Path("x.mid"), Song(tracks=(track,))) == "Opened x.mid: 1 track, 1 note"
