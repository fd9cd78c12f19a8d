"""Installs sound and MIDI into a main window: Transport menu and toolbar, Preferences, Export Audio, device status."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from PySide6.QtCore import QObject, Qt
from PySide6.QtGui import QAction, QKeySequence
from PySide6.QtWidgets import QLabel, QMainWindow, QMenu, QMenuBar, QMessageBox

from composer_app.midi import ports
from composer_app.midi.ports import PortList
from composer_app.ui.audio_service import AudioService
from composer_app.ui.document import SongDocument
from composer_app.ui.export_audio import ExportAudioFlow
from composer_app.ui.preferences import PreferencesDialog
from composer_app.ui.recording import RecordingController
from composer_app.ui.settings import METRONOME, MIDI_API, MIDI_INPUT, Settings
from composer_app.ui.shortcuts import key_sequences
from composer_app.ui.status import StatusSink
from composer_app.ui.transport_controls import TransportActions, TransportToolBar

if TYPE_CHECKING:
    from composer_app.ui.main_window import MainWindow

DEFAULT_LOOP_BARS = 4


def midi_input_status(listing: PortList, chosen: str) -> str:
    """One line for the status bar about the keyboard input."""
    if chosen:
        return f"MIDI in: {chosen}" if chosen in listing.inputs else f"MIDI in: {chosen} (not connected)"
    return f"MIDI in: {listing.inputs[0]}" if listing.inputs else listing.status


class SoundUi(QObject):
    """What sound adds to one window; the window keeps it as ``window.sound``.

    ``frame`` is the main window it lays its toolbar, status labels and dialogs out in (QMainWindow calls
    only); ``document``, ``settings`` and ``status`` are all it uses of the rest. ``add_to_menus`` places
    its commands in the window's menus.
    """

    def __init__(self, frame: QMainWindow, audio: AudioService, document: SongDocument, settings: Settings,
                 status: StatusSink, *, scan=None, recording: RecordingController | None = None) -> None:
        super().__init__(frame)
        self.frame, self.audio, self.transport = frame, audio, audio.transport
        self.document, self.settings, self.status = document, settings, status
        self._scan = scan or (lambda api: ports.scan_ports(api))  # looked up at call time (tests patch it)
        self.recording = recording or RecordingController(audio, settings, self, scan=scan)
        self.actions = TransportActions(frame)
        self.toolbar = TransportToolBar(self.actions, frame)
        frame.addToolBar(Qt.ToolBarArea.TopToolBarArea, self.toolbar)
        self.export = ExportAudioFlow(frame, settings, lambda: document.song, self._wav_name)
        self._build_actions()
        self._build_status()
        self._connect()

    # ------------------------------------------------------------------ building
    def _build_actions(self) -> None:
        w = self.frame
        self.preferences_action = QAction("&Preferences\u2026", w)
        self.preferences_action.setShortcuts(key_sequences(QKeySequence.StandardKey.Preferences, "Ctrl+,"))
        self.preferences_action.setMenuRole(QAction.MenuRole.PreferencesRole)
        self.preferences_action.setStatusTip("SoundFont, audio driver, MIDI devices, count-in and metronome")
        self.preferences_action.triggered.connect(lambda _c=False: self.show_preferences())
        w.addAction(self.preferences_action)

        self.export_audio_action = QAction("Export &Audio\u2026", w)
        self.export_audio_action.setShortcut(QKeySequence("Ctrl+Shift+E"))
        self.export_audio_action.setStatusTip("Render the song to a WAV file with the SoundFont")
        self.export_audio_action.triggered.connect(lambda _c=False: self.export.run())
        w.addAction(self.export_audio_action)

        self.transport_menu = QMenu("&Transport", w)
        for action in self.actions.menu_actions():
            if action is None:
                self.transport_menu.addSeparator()
            else:
                self.transport_menu.addAction(action)

    def add_to_menus(self, file_menu: QMenu, after: QAction, edit_menu: QMenu, menu_bar: QMenuBar,
                     before: QAction) -> None:
        """Export Audio after ``after`` in File, Preferences at the end of Edit, Transport before ``before``."""
        edit_menu.addSeparator()
        edit_menu.addAction(self.preferences_action)
        items = file_menu.actions()
        index = items.index(after) + 1 if after in items else len(items)
        file_menu.insertAction(items[index] if index < len(items) else None, self.export_audio_action)
        menu_bar.insertMenu(before, self.transport_menu)

    def _build_status(self) -> None:
        self.device_label = QLabel(self.audio.status, self.frame)
        self.device_label.setToolTip(self.audio.output.detail)
        self.midi_label = QLabel(self.frame)
        for label in (self.device_label, self.midi_label):
            label.setContentsMargins(8, 0, 8, 0)
        bar = self.frame.statusBar()
        bar.addPermanentWidget(self.midi_label)
        bar.addPermanentWidget(self.device_label)
        self.refresh_midi_status()

    def _connect(self) -> None:
        a, t = self.actions, self.transport
        a.play.triggered.connect(lambda _c=False: self.play_stop())
        a.record.triggered.connect(lambda _c=False: self.record())
        a.loop.triggered.connect(self.set_loop_enabled)
        a.metronome.setChecked(self.settings.get(METRONOME))
        a.metronome.triggered.connect(self.audio.set_metronome)
        a.to_start.triggered.connect(lambda _c=False: t.set_playhead(0))
        a.panic.triggered.connect(lambda _c=False: self.audio.panic())
        t.playing_changed.connect(a.play.setChecked)
        t.loop_changed.connect(lambda _s, _e, _on: a.loop.setChecked(t.loop_enabled))
        self.recording.recording_changed.connect(a.record.setChecked)
        self.recording.status.connect(lambda text: self.status(text, 10_000))
        self.recording.notice.connect(lambda title, text: QMessageBox.warning(self.frame, title, text))
        self.audio.status_changed.connect(self._on_device_status)
        self.audio.warning.connect(lambda text: self.status(text, 15_000))
        self.export.message.connect(lambda text: self.status(text, 15_000))

    # ------------------------------------------------------------------ commands
    def play_stop(self) -> None:
        if self.recording.recording:
            self.recording.stop()
        else:
            self.audio.toggle()
        self.actions.play.setChecked(self.audio.playing)

    def record(self) -> None:
        self.recording.toggle()
        self.actions.record.setChecked(self.recording.recording)

    def set_loop_enabled(self, on: bool) -> None:
        """Loop on; with no loop region yet, loop the 4 bars from the bar holding the playhead."""
        t = self.transport
        start, end = t.loop
        if on and end <= start:
            mm = self.document.song.meter_map
            bar = mm.bar_of(t.playhead)
            t.set_loop(mm.bar_start(bar), mm.bar_start(bar + DEFAULT_LOOP_BARS), True)
        else:
            t.set_loop_enabled(on)
        self.actions.loop.setChecked(t.loop_enabled)

    def show_preferences(self) -> PreferencesDialog:
        dialog = PreferencesDialog(self.settings, self.audio, self.frame, scan=self._scan)
        dialog.applied.connect(self._on_preferences_applied)
        dialog.open()
        return dialog

    # ------------------------------------------------------------------ state shown
    def _on_preferences_applied(self) -> None:
        self.actions.metronome.setChecked(self.settings.get(METRONOME))
        self.refresh_midi_status()

    def _on_device_status(self, status: str, detail: str) -> None:
        self.device_label.setText(status)
        self.device_label.setToolTip(detail)

    def refresh_midi_status(self) -> None:
        listing = self._scan(self.settings.get(MIDI_API) or None)
        self.midi_label.setText(midi_input_status(listing, self.settings.get(MIDI_INPUT)))
        self.midi_label.setToolTip(listing.status)

    def _wav_name(self) -> str:
        doc = self.document
        stem = doc.path.stem if doc.path is not None else (doc.song.title.strip() or "Untitled")
        return str(Path(stem).name) + ".wav"


def install_sound(window: MainWindow, audio: AudioService, **kwargs) -> SoundUi:
    """Add the transport, Preferences, Export Audio and device status to ``window``; returns what was added."""
    sound = SoundUi(window, audio, window.document, window.settings, window.status, **kwargs)
    sound.add_to_menus(window.file_menu, window.export_action, window.edit_menu, window.menuBar(),
                       window.help_menu.menuAction())
    return sound
