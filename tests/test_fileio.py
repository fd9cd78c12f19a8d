"""fileio: which reader a file goes to, and files that are not songs refused at once with one clear line."""

from __future__ import annotations

import os
import socket
import threading
from pathlib import Path

import pytest

from composer_app import fileio
from composer_app.core.errors import SongFileError
from composer_app.core.song import Song, Track

ASHOVER1 = Path(__file__).resolve().parents[2] / "shared/datasets/nottingham/MIDI/ashover1.mid"


def _in_a_thread(call):
    """Run ``call`` in a daemon thread; (finished in time, its result or exception)."""
    out: list[object] = []

    def target():
        try:
            out.append(call())
        except Exception as exc:  # noqa: BLE001 - handed back to the test
            out.append(exc)

    thread = threading.Thread(target=target, daemon=True)
    thread.start()
    thread.join(20)
    return bool(out), out[0] if out else None


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="no FIFOs here")
def test_a_fifo_without_a_known_suffix_is_refused_without_blocking(tmp_path):
    fifo = tmp_path / "incoming"
    os.mkfifo(fifo)
    for call in (lambda: fileio.kind_of(fifo), lambda: fileio.open_song_checked(fifo)):
        done, result = _in_a_thread(call)
        assert done, "kind_of blocked on a FIFO"
        assert isinstance(result, SongFileError)
        assert str(result) == "incoming: is not a regular file (a pipe, socket or device)"


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="no FIFOs here")
def test_a_fifo_with_a_writer_is_refused_too(tmp_path):
    fifo = tmp_path / "stream"
    os.mkfifo(fifo)
    writer = os.open(fifo, os.O_RDWR)  # a writer that never writes: a plain read would block
    try:
        done, result = _in_a_thread(lambda: fileio.kind_of(fifo))
    finally:
        os.close(writer)
    assert done and isinstance(result, SongFileError) and "not a regular file" in str(result)


@pytest.mark.skipif(not hasattr(socket, "AF_UNIX"), reason="no Unix sockets here")
def test_a_socket_is_refused(tmp_path):
    path = tmp_path / "sock"
    server = socket.socket(socket.AF_UNIX)
    try:
        server.bind(str(path))
        with pytest.raises(SongFileError, match="sock: is not a regular file"):
            fileio.kind_of(path)
    finally:
        server.close()


def test_folders_and_missing_files_are_named(tmp_path):
    (tmp_path / "songs").mkdir()
    with pytest.raises(SongFileError, match="^songs: is a folder, not a song file$"):
        fileio.kind_of(tmp_path / "songs")
    with pytest.raises(SongFileError, match="^gone: no such file$"):
        fileio.kind_of(tmp_path / "gone")


def test_kind_by_suffix_then_by_content(tmp_path):
    assert fileio.kind_of(tmp_path / "never-read.MID") == "midi"  # the suffix decides; nothing is opened
    assert fileio.kind_of(tmp_path / "never-read.composer") == "project"
    project = tmp_path / "song.composer"
    fileio.save_project(Song(tracks=(Track("Lead"),)), project)
    renamed = tmp_path / "song-backup"
    renamed.write_bytes(project.read_bytes())
    assert fileio.kind_of(renamed) == "project"
    text = tmp_path / "notes.txt"
    text.write_text("shopping list")
    with pytest.raises(SongFileError, match="neither a MIDI file nor a Composer project"):
        fileio.kind_of(text)


@pytest.mark.skipif(not ASHOVER1.is_file(), reason="no Nottingham data in ../shared/datasets")
def test_a_real_midi_file_without_a_suffix_opens(tmp_path):
    plain = tmp_path / "ashover1"
    plain.write_bytes(ASHOVER1.read_bytes())
    assert fileio.kind_of(plain) == "midi"
    song, warnings = fileio.open_song_checked(plain)
    assert song.note_count == fileio.open_song(ASHOVER1).note_count > 0 and warnings == ()
