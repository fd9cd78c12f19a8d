"""``heard_eval`` on a few POP909 test songs: the chords heard in the piano agree with the annotations, make the
melody cheaper for the network, and bring the candidates' notes onto the chords the piano plays; a piano continued
under the tune lands on the chords more often over the harmonizer's chords than over those heard in the tune, and
its bars regenerated or varied more often still over the chords of the notes they replace."""

from __future__ import annotations

from pathlib import Path

import pytest

from composer_app.model import song_adapter as sa
from composer_app.model.continuation import DEFAULT_WEIGHTS
from composer_app.training.continuation import heard_eval as he

DATASETS = Path(__file__).resolve().parents[2].parent / "shared" / "datasets"


@pytest.mark.skipif(not (DATASETS / "pop909").is_dir() or not DEFAULT_WEIGHTS.is_file(),
                    reason="no POP909 in ../shared/datasets, or no trained weights")
def test_heard_chords_on_pop909_songs(monkeypatch) -> None:
    monkeypatch.setenv("COMPOSER_TRAINING_CACHE", "")
    pieces = he.pieces_of("pop909", "test", 3)
    assert len(pieces) == 3
    assert he.agreement(pieces)["root"] > 0.8
    engine = sa.load_continuation_engine(None)
    nll = he.nll(pieces, engine.net, "pop")
    assert nll["annotated"]["nll"] < nll["none"]["nll"] and nll["heard"]["nll"] < nll["none"]["nll"]
    fit = he.fit(pieces, engine, 8, [0])
    assert fit["heard"]["samples"] == 12 and fit["real"]["samples"] == 3
    assert fit["heard"]["by_duration"] > fit["none"]["by_duration"]
    acc = he.accompaniment(pieces, engine, [0], sa.load_harmonizer(None))
    heard, harmonized = acc["ways"]["heard"], acc["ways"]["harmonized"]
    assert acc["points"] >= 4 and acc["real_chord_tones"] > 0.85
    assert harmonized["chord_tones"] > heard["chord_tones"] + 0.05  # the harmonizer's chords under the tune
    assert 0.0 < heard["onsets"] <= 1.0 and heard["per_onset"] > 1.0 and acc["real_per_onset"] > 1.0  # chords
    spans = he.spans(pieces, engine, [0], sa.load_harmonizer(None))
    assert spans["points"] >= 4 and {name.split()[0] for name in spans["ways"]} == {"fill", "vary"}
    for mode in ("fill", "vary"):  # the chords of the notes replaced, against the harmonizer's guess from the tune
        assert spans["ways"][f"{mode} replaced"]["chord_tones"] > spans["ways"][f"{mode} harmonized"]["chord_tones"]
        assert 0.0 < spans["ways"][f"{mode} replaced"]["onsets"] <= 1.0
    assert spans["ways"]["vary replaced"]["onsets"] > 0.85  # a rhythm-keeping variation keeps the onsets (on the grid)
    song = he.daw_song(pieces[0])
    assert not song.chords and [t.name for t in song.tracks] == ["Melody", "Accompaniment"]


@pytest.mark.skipif(not (DATASETS / "pop909").is_dir() or not DEFAULT_WEIGHTS.is_file(),
                    reason="no POP909 in ../shared/datasets, or no trained weights")
def test_a_melody_over_a_piano_of_broken_chords(monkeypatch) -> None:
    """``--figures``: the piano of POP909 songs played one note at a time (Alberti figures, arpeggios). Nothing was
    heard in it before; now its chords are, and the candidates' notes land on the annotated chords more often than
    over no chords."""
    from composer_app.model.heard_chords import is_broken_chords

    monkeypatch.setenv("COMPOSER_TRAINING_CACHE", "")
    songs = he.pieces_of("pop909", "test", 3)
    pieces = [he.broken(p) for p in songs]
    for kind in he.FIGURES:
        figure = he.broken(songs[0], kind).parts[1].notes
        assert len({n[1] for n in figure}) == len(figure) and is_broken_chords(figure, pieces[0].meters)
    assert he.agreement(pieces)["root"] > 0.7
    fit = he.fit(pieces, sa.load_continuation_engine(None), 8, [0])
    assert fit["heard"]["by_duration"] > fit["none"]["by_duration"] + 0.03
