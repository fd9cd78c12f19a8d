"""Broken, hostile and oversized MIDI input: every failure is one SongFileError naming the file."""

from __future__ import annotations

import os
import threading
import time
from io import BytesIO

import mido
import pytest

from composer_app.core.errors import SongFileError
from composer_app.midi import load_midi_bytes, read_midi, read_midi_bytes, smf


def header(fmt: int = 1, ntracks: int = 1, division: int = 480) -> bytes:
    return b"MThd" + (6).to_bytes(4, "big") + fmt.to_bytes(2, "big") + ntracks.to_bytes(2, "big") + \
        division.to_bytes(2, "big")


def chunk(body: bytes, declared: int | None = None) -> bytes:
    return b"MTrk" + (len(body) if declared is None else declared).to_bytes(4, "big") + body


def varlen(value: int) -> bytes:
    out = [value & 0x7F]
    while value > 0x7F:
        value >>= 7
        out.append(0x80 | (value & 0x7F))
    return bytes(reversed(out))


NOTE = bytes([0x00, 0x90, 60, 100, 0x83, 0x60, 0x80, 60, 64])  # one crotchet at 480 PPQ
EOT = bytes([0x00, 0xFF, 0x2F, 0x00])
GOOD = header() + chunk(NOTE + EOT)


def problem(data: bytes, name: str = "broken.mid") -> str:
    with pytest.raises(SongFileError) as info:
        read_midi_bytes(data, name)
    message = str(info.value)
    assert message.startswith(f"{name}: ")
    assert "\n" not in message
    return info.value.problem


def test_the_good_file_reads():
    assert read_midi_bytes(GOOD).note_count == 1


@pytest.mark.parametrize(("data", "words"), [
    (b"", "empty"),
    (b"This is a text file, not music.\n", "not a MIDI file"),
    (b"MThd\x00\x00", "truncated"),
    (b"MThd\x00\x00\x00\x02\x00\x01", "truncated"),
    (b"MThd\x00\x00\x00\x02\x00\x01\x00\x01\x00\x60", "6 are needed"),
    (header(fmt=3) + chunk(NOTE + EOT), "format 3"),
    (header(ntracks=0), "no tracks"),
    (header(ntracks=5000), "5000 tracks"),
    (header(division=0) + chunk(NOTE + EOT), "division is 0"),
    (header(division=0xE100 | 40) + chunk(NOTE + EOT), "SMPTE frame rate"),
    (header(division=0xE700) + chunk(NOTE + EOT), "0 ticks per frame"),
    (header(ntracks=3), "3 tracks, 0 were found"),
    (header() + chunk(NOTE + EOT)[:9], "before its first note"),
    (header() + chunk(NOTE[:7]), "truncated"),
    (header() + b"\x00\x01\x02\x03" + chunk(NOTE + EOT), "unexpected bytes"),
    (header() + chunk(bytes([0x00, 60, 100]) + EOT), "without a status byte"),
    (header() + chunk(bytes([0x81, 0x81, 0x81, 0x81, 0x01, 0x90, 60, 100]) + EOT), "longer than 4 bytes"),
    (header() + chunk(bytes([0x00, 0xF0, 0x8F, 0xFF, 0xFF, 0x7F, 0x7E]) + EOT), "runs past the end"),
    (header() + chunk(bytes([0x00, 0xFF, 0x01, 0x8F, 0xFF, 0xFF, 0x7F]) + EOT), "runs past the end"),
    (header() + chunk(bytes([0x00, 0xFF, 0x01, 0x8F, 0xFF, 0xFF, 0xFF, 0x7F])), "longer than 4 bytes"),
])
def test_bad_bytes_raise_one_readable_song_file_error(data, words):
    assert words in problem(data)


def test_sysex_without_f7_is_harmless():
    sysex = bytes([0x00, 0xF0, 0x03, 0x43, 0x12, 0x00])  # no closing F7 inside its declared length
    assert read_midi_bytes(header() + chunk(sysex + NOTE + EOT)).note_count == 1


