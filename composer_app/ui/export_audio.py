"""File > Export Audio: render the song to a WAV file off the GUI thread, with progress and Cancel."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import QObject, Qt, Signal
from PySide6.QtWidgets import QFileDialog, QMessageBox, QProgressDialog, QWidget

from composer_app.audio.render import RenderCancelled, peak_dbfs, render_song, write_wav
from composer_app.audio.synth import AudioUnavailableError
from composer_app.core.errors import SongFileError
from composer_app.core.song import Song
from composer_app.ui.audio_output import NO_SOUNDFONT, resolve_soundfont
from composer_app.ui.settings import EXPORT_AUDIO_DIR, EXPORT_SAMPLE_RATE, SOUNDFONT, Settings
from composer_app.ui.workers import CancelToken, Worker

WAV_FILTER = "WAV audio (*.wav)"


class AudioExporter(QObject):
    """Renders on the shared worker (``ui.workers``); results come back as signals tagged with the request id
    (stale ones dropped)."""

    progress = Signal(int, float)  # request, 0..1
    finished = Signal(int, object, float)  # request, Path written, peak dBFS
    failed = Signal(int, str)  # request, one-line reason
    cancelled = Signal(int)  # request

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._worker = Worker(self, name="composer-export")
        self._worker.progress.connect(lambda request, fraction, _text: self.progress.emit(request, fraction))
        self._worker.finished.connect(lambda request, result: self.finished.emit(request, *result))
        self._worker.failed.connect(self._on_failed)
        self._worker.cancelled.connect(self.cancelled)

    @property
    def busy(self) -> bool:
        return self._worker.running_threads() > 0

    def export(self, song: Song, path: str | Path, soundfont: str | Path | None, sample_rate: int = 44100) -> int:
        """Start rendering ``song`` to ``path``; returns the request id. A running export is cancelled."""
        path = Path(path)

        def job(token: CancelToken) -> tuple[Path, float]:
            samples = render_song(song, soundfont, sample_rate, normalize=True, cancel=token,
                                  progress=lambda f: token.progress(f))
            if token.cancelled():
                raise RenderCancelled("cancelled")
            write_wav(path, samples, sample_rate)  # atomic: an earlier file stays whole if this fails
            return path, peak_dbfs(samples)

        self.cancel()
        return self._worker.submit(job)

    def cancel(self) -> None:
        """Ask the running render to stop; nothing is written."""
        self._worker.cancel()

    def wait(self, timeout: float | None = None) -> None:
        self._worker.wait(timeout)

    def _on_failed(self, request: int, error: BaseException) -> None:
        if isinstance(error, RenderCancelled):
            self.cancelled.emit(request)
        elif isinstance(error, (SongFileError, AudioUnavailableError, OSError, ValueError)):
            self.failed.emit(request, str(error))
        else:  # never a traceback in the user's face
            self.failed.emit(request, f"{type(error).__name__}: {error}")


class ExportAudioFlow(QObject):
    """The Export Audio command of one window: asks for a file, shows progress, reports the outcome."""

    message = Signal(str)  # status bar text

    def __init__(self, window: QWidget, settings: Settings, song, suggested_name) -> None:
        super().__init__(window)
        self.window, self.settings = window, settings
        self._song, self._suggested = song, suggested_name
        self.exporter = AudioExporter(self)
        self.exporter.progress.connect(self._on_progress)
        self.exporter.finished.connect(self._on_finished)
        self.exporter.failed.connect(self._on_failed)
        self.exporter.cancelled.connect(self._on_cancelled)
        self.dialog: QProgressDialog | None = None
        self._request = 0
        self._path: Path | None = None

    def run(self) -> None:
        """Ask for a WAV path, then export to it."""
        folder = self.settings.get(EXPORT_AUDIO_DIR) or str(Path.home())
        name, _ = QFileDialog.getSaveFileName(self.window, "Export Audio", str(Path(folder) / self._suggested()),
                                              WAV_FILTER)
        if name:
            self.export_to(name)

    def export_to(self, path: str | Path) -> int | None:
        """Render the current song to ``path`` (".wav" added if missing); returns the request id."""
        path = Path(path)
        if path.suffix.lower() != ".wav":
            path = path.with_name(path.name + ".wav")
        song: Song = self._song()
        if song.note_count == 0:
            self._error("Nothing to export: the song has no notes")
            return None
        font, _warnings = resolve_soundfont(self.settings.get(SOUNDFONT))
        if font is None:
            self._error(NO_SOUNDFONT)
            return None
        self.settings.set(EXPORT_AUDIO_DIR, str(path.parent))
        self._path = path
        rate = self.settings.get(EXPORT_SAMPLE_RATE)
        self._request = self.exporter.export(song, path, font, rate if 8000 <= rate <= 192000 else 44100)
        self.dialog = QProgressDialog(f"Rendering {path.name}\u2026", "Cancel", 0, 1000, self.window)
        self.dialog.setWindowTitle("Export Audio")
        self.dialog.setWindowModality(Qt.WindowModality.WindowModal)
        self.dialog.setMinimumDuration(300)
        self.dialog.setAutoClose(False)
        self.dialog.setAutoReset(False)
        self.dialog.canceled.connect(self.exporter.cancel)
        self.dialog.setValue(0)
        self.message.emit(f"Exporting {path.name}\u2026")
        return self._request

    def _close_dialog(self) -> None:
        if self.dialog is not None:
            self.dialog.canceled.disconnect(self.exporter.cancel)
            self.dialog.close()
            self.dialog.deleteLater()
            self.dialog = None

    def _on_progress(self, request: int, fraction: float) -> None:
        if request == self._request and self.dialog is not None:
            self.dialog.setValue(int(fraction * 1000))

    def _on_finished(self, request: int, path: Path, peak: float) -> None:
        if request != self._request:
            return
        self._close_dialog()
        self.message.emit(f"Exported {path.name} (peak {peak:.1f} dBFS)")

    def _on_cancelled(self, request: int) -> None:
        if request == self._request:
            self._close_dialog()
            self.message.emit("Export cancelled; no file written")

    def _on_failed(self, request: int, reason: str) -> None:
        if request == self._request:
            self._close_dialog()
            self._error(f"Could not export audio: {reason}")

    def _error(self, text: str) -> None:
        self.message.emit(text)
        QMessageBox.critical(self.window, "Export Audio", text)
