"""File > Import MIDI (a file's tracks into the current song at the playhead) and Export Selection / Track as MIDI."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace
from pathlib import Path

from PySide6.QtCore import QObject
from PySide6.QtGui import QAction, QKeySequence
from PySide6.QtWidgets import QFileDialog, QMenu, QWidget

from composer_app.core.errors import SongFileError
from composer_app.core.excerpt import excerpt, from_first_bar, only_clips
from composer_app.core.merge import insert_song
from composer_app.core.song import Song
from composer_app.ui.document import SongDocument
from composer_app.ui.editor_area import EditorArea
from composer_app.ui.loader import OpenFunction, SongLoader
from composer_app.ui.midi_drag import file_name
from composer_app.ui.notices import show_read_warnings
from composer_app.ui.status import StatusSink

MIDI_FILTER = "MIDI files (*.mid *.midi *.kar *.smf)"
EXPORT_FILTER = "MIDI files (*.mid *.midi)"


def selected_notes_song(song: Song, clip_id: str, note_ids: set[str]) -> Song:
    """The song with only the chosen notes of one clip (on its track): what Export Selection writes."""
    track = song.track_of_clip(clip_id)
    clip = song.clip(clip_id)
    kept = replace(clip, notes=tuple(n for n in clip.notes if n.id in note_ids))
    return replace(song, tracks=(replace(track, clips=(kept,)),))


class MidiTransfer(QObject):
    """The MIDI import and partial exports of one window; each import is one undo step.

    ``frame`` parents the dialogs; ``export`` writes a song to a path (the window's save service) and says
    whether it worked; ``show_error(title, error)`` reports a failed import; ``start_dir()`` is where dialogs open.
    """

    def __init__(self, frame: QWidget, document: SongDocument, editors: EditorArea, open_song: OpenFunction,
                 export: Callable[[Song, Path], bool], status: StatusSink,
                 show_error: Callable[[str, object], None], start_dir: Callable[[], str]) -> None:
        super().__init__(frame)
        self.frame, self.document, self.editors = frame, document, editors
        self.export, self.status, self.show_error, self.start_dir = export, status, show_error, start_dir
        self.loader = SongLoader(open_song, self)
        self.loader.loaded.connect(self._on_loaded)
        self.loader.warned.connect(self._on_warned)
        self.loader.failed.connect(lambda _r, _p, error: self.show_error("Could Not Import File", error))
        self._at = 0
        self._imported = False  # whether the last loaded file added tracks
        self.import_action = self._action("&Import MIDI\u2026", self.import_file, "Ctrl+Shift+I",
                                          "Add a MIDI file's tracks to this song at the playhead (undoable)")
        self.export_selection_action = self._action(
            "Export Se&lection as MIDI\u2026", self.export_selection, "",
            "Write the selected notes (piano roll) or clips (arrangement) as a MIDI file from their first bar")
        self.export_track_action = self._action(
            "Export &Track as MIDI\u2026", self.export_track, "",
            "Write the current track as a MIDI file, in time with the song")

    def _action(self, text: str, slot: Callable[[], object], key: str, tip: str) -> QAction:
        action = QAction(text, self.frame)
        if key:
            action.setShortcut(QKeySequence(key))
        action.setStatusTip(tip)
        action.triggered.connect(lambda _checked=False: slot())
        self.frame.addAction(action)
        return action

    def add_to_menu(self, file_menu: QMenu, import_before: QAction | None, export_after: QAction) -> None:
        """Import MIDI before ``import_before`` (the separator after Open Recent), the exports after Export MIDI."""
        file_menu.insertAction(import_before, self.import_action)
        items = file_menu.actions()
        index = items.index(export_after) + 1 if export_after in items else len(items)
        before = items[index] if index < len(items) else None
        file_menu.insertActions(before, [self.export_selection_action, self.export_track_action])

    # ------------------------------------------------------------ import
    def import_file(self) -> None:
        name, _ = QFileDialog.getOpenFileName(self.frame, "Import MIDI File", self.start_dir(), MIDI_FILTER)
        if name:
            self.import_path(name)

    def import_path(self, path: str | Path) -> int:
        """Start reading ``path`` off the GUI thread; its tracks join the song at the playhead's bar."""
        song = self.document.song
        mm = song.meter_map
        self._at = mm.bar_start(mm.bar_of(self.editors.transport.playhead))
        self.status(f"Importing {Path(path).name}\u2026")
        return self.loader.load(path)

    def _on_loaded(self, _request: int, path: Path, imported: Song) -> None:
        song = self.document.song
        merged = insert_song(song, imported, self._at)
        added = merged.tracks[len(song.tracks):]
        self._imported = bool(added)
        if not added:
            self.show_error("Nothing to Import", SongFileError(path, "the file holds no notes"))
            return
        self.document.apply(f"Import {path.name}", merged)
        self.editors.arrangement.set_current_track(added[0].id)
        bar = merged.meter_map.bar_of(self._at) + 1
        self.status(f"Imported {path.name}: {len(added)} track{'s' if len(added) != 1 else ''} at bar {bar}", 10_000)

    def _on_warned(self, _request: int, path: Path, warnings: tuple[str, ...]) -> None:
        show_read_warnings(self.frame, self.status, "imported" if self._imported else "read", path, warnings)

    # ------------------------------------------------------------ partial exports
    def selection_song(self) -> tuple[Song, str] | None:
        """The selected notes of the roll, else the selected clips of the arrangement (None: nothing chosen)."""
        song = self.document.song
        roll, arrangement = self.editors.roll, self.editors.arrangement
        if roll.clip_id is not None and roll.scene.selected:
            clip = song.clip(roll.clip_id)
            name = clip.name or song.track_of_clip(clip.id).name
            return selected_notes_song(song, clip.id, set(roll.scene.selected)), f"{name} selection"
        ids = arrangement.selected_clip_ids()
        if ids:
            names = {song.clip(c).name or song.track_of_clip(c).name for c in ids}
            return only_clips(song, ids), names.pop() if len(names) == 1 else f"{len(ids)} clips"
        return None

    def export_selection(self) -> bool:
        chosen = self.selection_song()
        if chosen is None:
            self.status("Select notes in the piano roll or clips in the arrangement to export them", 8_000)
            return False
        song, name = chosen
        return self._export(from_first_bar(song), name, "Export Selection as MIDI")

    def export_track(self) -> bool:
        track_id = self.editors.arrangement.current_track_id
        song = self.document.song
        if track_id is None or not song.track(track_id).note_count:
            self.status("Choose a track with notes to export it", 8_000)
            return False
        return self._export(excerpt(song, 0, track_ids=[track_id]), song.track(track_id).name, "Export Track as MIDI")

    def _export(self, song: Song, name: str, title: str) -> bool:
        suggested = str(Path(self.start_dir()) / f"{file_name(name)}.mid")
        path, _ = QFileDialog.getSaveFileName(self.frame, title, suggested, EXPORT_FILTER)
        return self.export_to(song, path) if path else False

    def export_to(self, song: Song, path: str | Path) -> bool:
        path = Path(path)
        if path.suffix.lower() not in (".mid", ".midi"):
            path = path.with_name(path.name + ".mid")
        if not self.export(song, path):
            return False
        self.status(f"Exported {path.name}", 5_000)
        return True
