"""Note operations behind the editor's commands: each returns the new song, its undo text and new selection."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, replace

from composer_app.core import edits
from composer_app.core.song import Note, Song


@dataclass(frozen=True)
class Result:
    """An edit ready for ``document.apply(text, song)``, and the note ids to select afterwards."""

    song: Song
    text: str
    selection: tuple[str, ...]


def count(n: int) -> str:
    return "1 note" if n == 1 else f"{n} notes"


def delete(song: Song, clip_id: str, ids: Iterable[str]) -> Result | None:
    ids = list(ids)
    if not ids:
        return None
    return Result(edits.delete_notes(song, clip_id, ids), f"Delete {count(len(ids))}", ())


def move(song: Song, clip_id: str, ids: Iterable[str], dt: int, dpitch: int) -> Result | None:
    ids = list(ids)
    if not ids or (dt == 0 and dpitch == 0):
        return None
    verb = "Transpose" if dt == 0 else "Move"
    new = edits.move_notes(song, clip_id, ids, dt, dpitch)
    return Result(new, f"{verb} {count(len(ids))}", tuple(ids))


def resize(song: Song, clip_id: str, ids: Iterable[str], d_start: int, d_end: int, min_duration: int = 1
           ) -> Result | None:
    ids = list(ids)
    if not ids or (d_start == 0 and d_end == 0):
        return None
    new = edits.resize_notes(song, clip_id, ids, d_start, d_end, min_duration)
    return Result(new, f"Resize {count(len(ids))}", tuple(ids))


def resized(note: Note, d_start: int, d_end: int, min_duration: int = 1) -> Note:
    """The note as ``edits.resize_notes`` would leave it (for previews)."""
    start = max(0, min(note.start + d_start, note.end - min_duration))
    end = max(note.end + d_end, start + min_duration)
    return replace(note, start=start, duration=end - start)


def add(song: Song, clip_id: str, notes: Sequence[Note], verb: str) -> Result | None:
    if not notes:
        return None
    text = "Draw note" if verb == "Draw" and len(notes) == 1 else f"{verb} {count(len(notes))}"
    return Result(edits.add_notes(song, clip_id, notes), text, tuple(n.id for n in notes))


def paste(song: Song, clip_id: str, clipboard: Sequence[Note], at_tick: int) -> Result | None:
    """Paste notes (starts relative to the first) at song tick ``at_tick`` (clamped to the clip)."""
    if not clipboard:
        return None
    clip = song.clip(clip_id)
    first = min(n.start for n in clipboard)
    offset = max(0, at_tick - clip.start) - first
    return add(song, clip_id, edits.copy_notes(clipboard, offset), "Paste")


def duplicate(song: Song, clip_id: str, ids: Iterable[str], step: int) -> Result | None:
    """Copies right after the selection, the offset rounded up to whole ``step``s."""
    chosen = [n for n in song.clip(clip_id).notes if n.id in set(ids)]
    if not chosen:
        return None
    span = max(n.end for n in chosen) - min(n.start for n in chosen)
    offset = -(-span // step) * step if step > 1 else span
    return add(song, clip_id, edits.copy_notes(chosen, offset), "Duplicate")


def velocities(song: Song, clip_id: str, values: dict[str, int]) -> Result | None:
    clip = song.clip(clip_id)
    current = {n.id: n.velocity for n in clip.notes if n.id in values}
    changed = {i: max(1, min(127, int(v))) for i, v in values.items() if current.get(i) != max(1, min(127, int(v)))}
    if not changed:
        return None
    return Result(edits.set_velocity(song, clip_id, changed), f"Set velocity of {count(len(changed))}",
                  tuple(values))


def quantize(song: Song, clip_id: str, ids: Iterable[str], grid: int, strength: float, starts: bool,
             ends: bool) -> Result | None:
    ids = list(ids)
    if not ids or not (starts or ends):
        return None
    new = edits.quantize_notes(song, clip_id, ids, grid, strength, starts, ends)
    return Result(new, f"Quantize {count(len(ids))}", tuple(ids))


def legato(song: Song, clip_id: str, ids: Iterable[str]) -> Result | None:
    ids = list(ids)
    if len(ids) < 2:
        return None
    return Result(edits.legato(song, clip_id, ids), f"Legato {count(len(ids))}", tuple(ids))
