"""Reading hand-made MIDI files: pairing, channels, resolution, tempo/meter/key, lead-sheet chords."""

from __future__ import annotations

from io import BytesIO

import mido
import pytest

from composer_app.core.pitch import KeySignature
from composer_app.core.timing import TempoChange, TimeSignature
from composer_app.midi import read_midi, read_midi_bytes


def track(*events: tuple[int, mido.Message | mido.MetaMessage]) -> mido.MidiTrack:
    """A track from (absolute tick, message) pairs, in the order given."""
    out = mido.MidiTrack()
    now = 0
    for tick, msg in events:
        out.append(msg.copy(time=tick - now))
        now = tick
    return out


def smf(*tracks: mido.MidiTrack, tpq: int = 480, kind: int = 1) -> bytes:
    mf = mido.MidiFile(type=kind, ticks_per_beat=tpq)
    mf.tracks.extend(tracks)
    buffer = BytesIO()
    mf.save(file=buffer)
    return buffer.getvalue()


def on(pitch: int, velocity: int = 100, channel: int = 0) -> mido.Message:
    return mido.Message("note_on", note=pitch, velocity=velocity, channel=channel)


def off(pitch: int, channel: int = 0) -> mido.Message:
    return mido.Message("note_off", note=pitch, velocity=64, channel=channel)


def meta(kind: str, **fields) -> mido.MetaMessage:
    return mido.MetaMessage(kind, **fields)


def notes_of(song, index: int = 0) -> list[tuple[int, int, int, int]]:
    return [(n.pitch, n.start, n.duration, n.velocity) for n in song.tracks[index].notes_absolute()]


def test_a_key_struck_again_ends_the_note_it_was_sounding():
    """As a synthesizer plays it: FluidSynth releases the key's voice at the second strike, and the first
    note-off then ends the second note (the later one finds nothing sounding)."""
    data = smf(track((0, on(60, 100)), (240, on(60, 90)), (480, off(60)), (960, off(60))))
    song = read_midi_bytes(data)
    assert notes_of(song) == [(60, 0, 240, 100), (60, 240, 240, 90)]


def test_a_note_off_written_after_the_strike_that_ended_its_note_is_not_the_new_notes():
    data = smf(track((0, on(60, 100)), (480, on(60, 90)), (480, off(60)), (960, off(60))))
    assert notes_of(read_midi_bytes(data)) == [(60, 0, 480, 100), (60, 480, 480, 90)]


def test_a_second_note_on_at_the_same_tick_is_the_same_note():
    data = smf(track((0, on(60, 100)), (0, on(60, 70)), (480, off(60)), (480, off(60))))
    assert notes_of(read_midi_bytes(data)) == [(60, 0, 480, 100)]


def test_a_zero_length_note_written_off_first_stays_zero_length_and_shifts_nothing():
    """music21 writes a grace note as note-off then note-on at one tick. Paired first in, first out, every later
    note of that key then ended at the next one's note-off and the last lasted to the end of the track (a
    quartet's first violin held a C#5 for 75 beats); as a synthesizer plays it, the grace note would still
    sound until the key's next strike. A note-on right after a note-off of its key, at that tick, with nothing
    to end and more note-offs than note-ons on the key, is read as the note of no length it is."""
    data = smf(track((0, on(73)), (100, off(73)), (100, off(73)), (100, on(73)), (400, on(73)), (500, off(73)),
                     (600, on(73)), (700, off(73)), (4000, meta("end_of_track"))))
    assert notes_of(read_midi_bytes(data)) == [(73, 0, 100, 100), (73, 100, 1, 100), (73, 400, 100, 100),
                                               (73, 600, 100, 100)]


def test_a_note_struck_where_a_re_struck_key_is_released_keeps_its_length():
    """POP909 writes a re-struck key's two note-offs together; a note struck right there is a real note (the
    key had as many note-offs as note-ons, so the second note-off was not a stray one)."""
    data = smf(track((0, on(50, 61)), (720, on(50, 70)), (960, off(50)), (960, off(50)), (960, on(50, 73)),
                     (1440, off(50))))
    assert notes_of(read_midi_bytes(data)) == [(50, 0, 720, 61), (50, 720, 240, 70), (50, 960, 480, 73)]


