import pytest

from composer_app.core.chords import lead_sheet_name, parse_chord
from composer_app.core.pitch import KeySignature, note_name, parse_pitch_class


def test_note_names():
    assert note_name(60) == "C4"
    assert note_name(61, flats=True) == "Db4"
    assert note_name(21) == "A0"
    assert parse_pitch_class("Cb") == 11 and parse_pitch_class("E#") == 5


@pytest.mark.parametrize(("text", "tonic", "mode", "fifths"), [
    ("C", 0, "major", 0), ("Am", 9, "minor", 0), ("F#m", 6, "minor", 3), ("Bb", 10, "major", -2),
    ("Eb minor", 3, "minor", -6), ("D:min", 2, "minor", -1), ("G major", 7, "major", 1),
])
def test_key_parse_and_fifths(text, tonic, mode, fifths):
    k = KeySignature.parse(0, text)
    assert (k.tonic, k.mode, k.fifths) == (tonic, mode, fifths)
    assert KeySignature.parse(0, k.midi_name) == k


def test_a_key_spells_its_notes():
    assert KeySignature.parse(0, "F").spell(70) == "Bb4" and KeySignature.parse(0, "B").spell(70) == "A#4"
    assert KeySignature.parse(0, "Cm").spell(63) == "Eb4" and KeySignature(0).spell(66) == "F#4"
    assert KeySignature.parse(0, "Gb").spell(66) == "Gb4" and KeySignature.parse(0, "F#").spell(66) == "F#4"


@pytest.mark.parametrize(("key", "roots"), [
    ("C", "C Db D Eb E F F# G Ab A Bb B"),  # bII, bIII, #IV, bVI, bVII
    ("Dm", "C C# D Eb E F F# G G# A Bb B"),  # the raised sixth and seventh
    ("Eb", "C Db D Eb E F Gb G Ab A Bb B"),  # its flat sixth is B, not Cb (not in the scale)
    ("Gb", "C Db D Eb E F Gb G Ab A Bb Cb"),  # Cb is its fourth degree
    ("F#", "C C# D D# E E# F# G G# A A# B"),  # E# its seventh; its raised fourth reads C, not B#
])
def test_chord_roots_are_named_by_their_degree(key, roots):
    k = KeySignature.parse(0, key)
    assert " ".join(k.root_name(pc) for pc in range(12)) == roots


def test_a_diminished_chord_root_outside_the_scale_is_a_leading_note():
    c_major, c_minor = KeySignature(0), KeySignature.parse(0, "Cm")
    assert [c_major.root_name(pc, leading=True) for pc in (1, 3, 6, 8, 10)] == ["C#", "D#", "F#", "G#", "A#"]
    assert c_minor.root_name(11, leading=True) == "B" and c_minor.root_name(6, leading=True) == "F#"
    assert c_minor.root_name(3, leading=True) == "Eb"  # in the scale: its own letter
    f_sharp, f_sharp_minor = KeySignature.parse(0, "F#"), KeySignature.parse(0, "F#m")
    assert f_sharp.root_name(0, leading=True) == "B#" and f_sharp.root_name(0) == "C"
    assert f_sharp_minor.root_name(5) == "E#" and KeySignature.parse(0, "C#m").root_name(0) == "B#"


@pytest.mark.parametrize(("key", "names"), [
    ("C", "C4 Db4 D4 Eb4 E4 F4 F#4 G4 Ab4 A4 Bb4 B4"),  # the blue third and seventh are flats, the #4 sharp
    ("Dm", "C4 C#4 D4 Eb4 E4 F4 F#4 G4 G#4 A4 Bb4 B4"),  # the raised seventh is C#, not Db
    ("Gm", "C4 C#4 D4 Eb4 E4 F4 F#4 G4 Ab4 A4 Bb4 B4"),
    ("Gb", "C4 Db4 D4 Eb4 E4 F4 Gb4 G4 Ab4 A4 Bb4 Cb5"),
])
def test_notes_outside_the_scale_are_named_by_their_degree(key, names):
    k = KeySignature.parse(0, key)
    assert " ".join(k.spell(60 + i) for i in range(12)) == names


def test_scale():
    assert KeySignature(0, 9, "minor").scale == KeySignature(0, 0, "major").scale


def test_key_lock_scale_adds_a_minor_keys_leading_tone():
    assert KeySignature(0, 9, "minor").lock_scale == KeySignature(0, 0, "major").scale | {8}  # G# in A minor
    assert KeySignature(0, 6, "minor").lock_scale == KeySignature(0, 6, "minor").scale | {5}  # E# in F# minor
    assert KeySignature(0, 2, "major").lock_scale == KeySignature(0, 2, "major").scale


