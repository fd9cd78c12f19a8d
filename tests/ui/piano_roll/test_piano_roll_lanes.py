"""Velocity lane, chord lane and scale shading of the piano roll."""

from __future__ import annotations

from PySide6.QtCore import QPoint, Qt
from PySide6.QtGui import QColor

from composer_app.core.chords import lead_sheet_name
from composer_app.core.song import ChordSymbol
from composer_app.ui.piano_roll.backdrop import ROW_OUT
from composer_app.ui.piano_roll.state import NO_SCALE

BAR = 1920


def _lane_x(roll, note_id):
    return round(roll.editor.velocity_lane.x_of(roll.clip().note(note_id)))


def test_drag_a_velocity_bar(roll, qtbot):
    lane = roll.editor.velocity_lane
    x = _lane_x(roll, "n2")
    qtbot.mousePress(lane, Qt.MouseButton.LeftButton, pos=QPoint(x, round(lane.y_of(80))))
    qtbot.mouseMove(lane, QPoint(x, round(lane.y_of(120))))
    qtbot.mouseRelease(lane, Qt.MouseButton.LeftButton, pos=QPoint(x, round(lane.y_of(120))))
    assert abs(roll.clip().note("n2").velocity - 120) <= 2
    assert roll.doc.undo_stack.undoText() == "Set velocity of 1 note"


def test_velocity_ramp_over_selected_notes_is_one_step(roll, qtbot):
    lane = roll.editor.velocity_lane
    roll.editor.scene.set_selection({"n0", "n1", "n2", "n3", "n4"})
    a = QPoint(_lane_x(roll, "n0") - 3, round(lane.y_of(20)))
    b = QPoint(_lane_x(roll, "n4") + 3, round(lane.y_of(120)))
    qtbot.mousePress(lane, Qt.MouseButton.LeftButton, Qt.KeyboardModifier.ShiftModifier, a)
    qtbot.mouseMove(lane, b)
    qtbot.mouseRelease(lane, Qt.MouseButton.LeftButton, Qt.KeyboardModifier.ShiftModifier, b)
    vels = [roll.clip().note(f"n{i}").velocity for i in range(5)]
    assert vels == sorted(vels) and vels[0] < 35 and vels[-1] > 105
    assert roll.clip().note("n5").velocity == 80
    assert roll.doc.undo_stack.undoText() == "Set velocity of 5 notes"
    assert roll.doc.undo_stack.count() == 1


def test_chord_lane_typing_sets_a_chord(roll, qtbot):
    lane = roll.editor.chord_lane
    x = round(roll.view.view_x(BAR + 10))
    qtbot.mouseDClick(lane, Qt.MouseButton.LeftButton, pos=QPoint(x, 10))
    assert lane.editor is not None and lane.editor.isVisible()
    lane.editor.setText("Am7")
    qtbot.keyClick(lane.editor, Qt.Key.Key_Return)
    (chord,) = roll.doc.song.chords
    assert (chord.start, chord.duration, chord.label) == (BAR, BAR, "A:min7")
    assert type(chord.start) is int and type(chord.duration) is int  # 1920.0 made the saved project unreadable
    assert roll.doc.undo_stack.undoText() == "Set chord A:min7"


def test_two_chords_in_a_bar(roll, qtbot):
    """Typing on beat 3 of a bar that holds one chord adds a second chord there (the first now ends on beat 3);
    typing on the first beat edits the first chord; each is one undo step."""
    lane = roll.editor.chord_lane
    for x, text in ((BAR + 10, "C"), (BAR + 960 + 10, "F"), (BAR + 10, "Am")):
        editor = lane.begin_edit(roll.view.view_x(x))
        assert editor.text() == ("C:maj" if text == "Am" else "")
        editor.setText(text)
        qtbot.keyClick(editor, Qt.Key.Key_Return)
    chords = sorted((c.start, c.duration, c.label) for c in roll.doc.song.chords)
    assert chords == [(BAR, 960, "A:min"), (BAR + 960, 960, "F:maj")]
    assert roll.doc.undo_stack.count() == 3


def test_a_typed_flat_chord_keeps_its_spelling(roll, qtbot):
    lane = roll.editor.chord_lane
    editor = lane.begin_edit(roll.view.view_x(BAR + 10))
    editor.setText("Ebm7")
    qtbot.keyClick(editor, Qt.Key.Key_Return)
    (chord,) = roll.doc.song.chords
    assert chord.label == "Eb:min7" and roll.doc.undo_stack.undoText() == "Set chord Eb:min7"
    assert lead_sheet_name(chord.label, roll.doc.song.key_at(chord.start)) == "Ebm7"