def test_note_offs_for_silent_keys_at_the_start_do_not_shorten_the_first_notes():
    """A reset written as a note-off on every key: the note-on that follows is not right after its own key's
    note-off, so it is an ordinary note."""
    data = smf(track((0, off(60)), (0, off(64)), (0, on(60)), (0, on(64)), (480, off(60)), (480, off(64))))
    assert notes_of(read_midi_bytes(data)) == [(60, 0, 480, 100), (64, 0, 480, 100)]


def test_note_on_with_velocity_zero_ends_a_note():
    data = smf(track((0, on(64, 80)), (480, on(64, 0)), (480, on(65, 70)), (960, on(65, 0))))
    assert notes_of(read_midi_bytes(data)) == [(64, 0, 480, 80), (65, 480, 480, 70)]


def test_off_then_on_at_one_tick_closes_the_old_note_first():
    data = smf(track((0, on(60)), (480, off(60)), (480, on(60, 50)), (960, off(60))))
    assert notes_of(read_midi_bytes(data)) == [(60, 0, 480, 100), (60, 480, 480, 50)]


def test_unclosed_notes_end_where_the_track_ends():
    data = smf(track((0, on(60)), (480, on(62)), (960, off(62)), (1920, meta("end_of_track"))))
    assert notes_of(read_midi_bytes(data)) == [(60, 0, 1920, 100), (62, 480, 480, 100)]


def test_stray_note_off_is_ignored_and_zero_length_note_kept_as_one_tick():
    data = smf(track((0, off(70)), (100, on(60)), (100, off(60))))
    assert notes_of(read_midi_bytes(data)) == [(60, 100, 1, 100)]


def test_type0_splits_channels_with_programs_volume_pan_and_drums():
    data = smf(track(
        (0, meta("track_name", name="My Song")),
        (0, mido.Message("program_change", channel=0, program=40)),
        (0, mido.Message("program_change", channel=1, program=33)),
        (0, mido.Message("control_change", channel=1, control=7, value=90)),
        (0, mido.Message("control_change", channel=1, control=10, value=20)),
        (0, on(72, 100, 0)), (0, on(36, 110, 1)), (0, on(36, 120, 9)),
        (240, off(36, 9)), (480, off(72, 0)),
        (480, mido.Message("program_change", channel=0, program=41)),  # only the first program counts
        (960, off(36, 1)),
    ), kind=0)
    song = read_midi_bytes(data)
    assert song.title == "My Song"
    assert [(t.name, t.channel, t.program, t.is_drum) for t in song.tracks] == [
        ("Channel 1", 0, 40, False), ("Channel 2", 1, 33, False), ("Drums", 9, 0, True)]
    assert (song.tracks[1].volume, song.tracks[1].pan) == (90, 20)
    assert (song.tracks[0].volume, song.tracks[0].pan) == (100, 64)
    assert notes_of(song, 2) == [(36, 0, 240, 120)]


def test_type1_track_with_two_channels_is_split_and_named_after_it():
    data = smf(track((0, meta("track_name", name="Keys")), (0, on(60, 100, 0)), (0, on(48, 100, 3)),
                     (480, off(60, 0)), (480, off(48, 3))))
    song = read_midi_bytes(data)
    assert [(t.name, t.channel) for t in song.tracks] == [("Keys (1)", 0), ("Keys (4)", 3)]


@pytest.mark.parametrize(("tpq", "start", "end", "expected"), [
    (96, 96, 144, (480, 240)),
    (960, 960, 1440, (480, 240)),
    (960, 1, 2, (1, 1)),  # 0.5 rounds up to 1; durations stay >= 1
    (1000, 1, 2, (0, 1)),
    (1024, 2048, 3072, (960, 480)),
])
def test_any_resolution_is_rescaled_to_480(tpq, start, end, expected):
    song = read_midi_bytes(smf(track((start, on(60)), (end, off(60))), tpq=tpq))
    assert notes_of(song)[0][1:3] == expected


