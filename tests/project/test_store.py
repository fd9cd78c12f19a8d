import json
import os

import pytest

from composer_app.core import edits
from composer_app.core.errors import SongFileError
from composer_app.core.pitch import KeySignature
from composer_app.core.song import ChordSymbol, Clip, Control, Note, Song, Track
from composer_app.core.timing import TempoChange, TimeSignature
from composer_app.project import load_project, save_project, song_to_dict


def rich_song() -> Song:
    piano = Track("Piano", program=0, channel=0, volume=90, pan=40, clips=(
        Clip(0, 1920, (Note(60, 0, 480, 90), Note(64, 0, 480, 91), Note(67, 480, 960, 1)), "verse", "#ff8800",
             controls=(Control(0, 64, 127), Control(470, 64, 0), Control(480, 64, 100), Control(960, 11, 80))),
        Clip(3840, 960, (Note(72, 10, 20, 127),)),
    ))
    drums = Track("Drums", program=0, channel=9, is_drum=True, mute=True, solo=True,
                  clips=(Clip(0, 1920, (Note(36, 0, 120), Note(42, 240, 60))),))
    return Song(
        tracks=(piano, drums),
        tempos=(TempoChange(0, 500_000), TempoChange(1920, 444_444)),
        meters=(TimeSignature(0, 4, 4), TimeSignature(3840, 6, 8)),
        keys=(KeySignature(0, 2, "major"), KeySignature(3840, 11, "minor")),
        chords=(ChordSymbol(0, 960, "D:maj"), ChordSymbol(960, 960, "A:7/3")),
        title="Ünïcode title",
    )


def test_round_trip_keeps_everything(tmp_path):
    song = rich_song()
    path = tmp_path / "song.composer"
    save_project(song, path)
    again = load_project(path)
    assert again == song  # every field, ids included


def test_save_is_atomic_and_leaves_no_temp_files(tmp_path, monkeypatch):
    path = tmp_path / "song.composer"
    save_project(rich_song(), path)
    before = path.read_bytes()

    def crash(*_args):
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(os, "replace", crash)
    with pytest.raises(SongFileError, match="No space left"):
        save_project(edits.set_title(rich_song(), "changed"), path)
    assert path.read_bytes() == before
    assert [p.name for p in tmp_path.iterdir()] == ["song.composer"]


def test_unwritable_location(tmp_path):
    with pytest.raises(SongFileError, match="missing.composer: could not be written"):
        save_project(rich_song(), tmp_path / "no" / "such" / "missing.composer")


def _doc():
    return song_to_dict(rich_song())


def _mutate(doc, fn):
    fn(doc)
    return doc


@pytest.mark.parametrize(("content", "message"), [
    (b"", "empty"),
    (b"\xff\xfe\x00garbage", "not UTF-8"),
    (b"{\"format\": \"composer-project\", ", "bad JSON"),
    (b"[1, 2, 3]", "expected an object"),
    (b"{\"format\": \"something-else\"}", "not a Composer project"),
    (b"[" * 100_000, "nested too deeply"),
])
def test_broken_files_give_one_clear_line(tmp_path, content, message):
    path = tmp_path / "broken.composer"
    path.write_bytes(content)
    with pytest.raises(SongFileError) as info:
        load_project(path)
    text = str(info.value)
    assert text.startswith("broken.composer: ") and message in text and "\n" not in text


@pytest.mark.parametrize(("mutation", "message"), [
    (lambda d: d.update(version=99), "newer Composer"),
    (lambda d: d.pop("tracks"), "missing 'tracks'"),
    (lambda d: d["tracks"][0]["clips"][0]["notes"][0].__setitem__(1, 300), "tracks[0].clips[0].notes[0]: pitch 300"),
    (lambda d: d["tracks"][0]["clips"][0]["notes"][1].__setitem__(3, "long"), "notes[1][3]: expected an integer"),
    (lambda d: d["tracks"][1].__setitem__("mute", "yes"), "tracks[1].mute: expected true/false"),
    (lambda d: d["tracks"][0].__setitem__("channel", True), "expected an integer, found true/false"),
    (lambda d: d["tempos"].append([10, 0]), "tempos[2]"),
    (lambda d: d["tracks"][0]["clips"][0].__setitem__("length", 10**40), "out of range"),
    (lambda d: d["chords"][0].__setitem__("label", "Q:weird"), "not a chord label"),
    (lambda d: d["tracks"][1].__setitem__("id", d["tracks"][0]["id"]), "used twice"),
    (lambda d: d["meters"][0].__setitem__(2, 5), "power of two"),
    (lambda d: d["tracks"][0]["clips"][0].__setitem__("notes", {}), "expected a list"),
    (lambda d: d["tracks"][0]["clips"][0]["controls"][1].__setitem__(1, 7), "clips[0].controls[1]: controller 7"),
    (lambda d: d["tracks"][0]["clips"][0]["controls"].append([0, 64]), "controls[4]: expected 3 values"),
])
def test_schema_errors_say_where(tmp_path, mutation, message):
    path = tmp_path / "bad.composer"
    path.write_text(json.dumps(_mutate(_doc(), mutation)))
    with pytest.raises(SongFileError) as info:
        load_project(path)
    assert message in str(info.value)