@pytest.mark.parametrize(("label", "canonical", "pcs", "bass"), [
    ("C:maj7", "C:maj7", {0, 4, 7, 11}, 0),
    ("A:min/b3", "A:min/b3", {9, 0, 4}, 0),
    ("G:7", "G:7", {7, 11, 2, 5}, 7),
    ("Am7", "A:min7", {9, 0, 4, 7}, 9),
    ("C/E", "C:maj/3", {0, 4, 7}, 4),
    ("Bb:sus4(9)", "A#:sus4(9)", {10, 3, 5, 0}, 10),
    ("F#dim", "F#:dim", {6, 9, 0}, 6),
    ("D", "D:maj", {2, 6, 9}, 2),
    ("E:hdim7", "E:hdim7", {4, 7, 10, 2}, 4),
    ("C:maj(*5)", "C:maj(*5)", {0, 4}, 0),
    # the lead-sheet names the chord lane shows for chords Harte writes with an added degree
    ("Cadd9", "C:maj(9)", {0, 4, 7, 2}, 0),
    ("Am(add9)", "A:min(9)", {9, 0, 4, 11}, 9),
    ("C6/9", "C:maj6(9)", {0, 4, 7, 9, 2}, 0),
    ("F6/9/A", "F:maj6(9)/3", {5, 9, 0, 2, 7}, 9),
    ("Bb9sus4", "A#:7sus4(9)", {10, 3, 5, 8, 0}, 10),
])
def test_chord_parse(label, canonical, pcs, bass):
    c = parse_chord(label)
    assert c.label() == canonical
    assert c.pitch_classes == frozenset(pcs)
    assert c.bass_pitch_class == bass if bass is not None else True
    assert parse_chord(c.label()) == c


def test_no_chord_and_errors():
    assert parse_chord("N").is_no_chord
    for bad in ("H:maj", "C:foo", "Q", "C:maj/x"):
        with pytest.raises(ValueError):
            parse_chord(bad)


def test_transpose_chord():
    assert parse_chord("G:7/3").transposed(5).label() == "C:7/3"


def test_the_six_accidental_key_is_gb_major_unless_it_was_spelt_with_sharps():
    """POP909's key files and most pop charts write Gb major (six flats); a key given as F# keeps its sharps."""
    gb, fs = KeySignature(0, 6), KeySignature.parse(0, "F#")
    assert (gb.name, gb.midi_name, gb.fifths) == ("Gb major", "Gb", -6)
    assert (fs.name, fs.midi_name, fs.fifths) == ("F# major", "F#", 6)
    assert fs == gb and hash(fs) == hash(gb), "a spelling, not another key"
    eb, ds = KeySignature(0, 3, "minor"), KeySignature.parse(0, "D#m")
    assert (eb.name, eb.fifths, ds.name, ds.fifths) == ("Eb minor", -6, "D# minor", 6)
    assert KeySignature.parse(0, "Gb").fifths == -6 and KeySignature(0, 6, "minor").name == "F# minor"
    # the sharps only choose between the two six-accidental signatures
    assert KeySignature(0, 1, sharps=True).name == "Db major" and KeySignature(0, 7, sharps=True).fifths == 1


def test_lead_sheet_names():
    assert lead_sheet_name("A:min7") == "Am7"
    assert lead_sheet_name("G:7") == "G7"
    assert lead_sheet_name("C:maj/3") == "C/E"
    assert lead_sheet_name("N") == "N.C."
    assert lead_sheet_name("C:maj6") == "C6"


def test_lead_sheet_names_name_added_degrees_as_a_lead_sheet_does():
    # POP909 writes A7sus4 as A:sus4(b7): a musician reads A7sus4, and Cadd9, not C(9)
    assert lead_sheet_name("A:sus4(b7)") == "A7sus4"
    assert lead_sheet_name("G:sus4(b7)/5") == "G7sus4/D"
    assert lead_sheet_name("C:maj(9)") == "Cadd9"
    assert lead_sheet_name("A:min(9)") == "Am(add9)"
    assert lead_sheet_name("F:maj6(9)") == "F6/9"
    assert lead_sheet_name("Bb:sus4(b7,9)") == "Bb9sus4"
    assert lead_sheet_name("C:maj(b9)") == "C(b9)"  # no common name: the degrees as written
    assert lead_sheet_name("C:7(#9)") == "C7(#9)"


def test_lead_sheet_names_keep_a_written_flat_and_spell_old_sharps_by_key():
    g_major, f_major = KeySignature(0, 7), KeySignature(0, 5)
    assert lead_sheet_name("Eb:min7", g_major) == "Ebm7"  # typed flat: kept in a sharp key
    assert lead_sheet_name("Cb:maj", g_major) == "Cb"
    assert lead_sheet_name("F#:7", g_major) == "F#7"
    assert lead_sheet_name("A#:maj", f_major) == "Bb"  # saved before spellings were kept, in a flat key
    assert lead_sheet_name("Eb:maj/5", g_major) == "Eb/Bb"


def test_chromatic_chords_and_basses_are_spelt_by_degree():
    d_minor, c_minor, e_flat = KeySignature(0, 2, "minor"), KeySignature(0, 0, "minor"), KeySignature(0, 3)
    assert lead_sheet_name("C#:dim7", d_minor) == "C#°7"  # the leading note, not Db
    assert lead_sheet_name("A:maj/3", d_minor) == "A/C#"  # the bass named from A: its third
    assert lead_sheet_name("F#:dim7/b3", c_minor) == "F#°7/A"
    assert lead_sheet_name("D#:min7", e_flat) == "Ebm7"
    assert lead_sheet_name("G:7/b7") == "G7/F"