def test_tempo_meter_and_key_changes_from_any_track_are_kept():
    conductor = track((0, meta("set_tempo", tempo=600_000)),
                      (0, meta("time_signature", numerator=3, denominator=4)),
                      (0, meta("key_signature", key="F#m")), (1440, meta("set_tempo", tempo=400_000)),
                      (2880, meta("time_signature", numerator=6, denominator=8)))
    part = track((0, on(60)), (2880, meta("key_signature", key="Bb")), (4000, off(60)))
    song = read_midi_bytes(smf(conductor, part, tpq=240))
    assert song.tempos == (TempoChange(0, 600_000), TempoChange(2880, 400_000))
    assert song.meters == (TimeSignature(0, 3, 4), TimeSignature(5760, 6, 8))
    assert song.keys == (KeySignature(0, 6, "minor"), KeySignature(5760, 10, "major"))
    assert song.title == ""  # an unnamed conductor track gives no title


def test_clip_starts_at_zero_and_is_rounded_up_to_whole_bars():
    three_four = track((0, meta("time_signature", numerator=3, denominator=4)))
    song = read_midi_bytes(smf(three_four, track((1000, on(60)), (1441, off(60)))))
    clip = song.tracks[0].clips[0]
    assert (clip.start, clip.length) == (0, 2880)
    short = read_midi_bytes(smf(track((0, on(60)), (10, off(60)))))
    assert short.tracks[0].clips[0].length == 1920  # at least one bar
    assert short.tracks[0].clips[0].notes[0].start == 0


def test_conductor_track_name_is_the_title_and_generic_names_are_not():
    part = track((0, meta("track_name", name="Lead")), (0, on(60)), (480, off(60)))
    titled = read_midi_bytes(smf(track((0, meta("track_name", name="Scarborough Fair"))), part))
    assert titled.title == "Scarborough Fair"
    assert [t.name for t in titled.tracks] == ["Lead"]
    generic = read_midi_bytes(smf(track((0, meta("track_name", name="Conductor"))), part))
    assert generic.title == ""


def test_unnamed_tracks_get_numbered_names_and_empty_tracks_are_kept():
    empty = track((0, meta("track_name", name="Strings")), (0, mido.Message("program_change", program=48)))
    song = read_midi_bytes(smf(track((0, on(60)), (480, off(60))), empty))
    assert [(t.name, t.program, t.note_count, len(t.clips)) for t in song.tracks] == [
        ("Track 1", 0, 1, 1), ("Strings", 48, 0, 0)]


def test_lead_sheet_chords_track_gives_song_chords_and_still_a_track():
    melody = track((0, meta("track_name", name="melody")), (0, on(72)), (1920, off(72)))
    chords = track(
        (0, meta("track_name", name="Chords")),
        (0, meta("text", text="C:maj7")), (0, on(48)), (0, on(52)), (960, off(48)), (960, off(52)),
        (960, meta("marker", text="Am7")), (960, on(45)), (1440, off(45)),
        (1440, meta("text", text="Verse 1")),  # not a chord: skipped
        (1440, meta("lyrics", text="N")), (1920, meta("text", text="G:7")), (1920, on(43)), (2400, off(43)),
    )
    song = read_midi_bytes(smf(melody, chords))
    assert [(c.start, c.duration, c.label) for c in song.chords] == [
        (0, 960, "C:maj7"), (960, 480, "A:min7"), (1440, 480, "N"), (1920, 480, "G:7")]
    assert [t.name for t in song.tracks] == ["melody", "Chords"]
    assert song.tracks[1].note_count == 4


def test_chord_labels_without_notes_last_until_the_track_ends():
    chords = track((0, meta("track_name", name="chords")), (0, meta("text", text="D:min")),
                   (1920, meta("text", text="G:7")), (3840, meta("end_of_track")))
    song = read_midi_bytes(smf(track((0, on(60)), (480, off(60))), chords))
    assert [(c.start, c.duration, c.label) for c in song.chords] == [(0, 1920, "D:min"), (1920, 1920, "G:7")]
    assert len(song.tracks) == 1  # a chords track with only labels is not a part