def test_missing_file_and_folder(tmp_path):
    with pytest.raises(SongFileError, match="no such file"):
        load_project(tmp_path / "nope.composer")
    with pytest.raises(SongFileError, match="folder"):
        load_project(tmp_path)


def test_fuzzed_project_files_never_escape(tmp_path):
    import random

    rng = random.Random(1234)
    good = json.dumps(_doc()).encode()
    path = tmp_path / "fuzz.composer"
    outcomes = {"loaded": 0, "rejected": 0}
    for _ in range(300):
        data = bytearray(good)
        for _ in range(rng.randint(1, 4)):
            op = rng.random()
            pos = rng.randrange(len(data))
            if op < 0.4:
                data[pos] = rng.choice(b'0123456789[]{}",:-.ntfe \xff')
            elif op < 0.7:
                del data[pos:pos + rng.randint(1, 20)]
            else:
                data[pos:pos] = rng.choice([b"1", b"-", b"9" * 30, b"[]", b"null", b'"x"'])
        path.write_bytes(bytes(data))
        try:
            song = load_project(path)
        except SongFileError as exc:
            assert str(exc).startswith("fuzz.composer: ")
            outcomes["rejected"] += 1
        else:
            assert isinstance(song, Song)
            outcomes["loaded"] += 1
    assert outcomes["rejected"] > 100


def test_a_key_chosen_on_purpose_stays_chosen_after_save_and_load(tmp_path):
    """The assistant uses a key the musician set as is; the project remembers that it was set."""
    from dataclasses import replace

    chosen = replace(Song(keys=(KeySignature(0, 3, "major"),)), key_explicit=True)
    save_project(chosen, tmp_path / "chosen.composer")
    assert load_project(tmp_path / "chosen.composer").key_explicit is True
    save_project(Song(), tmp_path / "default.composer")
    doc = json.loads((tmp_path / "default.composer").read_text())
    del doc["key_explicit"]  # a file from before the flag existed
    (tmp_path / "old.composer").write_text(json.dumps(doc))
    assert load_project(tmp_path / "old.composer").key_explicit is False


def test_a_key_spelt_with_sharps_keeps_its_spelling_after_save_and_load(tmp_path):
    """F# major stays F# major (not Gb major) in the project; files without the flag load as before."""
    song = Song(keys=(KeySignature(0, 6, "major", sharps=True), KeySignature(3840, 6, "major")))
    save_project(song, tmp_path / "sharp.composer")
    doc = json.loads((tmp_path / "sharp.composer").read_text())
    assert doc["keys"] == [[0, 6, "major", True], [3840, 6, "major"]]
    back = load_project(tmp_path / "sharp.composer")
    assert [k.name for k in back.keys] == ["F# major", "Gb major"]
    doc["keys"] = [[0, 6, "major", "yes"]]
    (tmp_path / "bad.composer").write_text(json.dumps(doc))
    with pytest.raises(SongFileError, match=r"keys\[0\]\[3\]"):
        load_project(tmp_path / "bad.composer")


def test_the_pedal_is_saved_only_where_a_clip_has_one(tmp_path):
    """A clip's pedal goes into the project file; a clip without one writes no "controls", so files stay as they
    were, and a file written before clips kept a pedal still opens."""
    doc = song_to_dict(rich_song())
    first, second = doc["tracks"][0]["clips"]
    assert first["controls"] == [[0, 64, 127], [470, 64, 0], [480, 64, 100], [960, 11, 80]]
    assert "controls" not in second
    del first["controls"]
    path = tmp_path / "older.composer"
    path.write_text(json.dumps(doc))
    assert load_project(path).tracks[0].clips[0].controls == ()

