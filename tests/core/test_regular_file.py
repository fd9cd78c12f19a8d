"""The one safe reader of files a person points at: regular files only, bounded, one clear line otherwise."""

import os

import pytest

from composer_app.core.errors import SongFileError
from composer_app.core.regular_file import read_regular


def test_reads_whole_files_within_the_limit_and_heads(tmp_path):
    f = tmp_path / "a.mid"
    f.write_bytes(b"MThd" + bytes(100))
    assert read_regular(f, "MIDI file", limit=104) == b"MThd" + bytes(100)
    assert read_regular(f, "MIDI file") == b"MThd" + bytes(100)
    assert read_regular(f, "song file", head=4) == b"MThd"


def test_refuses_what_is_too_large_missing_or_a_folder(tmp_path):
    f = tmp_path / "big.composer"
    f.write_bytes(bytes(3 * 2**20))
    with pytest.raises(SongFileError) as err:
        read_regular(f, "project file", limit=2 * 2**20)
    assert str(err.value) == "big.composer: is too large for a project file (3 MB; files over 2 MB are not read)"
    with pytest.raises(SongFileError, match="no such file"):
        read_regular(tmp_path / "gone.mid", "MIDI file")
    with pytest.raises(SongFileError, match="is a folder, not a MIDI file"):
        read_regular(tmp_path, "MIDI file")


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="no FIFOs here")
def test_a_pipe_without_a_writer_is_refused_at_once(tmp_path):
    fifo = tmp_path / "incoming"
    os.mkfifo(fifo)
    with pytest.raises(SongFileError, match="is not a regular file"):
        read_regular(fifo, "MIDI file", limit=10)
