"""``band_eval`` on a few POP909 test songs made into band files: a bass line continued as a bass leans on the
roots, and a melody or a piano over the bass line alone, a melody harmonized over it, and a tune alone regenerated
land on the chords more often over the harmonizer's chords than over none."""

from __future__ import annotations

from pathlib import Path

import pytest

from composer_app.model import song_adapter as sa
from composer_app.model.continuation import DEFAULT_WEIGHTS
from composer_app.training.continuation import band_eval as be
from composer_app.training.continuation import heard_eval as he

DATASETS = Path(__file__).resolve().parents[2].parent / "shared" / "datasets"


@pytest.mark.skipif(not (DATASETS / "pop909").is_dir() or not DEFAULT_WEIGHTS.is_file(),
                    reason="no POP909 in ../shared/datasets, or no trained weights")
def test_bass_lines_and_tunes_alone_on_pop909_songs(monkeypatch) -> None:
    monkeypatch.setenv("COMPOSER_TRAINING_CACHE", "")
    pieces = he.pieces_of("pop909", "test", 3)
    engine, harmonizer = sa.load_continuation_engine(None), sa.load_harmonizer(None)
    band, line = be.bass_song(pieces[0])
    assert [t.name for t in band.tracks] == ["Melody", "Piano", "Bass"] and all(n[0] < 55 for n in line)
    bass = be.bass_lines(pieces, engine, [0])  # the piano's lowest notes as a bass track, continued
    assert bass["real"]["root"] > 0.6 and bass["bass"]["root"] > bass["melody"]["root"]
    tune = be.melody_over_bass(pieces, engine, harmonizer, [0])  # the tune continued over it alone
    assert tune["harmonized"]["by_duration"] > tune["heard"]["by_duration"]
    over = be.over_the_bass(pieces, harmonizer)  # the melody harmonized over that bass line alone
    assert over["slots"] > 20 and over["bass"] > over["melody alone"] + 0.1
    under = be.accompaniment_over_bass(pieces, engine, [0], harmonizer)  # a piano over it alone
    assert under["ways"]["harmonized"]["chord_tones"] > under["ways"]["heard"]["chord_tones"] + 0.1
    alone = be.melody_alone(be.tunes_alone("pop909", "test", 3), engine, harmonizer, [0])
    assert alone["fill harmonized"]["chord_tones"] > alone["fill none"]["chord_tones"]
    assert alone["vary none"]["onsets"] > 0.9 and 0.0 < alone["fill none"]["onsets"] <= 1.0  # rhythm kept / free
