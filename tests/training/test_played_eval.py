"""``played_eval``: music played in by hand, read before (as played) and now (as written)."""

from __future__ import annotations

from pathlib import Path

import pytest

from composer_app.model import played_rhythm
from composer_app.model import song_adapter as sa
from composer_app.model.continuation import DEFAULT_WEIGHTS
from composer_app.training.continuation import played_eval as pe

DATASETS = Path(__file__).resolve().parents[2].parent / "shared" / "datasets"


def test_a_take_is_played_the_same_way_every_time_and_off_the_grid():
    written = [(60 + i % 7, i * 240, 240, 80) for i in range(32)]
    take = pe.humanize(written, "a tune")
    assert take == pe.humanize(written, "a tune") != pe.humanize(written, "another")
    assert [n[0] for n in take] == [n[0] for n in written]  # the same notes, in the same order
    assert played_rhythm.is_played(take) and not played_rhythm.is_played(written)
    assert all(abs(t[1] - w[1]) < 80 and t[2] < w[2] for t, w in zip(take, written))
    late = pe.humanize(written, "a tune", late=30)
    assert all(b[1] - a[1] == 30 for a, b in zip(take[1:], late[1:]))  # (the first note cannot start before 0)


def test_before_the_take_is_read_as_played():
    take = pe.humanize([(60 + i % 7, i * 240, 240, 80) for i in range(32)], "a tune")
    with pe.reading("before"):
        assert played_rhythm.as_written(take, ((0, 4, 4),)) == tuple(sorted(take, key=lambda n: (n[1], n[0])))
    assert played_rhythm.as_written(take, ((0, 4, 4),))[5][1] == 5 * 240


@pytest.mark.skipif(not (DATASETS / "nottingham").is_dir() or not DEFAULT_WEIGHTS.is_file(),
                    reason="no Nottingham in ../shared/datasets, or no trained weights")
def test_played_tunes_and_chords_from_the_lead_sheets(monkeypatch) -> None:
    monkeypatch.setenv("COMPOSER_TRAINING_CACHE", "")
    r = pe.tunes(pe.tune_songs(["nottingham"], "test", 4), sa.load_continuation_engine(None), [0])
    assert r["pieces"] == 4 and r["onsets_read_as_written"] > 0.9
    assert r["now"]["onsets"] > r["before"]["onsets"] + 0.05
    assert abs(r["now"]["onsets"] - r["written"]["onsets"]) < 0.05
    monkeypatch.setattr(pe.th, "LEAD_SHEETS", ("nottingham",))
    monkeypatch.setattr(pe.th, "LEFT_HANDS", ("blocks",))
    parts = pe.parts("test", 3)
    blocks = parts["nottingham: blocks alone"]
    assert blocks["before"].get("melody") == 3  # struck a few milliseconds apart, no chords were heard
    assert blocks["now"].get("accompaniment") == 3
    # under a tune, notes that ring on over each other while struck one at a time are a figure (session 23: a
    # pedalled Alberti bass), so the take is an accompaniment even unread; read as written, it is chords
    assert parts["nottingham: blocks under the tune"]["now"].get("accompaniment") == 3
