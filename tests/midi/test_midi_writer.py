"""Writing Type 1 files for DAWs: structure (checked with mido), lead-sheet chords, atomic saves."""

from __future__ import annotations

import os
from io import BytesIO

import mido
import pytest

from composer_app.core.errors import SongFileError
from composer_app.core.pitch import KeySignature
from composer_app.core.song import ChordSymbol, Clip, Control, Note, Song, Track
from composer_app.core.timing import TempoChange, TimeSignature
from composer_app.midi import read_midi, read_midi_bytes, write_midi, write_midi_bytes


def demo_song(**changes) -> Song:
    melody = Track(name="melody", program=73, channel=0, volume=110, pan=40, clips=(
        Clip(0, 1920, (Note(72, 0, 480, 90), Note(74, 480, 480, 80), Note(74, 960, 480, 81))),
        Clip(3840, 1920, (Note(76, 0, 960, 100),)),
    ))
    drums = Track(name="Beat", channel=3, is_drum=True, mute=True, clips=(
        Clip(0, 1920, (Note(36, 0, 120, 127), Note(42, 0, 60, 70), Note(38, 480, 120, 110))),))
    empty = Track(name="Strings", program=48, channel=5)
    fields = dict(
        tracks=(melody, drums, empty),
        tempos=(TempoChange(0, 500_000), TempoChange(1920, 428_571)),
        meters=(TimeSignature(0, 4, 4), TimeSignature(3840, 3, 4)),
        keys=(KeySignature(0, 2, "major"), KeySignature(3840, 11, "minor")),
        chords=(ChordSymbol(0, 960, "D:maj"), ChordSymbol(960, 960, "A:7"), ChordSymbol(1920, 1920, "B:min")),
        title="Demo",
    )
    fields.update(changes)
    return Song(**fields)


def as_mido(data: bytes) -> mido.MidiFile:
    return mido.MidiFile(file=BytesIO(data))


def absolute(track: mido.MidiTrack) -> list[tuple[int, mido.Message]]:
    out, now = [], 0
    for msg in track:
        now += msg.time
        out.append((now, msg))
    return out


def note_tuples(song: Song) -> list[list[tuple[int, int, int, int]]]:
    return [[(n.pitch, n.start, n.duration, n.velocity) for n in t.notes_absolute()] for t in song.tracks]


def test_type1_at_480_with_a_conductor_track_first():
    mf = as_mido(write_midi_bytes(demo_song()))
    assert (mf.type, mf.ticks_per_beat) == (1, 480)
    conductor = mf.tracks[0]
    assert conductor.name == "Demo"
    assert all(msg.is_meta for msg in conductor)
    kinds = [(t, m.type) for t, m in absolute(conductor)]
    assert (0, "set_tempo") in kinds and (1920, "set_tempo") in kinds
    assert (3840, "time_signature") in kinds and (3840, "key_signature") in kinds
    keys = [m.key for m in conductor if m.type == "key_signature"]
    assert keys == ["D", "Bm"]
    assert conductor[-1].type == "end_of_track"
    assert as_mido(write_midi_bytes(demo_song(title=""))).tracks[0].name == "Conductor"


def test_part_tracks_set_program_volume_pan_at_zero_on_their_channel():
    mf = as_mido(write_midi_bytes(demo_song()))
    assert [t.name for t in mf.tracks] == ["Demo", "melody", "Beat", "Strings", "chords"]
    for track, (channel, program, volume, pan) in zip(mf.tracks[1:4], [(0, 73, 110, 40), (9, 0, 100, 64),
                                                                        (5, 48, 100, 64)]):
        setup = [(t, m) for t, m in absolute(track) if m.type in ("program_change", "control_change")]
        assert all(t == 0 and m.channel == channel for t, m in setup)
        assert [m.program for _, m in setup if m.type == "program_change"] == [program]
        assert {m.control: m.value for _, m in setup if m.type == "control_change"} == {7: volume, 10: pan}
        assert track[-1].type == "end_of_track"


