import json
import subprocess
import sys
from pathlib import Path

import pytest

from composer_app.cli import main
from composer_app.core.pitch import KeySignature
from composer_app.core.song import ChordSymbol, Clip, Control, Note, Song, Track
from composer_app.core.timing import TempoChange, TimeSignature
from composer_app.fileio import open_song
from composer_app.project import save_project

DATASETS = Path(__file__).resolve().parents[2].parent / "shared" / "datasets"


def lead_sheet() -> Song:
    melody = Track("melody", program=73, channel=0, clips=(
        Clip(0, 3840, tuple(Note(p, i * 480, 480, 80 + i) for i, p in enumerate([67, 69, 71, 72, 74, 72, 71, 69]))),))
    chords = Track("chords", program=0, channel=1, clips=(
        Clip(0, 3840, (Note(48, 0, 1920, 70), Note(52, 0, 1920, 70), Note(43, 1920, 1920, 70))),))
    return Song(tracks=(melody, chords), tempos=(TempoChange.from_bpm(0, 96),),
                meters=(TimeSignature(0, 4, 4),), keys=(KeySignature(0, 7, "major"),),
                chords=(ChordSymbol(0, 1920, "C:maj"), ChordSymbol(1920, 1920, "G:7")), title="Tune")


def test_info_text(tmp_path, capsys):
    path = tmp_path / "tune.composer"
    save_project(lead_sheet(), path)
    assert main(["info", str(path)]) == 0
    out = capsys.readouterr().out
    assert "2 bars" in out and "0:05.000" in out and "96 BPM" in out
    assert "G major" in out and "C G7" in out and "Flute" in out and "G4-D5" in out


def test_info_spells_ranges_as_the_key_does(tmp_path, capsys):
    from dataclasses import replace

    path = tmp_path / "tune.composer"
    song = lead_sheet()
    song = replace(song, tracks=tuple(replace(t, clips=tuple(replace(c, notes=tuple(replace(n, pitch=n.pitch + 3)
                                                                                    for n in c.notes))
                                                          for c in t.clips)) for t in song.tracks),
                   keys=(KeySignature(0, 10, "major"),))
    save_project(song, path)
    assert main(["info", str(path), "--json"]) == 0
    info = json.loads(capsys.readouterr().out)
    assert info["keys"][0]["key"] == "Bb major" and info["tracks"][0]["range"] == ["Bb4", "F5"]


