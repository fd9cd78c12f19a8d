"""Cards as drag sources (notes for the arrangement and the roll, a .mid file for a DAW) and the drops the
assistant takes itself: a harmonization onto the arrangement, any card into the open piano roll."""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import replace

from PySide6.QtCore import QEvent, QMimeData, QObject, QPointF
from PySide6.QtGui import QDropEvent

from composer_app.core import edits
from composer_app.core.excerpt import excerpt
from composer_app.core.song import Clip, Note, NoteTuple, Song, Track
from composer_app.model import song_adapter as adapter
from composer_app.ui.arrangement.drops import NOTES_MIME, encode_notes
from composer_app.ui.assistant.session import Suggestion
from composer_app.ui.midi_drag import midi_drag_data

CANDIDATE_MIME = "application/x-composer-candidate"


def bar_origin(song: Song, tick: int) -> int:
    mm = song.meter_map
    return mm.bar_start(mm.bar_of(tick))


def export_song(song: Song, track_id: str, suggestion: Suggestion) -> Song:
    """The candidate alone as a song that starts at its own first bar (a harmonization with its chords)."""
    track = song.track(track_id)
    origin = bar_origin(song, suggestion.start_tick)
    name = f"harmonization {suggestion.index + 1}" if suggestion.is_harmony else f"suggestion {suggestion.index + 1}"
    if not suggestion.is_harmony:
        return adapter.candidate_song(song, track, suggestion.notes, suggestion.start_tick, suggestion.end_tick, name)
    sheet = adapter.lead_sheet(song, replace(track, clips=()), suggestion.chords, suggestion.notes)
    return excerpt(replace(sheet, title=name), origin)


def card_mime(song: Song, track_id: str, suggestion: Suggestion, key: str) -> QMimeData:
    """Everything a card's drag carries: notes (relative to the candidate's first bar), the candidate's key
    for the assistant's own drops, and the .mid file."""
    exported = export_song(song, track_id, suggestion)
    data = midi_drag_data(exported, exported.title or "suggestion")
    origin = bar_origin(song, suggestion.start_tick)
    notes = [Note(p, s - origin, max(1, d), min(max(v, 1), 127)) for p, s, d, v in suggestion.notes]
    name = "accompaniment" if suggestion.is_harmony else "suggestion"
    notes_data = encode_notes(notes, name)
    data.setData(NOTES_MIME, notes_data.data(NOTES_MIME))
    data.setText(name)
    data.setData(CANDIDATE_MIME, json.dumps({"key": key}).encode())
    return data


def candidate_key(mime: QMimeData) -> str | None:
    if not mime.hasFormat(CANDIDATE_MIME):
        return None
    try:
        return str(json.loads(bytes(mime.data(CANDIDATE_MIME).data()).decode())["key"])
    except (ValueError, KeyError, TypeError):
        return None


def shifted(notes: tuple[NoteTuple, ...], dt: int) -> tuple[NoteTuple, ...]:
    return tuple((p, s + dt, d, v) for p, s, d, v in notes)


def harmonization_at(song: Song, track_id: str | None, bar: int, suggestion: Suggestion) -> tuple[Song, str]:
    """A harmonization dropped at ``bar``: its accompaniment as a clip on ``track_id`` (None: a new track) and its
    chord symbols moved along into the chord track. One pure edit; returns the song and the new clip's id."""
    origin = bar_origin(song, suggestion.start_tick)
    dt = song.meter_map.bar_start(max(0, bar)) - origin
    if track_id is None:
        track = Track(name="accompaniment", channel=_free_channel(song))
        song = edits.add_track(song, track)
        track_id = track.id
    start = origin + dt
    notes = tuple(Note(p, s + dt - start, max(1, d), min(max(v, 1), 127)) for p, s, d, v in suggestion.notes)
    end = max((n.end for n in notes), default=1)
    clip = Clip(start, max(1, end), notes, name="harmonization")
    song = edits.add_clip(song, track_id, clip)
    for s, d, label in suggestion.chords:
        if label != "N":
            song = edits.set_chord(song, s + dt, d, label)
    return song, clip.id


def into_clip(song: Song, clip_id: str, tick: int, suggestion: Suggestion) -> Song:
    """The candidate's notes added to clip ``clip_id`` from the bar holding ``tick`` (chords along for a
    harmonization). One pure edit."""
    clip = song.clip(clip_id)
    dt = bar_origin(song, tick) - bar_origin(song, suggestion.start_tick)
    notes = [Note(p, s + dt - clip.start, max(1, d), min(max(v, 1), 127)) for p, s, d, v in suggestion.notes
             if s + dt >= clip.start]
    song = edits.add_notes(song, clip_id, notes)
    for s, d, label in suggestion.chords:
        if label != "N":
            song = edits.set_chord(song, s + dt, d, label)
    return song


def _free_channel(song: Song) -> int:
    used = {t.channel for t in song.tracks}
    return next((c for c in range(16) if c != 9 and c not in used), 0)


class DropFilter(QObject):
    """An event filter on a view's viewport that takes the assistant's card drops itself.

    ``handle(key, position) -> bool`` does the drop (True when taken). ``wanted(key)`` says which cards it
    takes; with ``claim_moves`` False the view still sees drag enter/move (and draws its own preview)."""

    def __init__(self, handle: Callable[[str, QPointF], bool], wanted: Callable[[str], bool] | None = None,
                 claim_moves: bool = True, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._handle = handle
        self._wanted = wanted or (lambda _key: True)
        self._claim_moves = claim_moves

    def eventFilter(self, _watched: QObject, event: QEvent) -> bool:  # noqa: N802 (Qt override)
        kind = event.type()
        if kind not in (QEvent.Type.DragEnter, QEvent.Type.DragMove, QEvent.Type.Drop):
            return False
        key = candidate_key(event.mimeData())
        if key is None or not self._wanted(key):
            return False
        if kind != QEvent.Type.Drop:
            if not self._claim_moves:
                return False
            event.acceptProposedAction()
            return True
        assert isinstance(event, QDropEvent)
        if self._handle(key, event.position()):
            event.acceptProposedAction()
            return True
        return False