def test_bad_chord_name_shows_an_error(roll, qtbot):
    lane = roll.editor.chord_lane
    errors = []
    lane.error.connect(errors.append)
    editor = lane.begin_edit(roll.view.view_x(BAR + 10))
    editor.setText("Hxyz")
    qtbot.keyClick(editor, Qt.Key.Key_Return)
    assert errors and "Hxyz" in errors[0]
    assert editor.isVisible() and roll.doc.song.chords == ()
    assert "Hxyz" in roll.editor.toolbar.status.text()
    qtbot.keyClick(editor, Qt.Key.Key_Escape)
    assert not editor.isVisible()


def test_delete_a_chord(roll, qtbot):
    from dataclasses import replace

    roll.doc.apply("chords", replace(roll.doc.song, chords=(ChordSymbol(BAR, BAR, "C:maj", id="c1"),)))
    lane = roll.editor.chord_lane
    qtbot.mouseClick(lane, Qt.MouseButton.LeftButton, pos=QPoint(round(roll.view.view_x(BAR + 100)), 10))
    assert lane.selected == "c1"
    qtbot.keyClick(lane, Qt.Key.Key_Delete)
    assert roll.doc.song.chords == ()
    assert roll.doc.undo_stack.undoText() == "Delete chord C:maj"
    assert len(roll.clip().notes) == 8  # the notes' Delete did not fire


def _row_colour(roll, pitch):
    roll.editor.scene.update()
    img = roll.view.viewport().grab().toImage()
    p = roll.at(BAR + 7 * 480 + 400, pitch)  # a spot with no note
    return QColor(img.pixel(p.x() - 30, p.y()))


def test_scale_shading_toggles(roll):
    assert _row_colour(roll, 61) == ROW_OUT  # C# is outside C major
    roll.editor.toolbar.scale.setCurrentText(NO_SCALE)
    assert _row_colour(roll, 61) != ROW_OUT
    roll.editor.toolbar.scale.setCurrentText("D major")
    assert _row_colour(roll, 61) != ROW_OUT and _row_colour(roll, 60) == ROW_OUT


def test_the_scale_selector_spells_keys_as_musicians_write_them():
    from composer_app.ui.piano_roll.state import scale_choices

    names = scale_choices()
    assert {"Eb major", "Ab major", "Bb major", "Gb major", "C# minor", "F# minor", "Eb minor"} <= set(names)
    assert not {"D# major", "G# major", "A# major", "A# minor"} & set(names)
    assert len(names) == 2 + 24


def test_note_labels_are_spelt_as_the_song_key_spells_them(roll):
    from composer_app.core import edits
    from composer_app.core.song import Clip, Note, Song, Track

    scene = roll.editor.scene
    names = lambda: [scene._label_cache(12, scene.label_key())[p].text() for p in (70, 71, 66, 63)]  # noqa: E731
    assert names() == ["Bb4", "B4", "F#4", "Eb4"]  # no signature, C major notes: C major (its b7, #4, b3)
    roll.doc.apply("Set key", edits.set_key(roll.doc.song, 0, 6, "major"))  # six flats: Gb major
    assert names() == ["Bb4", "Cb5", "Gb4", "Eb4"]
    eb = tuple(Note(p, i * 480, 480, id=f"e{i}") for i, p in enumerate((63, 65, 67, 68, 70, 72, 74, 75, 70, 67)))
    roll.doc.load(Song(tracks=(Track("Lead", clips=(Clip(0, 2 * BAR, eb, id="clip1"),)),)), None)
    roll.editor.open_clip("clip1")
    assert names() == ["Bb4", "B4", "Gb4", "Eb4"]  # no signature: the detected Eb major
    assert roll.editor.chord_lane.shown_label("D#:min7", 0) == "Ebm7"  # a label saved with sharps reads Ebm7


