"""Lead-sheet chord labels keep their spelling through import and export (Eb:min7 never becomes D#:min7)."""

from __future__ import annotations

from io import BytesIO

import mido
import pytest

from composer_app.core.chords import QUALITIES, parse_chord, spelled_label
from composer_app.core.song import ChordSymbol, Clip, Note, Song, Track
from composer_app.midi import read_midi_bytes, write_midi_bytes
from composer_app.midi.leadsheet import parse_label

ROOTS = ["C", "C#", "Db", "D", "D#", "Eb", "E", "Fb", "E#", "F", "F#", "Gb", "G", "G#", "Ab", "A", "A#", "Bb",
         "B", "Cb", "B#"]


def song_with(labels: list[str]) -> Song:
    melody = Track(name="melody", clips=(Clip(0, 480 * len(labels), (Note(72, 0, 480 * len(labels)),)),))
    return Song(tracks=(melody,), chords=tuple(ChordSymbol(480 * i, 480, lab) for i, lab in enumerate(labels)))


@pytest.mark.parametrize("root", ROOTS)
def test_every_root_and_quality_keeps_its_spelling_through_export_and_import(root):
    labels = [f"{root}:{quality}" for quality in QUALITIES]
    labels += [f"{root}:min7/b3", f"{root}:7(b9)", f"{root}:maj(*5)/5", "N"]
    back = read_midi_bytes(write_midi_bytes(song_with(labels)))
    assert [c.label for c in back.chords] == labels
    assert [parse_chord(c.label) for c in back.chords] == [parse_chord(lab) for lab in labels]


def test_a_flat_chord_survives_two_round_trips():
    once = read_midi_bytes(write_midi_bytes(song_with(["Eb:min7", "Ab:7", "Db:maj7"])))
    twice = read_midi_bytes(write_midi_bytes(once))
    assert [c.label for c in twice.chords] == ["Eb:min7", "Ab:7", "Db:maj7"]


def test_lead_sheet_spellings_import_in_harte_syntax_with_their_root_as_written():
    chords = mido.MidiTrack([mido.MetaMessage("track_name", name="chords")])
    for text in ("Ebm7", "B♭7", "F#m7b5", "Gbmaj7/Bb", "C#dim", "N.C."):
        chords.append(mido.UnknownMetaMessage(0x01, text.encode("utf-8"), time=480))
    mf = mido.MidiFile(type=1)
    mf.tracks.append(chords)
    mf.tracks.append(mido.MidiTrack([mido.Message("note_on", note=60), mido.Message("note_off", note=60, time=3000)]))
    buffer = BytesIO()
    mf.save(file=buffer)
    song = read_midi_bytes(buffer.getvalue())
    assert [c.label for c in song.chords] == ["Eb:min7", "Bb:7", "F#:hdim7", "Gb:maj7/3", "C#:dim", "N"]


@pytest.mark.parametrize(("text", "expected"), [
    ("Eb:min7", "Eb:min7"), ("D#:min7", "D#:min7"), ("e#:7", "E#:7"), ("Cb:maj", "Cb:maj"),
    ("Bb:maj(9)", "Bb:maj(9)"), ("N", "N"), (" Abm ", "Ab:min"),
])
def test_spelled_label(text, expected):
    assert spelled_label(text) == expected
    assert parse_label(text) == expected


@pytest.mark.parametrize("text", ["Verse 1", "H:maj", "C:nonsense", "Eb:min7(", ""])
def test_texts_that_are_not_chords_are_skipped(text):
    assert parse_label(text) is None
