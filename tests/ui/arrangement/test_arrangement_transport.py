"""Transport bar (tempo, meter, key, position), drops of notes and MIDI files, zoom; each edit one undo step."""

import warnings

from PySide6.QtCore import QMimeData, QPointF, Qt, QUrl
from PySide6.QtGui import QDragEnterEvent, QDropEvent
from PySide6.QtWidgets import QApplication

from composer_app.core.song import Clip, Note, Song, Track
from composer_app.midi import write_midi
from composer_app.ui.arrangement import NOTES_MIME, encode_notes

BAR = 1920


def test_tempo_spin_box_sets_the_tempo_in_one_step(arr, qtbot):
    spin = arr.transport_bar.tempo
    spin.setFocus()
    spin.lineEdit().selectAll()
    qtbot.keyClicks(spin, "96")
    qtbot.keyClick(spin, Qt.Key.Key_Return)
    assert arr.song.tempo_map.tempo_at(0).bpm == 96
    assert arr.document.undo_stack.count() == 1 and arr.document.undo_stack.text(0) == "Set tempo 96 BPM"
    arr.document.undo_stack.undo()
    assert arr.transport_bar.tempo.value() == 120


def test_meter_and_key_edits(arr, qtbot):
    bar = arr.transport_bar
    bar.numerator.setValue(3)
    assert str(arr.song.meters[0]) == "3/4" and arr.document.undo_stack.text(0) == "Set time signature 3/4"
    bar.denominator.setCurrentIndex(bar.denominator.findData(8))
    bar.denominator.activated.emit(bar.denominator.currentIndex())
    assert str(arr.song.meters[0]) == "3/8"
    bar.tonic.setCurrentIndex(9)
    bar.tonic.activated.emit(9)
    bar.mode.setCurrentIndex(1)
    bar.mode.activated.emit(1)
    assert arr.song.keys[0].name == "A minor"
    assert arr.document.undo_stack.text(3) == "Set key A minor"
    assert arr.document.undo_stack.count() == 4


def test_position_readout_follows_the_playhead(arr):
    arr.transport.set_playhead(BAR + 480 + 5)
    assert arr.transport_bar.position.text() == "2.2.005"
    assert arr.transport_bar.clock.text() == "0:02.5"


def test_edits_at_the_playhead_change_the_segment_in_effect(arr):
    from composer_app.core import edits
    arr.document.apply("tempo change", edits.set_tempo(arr.song, 4 * BAR, 140))
    arr.transport.set_playhead(5 * BAR)
    assert arr.transport_bar.tempo.value() == 140
    arr.transport_bar.tempo.setValue(150)
    assert [round(t.bpm) for t in arr.song.tempos] == [120, 150]


def test_drop_notes_creates_a_clip_in_one_step(arr):
    track = arr.song.tracks[2]
    cid = arr.drop_notes(track.id, 3, [[60, 0, 480, 90], [64, 480, 480, 90], [67, 2000, 480, 90]], "Idea 2")
    clip = arr.song.clip(cid)
    assert arr.song.track_of_clip(cid).id == track.id
    assert (clip.start, clip.length, clip.name) == (3 * BAR, 2 * BAR, "Idea 2")
    assert arr.document.undo_stack.count() == 1
    arr.document.undo_stack.undo()
    assert arr.song.tracks[2].clips == ()


def _drop(view, mime, pos):
    vp = view.clip_view.viewport()
    with warnings.catch_warnings():  # PySide marks the only QDragEnterEvent constructor deprecated
        warnings.simplefilter("ignore", DeprecationWarning)
        enter = QDragEnterEvent(pos.toPoint(), Qt.DropAction.CopyAction, mime, Qt.MouseButton.LeftButton,
                                Qt.KeyboardModifier.NoModifier)
    QApplication.sendEvent(vp, enter)
    assert enter.isAccepted()
    drop = QDropEvent(pos, Qt.DropAction.CopyAction, mime, Qt.MouseButton.LeftButton, Qt.KeyboardModifier.NoModifier)
    QApplication.sendEvent(vp, drop)


def test_dropping_notes_mime_at_a_bar_and_track(arr, at):
    mime = encode_notes([Note(72, 0, 960), Note(74, 960, 960)], "Candidate 1")
    assert mime.hasFormat(NOTES_MIME)
    _drop(arr, mime, QPointF(at(arr, 4 * BAR + 700, 1)))
    clips = arr.song.tracks[1].clips
    dropped = next(c for c in clips if c.name == "Candidate 1")
    assert dropped.start == 4 * BAR and [n.pitch for n in dropped.notes] == [72, 74]
    assert arr.document.undo_stack.count() == 1


def test_dropping_below_the_last_track_adds_one(arr, at):
    _drop(arr, encode_notes([Note(60, 0, 480)], "Hook"), QPointF(at(arr, 700, 4)))
    assert [t.name for t in arr.song.tracks][-1] == "Hook"
    assert arr.document.undo_stack.count() == 1


def test_dropping_a_midi_file_imports_its_first_track_with_notes(arr, at, tmp_path):
    song = Song(tracks=(Track("Empty"), Track("Riff", clips=(Clip(2 * BAR, BAR, (Note(50, 0, 240),)),))))
    path = tmp_path / "riff.mid"
    write_midi(song, path)
    mime = QMimeData()
    mime.setUrls([QUrl.fromLocalFile(str(path))])
    _drop(arr, mime, QPointF(at(arr, 100, 2)))
    (clip,) = arr.song.tracks[2].clips
    assert clip.start == 0 and [(n.pitch, n.start) for n in clip.notes] == [(50, 0)]
    assert arr.document.undo_stack.count() == 1


def test_a_broken_midi_file_is_reported_not_raised(arr, qtbot, tmp_path):
    bad = tmp_path / "broken.mid"
    bad.write_bytes(b"MThd not really")
    with qtbot.waitSignal(arr.error_reported):
        assert arr.import_midi(bad, arr.song.tracks[0].id, 0) is None
    assert arr.document.undo_stack.count() == 0
    arr._message.close()


def test_zoom_keys_and_ctrl_wheel(arr, qtbot):
    before = arr.scale.pixels_per_quarter
    qtbot.keyClick(arr.clip_view, Qt.Key.Key_Plus)
    assert arr.scale.pixels_per_quarter > before
    qtbot.keyClick(arr.clip_view, Qt.Key.Key_Minus)
    assert abs(arr.scale.pixels_per_quarter - before) < 1e-6
    item = arr.scene.clip_item(arr.song.tracks[1].clips[0].id)
    arr.zoom(2.0)
    assert item.pos().x() == arr.scale.x(BAR)
