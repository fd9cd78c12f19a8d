"""``composer-cli suggest``: candidate files of exactly N bars after the context, JSON summary, clear errors."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from composer_app.cli import main
from composer_app.core.pitch import KeySignature
from composer_app.midi import read_midi
from composer_app.model.continuation import DEFAULT_WEIGHTS

BAR = 1920


def _run(capsys, args: list[str]) -> tuple[int, dict | None, str]:
    rc = main(args)
    out, err = capsys.readouterr()
    return rc, (json.loads(out) if rc == 0 else None), err


def _check_candidates(summary: dict, out: Path, src: Path, bars: int, n: int) -> None:
    song_in = read_midi(src)
    files = sorted(out.glob("candidate-*.mid"))
    assert [f.name for f in files] == [f"candidate-{i}.mid" for i in range(1, n + 1)]
    assert len(summary["candidates"]) == n
    # the generated lead sheet has 12 bars of 4/4: new bars start at bar 13
    start, end = 12 * BAR, (12 + bars) * BAR
    for row, path in zip(summary["candidates"], files):
        assert Path(row["file"]) == path
        assert row["start_tick"] == start and row["end_tick"] == end
        assert {"notes", "log_prob", "in_key", "range", "motif_reuse"} <= set(row)
        song = read_midi(path)
        assert song.tempos == song_in.tempos and song.meters == song_in.meters and song.keys == song_in.keys
        notes = [n for t in song.tracks for n in t.notes_absolute()]
        assert len(notes) == row["notes"] > 0
        # the file starts at the candidate's first bar: no leading silence
        assert all(0 <= n.start and n.end <= end - start for n in notes)
        assert any(n.start >= end - start - BAR for n in notes)  # the last requested bar is not empty


def test_suggest_writes_candidates_of_exact_bars(tmp_path, capsys, model_dir, lead_folder) -> None:
    src = lead_folder / "tune-0.mid"
    out = tmp_path / "out"
    rc, summary, err = _run(capsys, ["suggest", str(src), "--out", str(out), "--bars", "2", "--candidates", "3",
                                     "--seed", "1", "--model", str(model_dir / "random.npz")])
    assert rc == 0, err
    assert summary["track"] == "melody" and summary["role"] == "melody" and summary["key"] == "D major"
    assert summary["key_reason"] == "key signature" and summary["detected_key"] in ("D major", "B minor")
    assert summary["chords"] == "the chord symbols"
    assert summary["start_bar"] == 13 and summary["bars"] == 2
    _check_candidates(summary, out, src, 2, 3)


def test_suggest_constraints_and_ngram_model(tmp_path, capsys, model_dir, lead_folder) -> None:
    src = lead_folder / "tune-1.mid"
    out = tmp_path / "out"
    rc, summary, err = _run(capsys, ["suggest", str(src), "--out", str(out), "--candidates", "2", "--key-lock",
                                     "--range", "C4:C6", "--seed", "2", "--model", str(model_dir / "ngram.npz"),
                                     "--no-phrase-end"])
    assert rc == 0, err
    assert summary["engine"] == "ngram" and summary["phrase_end"] is False
    _check_candidates(summary, out, src, 4, 2)
    for row in summary["candidates"]:
        assert row["in_key"] == 1.0 and 60 <= row["range"][0] <= row["range"][1] <= 84


@pytest.mark.skipif(not DEFAULT_WEIGHTS.is_file(), reason=f"no trained weights at {DEFAULT_WEIGHTS}")
def test_suggest_with_the_shipped_weights(tmp_path, capsys, lead_folder) -> None:
    src = lead_folder / "tune-0.mid"
    rc, summary, err = _run(capsys, ["suggest", str(src), "--out", str(tmp_path), "--seed", "0"])
    assert rc == 0, err
    assert summary["engine"] == "transformer"
    _check_candidates(summary, tmp_path, src, 4, 4)
    rc, summary, err = _run(capsys, ["suggest", str(src), "--out", str(tmp_path / "eb"), "--seed", "0",
                                     "--key", "Eb", "--key-lock", "--candidates", "2"])
    assert rc == 0, err
    names = [n for row in summary["candidates"] for n in row["range_names"]]
    assert names and not any("#" in n for n in names)  # spelt as Eb major spells its notes
    assert all(KeySignature.parse(0, "Eb").spell(p) == n
               for row in summary["candidates"] for p, n in zip(row["range"], row["range_names"]))


@pytest.mark.parametrize("content", [b"not a zip at all", b"PK\x03\x04broken zip", None])
def test_corrupt_or_missing_model_is_one_line(tmp_path, capsys, lead_folder, content) -> None:
    model = tmp_path / "model.npz"
    if content is not None:
        model.write_bytes(content)
    rc = main(["suggest", str(lead_folder / "tune-0.mid"), "--out", str(tmp_path / "o"), "--model", str(model)])
    err = capsys.readouterr().err
    assert rc == 1
    assert err.count("\n") == 1 and err.startswith("composer-cli: error: model.npz:")
    assert not (tmp_path / "o").exists()


def test_bad_arguments_are_clear(tmp_path, capsys, lead_folder, model_dir) -> None:
    src = str(lead_folder / "tune-0.mid")
    for extra, message in ((["--bars", "17"], "bars must be 1..16"), (["--candidates", "0"], "candidates must be 1..8"),
                           (["--range", "90:60"], "range must")):
        with pytest.raises(SystemExit) as exc:
            main(["suggest", src, "--out", str(tmp_path), *extra])
        assert exc.value.code == 2 and message in capsys.readouterr().err
    rc = main(["suggest", src, "--out", str(tmp_path), "--track", "Lead", "--model", str(model_dir / "random.npz")])
    assert rc == 1 and "no track named 'Lead'" in capsys.readouterr().err


ASHOVER1 = Path(__file__).resolve().parents[2].parent / "shared" / "datasets" / "nottingham" / "MIDI" / "ashover1.mid"


@pytest.mark.skipif(not ASHOVER1.is_file(), reason="no Nottingham data in ../shared/datasets")
def test_suggest_and_harmonize_take_the_same_track_and_say_which_key(tmp_path, capsys, model_dir) -> None:
    """ashover1: the tune ('Track 1'), not the accompaniment with more notes; keys reported with the reason."""
    rc, summary, err = _run(capsys, ["suggest", str(ASHOVER1), "--out", str(tmp_path / "s"), "--bars", "1",
                                     "--candidates", "1", "--at-bar", "5", "--model", str(model_dir / "random.npz")])
    assert rc == 0, err
    assert summary["track"] == "Track 1" and summary["role"] == "melody"
    assert summary["key"] == "G major" and summary["key_reason"] == "key signature"
    assert summary["chords"] == "the chords the other parts play"  # the file's chords are its 'Track 2'
    rc = main(["harmonize", str(ASHOVER1), "--candidates", "1", "--out", str(tmp_path / "h")])
    out, err = capsys.readouterr()
    assert rc == 0, err
    harmony = json.loads(out)
    assert harmony["melody_track"] == "Track 1" and harmony["key"] and harmony["key_reason"]
    rc, summary, err = _run(capsys, ["suggest", str(ASHOVER1), "--out", str(tmp_path / "k"), "--bars", "1",
                                     "--candidates", "1", "--key", "Em", "--model", str(model_dir / "random.npz")])
    assert rc == 0, err
    assert summary["key"] == "E minor" and summary["key_reason"] == "set by you (--key)"


def test_bad_key_is_a_usage_error(tmp_path, capsys, lead_folder) -> None:
    with pytest.raises(SystemExit) as exc:
        main(["suggest", str(lead_folder / "tune-0.mid"), "--out", str(tmp_path), "--key", "H major"])
    assert exc.value.code == 2 and "a key is a tonic and a mode" in capsys.readouterr().err


def test_key_option_keeps_the_spelling_it_was_given() -> None:
    from composer_app.cli.suggest import parse_key

    assert [parse_key(t).name for t in ("F#", "Gb major", "d#m", "Eb minor", "c#m")] == [
        "F# major", "Gb major", "D# minor", "Eb minor", "C# minor"]


@pytest.mark.skipif(not DEFAULT_WEIGHTS.is_file(), reason="no shipped continuation weights")
def test_a_piano_continued_under_the_tune_is_written_over_the_harmonizers_chords(tmp_path, capsys) -> None:
    """A DAW's file: the tune for 8 bars, the piano for the first 4. Continuing the piano, its new bars are written
    over the chords the harmonizer hears in the tune, and the JSON says so."""
    from composer_app.core.song import Clip, Note, Song, Track
    from composer_app.midi import write_midi
    from composer_app.model import song_adapter as sa
    from composer_app.model.melody_chords import UNDER_THE_TUNE

    bar = 1920
    ode = [64, 64, 65, 67, 67, 65, 64, 62, 60, 60, 62, 64, 64, 62, 62, 62] * 2
    tune = Track("Melody", clips=(Clip(0, 8 * bar, tuple(Note(p, i * 480, 480) for i, p in enumerate(ode))),))
    piano = Track("Piano", channel=1, clips=(Clip(0, 4 * bar, tuple(
        Note(p, b * bar, bar, 70) for b in range(4) for p in ((48, 55, 64), (43, 55, 62))[b % 2])),))
    path = tmp_path / "daw.mid"
    write_midi(Song(tracks=(tune, piano)), path)
    assert main(["suggest", str(path), "--track", "Piano", "--candidates", "2", "--seed", "1",
                 "--out", str(tmp_path / "out")]) == 0
    summary = json.loads(capsys.readouterr().out)
    assert summary["role"] == "accompaniment" and summary["start_bar"] == 5
    assert summary["chords"] == UNDER_THE_TUNE
    assert all(row["notes"] > 0 for row in summary["candidates"])
    # regenerating or varying the piano's bars 3-4: over the chords of the notes they replace (C, G)
    for command in ("infill", "vary"):
        assert main([command, str(path), "--track", "Piano", "--bars", "3:4", "--candidates", "2", "--seed", "1",
                     "--out", str(tmp_path / command)]) == 0
        summary = json.loads(capsys.readouterr().out)
        assert summary["role"] == "accompaniment" and summary["chords"] == sa.CHORDS_REPLACED
    # filling bars 5-6, where the piano has no notes yet, under the tune: the harmonizer's
    assert main(["infill", str(path), "--track", "Piano", "--bars", "5:6", "--candidates", "2", "--seed", "1",
                 "--out", str(tmp_path / "gap")]) == 0
    summary = json.loads(capsys.readouterr().out)
    assert summary["role"] == "accompaniment" and summary["chords"] == UNDER_THE_TUNE


def test_a_piano_solo_in_one_track_is_continued_as_tune_and_accompaniment(tmp_path, capsys) -> None:
    """One track that plays the tune over its own chords: `suggest` writes both and says so; `--role` asks for the
    part as the musician says it is (here: chords alone), and `infill`/`vary` take it too."""
    from composer_app.core.song import Clip, Note, Song, Track
    from composer_app.midi import write_midi
    from composer_app.model.two_hands import BOTH, CHORDS_SAID, split

    if not DEFAULT_WEIGHTS.is_file():
        pytest.skip("no shipped continuation weights")
    bar = 1920
    ode = [64, 64, 65, 67, 67, 65, 64, 62, 60, 60, 62, 64, 64, 62, 62, 62]
    notes = [Note(p + 12, i * 480, 480, 90) for i, p in enumerate(ode)]
    notes += [Note(p, b * bar, bar, 60) for b in range(4) for p in ((48, 52, 55), (43, 47, 50))[b % 2]]
    path = tmp_path / "solo.mid"
    write_midi(Song(tracks=(Track("Piano", clips=(Clip(0, 4 * bar, tuple(notes)),)),)), path)
    assert main(["suggest", str(path), "--candidates", "2", "--seed", "1", "--out", str(tmp_path / "out")]) == 0
    summary = json.loads(capsys.readouterr().out)
    assert summary["role"] == BOTH and summary["chords"] == CHORDS_SAID
    for i in (1, 2):
        written = [(n.pitch, n.start, n.duration, n.velocity)
                   for t in read_midi(tmp_path / "out" / f"candidate-{i}.mid").tracks for n in t.notes_absolute()]
        top, rest = split(written)
        assert min(n[0] for n in top) > max(n[0] for n in rest)  # the tune on top of its chords
    assert main(["suggest", str(path), "--role", "accompaniment", "--candidates", "2", "--seed", "1",
                 "--out", str(tmp_path / "chords")]) == 0
    assert json.loads(capsys.readouterr().out)["role"] == "accompaniment"
    assert main(["vary", str(path), "--bars", "2:3", "--role", "melody", "--candidates", "2", "--seed", "1",
                 "--out", str(tmp_path / "vary")]) == 0
    assert json.loads(capsys.readouterr().out)["role"] == "melody"


def test_a_tune_ending_on_a_closing_bar_is_continued_in_its_own_meter(tmp_path, capsys, model_dir) -> None:
    """A 6/8 tune from a notation program (a 1/8 pickup bar, a 5/8 closing bar): the new bars are 6/8."""
    from tests.midi.test_midi_reader import BAR_68, pickup_tune_bytes

    src = tmp_path / "pickup.mid"
    src.write_bytes(pickup_tune_bytes())
    rc, summary, err = _run(capsys, ["suggest", str(src), "--out", str(tmp_path / "out"), "--bars", "2",
                                     "--candidates", "2", "--seed", "1", "--model", str(model_dir / "random.npz")])
    assert rc == 0, err
    assert summary["meter"] == "6/8" and summary["start_bar"] == 7
    for row in summary["candidates"]:
        assert row["end_tick"] - row["start_tick"] == 2 * BAR_68
        song = read_midi(row["file"])
        assert [(m.numerator, m.denominator) for m in song.meters] == [(6, 8)]


def test_music_off_the_beat_is_put_on_it_and_said(tmp_path, capsys, lead_folder) -> None:
    """A lead sheet whose every note lies a third of a beat late (as in a file aligned to a recording): suggest moves
    it onto the beat first and says so, and the candidates keep to the beat as the tune then does; info says it."""
    from composer_app.core import edits
    from composer_app.midi import write_midi
    from composer_app.model.beat_offset import song_offset

    late = tmp_path / "late.mid"
    write_midi(edits.shift_music(read_midi(lead_folder / "tune-0.mid"), 160), late)
    assert main(["info", str(late)]) == 0
    assert "160 ticks (0.33 beat) late" in capsys.readouterr().out
    rc, summary, err = _run(capsys, ["suggest", str(late), "--out", str(tmp_path / "out"), "--seed", "0"])
    assert rc == 0, err
    assert summary["off_the_beat"] == "160 ticks (0.33 beat) late"
    onsets = [n.start for p in sorted((tmp_path / "out").glob("*.mid")) for t in read_midi(p).tracks
              for n in t.notes_absolute()]
    on_beat = sum(s % 240 == 0 for s in onsets) / len(onsets)
    assert on_beat > 0.8  # on beats and half beats, not a third of a beat after them
    rc, summary, err = _run(capsys, ["suggest", str(lead_folder / "tune-0.mid"), "--out", str(tmp_path / "o2")])
    assert rc == 0 and summary["off_the_beat"] is None
    assert song_offset(read_midi(lead_folder / "tune-0.mid")) is None


def test_bars_of_one_beat_are_read_in_the_meter_felt_and_said(tmp_path, capsys) -> None:
    """A file written in bars of one beat (1/4): info says the meter the notes move in, and suggest reads the file so,
    its 4 bars four bars of 4/4 from the music's first downbeat, and says it."""
    from composer_app.midi import write_midi
    from tests.model.meter_tunes import in_four, song_of

    path = tmp_path / "beats.mid"
    write_midi(song_of(in_four(pickup=1), meter=(1, 4)), path)
    assert main(["info", str(path)]) == 0
    assert "bars of one beat: the notes move in 4/4, after a pickup of 1 beat(s)" in capsys.readouterr().out
    rc, summary, err = _run(capsys, ["suggest", str(path), "--out", str(tmp_path / "out"), "--seed", "0"])
    assert rc == 0, err
    assert summary["meter"] == "4/4" and summary["meter_found"] == "4/4 from beat 2 (the file's bars are one beat: 1/4)"
    for row in summary["candidates"]:
        assert row["end_tick"] - row["start_tick"] == 4 * 1920 and (row["start_tick"] - 480) % 1920 == 0
        assert [(m.numerator, m.denominator) for m in read_midi(row["file"]).meters][-1] == (4, 4)


def test_a_take_played_without_the_click_is_followed_first_and_said(tmp_path, capsys) -> None:
    """A take whose notes drift across the file's beats: info says it, and suggest follows the take's tempo first,
    writing whole bars of the meter its notes are felt in."""
    from composer_app.midi import write_midi
    from tests.model.meter_tunes import in_four, song_of
    from tests.model.played_takes import played_take

    take, _ = played_take(song_of(in_four(bars=24, pickup=1)), bpm=96, seed=3)
    path = tmp_path / "take.mid"
    write_midi(take, path)
    assert main(["info", str(path)]) == 0
    assert "a take played without the click, about 9" in capsys.readouterr().out
    rc, summary, err = _run(capsys, ["suggest", str(path), "--out", str(tmp_path / "out"), "--seed", "0"])
    assert rc == 0, err
    assert summary["tempo_followed"].startswith("about 9") and summary["meter"] == "4/4"
    candidate = read_midi(summary["candidates"][0]["file"])
    assert 85 < candidate.tempos[0].bpm < 110  # the take's tempo where it ends, not the recorder's 120
    for row in summary["candidates"]:
        assert row["end_tick"] - row["start_tick"] == 4 * 1920
