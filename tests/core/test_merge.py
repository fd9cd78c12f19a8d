"""Importing a song into another: new tracks at a tick, fresh ids, free channels, chords along."""

from composer_app.core.merge import insert_song
from composer_app.core.song import ChordSymbol, Clip, Note, Song, Track

BAR = 1920


def test_insert_song_adds_its_tracks_at_the_tick_from_its_first_bar():
    song = Song(tracks=(Track("Lead", channel=0, clips=(Clip(0, BAR, (Note(60, 0, 480),)),)),),
                chords=(ChordSymbol(4 * BAR, BAR, "C:maj"), ChordSymbol(0, BAR, "G:maj")))
    other = Song(tracks=(Track("Piano", channel=0, clips=(Clip(2 * BAR, BAR, (Note(64, 240, 480),)),)),
                         Track("Kit", channel=9, is_drum=True, clips=(Clip(2 * BAR, BAR, (Note(36, 0, 120),)),)),
                         Track("Empty", channel=3)),
                 chords=(ChordSymbol(2 * BAR, BAR, "A:min"),))
    merged = insert_song(song, other, 4 * BAR)
    assert [t.name for t in merged.tracks] == ["Lead", "Piano", "Kit"]
    piano, kit = merged.tracks[1], merged.tracks[2]
    assert piano.channel == 1 and kit.channel == 9  # channel 1 was free; drums stay on 10
    assert [(n.pitch, n.start) for n in piano.notes_absolute()] == [(64, 4 * BAR + 240)]
    assert [(c.start, c.label) for c in merged.chords] == [(0, "G:maj"), (4 * BAR, "A:min")]
    old_ids = {x.id for t in other.tracks for x in (t, *t.clips, *(n for c in t.clips for n in c.notes))}
    new_ids = {x.id for t in merged.tracks[1:] for x in (t, *t.clips, *(n for c in t.clips for n in c.notes))}
    assert old_ids.isdisjoint(new_ids)
    assert merged.tracks[0] is song.tracks[0]
