"""The Piece representation, its helpers, chord naming and the key finder (no datasets needed)."""

import pytest

from composer_app.core.chords import parse_chord
from composer_app.core.pitch import MAJOR_SCALE, MINOR_SCALE, KeySignature
from composer_app.training.cache import cached, piece_from_json, piece_to_json
from composer_app.training.chordname import chord_from_pitches, harte_from_lead_sheet, parse_nmd_chord
from composer_app.training.corpus import Part, Piece, bar_lines, chord_spans, reference_shift
from composer_app.training.keyfind import find_key


def _piece(**kw):
    base = dict(
        id="t/1", source="t", style="folk", meters=((0, 4, 4),), keys=(KeySignature(0, 7, "major"),),
        chords=((0, 1920, "G:maj"), (1920, 1920, "D:7")),
        parts=(Part("melody", ((67, 0, 480, 90), (71, 480, 480, 90), (74, 1920, 960, 90))),),
        licence="test",
    )
    base.update(kw)
    return Piece(**base)


def test_piece_views():
    p = _piece()
    assert p.end == 2880 and p.note_count == 3
    assert p.chord_at(0) == "G:maj" and p.chord_at(1920) == "D:7" and p.chord_at(5000) is None
    assert p.key_at(100).tonic == 7
    assert p.melody is p.parts[0]
    assert p.bar_lines() == [0, 1920]


def test_part_validates_and_sorts():
    part = Part("melody", ((64, 480, 10, 80), (60, 0, 10, 80)))
    assert [n[1] for n in part.notes] == [0, 480]
    with pytest.raises(ValueError):
        Part("melody", ((60, 0, 0, 80),))
    with pytest.raises(ValueError):
        Part("lead", ())
    with pytest.raises(ValueError):
        _piece(style="rock")


def test_transpose_to_reference():
    p = _piece()
    q, shift = p.to_reference_key()
    assert shift == 5  # G major -> C major, up a fourth (the nearer way)
    assert q.keys[0].tonic == 0 and q.chords[0][2] == "C:maj" and q.chords[1][2] == "G:7"
    assert q.melody.notes[0][0] == 72
    assert reference_shift(KeySignature(0, 4, "minor")) == 5  # E minor -> A minor
    assert reference_shift(KeySignature(0, 6, "major")) == 6


def test_moved_chords_are_spelt_in_the_moved_key():
    """G major moved up a semitone is Ab major: its chords read Ab, Eb7 and Db, not G#, D#7 and C#; a piece without
    a key keeps the sharps."""
    p = _piece(chords=((0, 960, "G:maj"), (960, 960, "D:7"), (1920, 960, "C:maj"), (2880, 960, "F#:dim7")))
    q = p.transposed(1)
    assert q.keys[0].name == "Ab major"
    assert [c[2] for c in q.chords] == ["Ab:maj", "Eb:7", "Db:maj", "G:dim7"]
    assert [c[2] for c in _piece(keys=()).transposed(1).chords] == ["G#:maj", "D#:7"]


def test_bar_lines_with_pickup_and_change():
    assert bar_lines(((0, 1, 4), (480, 3, 4)), 3360) == [0, 480, 1920, 3360]
    assert bar_lines(((0, 6, 8),), 2880) == [0, 1440, 2880]


def test_chord_spans():
    assert chord_spans([(960, "D:maj"), (0, "G:maj")], 1920) == ((0, 960, "G:maj"), (960, 960, "D:maj"))


def test_satb_melody_fallback():
    voices = tuple(Part("satb", ((72 - 7 * i, 0, 480, 80),), name)
                   for i, name in enumerate(("soprano", "alto", "tenor", "bass")))
    p = _piece(parts=voices, style="chorale")
    assert p.melody.name == "soprano"
    assert len(p.accompaniment_notes()) == 3


@pytest.mark.parametrize(("text", "label"), [
    ("D/f+", "D:maj/3"), ("Gd", "G:dim"), ("E7b9", "E:7(b9)"), ("(A7)", "A:7"), ("Am", "A:min"),
    ("Gm/bb", "G:min/b3"), ("C6", "C:maj6"),
])
def test_nmd_chords(text, label):
    assert parse_nmd_chord(text).label() == label
    assert harte_from_lead_sheet(text) == label


def test_chord_from_pitches():
    assert chord_from_pitches([43, 47, 50]).label() == "G:maj"
    assert chord_from_pitches([40, 43, 48]).label() == "C:maj/3"
    assert chord_from_pitches([45, 49, 52, 55]).label() == "A:7"
    cand = [parse_chord("A:min7")]
    assert chord_from_pitches([48, 52, 55, 57], cand).label() == "A:min7"  # not C:maj6
    assert chord_from_pitches([]) is None


def _scale_notes(tonic, steps):
    pitches = [60 + tonic + s for s in steps] + [72 + tonic]
    notes = [(p, i * 480, 480, 80) for i, p in enumerate(pitches)]
    # weight the tonic triad as a melody would: repeat tonic, third and fifth
    third = steps[2]
    notes += [(60 + tonic + iv, (len(pitches) + j) * 480, 960, 80) for j, iv in enumerate((0, third, 7, 0))]
    return notes


@pytest.mark.parametrize("tonic", range(12))
def test_key_finder_on_scales(tonic):
    major = find_key(_scale_notes(tonic, MAJOR_SCALE))
    assert (major.tonic, major.mode) == (tonic, "major")
    harmonic_minor = (*MINOR_SCALE[:6], 11)
    minor = find_key(_scale_notes(tonic, harmonic_minor))
    assert (minor.tonic, minor.mode) == (tonic, "minor")


def test_key_finder_without_notes():
    assert find_key([]) == KeySignature(0, 0, "major")


def test_cache_round_trip(tmp_path, monkeypatch):
    monkeypatch.setenv("COMPOSER_TRAINING_CACHE", str(tmp_path / "cache"))
    source_file = tmp_path / "tune.abc"
    source_file.write_text("X:1")
    p = _piece(meta={"k": "v"})
    assert piece_from_json(piece_to_json(p)) == p
    calls = []

    def build():
        calls.append(1)
        return [p, "no notes"]

    assert cached("t", source_file, build) == [p, "no notes"]
    assert cached("t", source_file, build) == [p, "no notes"]
    assert len(calls) == 1  # the second read came from the cache
    assert list((tmp_path / "cache" / "t").glob("*.json"))
    monkeypatch.setenv("COMPOSER_TRAINING_CACHE", "")
    assert cached("t", source_file, build) == [p, "no notes"] and len(calls) == 2
