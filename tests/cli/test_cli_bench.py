"""``composer-cli bench``: figures come back as numbers (never timed: only their presence is checked)."""

from __future__ import annotations

import json

import pytest

from composer_app.cli import main


def test_bench_render_json(capsys) -> None:
    rc = main(["bench", "--only", "render", "--json"])
    out = capsys.readouterr().out
    assert rc == 0
    figures = json.loads(out)
    assert set(figures) == {"render"}
    render = figures["render"]
    if "skipped" in render:
        pytest.skip(f"render bench skipped: {render['skipped']}")
    for key in ("realtime_factor", "audio_seconds", "cpu_seconds", "notes"):
        assert isinstance(render[key], (int, float)) and render[key] > 0


def test_bench_rejects_unknown_parts(capsys) -> None:
    with pytest.raises(SystemExit) as exc:
        main(["bench", "--only", "render,gpu"])
    assert exc.value.code == 2 and "--only takes" in capsys.readouterr().err
