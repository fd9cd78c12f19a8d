"""Putting one song into another: an imported MIDI file's tracks added at a tick, as one pure edit."""

from __future__ import annotations

from dataclasses import replace

from composer_app.core.excerpt import from_first_bar
from composer_app.core.ids import new_id
from composer_app.core.song import DRUM_CHANNEL, ChordSymbol, Clip, Song, Track


def _fresh_clip(clip: Clip, shift: int) -> Clip:
    notes = tuple(replace(n, id=new_id()) for n in clip.notes)
    return replace(clip, start=clip.start + shift, notes=notes, id=new_id())


def _channel(track: Track, used: set[int]) -> int:
    """The track's own channel when free (drums keep 10), else the first free melodic one."""
    if track.is_drum or track.channel == DRUM_CHANNEL or track.channel not in used:
        return track.channel
    return next((c for c in range(16) if c != DRUM_CHANNEL and c not in used), track.channel)


def insert_song(song: Song, other: Song, at: int) -> Song:
    """``other``'s tracks (with notes) added after ``song``'s, its first bar placed at tick ``at``.

    Everything gets fresh ids; channels already in use move to free ones; ``other``'s chord symbols come
    along (replacing those they overlap). The tempo, meter and key of ``song`` stay as they are.
    """
    other = from_first_bar(other)
    used = {t.channel for t in song.tracks}
    added = []
    for t in other.tracks:
        if not t.note_count:
            continue
        channel = _channel(t, used)
        used.add(channel)
        added.append(replace(t, id=new_id(), channel=channel, solo=False,
                             clips=tuple(_fresh_clip(c, at) for c in t.clips if c.notes)))
    chords = [ChordSymbol(c.start + at, c.duration, c.label) for c in other.chords]
    kept = tuple(c for c in song.chords if not any(c.start < n.end and n.start < c.end for n in chords))
    return replace(song, tracks=song.tracks + tuple(added), chords=kept + tuple(chords))
