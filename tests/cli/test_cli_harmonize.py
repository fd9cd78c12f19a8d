"""``composer-cli harmonize`` writes readable lead-sheet files with the chords it reports;
``composer-cli eval harmonization`` runs on a few files."""

import json

import numpy as np
import pytest

from composer_app.cli import main
from composer_app.core.chords import spelled_label
from composer_app.core.song import ChordSymbol, Clip, Note, Song, Track
from composer_app.midi import read_midi, write_midi
from composer_app.training.harmony.export import export_pieces
from composer_app.training.harmony.synthetic import synthetic_pieces, toy_weights

BAR = 1920


@pytest.fixture()
def weights(tmp_path):
    path = tmp_path / "harmony.npz"
    np.savez(path, **{k: v.astype(np.float16) if v.dtype.kind == "f" else v for k, v in toy_weights(0).items()})
    return path


@pytest.fixture()
def tune(tmp_path):
    mel = tuple(Note(p, i * 480, 480) for i, p in enumerate([67, 71, 74, 71, 72, 76, 79, 76] * 4))
    bass = tuple(Note(43, b * BAR, BAR) for b in range(4))
    song = Song(tracks=(Track("bass", 33, 1, clips=(Clip(0, 4 * BAR, bass),)),
                        Track("lead", 0, 0, clips=(Clip(0, 4 * BAR, mel),))))
    path = tmp_path / "tune.mid"
    write_midi(song, path)
    return path


def test_harmonize_writes_lead_sheets(tmp_path, tune, weights, capsys):
    out = tmp_path / "out"
    rc = main(["harmonize", str(tune), "--weights", str(weights), "--candidates", "3", "--chords-per-bar", "2",
               "--pin", "1:C", "4:G7", "--voicing", "satb", "--seed", "7", "--out", str(out)])
    assert rc == 0
    summary = json.loads(capsys.readouterr().out)
    assert summary["melody_track"] == "lead"  # highest monophonic track
    assert summary["over_a_bass_line"] is True  # the 'bass' track's G under it
    assert len(summary["alternatives"]) == 3
    for alt in summary["alternatives"]:
        song = read_midi(alt["file"])
        assert [t.name for t in song.tracks][:2] == ["melody", "accompaniment"]
        assert [c.label for c in song.chords] == [spelled_label(x) for x in alt["chords"]]  # spelt as reported
        assert song.chords[0].label == "C:maj" and song.chords[0].start == 0
        at_bar4 = [c.label for c in song.chords if c.start < 4 * BAR and c.end > 3 * BAR]
        assert at_bar4 == ["G:7"]
        assert song.chords[-1].end == 8 * BAR
        assert song.tracks[0].note_count == 32
        assert alt["distinct"] >= round(1 / 3, 3)  # the JSON rounds to 3 places


def test_harmonize_reports_bad_input(tmp_path, tune, weights, capsys):
    assert main(["harmonize", str(tune), "--weights", str(weights), "--track", "nope", "--out", str(tmp_path)]) == 1
    out, err = capsys.readouterr()
    assert out == "" and err.startswith("composer-cli: error: no track named 'nope'")
    assert main(["harmonize", str(tune), "--weights", str(tmp_path / "missing.npz"), "--out", str(tmp_path)]) == 1
    out, err = capsys.readouterr()
    assert out == "" and "missing.npz: no harmonizer model file" in err and "training.harmony.train" in err
    (tmp_path / "junk.npz").write_bytes(b"PK\x03\x04 not really")
    assert main(["harmonize", str(tune), "--weights", str(tmp_path / "junk.npz"), "--out", str(tmp_path)]) == 1
    out, err = capsys.readouterr()
    assert out == "" and err.count("\n") == 1 and "junk.npz: not a usable harmonizer model" in err


def test_harmonize_reports_the_key_and_why(tmp_path, tune, weights, capsys):
    """The tune has no key signature: the key comes from its notes (G and C arpeggios), and --key wins."""
    assert main(["harmonize", str(tune), "--weights", str(weights), "--out", str(tmp_path / "a")]) == 0
    summary = json.loads(capsys.readouterr().out)
    detected = summary["key"]
    assert detected in ("G major", "E minor") and summary["detected_key"] == detected
    assert summary["key_reason"] == "detected from the notes, no key signature"
    for alt in summary["alternatives"]:  # the file carries the key it was harmonized in
        assert [k.name for k in read_midi(alt["file"]).keys] == [detected]
    assert main(["harmonize", str(tune), "--weights", str(weights), "--key", "Eb", "--out", str(tmp_path / "b")]) == 0
    summary = json.loads(capsys.readouterr().out)
    assert summary["key"] == "Eb major" and summary["key_reason"].startswith("set by you")
    assert summary["detected_key"] == detected


