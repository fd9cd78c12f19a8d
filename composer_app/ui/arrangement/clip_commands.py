"""Clip edits asked for by the arrangement: each builds the new song and applies it as one undo step."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import replace

from composer_app.core import edits
from composer_app.core.ids import new_id
from composer_app.core.song import Clip, Note, Song, Track
from composer_app.ui.document import SongDocument


def _plural(n: int, word: str) -> str:
    return f"{n} {word}s" if n != 1 else word


def bar_span(song: Song, start: int, end: int) -> int:
    """Length from ``start`` to the first bar line at or after ``end`` (at least one bar)."""
    meters = song.meter_map
    bar = meters.bar_of(max(start, end - 1)) + 1
    return max(meters.bar_start(bar) - start, 1)


class ClipCommands:
    """The clip gestures of the arrangement, each one undo step on ``document``."""

    def __init__(self, document: SongDocument) -> None:
        self.document = document

    @property
    def song(self) -> Song:
        return self.document.song

    def create(self, track_id: str, start: int, length: int, name: str = "") -> str:
        clip = Clip(start, max(1, length), name=name)
        self.document.apply("Create clip", edits.add_clip(self.song, track_id, clip))
        return clip.id

    def move(self, clip_ids: Sequence[str], dt: int, dtrack: int, copy: bool = False) -> list[str]:
        """Shift clips by ``dt`` ticks and ``dtrack`` rows (clamped so every clip stays on a track)."""
        song = self.song
        index = {t.id: i for i, t in enumerate(song.tracks)}
        rows = [index[song.track_of_clip(c).id] for c in clip_ids]
        if not rows:
            return []
        dtrack = max(-min(rows), min(dtrack, len(song.tracks) - 1 - max(rows)))
        dt = max(dt, -min(song.clip(c).start for c in clip_ids))
        if dt == 0 and dtrack == 0 and not copy:
            return list(clip_ids)
        out = []
        for cid, row in zip(clip_ids, rows):
            target = song.tracks[row + dtrack].id
            clip = song.clip(cid)
            if copy:
                dup = Clip(clip.start + dt, clip.length, edits.copy_notes(clip.notes), clip.name, clip.color,
                           controls=clip.controls)
                song = edits.add_clip(song, target, dup)
                out.append(dup.id)
            else:
                song = edits.move_clip(song, cid, clip.start + dt, target)
                out.append(cid)
        verb = "Copy" if copy else "Move"
        self.document.apply(f"{verb} {_plural(len(out), 'clip')}", song)
        return out

    def resize(self, clip_id: str, start: int, length: int) -> None:
        clip = self.song.clip(clip_id)
        if (start, length) != (clip.start, clip.length) and length >= 1:
            self.document.apply("Resize clip", edits.resize_clip(self.song, clip_id, start, length))

    def split(self, clip_ids: Iterable[str], tick: int) -> list[str]:
        """Split each clip that the tick falls strictly inside; returns the ids of the new right halves."""
        song = self.song
        before = {c.id for t in song.tracks for c in t.clips}
        count = 0
        for cid in clip_ids:
            clip = song.clip(cid)
            if clip.start < tick < clip.end:
                song = edits.split_clip(song, cid, tick)
                count += 1
        if not count:
            return []
        self.document.apply(f"Split {_plural(count, 'clip')}", song)
        return [c.id for t in song.tracks for c in t.clips if c.id not in before]

    def duplicate(self, clip_ids: Sequence[str]) -> list[str]:
        if not clip_ids:
            return []
        song, new_ids = edits.duplicate_clips(self.song, clip_ids)
        self.document.apply(f"Duplicate {_plural(len(new_ids), 'clip')}", song)
        return new_ids

    def delete(self, clip_ids: Sequence[str]) -> None:
        if clip_ids:
            self.document.apply(f"Delete {_plural(len(clip_ids), 'clip')}", edits.delete_clips(self.song, clip_ids))

    def rename(self, clip_id: str, name: str) -> None:
        if self.song.clip(clip_id).name != name:
            self.document.apply("Rename clip", edits.update_clip(self.song, clip_id, name=name))

    def set_color(self, clip_ids: Sequence[str], color: str, label: str = "") -> None:
        song = self.song
        for cid in clip_ids:
            song = edits.update_clip(song, cid, color=color)
        self.document.apply(f"Colour {label or 'clip'}".strip(), song)

    def drop_notes(self, track_id: str | None, bar: int, notes: Sequence[Note], name: str = "") -> str:
        """Put ``notes`` (starts relative to the clip) into a new clip at ``bar``; a track is added
        when ``track_id`` is None. One undo step."""
        song = self.song
        if track_id is None:
            track = Track(name=name or f"Track {len(song.tracks) + 1}", channel=free_channel(song))
            song = edits.add_track(song, track)
            track_id = track.id
        start = song.meter_map.bar_start(max(0, bar))
        fresh = tuple(replace(n, id=new_id()) for n in notes)
        end = max((n.end for n in fresh), default=1)
        clip = Clip(start, bar_span(song, start, start + end), fresh, name=name)
        self.document.apply(f"Drop {name or 'notes'}", edits.add_clip(song, track_id, clip))
        return clip.id


def free_channel(song: Song, exclude: str | None = None) -> int:
    """The lowest channel no other track uses, never the drum channel (0 when all are taken)."""
    used = {t.channel for t in song.tracks if t.id != exclude}
    return next((ch for ch in range(16) if ch != 9 and ch not in used), 0)
