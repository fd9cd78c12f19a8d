import pytest

from composer_app.core import edits
from composer_app.core.song import ChordSymbol, Clip, Note, Song, Track


def make_song():
    notes = (Note(60, 0, 480, 90), Note(64, 480, 480, 80), Note(67, 960, 240, 70), Note(72, 1200, 700))
    clip = Clip(1920, 1920, notes, name="motif")
    return Song(tracks=(Track("Piano", clips=(clip,)),)), clip


def test_song_is_a_value_and_edits_return_new_songs():
    song, clip = make_song()
    ids = [n.id for n in clip.notes[:2]]
    moved = edits.move_notes(song, clip.id, ids, dt=120, dpitch=2)
    assert song.clip(clip.id) == clip  # unchanged
    new = moved.clip(clip.id)
    assert sorted((n.pitch, n.start) for n in new.notes if n.id in ids) == [(62, 120), (66, 600)]
    with pytest.raises(AttributeError):
        song.title = "x"


def test_move_keeps_group_shape_at_the_edges():
    song, clip = make_song()
    ids = [n.id for n in clip.notes]
    s = edits.move_notes(song, clip.id, ids, dt=-10_000, dpitch=100)
    notes = s.clip(clip.id).notes
    assert min(n.start for n in notes) == 0
    assert max(n.pitch for n in notes) == 127
    assert [n.pitch for n in notes] == [115, 119, 122, 127]


def test_add_delete_resize_velocity():
    song, clip = make_song()
    s = edits.add_notes(song, clip.id, [Note(50, 1800, 480)])
    assert s.clip(clip.id).length == 2280  # clip grows to hold the note
    s = edits.delete_notes(s, clip.id, [clip.notes[0].id])
    assert len(s.clip(clip.id).notes) == 4
    n = clip.notes[1]
    s = edits.resize_notes(s, clip.id, [n.id], d_start=-100, d_end=-1000)
    r = s.clip(clip.id).note(n.id)
    assert (r.start, r.duration) == (380, 1)
    s = edits.set_velocity(s, clip.id, {n.id: 500})
    assert s.clip(clip.id).note(n.id).velocity == 127


def test_quantize_and_legato():
    notes = (Note(60, 10, 100), Note(62, 250, 100), Note(64, 470, 20))
    clip = Clip(0, 1920, notes)
    song = Song(tracks=(Track(clips=(clip,)),))
    ids = [n.id for n in notes]
    q = edits.quantize_notes(song, clip.id, ids, grid=240)
    assert [n.start for n in q.clip(clip.id).notes] == [0, 240, 480]
    half = edits.quantize_notes(song, clip.id, ids, grid=240, strength=0.5)
    assert [n.start for n in half.clip(clip.id).notes] == [5, 245, 475]
    ends = edits.quantize_notes(song, clip.id, ids, grid=240, starts=True, ends=True)
    assert [(n.start, n.end) for n in ends.clip(clip.id).notes] == [(0, 240), (240, 480), (480, 720)]
    lg = edits.legato(song, clip.id, ids)
    assert [n.end for n in lg.clip(clip.id).notes] == [250, 470, 490]


def test_split_join_duplicate_move_clips():
    song, clip = make_song()
    s = edits.split_clip(song, clip.id, 1920 + 1000)
    t = s.tracks[0]
    assert [(c.start, c.length, len(c.notes)) for c in t.clips] == [(1920, 1000, 3), (2920, 920, 1)]
    assert t.clips[0].notes[-1].end == 1000  # note crossing the cut is shortened
    j = edits.join_clips(s, [c.id for c in t.clips])
    jc = j.tracks[0].clips[0]
    assert (jc.start, jc.length, len(jc.notes)) == (1920, 1920, 4)
    d, new_ids = edits.duplicate_clips(song, [clip.id])
    assert d.clip(new_ids[0]).start == 3840
    assert {n.id for n in d.clip(new_ids[0]).notes}.isdisjoint({n.id for n in clip.notes})
    s2 = edits.add_track(song, Track("Bass", program=33))
    s2 = edits.move_clip(s2, clip.id, 0, s2.tracks[1].id)
    assert s2.tracks[0].clips == () and s2.tracks[1].clips[0].start == 0
    with pytest.raises(ValueError):
        edits.split_clip(song, clip.id, 10)


def test_resize_clip_keeps_notes_in_place():
    song, clip = make_song()
    s = edits.resize_clip(song, clip.id, start=1920 + 480, length=960)
    c = s.clip(clip.id)
    assert [(n.pitch, c.start + n.start) for n in c.notes] == [(64, 2400), (67, 2880), (72, 3120)]
    assert c.notes[-1].duration == 240  # cut at the new clip end


def test_tracks_tempo_meter_key_chords():
    song, _ = make_song()
    s = edits.add_track(song)
    assert s.tracks[1].channel not in (s.tracks[0].channel, 9)
    s = edits.update_track(s, s.tracks[1].id, name="Lead", mute=True)
    assert s.tracks[1].name == "Lead" and s.tracks[1].mute
    s = edits.move_track(s, s.tracks[1].id, 0)
    assert s.tracks[0].name == "Lead"
    s = edits.delete_track(s, s.tracks[0].id)
    assert len(s.tracks) == 1
    s = edits.set_tempo(s, 1920, 90)
    assert round(s.tempo_map.tempo_at(2000).bpm) == 90
    s = edits.set_meter(s, 1920, 3, 4)
    assert s.meter_map.bar_start(2) == 1920 + 1440
    s = edits.set_key(s, 0, 9, "minor")
    assert s.key_at(100).name == "A minor"
    s = edits.set_chord(s, 0, 1920, "Am")
    s = edits.set_chord(s, 960, 480, "G7")
    assert [(c.start, c.end, c.label) for c in s.chords] == [(0, 960, "A:min"), (960, 1440, "G:7"),
                                                            (1440, 1920, "A:min")]
    s = edits.delete_chords(s, [s.chords[1].id])
    assert len(s.chords) == 2


