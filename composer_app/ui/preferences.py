"""The Preferences dialog (Edit > Preferences\u2026): Audio, MIDI and Recording pages; Apply reconfigures sound live."""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import Signal
from PySide6.QtGui import QShowEvent
from PySide6.QtWidgets import QDialog, QDialogButtonBox, QTabWidget, QVBoxLayout, QWidget

from composer_app.midi.ports import PortList
from composer_app.ui.audio_output import AudioConfig
from composer_app.ui.audio_service import AudioService
from composer_app.ui.preferences_files import FilesPage
from composer_app.ui.preferences_pages import AudioPage, MidiPage, RecordingPage
from composer_app.ui.settings import METRONOME, Settings

TEST_CHORD = (60, 64, 67, 72)


class PreferencesDialog(QDialog):
    """Edits the sound and MIDI settings; OK and Apply store them and reconfigure the AudioService at once."""

    applied = Signal()

    def __init__(self, settings: Settings, audio: AudioService | None = None, parent: QWidget | None = None, *,
                 scan: Callable[[str | None], PortList] | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle("Preferences")
        self.settings, self.audio = settings, audio
        self.audio_page = AudioPage(settings, self)
        self.midi_page = MidiPage(settings, self, scan=scan)
        self.recording_page = RecordingPage(settings, self)
        self.files_page = FilesPage(settings, self)
        self.tabs = QTabWidget(self)
        self.tabs.addTab(self.audio_page, "Audio")
        self.tabs.addTab(self.midi_page, "MIDI")
        self.tabs.addTab(self.recording_page, "Recording")
        self.tabs.addTab(self.files_page, "Files")
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel
                                   | QDialogButtonBox.StandardButton.Apply, self)
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        buttons.button(QDialogButtonBox.StandardButton.Apply).clicked.connect(self.apply)
        self.buttons = buttons
        self.audio_page.test.clicked.connect(self.test_sound)
        layout = QVBoxLayout(self)
        layout.addWidget(self.tabs)
        layout.addWidget(buttons)
        self.resize(560, 340)
        self._testing = False
        if audio is not None:
            audio.ready.connect(self._on_audio_ready)

    def showEvent(self, event: QShowEvent) -> None:
        super().showEvent(event)
        self.midi_page.refresh()
        self.midi_page.timer.start()  # hot-plug: devices appear while the dialog is open

    def done(self, result: int) -> None:
        self.midi_page.timer.stop()
        if self.audio is not None:
            self.audio.ready.disconnect(self._on_audio_ready)
            self.audio = None
        super().done(result)

    def accept(self) -> None:
        self.apply()
        super().accept()

    def apply(self) -> bool:
        """Store every page; reopen the sound output when its settings changed. True when it was reopened."""
        before = AudioConfig.from_settings(self.settings)
        for page in (self.audio_page, self.midi_page, self.recording_page, self.files_page):
            page.save(self.settings)
        self.settings.sync()
        reopened = False
        if self.audio is not None:
            self.audio.set_metronome(self.settings.get(METRONOME))
            if AudioConfig.from_settings(self.settings) != before:
                self.audio.reconfigure()
                reopened = True
        self.applied.emit()
        return reopened

    def test_sound(self) -> None:
        """Apply the choices, then report what opened and play a chord on it."""
        if self.audio is None:
            self.audio_page.test_result.setText("No sound service in this window")
            return
        self._testing = True
        self.audio_page.test_result.setText("Opening\u2026")
        if not self.apply():
            self._on_audio_ready()

    def _on_audio_ready(self) -> None:
        if not self._testing or self.audio is None:
            return
        self._testing = False
        output = self.audio.output
        detail = output.detail.splitlines()[0] if output.detail else ""
        text = output.status + (f"\n{detail}" if detail and not output.audible else "")
        self.audio_page.test_result.setText(text + ("\nPlaying a C major chord." if output.audible else ""))
        for pitch in TEST_CHORD:
            self.audio.preview_note(pitch, 90)
