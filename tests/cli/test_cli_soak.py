"""``composer-cli soak``: a short run of random operations on the real window passes every check."""

import json

from composer_app.cli import main


def test_a_short_soak_passes_and_reports_figures(capfd):
    rc = main(["soak", "--ops", "150", "--seed", "7", "--json"])
    out, err = capfd.readouterr()
    result = json.loads(out.strip().splitlines()[-1])
    assert rc == 0, result["failures"]
    assert result["failures"] == [] and result["ops"] == 150 and result["seed"] == 7
    assert sum(v for k, v in result["counts"].items() if " " not in k) == 150
    assert {"draw", "undo", "redo", "save", "autosave"} <= set(result["counts"])
    assert result["memory_mb"]["start"] > 0 and result["memory_mb"]["end"] > 0


def test_the_report_names_seed_and_memory(capfd):
    assert main(["soak", "--ops", "20", "--seed", "3", "--no-engines"]) == 0
    out, _err = capfd.readouterr()
    assert "soak: 20 operations, seed 3" in out and "memory:" in out and "failures: 0" in out
