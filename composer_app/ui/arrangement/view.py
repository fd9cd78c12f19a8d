"""ArrangementView: transport bar, ruler, track headers and the clip area, wired to one document."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

from PySide6.QtCore import QPoint, Signal
from PySide6.QtWidgets import QGridLayout, QLabel, QMessageBox, QVBoxLayout, QWidget

from composer_app.core.song import Note, Song
from composer_app.ui.arrangement import actions as menus
from composer_app.ui.arrangement.clip_commands import ClipCommands
from composer_app.ui.arrangement.clip_view import ClipView
from composer_app.ui.arrangement.header_panel import HEADER_WIDTH, TrackHeaderPanel
from composer_app.ui.arrangement.scene import ArrangementScene
from composer_app.ui.arrangement.track_commands import TrackCommands
from composer_app.ui.arrangement.transport_bar import TransportBar
from composer_app.ui.document import SongDocument
from composer_app.ui.timeline.grid import GridValue
from composer_app.ui.timeline.ruler import Ruler
from composer_app.ui.timeline.scale import TimeScale
from composer_app.ui.timeline.transport import TransportState

DEFAULT_PIXELS_PER_QUARTER = 14.0
MIN_FIT_BAR_PIXELS = 24.0


class ArrangementView(QWidget):
    """Tracks x bars of clips. Observes ``document`` and edits it only through ``document.apply``."""

    open_clip_requested = Signal(str)  # clip id
    current_track_changed = Signal(str)  # track id
    error_reported = Signal(str)  # a readable line, e.g. a MIDI file that could not be dropped

    def __init__(self, document: SongDocument, transport: TransportState, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.document = document
        self.transport = transport
        self.scale = TimeScale(DEFAULT_PIXELS_PER_QUARTER, self)
        self.clip_commands = ClipCommands(document)
        self.track_commands = TrackCommands(document)
        self.scene = ArrangementScene(document, self.scale, transport, self)
        self.clip_view = ClipView(self.scene, self.clip_commands, self)
        self.headers = TrackHeaderPanel(self.track_commands, self)
        self.ruler = Ruler(self.scale, transport, lambda: self.document.song, self)
        self.transport_bar = TransportBar(document, transport, self.track_commands, self)
        self.actions_ = menus.build_actions(self)
        self._message: QMessageBox | None = None
        self._build_layout()
        self._wire()
        self.headers.set_song(document.song)
        self.scene.set_current_track(self.headers.current_id)

    def _build_layout(self) -> None:
        corner = QLabel("  Tracks", self)
        corner.setFixedSize(HEADER_WIDTH, self.ruler.height())
        grid = QGridLayout()
        grid.setContentsMargins(0, 0, 0, 0)
        grid.setSpacing(0)
        grid.addWidget(corner, 0, 0)
        grid.addWidget(self.ruler, 0, 1)
        grid.addWidget(self.headers, 1, 0)
        grid.addWidget(self.clip_view, 1, 1)
        outer = QVBoxLayout(self)
        outer.setContentsMargins(0, 0, 0, 0)
        outer.setSpacing(0)
        outer.addWidget(self.transport_bar)
        outer.addLayout(grid, 1)

    def _wire(self) -> None:
        view = self.clip_view
        view.horizontalScrollBar().valueChanged.connect(lambda v: self.ruler.set_offset(float(v)))
        view.verticalScrollBar().valueChanged.connect(self.headers.set_offset)
        view.open_clip_requested.connect(self.open_clip_requested)
        view.current_track_changed.connect(self.set_current_track)
        view.context_menu_requested.connect(self._clip_context_menu)
        view.error_reported.connect(self._report)
        self.headers.current_changed.connect(self.set_current_track)
        self.headers.context_menu_requested.connect(self._track_context_menu)
        self.transport_bar.grid_changed.connect(self.set_grid)
        self.transport_bar.off_beat.found.connect(self.actions_.align_to_beat.setEnabled)
        off_beat = self.transport_bar.off_beat
        self.actions_.align_to_beat.setEnabled(off_beat.offset is not None or off_beat.tempo is not None)
        self.transport_bar.pencil_toggled.connect(self.actions_.pencil.setChecked)
        self.document.song_changed.connect(self._on_song_changed)
        self.scene.sceneRectChanged.connect(lambda _r: self.headers.set_row_height(self.scene.row_height))

    def _on_song_changed(self, _old: Song, new: Song) -> None:
        self.headers.set_song(new)
        self.headers.set_row_height(self.scene.row_height)
        self.scene.set_current_track(self.headers.current_id)

    # ------------------------------------------------------------ state
    @property
    def song(self) -> Song:
        return self.document.song

    @property
    def current_track_id(self) -> str | None:
        return self.headers.current_id

    def set_current_track(self, track_id: str) -> None:
        if track_id == self.headers.current_id and track_id == self.scene.current_track_id:
            return
        self.headers.set_current(track_id)
        self.scene.set_current_track(track_id)
        self.current_track_changed.emit(track_id)

    def selected_clip_ids(self) -> list[str]:
        return self.scene.selected_clip_ids()

    def select_clips(self, clip_ids: Sequence[str]) -> None:
        self.scene.select_clips(clip_ids)

    def set_grid(self, grid: GridValue) -> None:
        self.clip_view.grid = grid
        self.transport_bar.set_grid(grid)

    def set_pencil(self, on: bool) -> None:
        self.clip_view.pencil = on
        self.transport_bar.pencil.blockSignals(True)
        self.transport_bar.pencil.setChecked(on)
        self.transport_bar.pencil.blockSignals(False)

    def set_row_height(self, height: int) -> None:
        self.scene.set_row_height(height)
        self.headers.set_row_height(self.scene.row_height)

    # ------------------------------------------------------------ track commands
    def add_track(self) -> str:
        index = None
        if self.current_track_id is not None:
            index = [t.id for t in self.song.tracks].index(self.current_track_id) + 1
        track_id = self.track_commands.add(index)
        self.set_current_track(track_id)
        return track_id

    def delete_current_track(self) -> None:
        if self.current_track_id is not None:
            self.track_commands.delete(self.current_track_id)

    def move_current_track(self, step: int) -> None:
        tid = self.current_track_id
        if tid is not None:
            self.track_commands.move(tid, [t.id for t in self.song.tracks].index(tid) + step)

    def rename_current_track(self) -> None:
        if self.current_track_id is not None:
            self.headers.row_widget(self.current_track_id).start_rename()

    # ------------------------------------------------------------ clip commands
    def rename_selected(self) -> None:
        """F2: rename the selected clip, or the current track when the headers have focus or nothing is selected."""
        ids = self.selected_clip_ids()
        focus = self.focusWidget()
        in_headers = focus is not None and self.headers.isAncestorOf(focus)
        if ids and not in_headers:
            self.clip_view.start_rename(ids[0])
        else:
            self.rename_current_track()

    def open_selected_clip(self) -> None:
        ids = self.selected_clip_ids()
        if ids:
            self.open_clip_requested.emit(ids[0])

    def split_at_playhead(self) -> list[str]:
        """Split the selected clips at the playhead (or, with none selected, the current track's clip there)."""
        ids = self.selected_clip_ids()
        if not ids and self.current_track_id is not None:
            ids = [c.id for c in self.song.track(self.current_track_id).clips]
        new = self.clip_commands.split(ids, self.transport.playhead)
        if new:
            self.select_clips(new)
        return new

    def align_to_beat(self) -> None:
        """Move the music onto the beat grid where it keeps to beats of its own (the transport bar's hint)."""
        self.transport_bar.off_beat.align()

    def duplicate_selected(self) -> list[str]:
        new = self.clip_commands.duplicate(self.selected_clip_ids())
        if new:
            self.select_clips(new)
            self.clip_view.ensureVisible(self.scene.clip_item(new[-1]), 40, 0)
        return new

    def delete_selected(self) -> None:
        self.clip_commands.delete(self.selected_clip_ids())

    def select_all(self) -> None:
        self.select_clips([c.id for t in self.song.tracks for c in t.clips])

    def drop_notes(self, track_id: str | None, bar: int, notes: Sequence[Note | Sequence[int]],
                   name: str = "") -> str:
        """Create a clip holding ``notes`` (Note values, or [pitch, start, duration, velocity] with starts
        relative to the clip) at ``bar`` (from 0) on ``track_id`` (None: a new track). One undo step."""
        values = [n if isinstance(n, Note) else Note(int(n[0]), int(n[1]), int(n[2]),
                                                     int(n[3]) if len(n) > 3 else 100) for n in notes]
        clip_id = self.clip_commands.drop_notes(track_id, bar, values, name)
        self.select_clips([clip_id])
        return clip_id

    def import_midi(self, path: str | Path, track_id: str | None, bar: int) -> str | None:
        """Put the first track with notes of a MIDI file at ``bar``; problems go to ``error_reported``."""
        return self.clip_view.import_midi(path, track_id, bar)

    # ------------------------------------------------------------ zoom
    def zoom(self, factor: float) -> None:
        self.clip_view.zoom_at(factor)

    def zoom_to_fit(self) -> None:
        song = self.song
        bars = max(4.0, float(song.length_bars) + 1)
        bar_ticks = song.meter_map.meter_at(0).bar_ticks
        px_per_bar = max(MIN_FIT_BAR_PIXELS, self.clip_view.viewport().width() / bars)
        self.scale.set_pixels_per_quarter(px_per_bar * 480 / bar_ticks)
        self.clip_view.horizontalScrollBar().setValue(0)

    # ------------------------------------------------------------ menus and messages
    def _clip_context_menu(self, global_pos: QPoint, clip_id: str) -> None:
        menu = menus.clip_menu(self, self.selected_clip_ids()) if clip_id else menus.empty_menu(self)
        menu.popup(global_pos)

    def _track_context_menu(self, _track_id: str, global_pos: QPoint) -> None:
        menus.track_menu(self).popup(global_pos)

    def _report(self, text: str) -> None:
        self.error_reported.emit(text)
        self._message = QMessageBox(QMessageBox.Icon.Warning, "Could not drop the file", text,
                                    QMessageBox.StandardButton.Ok, self)
        self._message.open()
