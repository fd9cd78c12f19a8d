"""Mutated MIDI bytes (fixed seed, bounded count): each loads with every note mido finds, or fails cleanly.

The mutants are read in a child process with a time limit per file (a reader that hangs fails the test
instead of blocking the suite); the parent checks what came back against mido's independent reading.
"""

from __future__ import annotations

import json
import os
import random
import signal
import subprocess
import sys
from collections import Counter
from io import BytesIO
from pathlib import Path

import mido
import pytest

from composer_app.core.errors import SongFileError
from composer_app.core.song import Song
from composer_app.midi import load_midi_bytes, read_midi_bytes, write_midi_bytes
from composer_app.midi.reader import MAX_TICK
from tests.midi.mido_reference import paired_notes

DATASETS = Path(__file__).resolve().parents[2].parent / "shared" / "datasets"
REAL_FILES = [
    DATASETS / "nottingham" / "MIDI" / "ashover1.mid",
    DATASETS / "nottingham" / "MIDI" / "jigs100.mid",
    DATASETS / "pop909" / "POP909" / "001" / "001.mid",
]
HUGE_VARLENS = [b"\x8f\xff\xff\x7f", b"\xff\xff\xff\xff\x7f", b"\x00\xff\x01\x8f\xff\xff\x7f",
                b"\x00\xf0\x8f\xff\xff\x7f", b"\xbf\xff\xff\x7f\x90\x40\x40"]
MUTANTS = [100, 60, 40, 15]  # per source (hand-made, then REAL_FILES), for each kind: bytes and events
SECONDS_PER_CASE = 5  # far more than any file here needs (milliseconds): only a hang reaches it


def hand_made() -> bytes:
    """A small lead-sheet file touching every feature the reader knows."""
    def track(*events):
        out, now = mido.MidiTrack(), 0
        for tick, msg in events:
            out.append(msg.copy(time=tick - now))
            now = tick
        return out

    msg, meta = mido.Message, mido.MetaMessage
    conductor = track((0, meta("track_name", name="Fuzz")),
                      (0, meta("time_signature", numerator=6, denominator=8)),
                      (0, meta("key_signature", key="Eb")),
                      (0, meta("set_tempo", tempo=450_000)),
                      (720, meta("set_tempo", tempo=550_000)))
    melody = track((0, meta("track_name", name="melody")),
                   (0, msg("program_change", program=71)),
                   (0, msg("control_change", control=7, value=99)),
                   (0, msg("note_on", note=67, velocity=90)), (120, msg("note_on", note=67)),
                   (240, msg("note_off", note=67)), (240, msg("note_on", note=70, velocity=80)),
                   (300, msg("sysex", data=[0x7E, 0x7F, 0x09, 0x01])),
                   (480, msg("note_on", note=70, velocity=0)), (600, msg("note_off", note=67)))
    chords = track((0, meta("track_name", name="chords")),
                   (0, meta("text", text="Eb:maj")), (0, msg("note_on", channel=1, note=51)),
                   (360, msg("note_off", channel=1, note=51)), (360, meta("text", text="Bb:7")),
                   (360, msg("note_on", channel=1, note=46)), (720, msg("note_off", channel=1, note=46)))
    drums = track((0, msg("note_on", channel=9, note=36, velocity=120)),
                  (60, msg("note_off", channel=9, note=36)),
                  (60, msg("pitchwheel", channel=9, pitch=100)))
    mf = mido.MidiFile(type=1, ticks_per_beat=240)
    mf.tracks.extend([conductor, melody, chords, drums])
    buffer = BytesIO()
    mf.save(file=buffer)
    return buffer.getvalue()


def mutate(data: bytes, rng: random.Random) -> bytes:
    out = bytearray(data)
    for _ in range(rng.randint(1, 3)):
        op = rng.choice(["flip", "flip", "insert", "delete", "truncate", "header", "varlen", "length",
                         "duplicate", "splice"])
        at = rng.randrange(len(out) + 1) if out else 0
        if op == "flip" and out:
            for _ in range(rng.randint(1, 8)):
                out[rng.randrange(len(out))] ^= rng.randint(1, 255)
        elif op == "insert":
            out[at:at] = bytes(rng.randrange(256) for _ in range(rng.randint(1, 16)))
        elif op == "delete":
            del out[at:at + rng.randint(1, 64)]
        elif op == "truncate":
            del out[at:]
        elif op == "header" and len(out) >= 14:
            field = rng.choice([(8, 10), (10, 12), (12, 14), (4, 8)])
            out[field[0]:field[1]] = bytes(rng.randrange(256) for _ in range(field[1] - field[0]))
        elif op == "varlen":
            out[at:at] = rng.choice(HUGE_VARLENS)
        elif op == "length":
            found = [i for i in range(len(out) - 8) if out[i:i + 4] == b"MTrk"]
            if found:
                i = rng.choice(found)
                out[i + 4:i + 8] = rng.randrange(2**32).to_bytes(4, "big")
        elif op == "duplicate" and out:
            size = rng.randint(1, 256)
            out[at:at] = out[at:at + size] * rng.randint(1, 50)
        elif op == "splice":
            other = hand_made()
            cut = rng.randrange(len(other))
            out[at:at] = other[cut:cut + rng.randint(1, 200)]
    return bytes(out)


