"""A stretch of a song moved to start at tick 0: what candidate files, exported selections and drags hold."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import replace

from composer_app.core.controls import window
from composer_app.core.song import ChordSymbol, Clip, Song, Track


def first_bar_start(song: Song) -> int:
    """Start tick of the bar holding the song's first note (or first chord); 0 for an empty song."""
    starts = [c.start + n.start for t in song.tracks for c in t.clips for n in c.notes]
    starts.extend(c.start for c in song.chords)
    if not starts:
        return 0
    mm = song.meter_map
    return mm.bar_start(mm.bar_of(min(starts)))


def _at(items, start: int, end: int | None):
    """The item in force at ``start`` moved to tick 0, then the later ones (before ``end``) shifted."""
    current = items[0]
    later = []
    for item in items:
        if item.tick <= start:
            current = item
        elif end is None or item.tick < end:
            later.append(replace(item, tick=item.tick - start))
    return (replace(current, tick=0), *later)


def _cut_clip(clip: Clip, start: int, end: int | None) -> Clip | None:
    lo = max(clip.start, start)
    hi = clip.end if end is None else min(clip.end, end)
    notes = tuple(replace(n, start=clip.start + n.start - lo) for n in clip.notes
                  if lo <= clip.start + n.start < hi)
    if hi <= lo and not notes:
        return None
    length = max([hi - lo, 1] + [n.end for n in notes])
    controls = window(clip.controls, lo - clip.start, hi - clip.start + 1)
    return replace(clip, start=lo - start, length=length, notes=notes, controls=controls)


def excerpt(song: Song, start: int, end: int | None = None, track_ids: Iterable[str] | None = None) -> Song:
    """The notes starting in ``[start, end)`` of the chosen tracks (all by default), moved so ``start`` is tick 0.

    ``start`` should be a bar line; the tempo, meter and key in force there hold from tick 0.
    """
    wanted = None if track_ids is None else set(track_ids)
    tracks: list[Track] = []
    for t in song.tracks:
        if wanted is not None and t.id not in wanted:
            continue
        clips = tuple(c for c in (_cut_clip(c, start, end) for c in t.clips
                                  if c.end > start and (end is None or c.start < end)) if c is not None)
        tracks.append(replace(t, clips=clips))
    chords = []
    for c in song.chords:
        lo, hi = max(c.start, start), c.end if end is None else min(c.end, end)
        if hi > lo:
            chords.append(ChordSymbol(lo - start, hi - lo, c.label))
    return replace(song, tracks=tuple(tracks), tempos=_at(song.tempos, start, end),
                   meters=_at(song.meters, start, end), keys=_at(song.keys, start, end), chords=tuple(chords))


def from_first_bar(song: Song) -> Song:
    """The song moved so its first bar with notes starts at tick 0 (no leading silence)."""
    start = first_bar_start(song)
    return song if start == 0 else excerpt(song, start)


def only_clips(song: Song, clip_ids: Iterable[str]) -> Song:
    """The song with just these clips, on their own tracks (the other tracks dropped): what a clip drag holds."""
    wanted = set(clip_ids)
    tracks = tuple(replace(t, clips=tuple(c for c in t.clips if c.id in wanted)) for t in song.tracks)
    return replace(song, tracks=tuple(t for t in tracks if t.clips))