def test_note_offs_come_before_note_ons_at_one_tick_and_offs_have_velocity_64():
    melody = as_mido(write_midi_bytes(demo_song())).tracks[1]
    events = [(t, m.type, m.note) for t, m in absolute(melody) if m.type in ("note_on", "note_off")]
    assert events[:6] == [(0, "note_on", 72), (480, "note_off", 72), (480, "note_on", 74),
                          (960, "note_off", 74), (960, "note_on", 74), (1440, "note_off", 74)]
    assert {m.velocity for m in melody if m.type == "note_off"} == {64}
    assert all(m.velocity > 0 for m in melody if m.type == "note_on")


def test_chords_go_into_a_new_chords_track_as_text_events():
    chords = as_mido(write_midi_bytes(demo_song())).tracks[-1]
    assert chords.name == "chords"
    assert [(t, m.text) for t, m in absolute(chords) if m.type == "text"] == [
        (0, "D:maj"), (960, "A:7"), (1920, "B:min")]
    assert sum(1 for m in chords if not m.is_meta) == 0


def test_chords_go_into_the_songs_own_chords_track_when_it_has_one():
    block = Track(name="Chords", program=0, channel=1, clips=(
        Clip(0, 3840, (Note(50, 0, 960, 70), Note(57, 960, 960, 70), Note(59, 1920, 1920, 70))),))
    song = demo_song(tracks=demo_song().tracks + (block,))
    mf = as_mido(write_midi_bytes(song))
    assert [t.name for t in mf.tracks].count("chords") + [t.name for t in mf.tracks].count("Chords") == 1
    carrier = mf.tracks[-1]
    texts = [(t, m.text) for t, m in absolute(carrier) if m.type == "text"]
    assert texts == [(0, "D:maj"), (960, "A:7"), (1920, "B:min")]
    # each label sits just before the block chord it names
    at_960 = [m.type for t, m in absolute(carrier) if t == 960 and m.type != "end_of_track"]
    assert at_960 == ["note_off", "text", "note_on"]
    again = read_midi_bytes(write_midi_bytes(song))
    assert [(c.start, c.duration, c.label) for c in again.chords] == [
        (0, 960, "D:maj"), (960, 960, "A:7"), (1920, 1920, "B:min")]


def test_round_trip_of_a_built_song():
    song = demo_song()
    again = read_midi_bytes(write_midi_bytes(song))
    assert note_tuples(again) == note_tuples(song)
    assert [(t.name, t.program, t.volume, t.pan, t.is_drum) for t in again.tracks] == [
        (t.name, t.program, t.volume, t.pan, t.is_drum) for t in song.tracks]
    assert [t.channel for t in again.tracks] == [0, 9, 5]  # drums always travel on channel 10
    assert (again.tempos, again.meters, again.keys) == (song.tempos, song.meters, song.keys)
    assert again.title == "Demo"
    assert [(c.start, c.duration, c.label) for c in again.chords] == [
        (c.start, c.duration, c.label) for c in song.chords]
    assert again.tracks[1].mute is False  # muted tracks are exported; mute itself is not MIDI


def test_unicode_names_survive():
    song = demo_song(title="Ballade für Éloïse 钢琴")
    song = Song(tracks=(Track(name="Klavier – links"),), title=song.title)
    again = read_midi_bytes(write_midi_bytes(song))
    assert again.title == "Ballade für Éloïse 钢琴"
    assert again.tracks[0].name == "Klavier – links"


def test_empty_song_writes_a_valid_file():
    data = write_midi_bytes(Song())
    assert len(as_mido(data).tracks) == 1
    again = read_midi_bytes(data)
    assert again.tracks == () and again.chords == ()


def test_write_and_read_a_file(tmp_path):
    path = tmp_path / "demo.mid"
    write_midi(demo_song(), path)
    assert note_tuples(read_midi(path)) == note_tuples(demo_song())
    assert [p.name for p in tmp_path.iterdir()] == ["demo.mid"]  # no temp file left behind
    assert oct(path.stat().st_mode & 0o777) == oct(0o644)


def test_overwrite_keeps_the_mode_and_replaces_the_content(tmp_path):
    path = tmp_path / "demo.mid"
    path.write_bytes(b"old")
    os.chmod(path, 0o600)
    write_midi(demo_song(), str(path))
    assert path.read_bytes()[:4] == b"MThd"
    assert oct(path.stat().st_mode & 0o777) == oct(0o600)