def test_a_note_a_hundred_million_ticks_later_is_refused_quickly():
    late = varlen(10**8) + bytes([0x90, 60, 100, 0x60, 0x80, 60, 0])
    started = time.perf_counter()
    assert "24 hours" in problem(header() + chunk(late + EOT))
    assert time.perf_counter() - started < 1


def test_ticks_beyond_the_hard_cap_are_refused_even_at_an_absurd_tempo():
    fastest = bytes([0x00, 0xFF, 0x51, 0x03, 0x00, 0x00, 0x01])  # 1 microsecond per quarter
    far = bytes([0xFF, 0xFF, 0xFF, 0x7F, 0xFF, 0x01, 0x00]) * 20 + NOTE  # 20 texts 2**28 ticks apart
    assert "beyond the limit" in problem(header() + chunk(fastest + far + EOT))


def test_an_unclosed_note_at_an_absurd_track_end_is_refused():
    data = header() + chunk(bytes([0x00, 0x90, 60, 100, 0xFF, 0xFF, 0xFF, 0x7F, 0xFF, 0x2F, 0x00]))
    assert "24 hours" in problem(data)


def test_too_many_events_are_refused(monkeypatch):
    monkeypatch.setattr(smf, "MAX_EVENTS", 1000)
    body = bytes([0x00, 0x90, 60, 100]) + bytes([0x00, 60, 100]) * 1000 + EOT
    assert "more than 1,000 events" in problem(header() + chunk(body))


def test_a_thousand_tracks_are_fine_and_more_are_refused():
    many = header(ntracks=1024) + chunk(NOTE + EOT) * 1024
    assert len(read_midi_bytes(many).tracks) == 1024
    assert "1025 tracks" in problem(header(ntracks=1025) + chunk(NOTE + EOT) * 1025)


def test_a_huge_file_is_refused_before_it_is_read(tmp_path):
    path = tmp_path / "huge.mid"
    with open(path, "wb") as f:
        f.write(GOOD)
        f.truncate(smf.MAX_FILE_BYTES + 1)  # sparse: costs no disk
    with pytest.raises(SongFileError, match=r"^huge\.mid: .*over 64 MB"):
        read_midi(path)


def test_missing_file_folder_and_unreadable_path(tmp_path):
    with pytest.raises(SongFileError, match=r"^nothing\.mid: no such file$"):
        read_midi(tmp_path / "nothing.mid")
    with pytest.raises(SongFileError, match="is a folder"):
        read_midi(tmp_path)
    (tmp_path / "plain").write_text("x")
    with pytest.raises(SongFileError, match=r"^song\.mid: could not be read"):
        read_midi(tmp_path / "plain" / "song.mid")


def test_files_mido_itself_rejects_are_song_file_errors_here_too():
    mf = mido.MidiFile()
    notes = [mido.Message("note_on", note=60), mido.Message("note_off", note=60, time=9)]
    mf.tracks.append(mido.MidiTrack(notes))
    buffer = BytesIO()
    mf.save(file=buffer)
    data = buffer.getvalue()
    for cut in range(len(data)):
        try:
            read_midi_bytes(data[:cut], "cut.mid")
        except SongFileError as exc:
            assert str(exc).startswith("cut.mid: ")


# --- cut files, early End-of-Track, special files (issue 12: never lose notes without a word) -------------

def forty_notes() -> bytes:
    """One track of 40 crotchets, 9 bytes each: a note-on (4 bytes), then its note-off (5 bytes)."""
    body = b"".join(bytes([0x00, 0x90, 60 + k % 12, 100, 0x83, 0x60, 0x80, 60 + k % 12, 64]) for k in range(40))
    return body + EOT


