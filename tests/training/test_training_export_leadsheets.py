"""Held-out pieces written as lead-sheet MIDI encode to exactly the training sequences (so eval sees the same)."""

from __future__ import annotations

import numpy as np
import pytest

from composer_app.cli.eval_continuation import _piece
from composer_app.core.pitch import KeySignature
from composer_app.midi import read_midi, write_midi
from composer_app.training.continuation.dataset import piece_sequences
from composer_app.training.continuation.export_leadsheets import leadsheet_song
from composer_app.training.corpus import Part, Piece


def _piece_fixture() -> Piece:
    melody = tuple((67 + [0, 2, 4, 5, 7, 5, 4, 2][i % 8], 480 + i * 360, 360, 80) for i in range(24))
    chords = ((480, 1440, "G:maj"), (1920, 1440, "E:min"), (5760, 2880, "D:7"))  # a gap between 3360 and 5760
    return Piece(id="t/1", source="nottingham", style="folk", meters=((0, 3, 4),),
                 keys=(KeySignature(0, 7),), chords=chords, parts=(Part("melody", melody),), licence="test",
                 tempos=((0, 600_000),), title="Test Tune")


def test_lead_sheet_round_trip(tmp_path) -> None:
    piece = _piece_fixture()
    song = leadsheet_song(piece)
    path = tmp_path / "t.mid"
    write_midi(song, path)
    back = read_midi(path)
    assert [t.name for t in back.tracks] == ["melody", "chords"]
    assert back.keys[0].tonic == 7 and back.meters[0].numerator == 3 and "[folk]" in back.title
    assert [c.label for c in back.chords] == ["N", "G:maj", "E:min", "N", "D:7", "N"]
    expected = next(s.rows for s in piece_sequences(piece, "test") if s.role == "melody")
    got = _piece(path)
    assert got is not None and got["style"] == "folk" and got["role"] == "melody"
    np.testing.assert_array_equal(got["rows"], expected)


def test_a_cross_source_set_spreads_over_the_collection(tmp_path, monkeypatch) -> None:
    """miscFolk's 181 tunes: 30 taken every 6th, so the Northumbrian minstrelsy is there beside the fife tunes."""
    pytest.importorskip("music21")
    from composer_app.training.continuation.export_leadsheets import eval_set

    monkeypatch.setenv("COMPOSER_TRAINING_CACHE", str(tmp_path / "training"))
    folder, _ = eval_set("cross-source", "misc_folk", 30, log=lambda _: None)
    names = sorted(p.name for p in folder.glob("*.mid"))
    assert len(names) == 30
    fife = sum("americanfife" in n for n in names)
    assert 5 <= fife <= 12 and sum("northumbrian" in n for n in names) == 30 - fife
