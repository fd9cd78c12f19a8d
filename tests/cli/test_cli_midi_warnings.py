"""``composer-cli info``/``convert`` on damaged or special MIDI files: warnings on stderr, never a hang."""

from __future__ import annotations

import json
import os
import threading

import pytest

from composer_app.cli import main

NOTE = bytes([0x00, 0x90, 60, 100, 0x83, 0x60, 0x80, 60, 64])
EOT = bytes([0x00, 0xFF, 0x2F, 0x00])


def smf(body: bytes, declared: int | None = None, ntracks: int = 1) -> bytes:
    return (b"MThd" + bytes([0, 0, 0, 6, 0, 1, 0, ntracks, 0x01, 0xE0]) + b"MTrk" +
            (len(body) if declared is None else declared).to_bytes(4, "big") + body)


def test_info_on_a_cut_file_prints_what_was_cut(tmp_path, capsys):
    path = tmp_path / "cut.mid"
    path.write_bytes(smf(NOTE * 8, declared=len(NOTE * 20 + EOT)))
    assert main(["info", str(path), "--json"]) == 0
    out, err = capsys.readouterr()
    assert json.loads(out)["notes"] == 8
    assert json.loads(out)["warnings"][0].startswith("the file is cut short: track 1 stops at bar 3")
    assert "composer-cli: warning: cut.mid: the file is cut short" in err


def test_convert_says_what_was_read_past_an_early_end_of_track(tmp_path, capsys):
    path = tmp_path / "early.mid"
    path.write_bytes(smf(EOT + NOTE * 2 + EOT))
    assert main(["convert", str(path), str(tmp_path / "out.mid")]) == 0
    _, err = capsys.readouterr()
    assert "End-of-Track marker before 2 of its notes" in err


def test_a_whole_file_has_no_warnings(tmp_path, capsys):
    path = tmp_path / "fine.mid"
    path.write_bytes(smf(NOTE + EOT))
    assert main(["info", str(path), "--json"]) == 0
    out, err = capsys.readouterr()
    assert json.loads(out)["warnings"] == [] and "warning" not in err


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="no FIFOs here")
def test_info_on_a_fifo_named_mid_fails_at_once(tmp_path, capsys):
    fifo = tmp_path / "x.mid"
    os.mkfifo(fifo)
    codes: list[int] = []
    thread = threading.Thread(target=lambda: codes.append(main(["info", str(fifo)])), daemon=True)
    thread.start()
    thread.join(20)
    assert codes == [1], "info blocked on a FIFO"
    assert "x.mid: is not a regular file" in capsys.readouterr().err
