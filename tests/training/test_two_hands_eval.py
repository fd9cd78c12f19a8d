"""``two_hands_eval`` on a few test lead sheets played on the piano in one track: asked as the tune and its
accompaniment, the candidates' top line is a tune near the real one; asked as one accompaniment (before), it was
not."""

from __future__ import annotations

from pathlib import Path

import pytest

from composer_app.model import song_adapter as sa
from composer_app.model.continuation import DEFAULT_WEIGHTS
from composer_app.model.two_hands import BOTH, split
from composer_app.training.continuation import two_hands_eval as te

DATASETS = Path(__file__).resolve().parents[2].parent / "shared" / "datasets"


@pytest.mark.skipif(not (DATASETS / "nottingham").is_dir() or not DEFAULT_WEIGHTS.is_file(),
                    reason="no Nottingham in ../shared/datasets, or no trained weights")
def test_lead_sheets_played_on_the_piano(monkeypatch) -> None:
    monkeypatch.setenv("COMPOSER_TRAINING_CACHE", "")
    pieces = te.pieces("nottingham", "test", 4)
    for piece in pieces:
        song = te.piano_song(piece)
        assert [t.name for t in song.tracks] == ["Piano"]
        notes = sa.track_notes(song.tracks[0])
        top, _ = split(notes)
        melody = {(n[0], n[1]) for n in piece.parts[0].notes}
        assert sum((n[0], n[1]) in melody for n in top) / len(top) > 0.9  # the top line is the tune
        assert sa.part_role(song.tracks[0], notes, song) == BOTH
    kinds = {te.left_hand(pieces[0], kind)[0][2] for kind in te.LEFT_HANDS}
    assert len(kinds) == 3  # a bar, an eighth, a beat
    r = te.evaluate(pieces, sa.load_continuation_engine(None), [0])
    assert r["asked_as_both"] == 1 and r["points"] >= 4
    now, before = r["now"], r["accompaniment"]
    assert now["tune_register"] < before["tune_register"]
    assert now["tune_onsets"] > before["tune_onsets"]
    assert now["tune_on_its_chords"] > before["tune_on_its_chords"]
    spans = te.spans(pieces[:2], sa.load_continuation_engine(None), [0])
    assert spans["vary now"]["tune_onsets"] > 0.99  # varied as both, the tune keeps its own rhythm
