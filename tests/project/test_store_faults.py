"""Fault injection on project files: damaged content, special files, and saves that fail or are killed."""

import errno
import json
import os
import signal
import subprocess
import sys
import tempfile
import textwrap
import time

import pytest

from composer_app.core import edits
from composer_app.core.atomic import remove_stale_temp_files
from composer_app.core.errors import SongFileError
from composer_app.project import load_project, save_project, song_to_dict
from composer_app.project.store import backup_path
from tests.project.test_store import rich_song


def _write(path, doc):
    path.write_text(json.dumps(doc))
    return path


def test_a_5000_digit_number_is_a_clear_error(tmp_path):
    text = json.dumps(song_to_dict(rich_song())).replace('"volume": 90', '"volume": ' + "9" * 5000)
    path = tmp_path / "huge.composer"
    path.write_text(text)
    with pytest.raises(SongFileError, match="huge.composer: damaged project file .a number with 5000 digits"):
        load_project(path)


@pytest.mark.parametrize("constant", ["NaN", "Infinity", "-Infinity"])
def test_nan_and_infinity_are_refused(tmp_path, constant):
    text = json.dumps(song_to_dict(rich_song())).replace('"volume": 90', f'"volume": {constant}')
    path = tmp_path / "nan.composer"
    path.write_text(text)
    with pytest.raises(SongFileError, match="not a number a project holds"):
        load_project(path)


def test_whole_number_floats_are_ticks_and_fractions_are_refused(tmp_path):
    """Files saved while the chord lane wrote float ticks ("start": 1920.0) open; half a tick is damage."""
    data = song_to_dict(rich_song())
    data["chords"][0]["start"] = float(data["chords"][0]["start"])
    data["chords"][0]["duration"] = float(data["chords"][0]["duration"])
    path = tmp_path / "floats.composer"
    path.write_text(json.dumps(data))
    chord = load_project(path).chords[0]
    assert type(chord.start) is int and type(chord.duration) is int
    data["chords"][0]["start"] = 0.5
    path.write_text(json.dumps(data))
    with pytest.raises(SongFileError, match="chords\\[0\\].start: expected an integer"):
        load_project(path)


def test_a_duplicate_tracks_key_is_refused_not_an_empty_song(tmp_path):
    text = json.dumps(song_to_dict(rich_song()))
    text = text[:-1] + ', "tracks": []}'
    path = tmp_path / "dup.composer"
    path.write_text(text)
    with pytest.raises(SongFileError, match="'tracks' appears twice"):
        load_project(path)


def test_a_lone_surrogate_loads_and_the_song_saves_again(tmp_path):
    doc = song_to_dict(rich_song())
    doc["tracks"][0]["name"] = "Pi\ud800ano"
    path = tmp_path / "surrogate.composer"
    path.write_text(json.dumps(doc))  # json escapes it as \ud800
    song = load_project(path)
    assert song.tracks[0].name == "Pi\ufffdano"
    assert song.note_count == rich_song().note_count
    save_project(song, path)  # no UnicodeEncodeError
    assert load_project(path) == song


def test_a_song_holding_a_lone_surrogate_fails_to_save_with_a_message(tmp_path):
    song = edits.set_title(rich_song(), "bad \udc80 title")
    path = tmp_path / "out.composer"
    with pytest.raises(SongFileError, match="out.composer: not saved: some text is not valid Unicode"):
        save_project(song, path)
    assert not path.exists()


def test_special_files_are_refused(tmp_path):
    link = tmp_path / "zero.composer"
    link.symlink_to("/dev/zero")
    with pytest.raises(SongFileError, match="not a regular file"):
        load_project(link)
    fifo = tmp_path / "pipe.composer"
    os.mkfifo(fifo)
    with pytest.raises(SongFileError, match="not a regular file"):
        load_project(fifo)  # returns at once: never blocks waiting for a writer


def test_reads_are_bounded_even_when_the_size_lies(tmp_path, monkeypatch):
    from composer_app.project import store

    path = tmp_path / "big.composer"
    path.write_bytes(b" " * 5000)
    monkeypatch.setattr(store, "MAX_PROJECT_BYTES", 1000)
    with pytest.raises(SongFileError, match="too large"):
        load_project(path)


def test_saving_through_a_symlink_writes_its_target(tmp_path):
    real = tmp_path / "real.composer"
    save_project(rich_song(), real)
    link = tmp_path / "link.composer"
    link.symlink_to(real)
    changed = edits.set_title(rich_song(), "changed")
    save_project(changed, link)
    assert link.is_symlink()
    assert load_project(real).title == "changed"