def test_failed_replace_leaves_the_old_file_and_no_temp(tmp_path, monkeypatch):
    path = tmp_path / "demo.mid"
    path.write_bytes(b"old content")

    def refuse(src, dst):
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(os, "replace", refuse)
    with pytest.raises(SongFileError, match=r"^demo\.mid: could not be written \(No space left on device\)$"):
        write_midi(demo_song(), path)
    assert path.read_bytes() == b"old content"
    assert [p.name for p in tmp_path.iterdir()] == ["demo.mid"]


def test_unwritable_places_raise_song_file_error(tmp_path):
    with pytest.raises(SongFileError, match=r"^x\.mid: could not be written"):
        write_midi(demo_song(), tmp_path / "missing" / "x.mid")
    (tmp_path / "file").write_text("x")
    with pytest.raises(SongFileError, match=r"^x\.mid: could not be written"):
        write_midi(demo_song(), tmp_path / "file" / "x.mid")
    with pytest.raises(SongFileError):
        write_midi(demo_song(), tmp_path)  # a folder is not a file


def test_chord_labels_are_written_in_canonical_harte_spelling():
    song = Song(chords=(ChordSymbol(0, 960, "Am7"), ChordSymbol(960, 960, "weird?")))
    chords = as_mido(write_midi_bytes(song)).tracks[-1]
    assert [m.text for m in chords if m.type == "text"] == ["A:min7", "weird?"]
    assert [c.label for c in read_midi_bytes(write_midi_bytes(song)).chords] == ["A:min7"]


# --- export writes only what import reads back (issue 12) -------------------------------------------

def far_song(start: int) -> Song:
    return Song(tracks=(Track(name="far", clips=(Clip(start, 1920, (Note(60, 0, 480),)),)),))


def test_a_clip_beyond_the_delta_limit_is_refused_with_a_message(tmp_path):
    path = tmp_path / "far.mid"
    with pytest.raises(SongFileError, match=r"^far\.mid: cannot be exported as MIDI: .*too far out"):
        write_midi(far_song(300_000_000), path)
    assert not path.exists()


def test_a_clip_past_what_the_reader_accepts_is_refused_too(tmp_path):
    with pytest.raises(SongFileError, match=r"cannot be exported as MIDI: .*24 hours"):
        write_midi(far_song(100_000_000), tmp_path / "late.mid")  # 29 hours at 120 BPM
    near = far_song(40_000_000)  # 11.6 hours: fine, and it reads back
    write_midi(near, tmp_path / "near.mid")
    assert [n.start for n in read_midi(tmp_path / "near.mid").tracks[0].notes_absolute()] == [40_000_000]


def test_a_song_with_more_tracks_than_a_file_holds_is_refused_and_one_less_is_written(tmp_path):
    tracks = tuple(Track(name=f"t{i}", clips=(Clip(0, 1920, (Note(60 + i % 12, 0, 480),)),)) for i in range(1024))
    with pytest.raises(SongFileError, match=r"1,024 tracks; a MIDI file holds at most 1,023"):
        write_midi(Song(tracks=tracks), tmp_path / "many.mid")
    with pytest.raises(SongFileError, match=r"at most 1,022"):  # the chords need a track of their own
        write_midi_bytes(Song(tracks=tracks[:1023], chords=(ChordSymbol(0, 480, "C:maj"),)))
    write_midi(Song(tracks=tracks[:1023]), tmp_path / "fits.mid")
    assert len(read_midi(tmp_path / "fits.mid").tracks) == 1023


def test_a_1024_track_file_reads_and_its_export_is_refused_not_unreadable():
    note = bytes([0x00, 0x90, 60, 100, 0x83, 0x60, 0x80, 60, 64, 0x00, 0xFF, 0x2F, 0x00])
    data = b"MThd" + bytes([0, 0, 0, 6, 0, 1, 0x04, 0x00, 0x01, 0xE0]) + (b"MTrk" + bytes([0, 0, 0, 13]) + note) * 1024
    song = read_midi_bytes(data)
    assert len(song.tracks) == 1024
    with pytest.raises(SongFileError, match="a MIDI file holds at most 1,023"):
        write_midi_bytes(song, "again.mid")


