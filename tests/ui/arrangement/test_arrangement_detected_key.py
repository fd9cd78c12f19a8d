"""The detected key beside the key selector: follows the notes (debounced), one click adopts it, undoable."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import pytest

from composer_app.core import edits
from composer_app.core.song import Clip, Note, Song, Track
from composer_app.fileio import open_song
from composer_app.ui.arrangement.link_button import DEBOUNCE_MS

BAR = 1920
POP909 = Path(__file__).resolve().parents[4] / "shared/datasets/pop909/POP909/001/001.mid"
EB_MAJOR = [63, 65, 67, 68, 70, 72, 74, 75, 70, 67, 63, 58, 63, 70, 67, 63]


def test_a_motif_in_eb_while_the_song_says_c(qtbot, view_of):
    """No key signature, notes in Eb major: 'Detected: Eb major'; a click sets it as the key, one undo step."""
    motif = tuple(Note(p, i * 240, 240 if i % 4 else 480) for i, p in enumerate(EB_MAJOR))
    view = view_of(Song(tracks=(Track("Lead", clips=(Clip(0, 2 * BAR, motif),)),)))
    button = view.transport_bar.detected_key
    assert button.isVisible() and button.isEnabled()
    assert button.text() == "Detected: Eb major"
    assert not view.document.key_explicit
    button.click()
    song = view.document.song
    assert song.keys[0].name == "Eb major" and song.key_explicit and view.document.key_explicit
    assert view.document.undo_stack.count() == 1 and view.document.undo_stack.text(0) == "Set key Eb major"
    assert view.transport_bar.tonic.currentText() == "Eb"
    assert button.text() == "Detected: Eb major ✓" and not button.isEnabled()
    view.document.undo_stack.undo()
    assert view.document.song.keys[0].name == "C major" and not view.document.key_explicit
    assert button.isEnabled()


def test_choosing_the_key_shown_marks_it_as_set_on_purpose(qtbot, view_of):
    view = view_of(Song(tracks=(Track("Lead"),)))
    assert not view.transport_bar.detected_key.isVisible()  # no notes, nothing detected
    bar = view.transport_bar
    bar.tonic.activated.emit(0)  # C major again, but chosen
    assert view.document.key_explicit and view.document.undo_stack.text(0) == "Set key C major"


def test_detection_follows_note_edits_after_a_pause(qtbot, view_of):
    motif = tuple(Note(p, i * 240, 240) for i, p in enumerate(EB_MAJOR))
    view = view_of(Song(tracks=(Track("Lead", clips=(Clip(0, 2 * BAR, motif),)),)))
    button = view.transport_bar.detected_key
    song = view.document.song
    clip = song.tracks[0].clips[0]
    a_major = [69, 71, 73, 74, 76, 78, 80, 81, 76, 73, 69, 64, 69, 76, 73, 69]
    new = edits.set_notes(song, clip.id, [Note(p, i * 240, 240) for i, p in enumerate(a_major)])
    view.document.apply("notes", new)
    assert button.text() == "Detected: Eb major"  # not on the edit itself ...
    qtbot.waitUntil(lambda: button.text() == "Detected: A major", timeout=DEBOUNCE_MS * 10)  # ... but soon after


def test_chord_symbols_count_in_the_detected_key(qtbot, view_of):
    """A melody of C major's notes that leans on E and A reads as A minor alone; C F G7 C under it make it C
    major, once the chord edit has settled (the same debounce as notes), and undoing the chords brings A minor
    back."""
    melody = [64, 60, 62, 64, 69, 67, 65, 64, 62, 64, 60, 62, 64, 65, 64, 62]
    notes = tuple(Note(p, i * 480, 480) for i, p in enumerate(melody))
    view = view_of(Song(tracks=(Track("Lead", clips=(Clip(0, 4 * BAR, notes),)),)))
    button = view.transport_bar.detected_key
    assert button.text().startswith("Detected: A minor")
    song = view.document.song
    for bar, label in enumerate(("C", "F", "G7", "C")):
        song = edits.set_chord(song, bar * BAR, BAR, label)
    view.document.apply("chords", song)
    qtbot.waitUntil(lambda: button.text() == "Detected: C major", timeout=DEBOUNCE_MS * 10)
    assert button.toolTip().startswith("The notes and chords here sound in C major")
    view.document.undo_stack.undo()
    qtbot.waitUntil(lambda: button.text().startswith("Detected: A minor"), timeout=DEBOUNCE_MS * 10)


@pytest.mark.skipif(not POP909.is_file(), reason="no POP909 in ../shared/datasets")
def test_pop909_without_key_signature_detects_gb(qtbot, view_of):
    view = view_of(open_song(POP909))
    assert view.transport_bar.detected_key.text() == "Detected: Gb major"
    view.transport_bar.detected_key.click()
    assert view.transport_bar.tonic.currentText() == "Gb"


def test_the_tonic_selector_spells_each_tonic_as_the_mode_does(qtbot, view_of):
    """Gb and Db in major, F# and C# in minor; a song in F# major (spelt with sharps) reads F#."""
    from composer_app.core.pitch import KeySignature

    view = view_of(Song(keys=(KeySignature(0, 6, "major"),)))
    tonic = view.transport_bar.tonic
    assert (tonic.currentText(), tonic.itemText(1)) == ("Gb", "Db")
    view.document.apply("key", edits.set_key(view.document.song, 0, 6, "minor"))
    assert (tonic.currentText(), tonic.itemText(1), tonic.itemText(3)) == ("F#", "C#", "Eb")
    view.document.apply("key", replace(view.document.song, keys=(KeySignature(0, 6, "major", sharps=True),)))
    assert tonic.currentText() == "F#"
    tonic.setCurrentIndex(7)  # G major: chosen from the list
    tonic.activated.emit(7)
    assert view.document.song.keys[0].name == "G major" and tonic.itemText(6) == "Gb"


def _major_or_minor_f() -> tuple[Note, ...]:
    """Quarter notes on F and C with Eb, Bb, G, A, D and one Ab: F major and F minor fit about equally (the pitch
    classes of a melody over F7, as in the opening of a jazz standard)."""
    left = {65: 17, 60: 17, 63: 7, 70: 8, 67: 6, 69: 4, 62: 3, 68: 1}
    pitches = []
    while any(left.values()):
        for p in left:
            if left[p]:
                pitches.append(p)
                left[p] -= 1
    return tuple(Note(p, i * 480, 480) for i, p in enumerate(pitches))


def test_two_keys_that_fit_about_equally_are_both_offered(qtbot, view_of):
    notes = _major_or_minor_f()
    view = view_of(Song(tracks=(Track("Lead", clips=(Clip(0, 16 * BAR, notes),)),)))
    button = view.transport_bar.detected_key
    assert button.text() == "Detected: F major or F minor" and button.isEnabled()
    actions = button.menu().actions()
    assert [a.text() for a in actions] == ["Set the key to F major", "Set the key to F minor"]
    actions[1].trigger()
    assert view.document.song.keys[0].name == "F minor" and view.document.key_explicit
    assert button.text() == "Detected: F minor ✓" and not button.isEnabled()  # the musician's pick of the two
    view.document.undo_stack.undo()
    assert button.text() == "Detected: F major or F minor" and button.isEnabled()
    button.click()  # the button itself adopts the first
    assert view.document.song.keys[0].name == "F major"