def test_chord_ticks_are_whole_numbers():
    chord = ChordSymbol(1920.0, 960.0, "C:maj")
    assert (chord.start, chord.duration) == (1920, 960) and type(chord.start) is int and type(chord.duration) is int
    with pytest.raises(ValueError, match="not a whole number"):
        ChordSymbol(0.5, 960, "C:maj")


def test_a_typed_chord_keeps_its_spelling():
    s = edits.set_chord(Song(), 0, 1920, "Ebm7")
    s = edits.set_chord(s, 1920, 1920, "B\u266d7/D")  # Bb7 over D, with the Unicode flat
    s = edits.set_chord(s, 3840, 1920, "F#:hdim7")
    s = edits.set_chord(s, 5760, 1920, "Cb")
    assert [c.label for c in s.chords] == ["Eb:min7", "Bb:7/3", "F#:hdim7", "Cb:maj"]
    with pytest.raises(ValueError):
        edits.set_chord(s, 0, 1920, "Hxyz")


def test_song_facts():
    song, _ = make_song()
    assert song.end_tick == 3840
    assert song.length_bars == 2.0
    assert song.length_seconds == 4.0
    assert song.note_count == 4
    notes = song.tracks[0].notes_absolute()
    assert notes[0].start == 1920


def test_invalid_values_rejected():
    for bad in (lambda: Note(128, 0, 1), lambda: Note(60, -1, 1), lambda: Note(60, 0, 0),
                lambda: Note(60, 0, 1, 0), lambda: Clip(0, 0), lambda: Track(channel=16)):
        with pytest.raises(ValueError):
            bad()


def test_duplicate_never_lands_on_the_next_clip():
    """The copy goes to the first free bars after the selection, never on top of the clip that follows it."""
    a = Clip(0, 1920, (Note(60, 0, 480),))
    b = Clip(1920, 1920, (Note(62, 0, 480),))
    c = Clip(4800, 500, (Note(64, 0, 480),))  # ends mid-bar (bar 3 is 3840..5760)
    song = Song(tracks=(Track("Lead", clips=(a, b, c)),))
    d, (copy,) = edits.duplicate_clips(song, [a.id])
    assert d.clip(copy).start == 3 * 1920  # bar 2 is taken, bar 3 holds c: bar 4 is the first free bar
    assert [(x.start, x.end) for x in d.tracks[0].clips] == [(0, 1920), (1920, 3840), (4800, 5300), (5760, 7680)]
    d2, (copy2,) = edits.duplicate_clips(song, [b.id])
    assert d2.clip(copy2).start == 3 * 1920
    loose = Song(tracks=(Track("Lead", clips=(Clip(100, 1000), Clip(1100, 300))),))
    d3, (copy3,) = edits.duplicate_clips(loose, [loose.tracks[0].clips[0].id])
    assert d3.clip(copy3).start == 1400  # off the bar grid already: straight after the clip in the way


def test_shift_music_moves_notes_pedal_and_chords_against_the_bar_lines():
    from composer_app.core.song import Control

    pedal = (Control(0, 64, 127), Control(700, 64, 0))
    at_zero = Clip(0, 1920, (Note(60, 100, 480), Note(62, 600, 480)), controls=pedal)
    later = Clip(3840, 1920, (Note(64, 0, 480),))
    song = Song(tracks=(Track("t", clips=(at_zero, later)),), chords=(ChordSymbol(100, 1820, "C:maj"),))
    back = edits.shift_music(song, -100)
    first, second = back.tracks[0].clips
    assert (first.start, [n.start for n in first.notes]) == (0, [0, 500])  # the clip at 0 stays, its notes move
    assert first.controls == (Control(0, 64, 127), Control(600, 64, 0))  # the pedal still down from the start
    assert (second.start, second.notes[0].start) == (3740, 0)  # a later clip moves whole
    assert back.chords[0].start == 0 and back.tempos == song.tempos and back.meters == song.meters
    assert edits.shift_music(song, 0) is song
    with pytest.raises(ValueError, match="before the song"):
        edits.shift_music(song, -101)


def test_retime_moves_everything_through_the_new_time_line():
    from composer_app.core.pitch import KeySignature
    from composer_app.core.song import Control
    from composer_app.core.timing import TempoChange, TimeSignature

    clip = Clip(960, 1920, (Note(60, 0, 480), Note(62, 960, 960)), controls=(Control(0, 64, 127), Control(900, 64, 0)))
    song = Song(tracks=(Track("t", clips=(clip,)),), chords=(ChordSymbol(960, 960, "C:maj"),),
                keys=(KeySignature(0), KeySignature(1920, 7)))
    tempos, meters = (TempoChange(0, 600_000), TempoChange(480, 400_000)), (TimeSignature(0, 3, 4),)
    new = edits.retime(song, lambda t: t // 2, tempos, meters)  # twice as fast in ticks
    moved = new.tracks[0].clips[0]
    assert (moved.start, moved.length) == (480, 960)
    assert [(n.start, n.duration) for n in moved.notes] == [(0, 240), (480, 480)]
    assert [(c.start, c.value) for c in moved.controls] == [(0, 127), (450, 0)]
    assert (new.chords[0].start, new.chords[0].duration) == (480, 480)
    assert [k.tick for k in new.keys] == [0, 960] and new.tempos == tempos and new.meters == meters
