"""What can be dropped on the arrangement: notes as JSON (suggestions) and MIDI files."""

from __future__ import annotations

import json
from dataclasses import replace
from pathlib import Path

from PySide6.QtCore import QMimeData

from composer_app.core.errors import SongFileError
from composer_app.core.song import Note
from composer_app.fileio import MIDI_SUFFIXES, open_song

NOTES_MIME = "application/x-composer-notes"
DEFAULT_DROP_NAME = "Suggestion"


def encode_notes(notes: list[Note], name: str = "") -> QMimeData:
    """The MIME data a drag source puts up: {"name": ..., "notes": [[pitch, start, duration, velocity], ...]}."""
    data = QMimeData()
    payload = {"name": name, "notes": [[n.pitch, n.start, n.duration, n.velocity] for n in notes]}
    data.setData(NOTES_MIME, json.dumps(payload).encode())
    if name:
        data.setText(name)
    return data


def decode_notes(mime: QMimeData) -> tuple[list[Note], str] | None:
    """Notes (starts relative to the first bar of the clip) and a name, or None when the data is unusable.

    Accepts either a JSON object ``{"name", "notes"}`` or a bare JSON list of notes (the name then
    comes from the text part of the drag, if any)."""
    if not mime.hasFormat(NOTES_MIME):
        return None
    try:
        payload = json.loads(bytes(mime.data(NOTES_MIME).data()).decode("utf-8"))
        if isinstance(payload, dict):
            rows, name = payload.get("notes", []), str(payload.get("name", "") or "")
        else:
            rows, name = payload, ""
        notes = [Note(int(r[0]), int(r[1]), int(r[2]), int(r[3]) if len(r) > 3 else 100) for r in rows]
    except (ValueError, TypeError, IndexError, KeyError, UnicodeDecodeError):
        return None
    if not notes:
        return None
    return notes, name or mime.text().strip()[:60] or DEFAULT_DROP_NAME


def midi_paths(mime: QMimeData) -> list[Path]:
    return [Path(u.toLocalFile()) for u in mime.urls()
            if u.isLocalFile() and Path(u.toLocalFile()).suffix.lower() in MIDI_SUFFIXES]


def midi_notes(path: str | Path) -> tuple[list[Note], str]:
    """Notes of the first track with notes in a MIDI file, leading empty bars trimmed.

    Raises SongFileError with a readable line when the file cannot be used."""
    song = open_song(path)
    for track in song.tracks:
        notes = track.notes_absolute()
        if notes:
            meters = song.meter_map
            origin = meters.bar_start(meters.bar_of(notes[0].start))
            moved = [replace(n, start=n.start - origin) for n in notes]
            return moved, track.name or Path(path).stem
    raise SongFileError(path, "has no notes")
