"""The window's editing area: arrangement above piano roll in a splitter, the Tracks and Undo History docks."""

from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtCore import QObject, Qt
from PySide6.QtWidgets import (
    QApplication,
    QDockWidget,
    QMainWindow,
    QSizePolicy,
    QSplitter,
    QToolBar,
    QUndoView,
    QWidget,
)

from composer_app.core.song import Song
from composer_app.ui.arrangement import ArrangementView
from composer_app.ui.document import SongDocument
from composer_app.ui.midi_drag import MidiDragButton
from composer_app.ui.piano_roll import PianoRollEditor
from composer_app.ui.settings import EDITOR_SPLITTER, Settings
from composer_app.ui.status import StatusSink
from composer_app.ui.timeline.transport import TransportState

if TYPE_CHECKING:
    from composer_app.ui.sound_wiring import SoundUi

ARRANGEMENT_SHARE, ROLL_SHARE = 2, 3  # first-run split of the height


class EditorArea(QObject):
    """Builds and wires the editors of one window; the window keeps it as ``window.editors``.

    ``frame`` is the main window the editors, docks and toolbar are laid out in (only its QMainWindow
    layout calls are used); the rest is what the editors need: the document, the transport, the settings,
    where to report a line of status, and the Tracks panel to dock.
    """

    def __init__(self, frame: QMainWindow, document: SongDocument, transport: TransportState, settings: Settings,
                 status: StatusSink, track_list: QWidget) -> None:
        super().__init__(frame)
        self.frame, self.document, self.settings, self.status = frame, document, settings, status
        self.transport = transport
        self.arrangement = ArrangementView(document, transport, frame)
        self.roll = PianoRollEditor(document, transport, frame)
        self.splitter = QSplitter(Qt.Orientation.Vertical, frame)
        self.splitter.setObjectName("editor_splitter")
        self.splitter.setChildrenCollapsible(False)
        self.splitter.setHandleWidth(6)
        self.splitter.setStyleSheet("QSplitter#editor_splitter::handle { background: palette(mid); }"
                                    "QSplitter#editor_splitter::handle:hover { background: palette(highlight); }")
        self.splitter.addWidget(self.arrangement)
        self.splitter.addWidget(self.roll)
        self.splitter.setStretchFactor(0, ARRANGEMENT_SHARE)
        self.splitter.setStretchFactor(1, ROLL_SHARE)
        self.splitter.setSizes([ARRANGEMENT_SHARE * 100, ROLL_SHARE * 100])
        frame.setCentralWidget(self.splitter)

        self.tracks_dock = self._dock("Tracks", "tracks_dock", track_list)
        self.undo_view = QUndoView(document.undo_stack)
        self.undo_view.setEmptyLabel("<Opened song>")
        self.undo_dock = self._dock("Undo History", "undo_dock", self.undo_view)
        frame.tabifyDockWidget(self.tracks_dock, self.undo_dock)
        self.song_toolbar = self._song_toolbar()
        self.active: QWidget = self.arrangement  # the editor View > Zoom acts on
        self.sound: SoundUi | None = None
        self._wire()

    def _song_toolbar(self) -> QToolBar:
        """Position, tempo, meter and key in the window's toolbar row (the transport joins it), saving height."""
        bar = QToolBar("Song", self.frame)
        bar.setObjectName("song_toolbar")  # saveState needs a name
        bar.setMovable(False)
        self.arrangement.transport_bar.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Preferred)
        bar.addWidget(self.arrangement.transport_bar)
        self.song_drag = MidiDragButton(lambda: self.document.song, self._song_name, bar)
        bar.addWidget(self.song_drag)
        self.frame.addToolBar(Qt.ToolBarArea.TopToolBarArea, bar)
        return bar

    def _song_name(self) -> str:
        doc = self.document
        return doc.path.stem if doc.path is not None else (doc.song.title.strip() or "Untitled")

    def _dock(self, title: str, name: str, widget: QWidget) -> QDockWidget:
        dock = QDockWidget(title, self.frame)
        dock.setObjectName(name)  # saveState needs a name
        dock.setWidget(widget)
        dock.setAllowedAreas(Qt.DockWidgetArea.LeftDockWidgetArea | Qt.DockWidgetArea.RightDockWidgetArea
                             | Qt.DockWidgetArea.BottomDockWidgetArea)
        self.frame.addDockWidget(Qt.DockWidgetArea.RightDockWidgetArea, dock)
        dock.hide()  # the arrangement's track headers cover the everyday need
        return dock

    def _wire(self) -> None:
        arr, roll = self.arrangement, self.roll
        arr.open_clip_requested.connect(self.edit_clip)
        arr.error_reported.connect(lambda text: self.status(text, 15_000))
        arr.current_track_changed.connect(self._on_track_changed)
        roll.scene.clip_changed.connect(lambda _clip: self.sync_target())
        roll.clip_opened.connect(self._on_clip_opened)
        self.document.song_changed.connect(lambda _old, _new: self.sync_target())
        self.document.song_changed.connect(self._redraw_rulers)
        app = QApplication.instance()
        if app is not None:
            app.focusChanged.connect(self._on_focus_changed)

    # ------------------------------------------------------------ opening clips
    def edit_clip(self, clip_id: str) -> None:
        """Open ``clip_id`` in the piano roll (showing it if hidden) and give the roll the keyboard."""
        self.roll.show()
        self.roll.open_clip(clip_id)
        self.roll.view.setFocus(Qt.FocusReason.OtherFocusReason)

    def song_loaded(self, song: Song) -> None:
        """After a file opens (or New): playback stops, the playhead and loop go back to the start, the whole
        song is in view with its first track current, the first clip with notes is in the roll, and every
        part of both editors (rulers, lanes, grids) is drawn from the new song."""
        if self.sound is not None:
            self.sound.audio.stop()
        self.transport.set_playing(False)
        self.transport.set_loop(0, 0, False)
        self.transport.set_playhead(0)
        if song.tracks:
            self.arrangement.set_current_track(song.tracks[0].id)
        self.arrangement.zoom_to_fit()
        first = next((c.id for t in song.tracks for c in t.clips if c.notes), None)
        self.roll.open_clip(first)
        for widget in (self.arrangement.ruler, self.roll.ruler, self.roll.chord_lane, self.roll.velocity_lane,
                       self.roll.keyboard):
            widget.update()
        for view in (self.arrangement.clip_view, self.roll.view):
            view.resetCachedContent()
            view.viewport().update()

    def _redraw_rulers(self, old: Song, new: Song) -> None:
        """The rulers draw bar numbers from the song's meters: redraw them when those change (undo, open)."""
        if old.meters != new.meters or old.tempos != new.tempos:
            self.arrangement.ruler.update()
            self.roll.ruler.update()

    def _on_clip_opened(self, clip_id: str | None) -> None:
        if clip_id is not None:
            self.arrangement.set_current_track(self.document.song.track_of_clip(clip_id).id)

    def _on_track_changed(self, _track_id: str) -> None:
        if self.roll.clip_id is None:
            self.sync_target()

    # ------------------------------------------------------------ sound
    def connect_sound(self, sound: SoundUi) -> None:
        """Previews from the roll reach the synth; the edited clip is where takes go and what previews sound like."""
        self.sound = sound
        self._one_transport_row(sound)
        self.roll.note_preview.connect(self.preview)
        self.sync_target()

    def _one_transport_row(self, sound: SoundUi) -> None:
        """The play/record buttons go first in the toolbar row, before position and tempo."""
        sound.toolbar.setMovable(False)
        self.frame.insertToolBar(self.song_toolbar, sound.toolbar)

    def audition_clip(self) -> None:
        """Loop the clip open in the roll (or the selected clip in the arrangement) with a bar of lead-in."""
        if self.sound is None:
            return
        clip_id = self.roll.clip_id
        if clip_id is None:
            selected = self.arrangement.selected_clip_ids()
            clip_id = selected[0] if selected else None
        if clip_id is None:
            self.status("Open or select a clip to audition it", 5_000)
        elif self.sound.audio.audition_clip(clip_id):
            self.status("Auditioning the clip on loop — Space stops", 5_000)

    def preview(self, pitch: int, velocity: int) -> None:
        """The roll's ``note_preview``: velocity 0 is a release, which the audio service does by itself."""
        if self.sound is not None and velocity > 0:
            self.sound.audio.preview_note(pitch, velocity)

    def sync_target(self) -> None:
        """Tell recording and preview which clip (or, with none open, which track) is being edited."""
        if self.sound is None:
            return
        song = self.document.song
        clip_id = self.roll.clip_id
        track = None
        if clip_id is not None:
            try:
                track = song.track_of_clip(clip_id)
            except KeyError:
                clip_id = None
        if track is None:
            tid = self.arrangement.current_track_id
            track = next((t for t in song.tracks if t.id == tid), None)
        self.sound.recording.set_target(track.id if track else None, clip_id)
        if track is not None:
            self.sound.audio.set_preview_instrument(track.program, track.channel, track.is_drum)

    # ------------------------------------------------------------ view commands
    def _on_focus_changed(self, _old: QWidget | None, new: QWidget | None) -> None:
        for editor in (self.arrangement, self.roll):
            if new is not None and (new is editor or editor.isAncestorOf(new)):
                self.active = editor

    def zoom(self, factor: float) -> None:
        if self.active is self.roll:
            self.roll.view.zoom_time(factor)
        else:
            self.arrangement.zoom(factor)

    def zoom_to_fit(self) -> None:
        if self.active is self.roll:
            self.roll.zoom_to_clip()
        else:
            self.arrangement.zoom_to_fit()

    def focus(self, editor: QWidget) -> None:
        editor.show()
        target = self.roll.view if editor is self.roll else self.arrangement.clip_view
        target.setFocus(Qt.FocusReason.ShortcutFocusReason)

    def set_editor_visible(self, editor: QWidget, visible: bool) -> None:
        """Show or hide one editor; the other one stays when both would be gone."""
        editor.setVisible(visible)
        other = self.roll if editor is self.arrangement else self.arrangement
        if not visible and other.isHidden():
            other.show()

    # ------------------------------------------------------------ persistence
    def restore(self) -> None:
        state = self.settings.get(EDITOR_SPLITTER)
        if not state.isEmpty():
            self.splitter.restoreState(state)

    def save(self) -> None:
        self.settings.set(EDITOR_SPLITTER, self.splitter.saveState())