def test_a_file_cut_anywhere_keeps_every_note_before_the_cut_and_says_so():
    body = forty_notes()
    for size in range(1, len(body)):
        data = header() + chunk(body)[:8 + size]
        expected = sum(9 * k + 4 <= size for k in range(40))  # note-ons read whole
        if expected == 0:
            assert "before its first note" in problem(data)
            continue
        read = load_midi_bytes(data, "cut.mid")
        assert read.song.note_count == expected, size
        assert len(read.warnings) == 1 and read.warnings[0].startswith("the file is cut short: track 1 stops at bar")
    whole = load_midi_bytes(header() + chunk(body))
    assert whole.song.note_count == 40 and whole.warnings == ()


def test_missing_tracks_are_named_in_a_warning():
    read = load_midi_bytes(header(ntracks=3) + chunk(NOTE + EOT) + chunk(NOTE + EOT))
    assert read.song.note_count == 2
    assert read.warnings == ("the file is cut short: its header promises 3 tracks, 2 were found; 1 are missing",)


def test_a_chunk_longer_than_the_file_after_its_end_of_track_lost_nothing():
    read = load_midi_bytes(header() + chunk(NOTE + EOT, declared=500))
    assert read.song.note_count == 1 and read.warnings == ()


def test_notes_after_an_early_end_of_track_are_read_with_a_warning_as_mido_does():
    three = b"".join(NOTE for _ in range(3))
    data = header() + chunk(EOT + three + EOT)
    read = load_midi_bytes(data)
    assert read.song.note_count == 3
    assert read.warnings == ("track 1 has an End-of-Track marker before 3 of its notes; they were read anyway",)
    assert sum(m.type == "note_on" for m in mido.MidiFile(file=BytesIO(data)).tracks[0]) == 3


def test_junk_after_the_end_of_track_is_ignored_quietly():
    read = load_midi_bytes(header() + chunk(NOTE + EOT + bytes([0x81, 0x81, 0x81, 0x81, 0x81, 0x00])))
    assert read.song.note_count == 1 and read.warnings == ()
    padded = load_midi_bytes(header() + chunk(NOTE + EOT + bytes(16)))
    assert padded.song.note_count == 1 and padded.warnings == ()


def _read_in_thread(path) -> object:
    """read_midi(path) on a thread that may not take more than 20 s (a FIFO used to block forever)."""
    outcome: list[object] = []

    def run() -> None:
        try:
            outcome.append(read_midi(path))
        except SongFileError as exc:
            outcome.append(exc)

    thread = threading.Thread(target=run, daemon=True)
    thread.start()
    thread.join(20)
    assert outcome, "read_midi blocked"
    return outcome[0]


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="no FIFOs here")
def test_a_fifo_named_mid_is_refused_at_once(tmp_path):
    fifo = tmp_path / "x.mid"
    os.mkfifo(fifo)
    result = _read_in_thread(fifo)
    assert isinstance(result, SongFileError) and "not a regular file" in result.problem


def test_a_link_to_a_device_is_refused_not_read_without_end(tmp_path):
    if not os.path.exists("/dev/zero"):
        pytest.skip("no /dev/zero")
    link = tmp_path / "zero.mid"
    link.symlink_to("/dev/zero")
    result = _read_in_thread(link)
    assert isinstance(result, SongFileError) and "not a regular file" in result.problem


def test_a_reader_bug_is_not_disguised_as_a_bad_file(monkeypatch):
    from composer_app.midi import reader

    def broken(_smf):
        raise KeyError("a bug")

    monkeypatch.setattr(reader, "song_from_smf", broken)
    with pytest.raises(KeyError):
        read_midi_bytes(GOOD)


def test_a_cut_after_an_early_end_of_track_is_still_reported_as_cut():
    body = EOT + NOTE * 5 + EOT
    read = load_midi_bytes(header() + chunk(body)[:8 + 4 + 9 * 3])
    assert read.song.note_count == 3
    assert any("cut short" in w for w in read.warnings) and any("End-of-Track" in w for w in read.warnings)