def test_eval_harmonization_without_chords_says_why(tmp_path, tune, weights, capsys):
    folder = tmp_path / "plain"
    folder.mkdir()
    (folder / "tune.mid").write_bytes(tune.read_bytes())
    assert main(["eval", "harmonization", str(folder), "--weights", str(weights)]) == 1
    out, err = capsys.readouterr()
    assert out == "" and "none of the 1 files" in err and "chord symbols" in err and "tune.mid: no chords" in err


def test_eval_harmonization_on_files(tmp_path, weights, capsys):
    export_pieces(synthetic_pieces(3), tmp_path / "ls")
    assert main(["eval", "harmonization", str(tmp_path / "ls"), "--weights", str(weights), "--json",
                 "--limit", "2"]) == 0
    report = json.loads(capsys.readouterr().out)
    assert report["files"] == 2 and set(report["fit"]) == {"model", "hmm", "real"}
    excerpts = report["excerpts"]  # the --held-out table's figures on the user's own files
    assert excerpts["excerpts"] == 2 and set(excerpts["root"]) == {"model", "best_of_4", "hmm", "rule"}
    assert excerpts["strong_beat_chord_tones"]["real"] == 1.0  # the toy melodies use chord tones only
    assert main(["eval", "harmonization", str(tmp_path / "ls"), "--weights", str(weights)]) == 0
    out = capsys.readouterr().out
    assert "per-beat accuracy" in out and "8-bar excerpts" in out and "| ls | 3 |" in out and "diatonic rule" in out


def test_harmonize_range_keeps_the_other_chords(tmp_path, weights, capsys):
    mel = tuple(Note(p, i * 480, 480) for i, p in enumerate([72, 76, 79, 76] * 8))
    old = ("C:maj", "F:maj", "G:7", "C:maj", "A:min", "D:min", "G:7", "C:maj")
    song = Song(tracks=(Track("melody", clips=(Clip(0, 8 * BAR, mel),)),),
                chords=tuple(ChordSymbol(b * BAR, BAR, lab) for b, lab in enumerate(old)))
    path = tmp_path / "lead.mid"
    write_midi(song, path)
    out = tmp_path / "out"
    assert main(["harmonize", str(path), "--weights", str(weights), "--range", "3:5", "--candidates", "2",
                 "--voicing", "broken", "--out", str(out)]) == 0
    summary = json.loads(capsys.readouterr().out)
    for alt in summary["alternatives"]:
        chords = read_midi(alt["file"]).chords
        kept = [(c.start, c.label) for c in chords if c.start < 2 * BAR or c.start >= 5 * BAR]
        assert kept == [(b * BAR, old[b]) for b in (0, 1, 5, 6, 7)]


def test_harmonize_range_over_a_piano_part_keeps_the_chords_it_plays(tmp_path, weights, capsys):
    """Without chord symbols, the chords around a reharmonized range are those the piano plays there: they
    are its context, and the lead sheet keeps them as symbols outside the range."""
    mel = tuple(Note(p, i * 480, 480) for i, p in enumerate([72, 76, 79, 76] * 8))
    roots = (48, 53, 55, 48, 57, 50, 55, 48)
    thirds = (4, 4, 4, 4, 3, 3, 4, 4)
    piano = tuple(Note(p, b * BAR, BAR) for b, (r, t) in enumerate(zip(roots, thirds)) for p in (r, r + t, r + 7))
    song = Song(tracks=(Track("melody", clips=(Clip(0, 8 * BAR, mel),)),
                        Track("piano", channel=1, clips=(Clip(0, 8 * BAR, piano),))))
    path = tmp_path / "song.mid"
    write_midi(song, path)
    out = tmp_path / "out"
    assert main(["harmonize", str(path), "--weights", str(weights), "--range", "3:5", "--candidates", "2",
                 "--out", str(out)]) == 0
    summary = json.loads(capsys.readouterr().out)
    played = ("C:maj", "F:maj", "G:maj", "C:maj", "A:min", "D:min", "G:maj", "C:maj")
    for alt in summary["alternatives"]:
        chords = read_midi(alt["file"]).chords
        kept = [(c.start, c.label) for c in chords if c.start < 2 * BAR or c.start >= 5 * BAR]
        assert kept == [(b * BAR, played[b]) for b in (0, 1, 5, 6, 7)]
        assert all(c.start >= 2 * BAR for c in chords if c.label not in played)