def facts(song: Song):
    notes = [(t.channel, [(n.pitch, n.start, n.duration, n.velocity) for n in t.notes_absolute()])
             for t in song.tracks]
    return notes, song.tempos, song.meters, song.keys, [(c.start, c.label) for c in song.chords]


def sources() -> list[tuple[str, bytes]]:
    found = [("hand-made", hand_made())]
    found += [(p.name, p.read_bytes()) for p in REAL_FILES if p.exists()]
    return found


# --- event mutants: files that stay well-formed, so both readers accept them and must agree ----------

def encode(tracks: list[list[tuple[int, bytes]]], tpq: int, kind: int = 1) -> bytes:
    """A Standard MIDI File from (delta, event bytes) lists, without running status (our own encoder)."""
    def varlen(value: int) -> bytes:
        out = [value & 0x7F]
        while value > 0x7F:
            value >>= 7
            out.append(0x80 | (value & 0x7F))
        return bytes(reversed(out))

    data = b"MThd" + (6).to_bytes(4, "big") + kind.to_bytes(2, "big") + len(tracks).to_bytes(2, "big") + \
        tpq.to_bytes(2, "big")
    for events in tracks:
        body = b"".join(varlen(delta) + event for delta, event in events)
        data += b"MTrk" + len(body).to_bytes(4, "big") + body
    return data


def event_lists(data: bytes) -> tuple[list[list[tuple[int, bytes]]], int]:
    mf = mido.MidiFile(file=BytesIO(data))
    def raw(m) -> bytes:
        if m.is_meta:
            return bytes(m.bin())
        if m.type == "sysex":  # in a file: F0, a length, the data and the closing F7
            return bytes([0xF0, len(m.data) + 1]) + bytes(m.data) + b"\xf7" if len(m.data) < 127 else b""
        return bytes(m.bytes())

    return [[(m.time, raw(m)) for m in t if raw(m)] for t in mf.tracks], mf.ticks_per_beat


def mutate_events(data: bytes, rng: random.Random) -> bytes:
    """Well-formed changes: drop, copy, move or re-channel events, early End-of-Track markers, zero
    velocities, sysex and unknown metas, long deltas, split or merged tracks."""
    tracks, tpq = event_lists(data)
    eot = bytes([0xFF, 0x2F, 0x00])
    for _ in range(rng.randint(1, 4)):
        track = rng.choice(tracks)
        at = rng.randrange(len(track) + 1)
        op = rng.choice(["drop", "copy", "channel", "eot", "velocity0", "sysex", "meta", "delta", "split",
                         "merge"])
        if op == "drop" and track:
            del track[at:at + rng.randint(1, 20)]
        elif op == "copy" and track:
            track[at:at] = track[max(0, at - rng.randint(1, 30)):at]
        elif op == "channel" and track:
            for i in range(at, min(len(track), at + 40)):
                delta, event = track[i]
                if event[0] < 0xF0:
                    track[i] = (delta, bytes([(event[0] & 0xF0) | rng.randrange(16)]) + event[1:])
        elif op == "eot":
            track.insert(at, (rng.randint(0, 100), eot))
        elif op == "velocity0":
            for i in range(at, min(len(track), at + 40)):
                delta, event = track[i]
                if event[0] & 0xF0 == 0x90 and rng.random() < 0.5:
                    track[i] = (delta, event[:2] + b"\x00")
        elif op == "sysex":
            track.insert(at, (0, bytes([0xF0, 0x03, 0x7E, 0x01, 0xF7])))
        elif op == "meta":
            track.insert(at, (0, bytes([0xFF, 0x7F, 0x02, 0x00, 0x41])))
        elif op == "delta" and track:
            i = rng.randrange(len(track))
            track[i] = (track[i][0] + rng.choice([1, 127, 128, 16383, 16384, 2_000_000]), track[i][1])
        elif op == "split" and len(track) > 2:
            tracks.append(track[at:])
            del track[at:]
        elif op == "merge" and len(tracks) > 1:
            other = tracks.pop(rng.randrange(len(tracks)))
            if other is not track:
                track.extend(other)
    for track in tracks:
        if not track or track[-1][1] != eot:
            track.append((0, eot))
    return encode([t for t in tracks if t] or [[(0, eot)]], tpq)


# --- what the child process reports, and what the parent checks ---------------------------------------

def at480(tick: int, tpq: int) -> int:
    return (2 * tick * 480 + tpq) // (2 * tpq)