def test_a_read_only_file_is_not_overwritten(tmp_path):
    path = tmp_path / "ro.composer"
    save_project(rich_song(), path)
    before = path.read_bytes()
    path.chmod(0o444)
    with pytest.raises(SongFileError, match="ro.composer: is read-only"):
        save_project(edits.set_title(rich_song(), "changed"), path)
    assert path.read_bytes() == before
    save_project(edits.set_title(rich_song(), "changed"), path, overwrite_read_only=True)
    assert load_project(path).title == "changed"
    assert path.stat().st_mode & 0o777 == 0o444


def test_backup_keeps_the_previous_version(tmp_path):
    path = tmp_path / "song.composer"
    save_project(rich_song(), path, backup=True)
    assert not backup_path(path).exists()  # nothing to keep the first time
    first = path.read_bytes()
    save_project(edits.set_title(rich_song(), "second"), path, backup=True)
    assert backup_path(path).read_bytes() == first
    assert backup_path(path).name == "song.composer.bak"
    assert load_project(path).title == "second"


@pytest.mark.parametrize("fault", [
    ("fsync", OSError(errno.ENOSPC, "No space left on device"), "No space left"),
    ("mkstemp", PermissionError(errno.EACCES, "Permission denied"), "Permission denied"),
    ("mkstemp", OSError(errno.EROFS, "Read-only file system"), "Read-only file system"),
])
def test_failed_saves_leave_the_old_file_and_no_litter(tmp_path, monkeypatch, fault):
    name, error, message = fault
    path = tmp_path / "song.composer"
    save_project(rich_song(), path)
    before = path.read_bytes()

    def fail(*_args, **_kwargs):
        raise error

    monkeypatch.setattr(os if name == "fsync" else tempfile, name, fail)
    with pytest.raises(SongFileError, match=message):
        save_project(edits.set_title(rich_song(), "changed"), path, backup=True)
    monkeypatch.undo()
    assert path.read_bytes() == before
    assert sorted(p.name for p in tmp_path.iterdir()) in (["song.composer"], ["song.composer", "song.composer.bak"])


def test_a_vanished_folder_is_a_clear_error(tmp_path):
    folder = tmp_path / "gone"
    folder.mkdir()
    path = folder / "song.composer"
    save_project(rich_song(), path)
    path.unlink()
    folder.rmdir()
    with pytest.raises(SongFileError, match="song.composer: could not be written"):
        save_project(rich_song(), path)


def test_temp_files_of_killed_saves_are_cleaned_up(tmp_path):
    path = tmp_path / "song.composer"
    old = tmp_path / ".song.composer.abc123.tmp"
    old.write_bytes(b"partial")
    past = time.time() - 3600
    os.utime(old, (past, past))
    fresh = tmp_path / ".song.composer.def456.tmp"  # maybe another process saving right now
    fresh.write_bytes(b"partial")
    other = tmp_path / ".other.composer.abc.tmp"
    other.write_bytes(b"x")
    os.utime(other, (past, past))
    save_project(rich_song(), path)
    names = sorted(p.name for p in tmp_path.iterdir())
    assert names == [".other.composer.abc.tmp", ".song.composer.def456.tmp", "song.composer"]
    assert remove_stale_temp_files(path, older_than=-1) == [fresh]


SAVER = textwrap.dedent("""
    import sys
    from composer_app.core import edits
    from composer_app.project import save_project
    from tests.project.test_store_faults import big_song
    song = big_song()
    print("ready", flush=True)
    i = 0
    while True:
        i += 1
        save_project(edits.set_title(song, f"v{i}"), sys.argv[1], backup=True)
""")


def big_song():
    from composer_app.core.song import Clip, Note, Song, Track

    notes = tuple(Note(40 + i % 50, i * 30, 25, 80) for i in range(20000))
    return Song(tracks=(Track("t", clips=(Clip(0, 20000 * 30 + 30, notes),)),), title="v0")


def test_sigkill_during_saves_never_leaves_a_partial_file(tmp_path):
    path = tmp_path / "song.composer"
    save_project(big_song(), path)
    root = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
    for delay in (0.15, 0.3, 0.45, 0.6, 0.8):
        child = subprocess.Popen([sys.executable, "-c", SAVER, str(path)], cwd=root, stdout=subprocess.PIPE)
        assert child.stdout.readline().strip() == b"ready"
        time.sleep(delay)
        child.send_signal(signal.SIGKILL)
        child.wait(timeout=30)
        child.stdout.close()
        song = load_project(path)  # always a whole file: the old one or a new one
        assert song.title.startswith("v") and len(song.tracks[0].clips[0].notes) == 20000
        if backup_path(path).exists():
            assert load_project(backup_path(path)).title.startswith("v")
