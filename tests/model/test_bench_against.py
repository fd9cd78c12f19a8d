"""The interleaved speed comparison against another checkout (here: this one against itself)."""

import pytest

from composer_app.model import bench_against
from composer_app.model.continuation import DEFAULT_WEIGHTS


@pytest.mark.skipif(not DEFAULT_WEIGHTS.is_file(), reason="needs the shipped continuation weights")
def test_two_engines_answer_the_same_seeds_in_turn(capsys):
    r = bench_against.compare(bench_against.HERE, requests=2)
    assert r["requests"] == 2 and set(r["paths"]) == {"this", "other"}
    for name in ("this", "other"):
        assert 0 < r[name]["p50_ms"] <= r[name]["p95_ms"]
        assert r[name]["notes_per_candidate"] > 0 and r[name]["ms_per_note"] > 0
    # the same code, weights and seeds on both sides: the same notes
    assert r["this"]["notes_per_candidate"] == r["other"]["notes_per_candidate"]


def test_a_folder_that_is_no_checkout_is_one_line(tmp_path, capsys):
    assert bench_against.main([str(tmp_path)]) == 2
    assert "not a Composer checkout" in capsys.readouterr().err