def test_info_says_which_tracks_use_the_sustain_pedal(tmp_path, capsys):
    from dataclasses import replace

    song = lead_sheet()
    chords = song.tracks[1]
    pedal = (Control(0, 64, 127), Control(1900, 64, 0), Control(1920, 64, 127))  # down twice, up at the end
    song = replace(song, tracks=(song.tracks[0], replace(chords, clips=(replace(chords.clips[0], controls=pedal),))))
    path = tmp_path / "tune.composer"
    save_project(song, path)
    assert main(["info", str(path)]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert "sustain pedal x2" in lines[-1] and "pedal" not in lines[-2]
    assert main(["info", str(path), "--json"]) == 0
    assert [t["pedal_presses"] for t in json.loads(capsys.readouterr().out)["tracks"]] == [0, 2]


def test_info_json(tmp_path, capsys):
    path = tmp_path / "tune.composer"
    save_project(lead_sheet(), path)
    assert main(["info", str(path), "--json"]) == 0
    info = json.loads(capsys.readouterr().out)
    assert info["notes"] == 11 and info["length_bars"] == 2 and info["length_seconds"] == 5.0
    assert [c["label"] for c in info["chords"]] == ["C:maj", "G:7"]
    assert [c["name"] for c in info["chords"]] == ["C", "G7"]  # as a lead sheet names them (the text report too)
    assert info["tracks"][0]["instrument"] == "Flute"


def test_info_without_chord_symbols_names_the_chords_the_other_parts_play(tmp_path, capsys):
    """The lead sheet's 'chords' track without its symbols: what suggest is conditioned on (C, then G, not G7:
    the seventh is not played)."""
    from dataclasses import replace

    path = tmp_path / "tune.composer"
    chords = Track("chords", program=0, channel=1, clips=(
        Clip(0, 3840, tuple(Note(p, 0, 1920, 70) for p in (48, 52, 55)) + tuple(Note(p, 1920, 1920, 70)
                                                                               for p in (43, 50, 59))),))
    save_project(replace(lead_sheet(), chords=(), tracks=(lead_sheet().tracks[0], chords)), path)
    assert main(["info", str(path)]) == 0
    out = capsys.readouterr().out
    assert "chords   none\n" in out and "heard    the other parts play 2: C G\n" in out
    assert main(["info", str(path), "--json"]) == 0
    info = json.loads(capsys.readouterr().out)
    assert info["chords"] == [] and [c["label"] for c in info["chords_heard"]] == ["C:maj", "G:maj"]
    save_project(lead_sheet(), path)  # with symbols, they are the chords
    assert main(["info", str(path), "--json"]) == 0
    assert json.loads(capsys.readouterr().out)["chords_heard"] == []


def test_convert_project_to_midi_and_back(tmp_path, capsys):
    src = tmp_path / "tune.composer"
    song = lead_sheet()
    save_project(song, src)
    mid = tmp_path / "tune.mid"
    assert main(["convert", str(src), str(mid)]) == 0
    assert mid.read_bytes()[:4] == b"MThd"
    back = tmp_path / "back.composer"
    assert main(["convert", str(mid), str(back)]) == 0
    again = open_song(back)
    assert [c.label for c in again.chords] == ["C:maj", "G:7"]
    notes = lambda s, name: [(n.pitch, n.start, n.duration, n.velocity)  # noqa: E731
                             for t in s.tracks if t.name == name for n in t.notes_absolute()]
    assert notes(again, "melody") == notes(song, "melody")
    assert again.key_at(0) == song.key_at(0) and again.tempos == song.tempos


@pytest.mark.parametrize("content", [b"", b"MThd\x00\x00", b"hello world", b"{not json"])
def test_errors_are_one_line_with_nonzero_exit(tmp_path, capsys, content):
    path = tmp_path / "bad.mid"
    path.write_bytes(content)
    assert main(["info", str(path)]) == 1
    err = capsys.readouterr().err.strip()
    assert err.startswith("composer-cli: error: bad.mid: ") and "\n" not in err


def test_unknown_output_type(tmp_path, capsys):
    src = tmp_path / "tune.composer"
    save_project(lead_sheet(), src)
    assert main(["convert", str(src), str(tmp_path / "x.txt")]) == 1
    assert "unknown file type" in capsys.readouterr().err


def test_missing_file(capsys):
    assert main(["info", "/nonexistent/song.mid"]) == 1
    assert "song.mid: no such file" in capsys.readouterr().err


@pytest.mark.skipif(not (DATASETS / "nottingham").is_dir(), reason="shared datasets not present")
def test_console_script_on_a_real_file(tmp_path):
    """The installed entry point as a user runs it, on a real Nottingham tune."""
    src = DATASETS / "nottingham" / "MIDI" / "ashover1.mid"
    run = subprocess.run([sys.executable, "-m", "composer_app.cli", "info", str(src)],
                         capture_output=True, text=True, timeout=60)
    assert run.returncode == 0, run.stderr
    assert "bars" in run.stdout and "tracks" in run.stdout
    out = tmp_path / "norm.mid"
    run = subprocess.run([sys.executable, "-m", "composer_app.cli", "convert", str(src), str(out)],
                         capture_output=True, text=True, timeout=60)
    assert run.returncode == 0, run.stderr
    assert open_song(out).note_count == open_song(src).note_count


def test_render_to_wav(tmp_path, capsys):
    import wave

    import numpy as np

    from composer_app.audio import default_soundfont

    if default_soundfont() is None:
        pytest.skip("no SoundFont on this machine")
    src = tmp_path / "tune.composer"
    save_project(lead_sheet(), src)
    out = tmp_path / "tune.wav"
    assert main(["render", str(src), str(out), "--sample-rate", "22050", "--quiet"]) == 0
    assert "wrote" in capsys.readouterr().out
    with wave.open(str(out)) as w:
        assert w.getframerate() == 22050 and w.getnchannels() == 2
        frames = np.frombuffer(w.readframes(w.getnframes()), dtype="<i2").reshape(-1, 2)
    assert len(frames) / 22050 >= 5.0  # 2 bars at 96 BPM plus the release tail
    assert 300 < np.abs(frames).max() < 32767  # audible, not clipped


def test_render_with_a_bad_soundfont(tmp_path, capsys):
    src = tmp_path / "tune.composer"
    save_project(lead_sheet(), src)
    fake = tmp_path / "fake.sf2"
    fake.write_bytes(b"not a soundfont")
    assert main(["render", str(src), str(tmp_path / "x.wav"), "--soundfont", str(fake)]) == 1
    err = capsys.readouterr().err
    assert "fake.sf2" in err and "\n" not in err.strip()


POP909_001 = DATASETS / "pop909" / "POP909" / "001" / "001.mid"
ASHOVER1 = DATASETS / "nottingham" / "MIDI" / "ashover1.mid"


@pytest.mark.skipif(not POP909_001.is_file() or not ASHOVER1.is_file(), reason="no datasets in ../shared")
def test_info_prints_the_detected_key_and_sections(capsys):
    assert main(["info", str(POP909_001)]) == 0
    out = capsys.readouterr().out
    assert "key      no key signature" in out
    assert "detected Gb major" in out
    assert "264 notes  Db4-Bb4" in out  # the melody's range in the detected key (C#4-A#4 before)
    assert main(["info", str(ASHOVER1), "--json"]) == 0
    report = json.loads(capsys.readouterr().out)["key_detected"]
    assert report["signature"] == "G major" and report["detected"] == "G major"
    assert [s["key"] for s in report["sections"]][:2] == ["G major", "F major"]  # the B part is in F
    assert main(["info", str(ASHOVER1)]) == 0
    assert "by section: G major from bar 1, F major from bar" in capsys.readouterr().out


def test_info_names_a_second_key_that_fits_about_as_well(tmp_path, capsys):
    """Quarter notes with the pitch classes of a melody over F7: F major and F minor are both named."""
    from composer_app.core.song import Clip, Note, Song, Track
    from composer_app.fileio import export_midi

    counts = {65: 17, 60: 17, 63: 7, 70: 8, 67: 6, 69: 4, 62: 3, 68: 1}
    pitches = [p for i in range(17) for p, c in counts.items() if c > i]
    notes = tuple(Note(p, i * 480, 480) for i, p in enumerate(pitches))
    path = tmp_path / "f7.mid"
    export_midi(Song(tracks=(Track("Lead", clips=(Clip(0, 16 * 1920, notes),)),)), path)
    assert main(["info", str(path)]) == 0
    line = next(x for x in capsys.readouterr().out.splitlines() if "detected" in x)
    assert "F major" in line and "F minor" in line and line.endswith("fits about as well")


def test_info_names_each_part_as_the_assistant_hears_it(tmp_path, capsys):
    """The melody is a tune, the chord track chords; the same tune over its chords in one track is both."""
    from dataclasses import replace

    path = tmp_path / "tune.composer"
    save_project(lead_sheet(), path)
    assert main(["info", str(path), "--json"]) == 0
    assert [t["part"] for t in json.loads(capsys.readouterr().out)["tracks"]] == ["melody", "accompaniment"]
    ode = [64, 64, 65, 67, 67, 65, 64, 62, 60, 60, 62, 64, 64, 62, 62, 62]
    solo = Track("Piano", clips=(Clip(0, 7680, tuple(Note(p + 12, i * 480, 480, 90) for i, p in enumerate(ode))
                                      + tuple(Note(p, b * 1920, 1920, 60) for b in range(4) for p in (48, 52, 55))),))
    save_project(replace(lead_sheet(), tracks=(solo,), chords=()), path)
    assert main(["info", str(path)]) == 0
    assert "tune + chords" in capsys.readouterr().out


def test_info_says_when_a_four_four_song_moves_in_three(tmp_path, capsys):
    from tests.model.meter_tunes import march, song_of, waltz

    for name, song, said in (("waltz", song_of(waltz(pickup=1)), True), ("march", song_of(march()), False)):
        path = tmp_path / f"{name}.composer"
        save_project(song, path)
        assert main(["info", str(path)]) == 0
        out = capsys.readouterr().out
        assert ("detected 3/4, after a pickup of 1 beat(s)" in out) is said
        assert main(["info", str(path), "--json"]) == 0
        three = json.loads(capsys.readouterr().out)["meter_felt"]
        said_three = {"meter": "3/4", "pickup_beats": 1, "lean": three and three["lean"], "bars_of_one_beat": False}
        assert three == said_three if said else three is None


def test_info_sums_up_a_tempo_map_that_follows_a_take(tmp_path, capsys):
    from dataclasses import replace

    tempos = tuple(TempoChange(i * 480, 600_000 + 10_000 * (i % 5)) for i in range(20))
    path = tmp_path / "take.composer"
    save_project(replace(lead_sheet(), tempos=tempos), path)
    assert main(["info", str(path)]) == 0
    line = next(x for x in capsys.readouterr().out.splitlines() if x.strip().startswith("tempo"))
    assert "20 changes, 93.75 to 100 BPM: 100 BPM at 1.1.000" in line and line.endswith("...")
