"""A stretch of a song moved to tick 0: notes, clips, chords, and the tempo/meter/key in force at its start."""

from composer_app.core.excerpt import excerpt, first_bar_start, from_first_bar
from composer_app.core.pitch import KeySignature
from composer_app.core.song import ChordSymbol, Clip, Note, Song, Track
from composer_app.core.timing import TempoChange, TimeSignature

BAR = 1920


def song() -> Song:
    lead = Track("lead", clips=(Clip(2 * BAR, 2 * BAR, (Note(60, 240, 240), Note(62, BAR, 480))),
                                Clip(6 * BAR, BAR, (Note(64, 0, 480),))))
    bass = Track("bass", channel=1, clips=(Clip(3 * BAR, BAR, (Note(36, 0, BAR),)),))
    return Song(tracks=(lead, bass), tempos=(TempoChange.from_bpm(0, 100), TempoChange.from_bpm(3 * BAR, 140)),
                meters=(TimeSignature(0, 4, 4), TimeSignature(5 * BAR, 3, 4)),
                keys=(KeySignature(0, 2), KeySignature(6 * BAR, 7)),
                chords=(ChordSymbol(BAR, 2 * BAR, "D:maj"), ChordSymbol(3 * BAR, BAR, "A:7")))


def test_first_bar_start_is_the_bar_of_the_first_note_or_chord():
    assert first_bar_start(song()) == BAR  # the D chord starts in bar 2
    assert first_bar_start(Song(tracks=(Track(clips=(Clip(0, 4 * BAR, (Note(60, 2 * BAR + 5, 10),)),)),))) == 2 * BAR
    assert first_bar_start(Song()) == 0


def test_from_first_bar_drops_the_leading_silence_and_keeps_timing():
    s = from_first_bar(song())
    lead = s.tracks[0].notes_absolute()
    assert [(n.pitch, n.start) for n in lead] == [(60, BAR + 240), (62, 2 * BAR), (64, 5 * BAR)]
    assert [(t.tick, round(t.bpm)) for t in s.tempos] == [(0, 100), (2 * BAR, 140)]
    assert [(m.tick, m.numerator) for m in s.meters] == [(0, 4), (4 * BAR, 3)]
    assert [(k.tick, k.tonic) for k in s.keys] == [(0, 2), (5 * BAR, 7)]
    assert [(c.start, c.label) for c in s.chords] == [(0, "D:maj"), (2 * BAR, "A:7")]
    assert from_first_bar(s) is s


def test_excerpt_of_some_tracks_between_two_bars():
    src = song()
    s = excerpt(src, 3 * BAR, 4 * BAR, track_ids=[src.tracks[1].id])
    assert [t.name for t in s.tracks] == ["bass"]
    assert [(n.pitch, n.start, n.duration) for n in s.tracks[0].notes_absolute()] == [(36, 0, BAR)]
    assert [(t.tick, round(t.bpm)) for t in s.tempos] == [(0, 140)]
    assert [(c.start, c.duration, c.label) for c in s.chords] == [(0, BAR, "A:7")]
    cut = excerpt(src, 3 * BAR, 4 * BAR)  # the lead clip from bar 3 is cut at the excerpt's start
    lead = cut.tracks[0]
    assert [(c.start, c.length) for c in lead.clips] == [(0, BAR)]
    assert [(n.pitch, n.start) for n in lead.notes_absolute()] == [(62, 0)]
