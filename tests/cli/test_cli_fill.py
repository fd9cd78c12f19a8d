"""``composer-cli infill | vary | melody`` and ``eval infill`` with the shipped weights."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from composer_app.cli import main
from composer_app.fileio import open_song
from composer_app.model.continuation import DEFAULT_WEIGHTS
from tests.cli.conftest import lead_sheet, write_lead_sheets

BAR = 1920

pytestmark = pytest.mark.skipif(not Path(DEFAULT_WEIGHTS).is_file(), reason="no shipped continuation weights")


@pytest.fixture()
def tune(tmp_path: Path) -> Path:
    from composer_app.midi import write_midi

    path = tmp_path / "tune.mid"
    write_midi(lead_sheet(bars=12, seed=4), path)
    return path


def _melody(path: Path) -> list[tuple[int, int, int]]:
    song = open_song(path)
    track = next(t for t in song.tracks if t.name == "melody")
    return [(n.pitch, n.start, n.duration) for n in track.notes_absolute()]


def test_infill_writes_the_whole_track_with_only_the_span_replaced(tune: Path, tmp_path: Path, capsys) -> None:
    out = tmp_path / "out"
    assert main(["infill", str(tune), "--bars", "5:6", "--key-lock", "--seed", "3", "--out", str(out)]) == 0
    summary = json.loads(capsys.readouterr().out)
    assert summary["bars"] == [5, 6] and len(summary["candidates"]) == 4
    assert summary["key"] == "D major"
    original = _melody(tune)
    lo, hi = 4 * BAR, 6 * BAR
    outside = [n for n in original if not lo <= n[1] < hi]
    fills = []
    for row in summary["candidates"]:
        notes = _melody(Path(row["file"]))
        assert [n for n in notes if not lo <= n[1] < hi] == outside
        inside = [n for n in notes if lo <= n[1] < hi]
        assert inside and all(n[1] + n[2] <= hi for n in inside)
        assert row["in_key"] == 1.0
        fills.append(inside)
    assert len({tuple(f) for f in fills}) >= 3


def test_vary_keep_rhythm_keeps_onsets_and_durations(tune: Path, tmp_path: Path, capsys) -> None:
    out = tmp_path / "out"
    assert main(["vary", str(tune), "--bars", "3:4", "--keep", "rhythm", "--amount", "0.8", "--seed", "1",
                 "--out", str(out)]) == 0
    summary = json.loads(capsys.readouterr().out)
    assert summary["keep"] == "rhythm" and summary["amount"] == 0.8
    lo, hi = 2 * BAR, 4 * BAR
    span = [n for n in _melody(tune) if lo <= n[1] < hi]
    changed = 0
    for row in summary["candidates"]:
        varied = [n for n in _melody(Path(row["file"])) if lo <= n[1] < hi]
        assert sorted((s, d) for _, s, d in varied) == sorted((s, d) for _, s, d in span)
        changed += sorted(varied) != sorted(span)
    assert changed >= 3


def test_melody_over_chords_into_an_empty_span(tmp_path: Path, capsys) -> None:
    from dataclasses import replace

    from composer_app.midi import write_midi

    song = lead_sheet(bars=8, seed=2)
    melody = song.tracks[0]
    clip = melody.clips[0]
    empty = replace(song, tracks=(replace(melody, clips=(replace(clip, notes=()),)), *song.tracks[1:]))
    path = tmp_path / "chords-only.mid"
    write_midi(empty, path)
    assert main(["melody", str(path), "--bars", "1:4", "--seed", "2", "--out", str(tmp_path / "out")]) == 0
    summary = json.loads(capsys.readouterr().out)
    assert summary["role"] == "melody"
    for row in summary["candidates"]:
        assert row["notes"] > 0
        notes = _melody(Path(row["file"])) if any(t.name == "melody" for t in open_song(Path(row["file"])).tracks) \
            else []
        assert all(n[1] < 4 * BAR for n in notes)


def test_melody_over_a_chords_part_without_chord_symbols(tmp_path: Path, capsys) -> None:
    """The lead sheet's chords as a DAW gives them: only the chords track's notes, no symbols. The melody is
    written over the chords that part plays, and the JSON says so; with no other part there is nothing to hear."""
    from dataclasses import replace

    from composer_app.midi import write_midi

    song = lead_sheet(bars=8, seed=2)
    melody = song.tracks[0]
    empty = replace(melody, clips=(replace(melody.clips[0], notes=()),))
    path = tmp_path / "piano-only.mid"
    write_midi(replace(song, chords=(), tracks=(empty, *song.tracks[1:])), path)
    assert main(["melody", str(path), "--track", "melody", "--bars", "1:4", "--seed", "2",
                 "--out", str(tmp_path / "out")]) == 0
    summary = json.loads(capsys.readouterr().out)
    assert summary["chords"] == "the chords the other parts play"
    assert all(row["notes"] > 0 for row in summary["candidates"])
    alone = tmp_path / "alone.mid"
    write_midi(replace(song, chords=(), tracks=(empty,)), alone)
    assert main(["melody", str(alone), "--bars", "1:4", "--out", str(tmp_path / "out2")]) != 0
    assert "no other part plays chords" in capsys.readouterr().err


def test_melody_over_a_piano_part_alone_goes_on_a_new_track(tmp_path: Path, capsys) -> None:
    """A DAW's file with only a piano playing chords: ``melody`` writes a new melody track over the piano (it used to
    pick the piano itself as the part to rewrite and then find no other part to hear chords in); ``--track`` with a
    name no track has makes that track."""
    from dataclasses import replace

    from composer_app.midi import write_midi

    song = lead_sheet(bars=8, seed=2)
    piano = [t for t in song.tracks if t.name != "melody"]
    path = tmp_path / "piano.mid"
    write_midi(replace(song, chords=(), tracks=tuple(piano)), path)
    before = open_song(path)
    for extra, name in (([], "melody"), (["--track", "Lead"], "Lead")):
        out = tmp_path / name
        assert main(["melody", str(path), "--bars", "1:4", "--seed", "1", "--out", str(out), *extra]) == 0
        summary = json.loads(capsys.readouterr().out)
        assert summary["track"] == name and summary["chords"] == "the chords the other parts play"
        written = open_song(Path(summary["candidates"][0]["file"]))  # the new track, whole
        assert [t.name for t in written.tracks] == [name]
        assert written.tracks[0].note_count == summary["candidates"][0]["notes"] > 0
        assert not set(written.tracks[0].clips[0].notes) & set(before.tracks[0].clips[0].notes)
    assert main(["melody", str(path), "--bars", "1:4", "--track", "7", "--out", str(tmp_path / "x")]) != 0
    assert "no track named '7'" in capsys.readouterr().err


def test_span_errors_are_one_line(tune: Path, tmp_path: Path, capsys) -> None:
    with pytest.raises(SystemExit):
        main(["infill", str(tune), "--bars", "6:5", "--out", str(tmp_path)])
    assert "bars must satisfy" in capsys.readouterr().err
    assert main(["vary", str(tune), "--bars", "40:41", "--out", str(tmp_path)]) != 0
    assert "no notes" in capsys.readouterr().err


def test_eval_infill_reports_both_sides_against_left_only(tmp_path: Path, capsys) -> None:
    folder = tmp_path / "sheets"
    write_lead_sheets(folder, 3)
    assert main(["eval", "infill", str(folder), "--json", "--candidates", "2"]) == 0
    r = json.loads(capsys.readouterr().out)
    assert r["evaluated"] == 3 and r["notes"] > 0
    assert r["nll_both_sides"] > 0 and r["nll_left_only"] > 0
    assert r["inside"] == 1.0
    assert 0.0 <= r["near_fill"] <= 1.0
    for name in ("fill", "left"):  # against the hidden bars themselves
        assert 0.0 < r[f"pcs_{name}"] <= 1.0 and 0.0 < r[f"onsets_{name}"] <= 1.0


def test_eval_infill_never_shows_the_request_its_answer(tmp_path: Path) -> None:
    """The hidden bars are taken out of the song the fill is asked about: its key and context come from the music
    on both sides of the gap, never from the notes it is judged against."""
    from composer_app.cli.eval_infill import _case
    from composer_app.model import song_adapter as sa

    folder = tmp_path / "sheets"
    write_lead_sheets(folder, 1)
    case = _case(next(folder.glob("*.mid")), 2)
    mm = case["song"].meter_map
    lo, hi = mm.bar_start(case["start"]), mm.bar_start(case["start"] + 2)
    left = sa.track_notes(case["track"])
    assert case["track"] in case["song"].tracks and case["real"]
    assert all(lo <= n[1] < hi for n in case["real"])
    assert not any(lo <= n[1] < hi for n in left)
    assert any(n[1] < lo for n in left) and any(n[1] >= hi for n in left)