def test_pin_and_range_syntax():
    import argparse

    from composer_app.cli.harmonize import parse_pin, parse_range
    from composer_app.core.timing import TimeSignature

    song = Song(meters=(TimeSignature(0, 3, 4),))
    assert parse_pin("2:Am", song) == parse_pin("2:A:min", song)
    pin = parse_pin("2:G7", song)
    assert (pin.start, pin.end, pin.label) == (1440, 2880, "G:7")
    beat = parse_pin("2.3:C/E", song)
    assert (beat.start, beat.end, beat.label) == (2400, 2880, "C:maj/3")
    assert parse_range("3:5") == (2, 4) and parse_range("4") == (3, 3)
    for bad in ("x:C", "2", "2:H"):
        with pytest.raises(argparse.ArgumentTypeError):
            parse_pin(bad, song)
    with pytest.raises(argparse.ArgumentTypeError):
        parse_range("5:3")


def test_eval_harmonization_reads_a_file_off_its_beat_grid_as_harmonize_does(tmp_path, weights, capsys):
    """The same lead sheets with every note and chord symbol a third of a beat late (a file aligned to a recording)
    score as they do on the grid: they are put on the beat first, as `harmonize` does."""
    from composer_app.core import edits

    export_pieces(synthetic_pieces(3), tmp_path / "ls")
    (tmp_path / "late").mkdir()
    for path in sorted((tmp_path / "ls").glob("*.mid")):
        write_midi(edits.shift_music(read_midi(path), 160), tmp_path / "late" / path.name)

    def report(folder):
        assert main(["eval", "harmonization", str(tmp_path / folder), "--weights", str(weights), "--json"]) == 0
        out = json.loads(capsys.readouterr().out)
        return out["accuracy"], out["excerpts"]["root"]

    assert report("late") == report("ls")


def test_the_cross_source_weights_never_saw_their_source():
    """The weights `eval harmonization --cross-source` judges each source with ship with the app, each trained on
    the other three sources only, and load as the app's harmonizer does."""
    from composer_app.model.harmony import Harmonizer
    from composer_app.training.harmony.crosseval import loso_weights
    from composer_app.training.harmony.data import SOURCES

    for source in SOURCES:
        path = loso_weights(source)
        with np.load(path, allow_pickle=False) as arrays:
            info = json.loads(str(arrays["train_info"]))
        assert source not in info["sources"] and len(info["sources"]) == len(SOURCES) - 1, path
        assert Harmonizer.load(path) is not None


def test_eval_harmonization_cross_source_judges_every_source(capsys):
    from composer_app.training.sources import default_datasets_root, music21_available

    if not (default_datasets_root() / "pop909").is_dir() or not music21_available():
        pytest.skip("needs ../shared/datasets and music21")
    rc = main(["eval", "harmonization", "--cross-source", "--limit", "2", "--json"])
    out, err = capsys.readouterr()
    assert rc == 0, err
    r = json.loads(out)
    assert set(r) == {"nottingham", "pop909", "openewld", "when_in_rome"}
    for source, row in r.items():
        assert row["excerpts"] >= 1, source
        assert all(0 <= row["root"][m] <= 1 for m in ("model", "best_of_4", "hmm", "rule")), source
        assert row["root"]["model"] <= row["root"]["best_of_4"]


def test_eval_harmonization_cross_source_without_the_datasets_says_what_it_needs(capsys, monkeypatch, tmp_path):
    monkeypatch.setenv("COMPOSER_DATASETS", str(tmp_path / "nowhere"))
    monkeypatch.setenv("COMPOSER_TRAINING_CACHE", str(tmp_path / "cache"))
    rc = main(["eval", "harmonization", "--cross-source", "--limit", "2"])
    assert rc == 1 and "needs the datasets" in capsys.readouterr().err