def test_a_track_name_with_a_lone_surrogate_still_exports():
    song = Song(tracks=(Track(name="Pi\ud800no", clips=(Clip(0, 1920, (Note(60, 0, 480),)),)),))
    assert read_midi_bytes(write_midi_bytes(song)).tracks[0].name == "Pi?no"


@pytest.mark.parametrize(("key", "name"), [("F#", "F# major"), ("Gb", "Gb major"), ("D#m", "D# minor"),
                                          ("Ebm", "Eb minor")])
def test_six_accidental_keys_keep_their_spelling_through_read_and_write(key, name):
    """A DAW's F# major comes back as F# major, its Gb major as Gb major."""
    mid = mido.MidiFile(type=1, ticks_per_beat=480)
    mid.tracks.append(mido.MidiTrack([mido.MetaMessage("key_signature", key=key, time=0)]))
    mid.tracks.append(mido.MidiTrack([mido.Message("note_on", note=66, velocity=90, time=0),
                                      mido.Message("note_off", note=66, velocity=64, time=480)]))
    buf = BytesIO()
    mid.save(file=buf)
    song = read_midi_bytes(buf.getvalue())
    assert song.keys[0].name == name
    out = mido.MidiFile(file=BytesIO(write_midi_bytes(song)))
    assert [m.key for t in out.tracks for m in t if m.type == "key_signature"] == [key]


def test_overlapping_notes_of_one_key_are_written_as_the_app_plays_them():
    """The player sounds a key struck again while it rings from each strike to the next, and the last strike
    until the latest end among them (two notes struck together are one). Written with each note's own off, a
    synthesizer would cut the second note at the first one's end, and reading the file back lost its length."""
    notes = (Note(60, 0, 480, 90), Note(60, 240, 480, 80),  # the second strike rings on to 720
             Note(64, 0, 960, 70), Note(64, 240, 240, 75),  # the key rings until 960 after the short strike
             Note(67, 0, 480, 60), Note(67, 0, 960, 65),  # struck together: one note, as long as the longer
             Note(72, 0, 240, 50), Note(72, 240, 240, 55))  # abutting notes stay as they are
    song = Song(tracks=(Track("keys", clips=(Clip(0, 1920, notes),)),))
    data = write_midi_bytes(song)
    back = sorted(note_tuples(read_midi_bytes(data))[0], key=lambda n: (n[0], n[1]))
    assert back == [(60, 0, 240, 90), (60, 240, 480, 80), (64, 0, 240, 70), (64, 240, 720, 75),
                    (67, 0, 960, 65), (72, 0, 240, 50), (72, 240, 240, 55)]
    sounding: dict[int, int] = {}
    for _, msg in absolute(as_mido(data).tracks[1]):  # never two notes on one key at once
        if msg.type == "note_on":
            assert sounding.get(msg.note, 0) == 0
            sounding[msg.note] = 1
        elif msg.type == "note_off":
            sounding[msg.note] = 0
    assert write_midi_bytes(read_midi_bytes(data)) == data  # and the file reads back note for note


def test_the_pedal_is_written_between_the_notes_it_lets_go_and_the_next_ones():
    """Legato pedalling: at a tick where notes end and new ones start, the pedal comes up after the note-offs and
    goes down before the note-ons; a pedal still down at the clip's end is let up there; it all reads back as it was."""
    notes = (Note(60, 0, 480), Note(64, 480, 480))
    pedal = (Control(0, 64, 127), Control(480, 64, 0), Control(480, 64, 127))
    song = Song(tracks=(Track("Piano", clips=(Clip(0, 1920, notes, controls=pedal),)),))
    piano = as_mido(write_midi_bytes(song)).tracks[1]
    events = [(t, m.type, getattr(m, "note", getattr(m, "control", None)), getattr(m, "value", None))
              for t, m in absolute(piano) if m.type in ("note_on", "note_off") or getattr(m, "control", 0) == 64]
    assert events == [(0, "control_change", 64, 127), (0, "note_on", 60, None), (480, "note_off", 60, None),
                      (480, "control_change", 64, 0), (480, "control_change", 64, 127), (480, "note_on", 64, None),
                      (960, "note_off", 64, None), (1920, "control_change", 64, 0)]
    again = read_midi_bytes(write_midi_bytes(song)).tracks[0].clips[0]
    assert again.controls == pedal + (Control(1920, 64, 0),) and again.length == 1920