def test_note_labels_follow_a_change_of_mode_under_the_same_signature(roll):
    """F major and D minor share one flat but not their names: 61 is Db4 in F major, C#4 (the leading note) in D
    minor, so the labels are kept per key, not per signature."""
    from composer_app.core import edits

    scene = roll.editor.scene
    roll.doc.apply("Set key", edits.set_key(roll.doc.song, 0, 5, "major"))
    assert scene._label_cache(12, scene.label_key())[61].text() == "Db4"
    roll.doc.apply("Set key", edits.set_key(roll.doc.song, 0, 2, "minor"))
    assert scene._label_cache(12, scene.label_key())[61].text() == "C#4"


def test_the_chord_lane_shows_the_chords_the_other_parts_play_and_can_keep_them(roll, qtbot):
    """No chord symbols, a piano part: the lane shows the chords it plays (what the assistant writes over). A
    typed chord wins where it stands, the rest stays heard; keeping them makes them symbols in one undo step."""
    from dataclasses import replace

    from composer_app.core.song import Clip, Note, Track

    voicings = ((48, 52, 55, 60), (43, 55, 59, 62))  # C, then G over the bass track's C and G
    piano = Track("Piano", channel=2, id="t3", clips=(Clip(0, 2 * BAR, tuple(
        Note(p, b * BAR, BAR, 70) for b, v in enumerate(voicings) for p in v)),))
    roll.doc.apply("Add piano", replace(roll.doc.song, tracks=roll.doc.song.tracks + (piano,)))
    lane = roll.editor.chord_lane
    assert lane.heard() == ((0, BAR, "C:maj"), (BAR, BAR, "G:maj"))
    lane.grab()  # painted: the tooltip says what the grey chords are
    assert "the other parts play" in lane.toolTip()
    editor = lane.begin_edit(roll.view.view_x(BAR + 10))
    editor.setText("G7")
    qtbot.keyClick(editor, Qt.Key.Key_Return)
    assert lane.heard() == ((0, BAR, "C:maj"),)
    lane.keep_heard()
    assert sorted((c.start, c.duration, c.label) for c in roll.doc.song.chords) == [(0, BAR, "C:maj"),
                                                                                   (BAR, BAR, "G:7")]
    assert lane.heard() == () and roll.doc.undo_stack.undoText() == "Keep 1 heard chord"
    roll.doc.undo_stack.undo()
    assert lane.heard() == ((0, BAR, "C:maj"),)


def test_the_velocity_lane_shows_where_the_sustain_pedal_is_down(roll):
    """A strip along the lane's foot under the pedalled beats (here beats 2-3 of the clip's first bar), none
    elsewhere; it follows an undo like the notes do."""
    from dataclasses import replace

    from composer_app.core.song import Control

    lane = roll.editor.velocity_lane
    song = roll.doc.song
    clip = song.clip("clip1")
    pedalled = replace(clip, controls=(Control(480, 64, 127), Control(1440, 64, 0)))
    song = replace(song, tracks=(replace(song.tracks[0], clips=(pedalled,)), song.tracks[1]))
    roll.doc.apply("Pedal", song)

    def strip_at(tick):
        x = round(roll.view.view_x(BAR + tick))
        return lane.grab().toImage().pixelColor(x, lane.height() - 2)

    assert strip_at(960) == QColor(150, 120, 200)
    assert strip_at(240) != QColor(150, 120, 200) and strip_at(1700) != QColor(150, 120, 200)
    roll.doc.undo_stack.undo()
    assert strip_at(960) != QColor(150, 120, 200)


def test_a_clip_that_modulates_names_each_note_in_its_own_sections_key(roll):
    """No key signature, 16 bars in G major then 16 in Ab major, one clip: 61 reads C#4 in the G major bars and Db4
    in the Ab major ones (the labels used to follow the key at the clip's start all the way)."""
    from composer_app.core.song import Clip, Note, Song, Track

    g = [67, 69, 71, 72, 74, 76, 78, 79, 74, 71, 67, 62, 66, 67, 71, 74]
    ab = [p + 1 for p in g]
    notes = tuple(Note(p, i * 240, 240) for i, p in enumerate(g * 8 + ab * 8))
    roll.doc.load(Song(tracks=(Track("Lead", clips=(Clip(0, 32 * BAR, notes, id="clip1"),)),)), None)
    roll.editor.open_clip("clip1")
    scene = roll.editor.scene
    assert scene._label_cache(12, scene.label_key(BAR))[61].text() == "C#4"
    assert scene._label_cache(12, scene.label_key(30 * BAR))[61].text() == "Db4"
    assert scene.label_key().name == "G major"  # the clip's start, as before
    roll.view.viewport().grab()  # painted with both keys