def test_text_in_other_tracks_is_not_a_chord():
    data = smf(track((0, meta("track_name", name="lead")), (0, meta("text", text="C:maj")), (0, on(60)),
                     (480, off(60))))
    assert read_midi_bytes(data).chords == ()


def test_smpte_division_is_read_at_120_bpm():
    data = bytearray(smf(track((0, meta("set_tempo", tempo=1_000_000)), (1000, on(60)), (1500, off(60)))))
    data[12:14] = bytes([0xE7, 40])  # 25 frames per second, 40 ticks per frame: 1000 ticks per second
    song = read_midi_bytes(bytes(data))
    assert song.tempos == (TempoChange(0, 500_000),)
    assert notes_of(song) == [(60, 960, 480, 100)]


def test_running_status_across_a_meta_event_and_clipped_data_bytes():
    body = bytes([0x00, 0x90, 60, 100,  # note on
                  0x00, 0xFF, 0x01, 0x01, 0x41,  # text meta; running status survives it
                  0x83, 0x60, 60, 0,  # running status note on velocity 0 at 480
                  0x00, 0xFF, 0x2F, 0x00])
    data = b"MThd" + (6).to_bytes(4, "big") + bytes([0, 0, 0, 1, 0x01, 0xE0])
    data += b"MTrk" + len(body).to_bytes(4, "big") + body
    assert notes_of(read_midi_bytes(data)) == [(60, 0, 480, 100)]


def test_unknown_chunks_are_skipped_and_rmid_wrapper_is_opened():
    plain = smf(track((0, on(60)), (480, off(60))))
    with_alien = plain[:14] + b"XFIH" + (3).to_bytes(4, "big") + b"abc" + plain[14:]
    assert notes_of(read_midi_bytes(with_alien)) == [(60, 0, 480, 100)]
    riff = b"RIFF" + (len(plain) + 12).to_bytes(4, "little") + b"RMIDdata" + len(plain).to_bytes(4, "little")
    assert notes_of(read_midi_bytes(riff + plain)) == [(60, 0, 480, 100)]


def test_type2_is_read_like_type1():
    data = smf(track((0, on(60)), (480, off(60))), track((0, on(64)), (240, off(64))), kind=2)
    assert [t.note_count for t in read_midi_bytes(data).tracks] == [1, 1]


def test_non_ascii_track_names_utf8_or_latin1():
    def named(raw: bytes) -> bytes:
        return smf(track((0, mido.UnknownMetaMessage(0x03, raw)), (0, on(60)), (480, off(60))))

    assert read_midi_bytes(named("钢琴".encode())).tracks[0].name == "钢琴"
    assert read_midi_bytes(named(b"Pi\xe9no")).tracks[0].name == "Piéno"


def test_read_midi_from_a_path(tmp_path):
    path = tmp_path / "tune.mid"
    path.write_bytes(smf(track((0, on(60)), (480, off(60)))))
    assert read_midi(path).note_count == 1
    assert read_midi(str(path)).note_count == 1


def test_a_chords_conductor_track_is_not_the_title():
    chords = track((0, meta("track_name", name="chords")), (0, meta("text", text="C")))
    song = read_midi_bytes(smf(chords, track((0, on(60)), (480, off(60)))))
    assert song.title == ""
    assert [c.label for c in song.chords] == ["C:maj"]


EIGHTH = 240
BAR_68 = 6 * EIGHTH


