"""Broken, hostile and oversized MIDI input: every failure is one SongFileError naming the file."""

from __future__ import annotations

import time
from io import BytesIO

import mido
import pytest

from composer_app.core.errors import SongFileError
from composer_app.midi import read_midi, read_midi_bytes, smf


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
    (header(ntracks=3) + chunk(NOTE + EOT), "3 tracks, 1 were found"),
    (header() + chunk(NOTE + EOT)[:-6], "truncated"),
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
