"""Mutated MIDI bytes (fixed seed, bounded count): each loads into a valid Song or raises SongFileError."""

from __future__ import annotations

import random
from io import BytesIO
from pathlib import Path

import mido
import pytest

from composer_app.core.errors import SongFileError
from composer_app.core.song import Song
from composer_app.midi import read_midi_bytes, write_midi_bytes
from composer_app.midi.reader import MAX_TICK

DATASETS = Path(__file__).resolve().parents[2].parent / "shared" / "datasets"
REAL_FILES = [
    DATASETS / "nottingham" / "MIDI" / "ashover1.mid",
    DATASETS / "nottingham" / "MIDI" / "jigs100.mid",
    DATASETS / "pop909" / "POP909" / "001" / "001.mid",
]
HUGE_VARLENS = [b"\x8f\xff\xff\x7f", b"\xff\xff\xff\xff\x7f", b"\x00\xff\x01\x8f\xff\xff\x7f",
                b"\x00\xf0\x8f\xff\xff\x7f", b"\xbf\xff\xff\x7f\x90\x40\x40"]
MUTANTS_PER_FILE = 100  # four sources: 400 mutants in all


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


@pytest.mark.parametrize("source", range(len(REAL_FILES) + 1))
def test_mutants_load_or_fail_cleanly(source):
    available = sources()
    if source >= len(available):
        pytest.skip("dataset file is not here")
    label, data = available[source]
    rng = random.Random(f"composer-midi-fuzz-{label}")
    assert isinstance(read_midi_bytes(data), Song)
    loaded = failed = 0
    for i in range(MUTANTS_PER_FILE):
        name = f"mutant-{label}-{i}.mid"
        mutant = mutate(data, rng)
        try:
            song = read_midi_bytes(mutant, name)
        except SongFileError as exc:
            assert str(exc).startswith(f"{name}: ") and exc.problem and "\n" not in str(exc)
            failed += 1
            continue
        loaded += 1
        assert isinstance(song, Song)
        assert 0 <= song.end_tick <= MAX_TICK
        if loaded % 4 == 1:  # what loads can be exported and reads back the same
            assert facts(read_midi_bytes(write_midi_bytes(song))) == facts(song)
    assert loaded + failed == MUTANTS_PER_FILE
    assert loaded > 0 and failed > 0  # the mutations reach both outcomes