def mido_notes(data: bytes) -> Counter | None:
    """Every note in mido's own parse, paired as a synthesizer plays them (``mido_reference``), as
    (channel, pitch, start, duration, velocity) at 480 PPQ; None when mido refuses the file."""
    try:
        mf = mido.MidiFile(file=BytesIO(data), clip=True)
    except Exception:  # noqa: BLE001 - whatever mido refuses, we only compare where it reads
        return None
    tpq = mf.ticks_per_beat
    if tpq <= 0 or len(mf.tracks) == 0:
        return None
    found: Counter = Counter()
    for track in mf.tracks:
        for channel, pitch, start, end, velocity in paired_notes(track):
            begin = at480(start, tpq)
            found[channel, pitch, begin, max(1, at480(end, tpq) - begin), velocity] += 1
    return found


class _CaseTimeout(Exception):
    pass


def _alarm(_signum, _frame):
    raise _CaseTimeout


def examine(name: str, data: bytes, round_trip: bool) -> dict:
    """Read one mutant as the app does (with a time limit) and as mido does; JSON-able facts."""
    out: dict = {"name": name, "round_trip": True}
    signal.signal(signal.SIGALRM, _alarm)
    signal.setitimer(signal.ITIMER_REAL, SECONDS_PER_CASE)
    try:
        read = load_midi_bytes(data, name)
        if round_trip:  # what loads can be exported and reads back the same
            out["round_trip"] = facts(read_midi_bytes(write_midi_bytes(read.song))) == facts(read.song)
    except SongFileError as exc:
        out["error"], out["problem"] = str(exc), exc.problem
        read = None
    except _CaseTimeout:
        out["timeout"] = True
        return out
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
    if read is not None:
        song = read.song
        out["warnings"] = list(read.warnings)
        out["end_tick"] = song.end_tick
        out["valid"] = isinstance(song, Song)
        out["notes"] = sorted([t.channel, n.pitch, n.start, n.duration, n.velocity]
                              for t in song.tracks for n in t.notes_absolute())
    theirs = mido_notes(data)
    out["mido"] = None if theirs is None else sorted(list(k) for k in theirs.elements())
    return out


def child(source: int, kind: str, count: int) -> None:
    """Run in the child process: print one JSON line per mutant."""
    label, data = sources()[source]
    rng = random.Random(f"composer-midi-fuzz-{kind}-{label}" if kind != "bytes" else f"composer-midi-fuzz-{label}")
    for i in range(count):
        mutant = mutate(data, rng) if kind == "bytes" else mutate_events(data, rng)
        print(json.dumps(examine(f"mutant-{label}-{i}.mid", mutant, i % 4 == 1)), flush=True)


def run_child(source: int, kind: str, count: int) -> list[dict]:
    root = str(Path(__file__).resolve().parents[2])  # the child imports tests.midi.mido_reference from there
    env = dict(os.environ, PYTHONPATH=os.pathsep.join(filter(None, (root, os.environ.get("PYTHONPATH")))))
    done = subprocess.run([sys.executable, __file__, str(source), kind, str(count)], capture_output=True,
                          text=True, timeout=60 + count * SECONDS_PER_CASE, env=env)
    assert done.returncode == 0, done.stderr[-3000:]
    return [json.loads(line) for line in done.stdout.splitlines()]


@pytest.mark.parametrize("kind", ["bytes", "events"])
@pytest.mark.parametrize("source", range(len(REAL_FILES) + 1))
def test_mutants_load_with_every_note_or_fail_cleanly(source, kind):
    available = sources()
    if source >= len(available):
        pytest.skip("dataset file is not here")
    assert isinstance(read_midi_bytes(available[source][1]), Song)
    count = MUTANTS[source]
    results = run_child(source, kind, count)
    assert len(results) == count
    compared = 0
    for r in results:
        assert not r.get("timeout"), f"{r['name']} took over {SECONDS_PER_CASE} s"
        if "error" in r:
            assert r["error"].startswith(f"{r['name']}: ") and r["problem"] and "\n" not in r["error"]
            continue
        assert r["valid"] and 0 <= r["end_tick"] <= MAX_TICK and r["round_trip"], r["name"]
        if r["mido"] is not None:  # both read it: every note mido finds arrived, and nothing else
            assert r["notes"] == r["mido"], (r["name"], r["warnings"])
            compared += 1
    loaded = sum("error" not in r for r in results)
    if kind == "bytes":
        assert 0 < loaded < count  # the mutations reach both outcomes
    else:
        assert compared > count // 2  # well-formed mutants: mostly read by both, and equal


def test_cut_real_files_never_lose_notes_without_a_word():
    for label, data in sources():
        full = load_midi_bytes(data).song.note_count
        rng = random.Random(f"composer-midi-cut-{label}")
        last = 0
        for size in sorted(rng.sample(range(15, len(data)), min(40, len(data) - 15))):
            try:
                read = load_midi_bytes(data[:size], "cut.mid")
            except SongFileError as exc:
                assert exc.problem
                continue
            assert read.warnings and "cut short" in read.warnings[0], (label, size)
            assert last <= read.song.note_count <= full  # a longer piece of the file never holds fewer notes
            last = read.song.note_count


if __name__ == "__main__":  # the child process of run_child
    child(int(sys.argv[1]), sys.argv[2], int(sys.argv[3]))
