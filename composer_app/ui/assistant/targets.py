"""What a request is about: the selected notes, else the open clip, else the song's melody track."""

from __future__ import annotations

from collections.abc import Iterable

from composer_app.core.song import Song
from composer_app.model import song_adapter as adapter
from composer_app.ui.assistant.session import Target


def target_of(song: Song, clip_id: str | None, selected: Iterable[str] = ()) -> Target:
    """The target for the piano roll's state (open clip and selected note ids). ValueError when the song
    has nothing to work on."""
    empty = None
    if clip_id is not None:
        try:
            track = song.track_of_clip(clip_id)
        except KeyError:
            pass
        else:
            clip = track.clip(clip_id)
            chosen = set(selected)
            picked = [n for n in clip.notes if n.id in chosen]
            notes = picked or list(clip.notes)
            if notes or not any(t.note_count for t in song.tracks if not t.is_drum):
                # an empty open clip is the target when the song has no notes to fall back on ("Suggest melody")
                return Target(track.id, clip_id, tuple((n.pitch, clip.start + n.start, n.duration, n.velocity)
                                                       for n in sorted(notes, key=lambda n: (n.start, n.pitch))),
                              bool(picked))
            empty = clip_id
    track = adapter.pick_track(song)
    return Target(track.id, None, adapter.track_notes(track), empty_clip=empty)


def into_empty_clip(song: Song, target: Target) -> Target:
    """The open clip itself when ``target`` passed over it for being empty: what "Suggest melody" writes into
    over the other parts (a new lead track over a MIDI file's piano), where a continuation needs notes."""
    if target.empty_clip is None:
        return target
    return Target(song.track_of_clip(target.empty_clip).id, target.empty_clip, ())