def pickup_tune_bytes(closing: tuple[int, int] | None = (5, 8), bars: int = 4, bass_after: bool = False,
                      pickup: bool = True) -> bytes:
    """A 6/8 tune as a notation program writes it: a bar of 1/8 for the pickup (``pickup``), ``bars`` bars of
    6/8, then the bar that completes the pickup as a meter of its own (``closing``; None: none), eighth notes
    throughout; ``bass_after``: a second part holds a note through the bar after the tune."""
    start = EIGHTH if pickup else 0
    end = start + bars * BAR_68
    conductor = [(0, meta("time_signature", numerator=1, denominator=8))] if pickup else []
    conductor.append((start, meta("time_signature", numerator=6, denominator=8)))
    if closing is not None:
        conductor.append((end, meta("time_signature", numerator=closing[0], denominator=closing[1])))
        end += closing[0] * EIGHTH
    tune = []
    for i in range(end // EIGHTH):
        pitch = 72 + [0, 2, 4, 5, 7, 4][i % 6]
        tune += [(i * EIGHTH, on(pitch)), ((i + 1) * EIGHTH, off(pitch))]
    parts = [track(*conductor), track(*tune)]
    if bass_after:
        parts.append(track((end, on(48, channel=1)), (end + BAR_68, off(48, channel=1))))
    return smf(*parts)


def test_after_a_closing_bar_the_tunes_meter_comes_back():
    """The bars after a tune that ends on a 5/8 bar completing its 1/8 pickup are 6/8 again (the bars a musician
    or the assistant adds there); every note keeps its bar and position."""
    song = read_midi_bytes(pickup_tune_bytes())
    end = EIGHTH + 4 * BAR_68 + 5 * EIGHTH
    assert song.meters == (TimeSignature(0, 1, 8), TimeSignature(EIGHTH, 6, 8), TimeSignature(end - 5 * EIGHTH, 5, 8),
                           TimeSignature(end, 6, 8))
    mm = song.meter_map
    assert mm.bar_of(end - 1) == 5 and mm.bar_start(6) == end and mm.bar_start(10) == end + 4 * BAR_68
    clip = song.tracks[0].clips[0]
    assert clip.end == end and len(clip.notes) == end // EIGHTH


@pytest.mark.parametrize("closing, bass_after, pickup", [((9, 8), False, True), (None, False, True),
                                                         ((5, 8), True, True), ((4, 8), False, True),
                                                         ((5, 8), False, False)])
def test_any_other_last_meter_stays_as_written(closing, bass_after, pickup):
    """Longer, absent, played on by another part, not adding up with the pickup, or a tune with no pickup bar
    (a musician's own short last bar, which a round trip keeps)."""
    data = pickup_tune_bytes(closing=closing, bass_after=bass_after, pickup=pickup)
    written = [(m.numerator, m.denominator) for m in mido.MidiFile(file=BytesIO(data)).tracks[0]
               if m.type == "time_signature"]
    assert [(m.numerator, m.denominator) for m in read_midi_bytes(data).meters] == written


def cc(control: int, value: int, channel: int = 0) -> mido.Message:
    return mido.Message("control_change", control=control, value=value, channel=channel)


def test_the_sustain_pedal_and_expression_are_read_into_the_clip():
    """A DAW's piano part: its pedal and expression come with its notes (tick-scaled like them); the volume stays
    the track's, setup controllers (reverb send) are not kept, nor a pedal on a channel that plays nothing."""
    data = smf(track(
        (0, cc(7, 90)), (0, cc(91, 40)), (0, cc(11, 100)), (0, on(60)), (0, cc(64, 127, channel=1)),
        (96, cc(64, 127)), (192, off(60)), (384, cc(64, 0)), (384, on(64)), (480, off(64)),
        (768, cc(64, 0))), tpq=96)  # the pedal let up on the barline after the last note
    song = read_midi_bytes(data)
    (piano,) = song.tracks
    clip = piano.clips[0]
    assert piano.volume == 90
    assert [(c.start, c.number, c.value) for c in clip.controls] == [
        (0, 11, 100), (480, 64, 127), (1920, 64, 0), (3840, 64, 0)]
    assert clip.length == 3840  # the release on the barline closes the bar, it opens no new one


def test_a_pedal_let_up_after_the_last_bar_makes_the_clip_reach_it():
    data = smf(track((0, cc(64, 127)), (0, on(60)), (480, off(60)), (2400, cc(64, 0))))
    clip = read_midi_bytes(data).tracks[0].clips[0]
    assert clip.length == 3840 and clip.controls[-1].start == 2400
