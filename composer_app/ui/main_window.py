"""The main window: menus, the editors (arrangement over piano roll), the status bar and file commands."""

from __future__ import annotations

from pathlib import Path
from types import ModuleType
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import Qt, QTimer
from PySide6.QtGui import QAction, QCloseEvent, QDragEnterEvent, QDropEvent, QKeySequence
from PySide6.QtWidgets import QFileDialog, QMainWindow, QMenu, QMessageBox, QProgressBar, QWidget

from composer_app import __version__
from composer_app.core.errors import SongFileError
from composer_app.core.song import Song
from composer_app.ui import song_summary as summary
from composer_app.ui.assistant.window import AssistantUi
from composer_app.ui.dialog_focus import FocusAfterDialogs
from composer_app.ui.document import PROJECT_SUFFIX, SongDocument
from composer_app.ui.drops import song_file_in
from composer_app.ui.editor_area import EditorArea
from composer_app.ui.editor_menus import EditorMenus
from composer_app.ui.loader import SongLoader
from composer_app.ui.midi_transfer import MidiTransfer
from composer_app.ui.notices import show_read_warnings
from composer_app.ui.saving import SaveService
from composer_app.ui.settings import WINDOW_GEOMETRY, WINDOW_STATE, Settings
from composer_app.ui.shortcuts import ShortcutsDialog, key_sequences, menu_groups
from composer_app.ui.sound_wiring import SoundUi, install_sound
from composer_app.ui.timeline.transport import TransportState
from composer_app.ui.track_list import TrackListPanel

if TYPE_CHECKING:
    from composer_app.ui.audio_service import AudioService

APP_NAME = "Composer"
StdKey = QKeySequence.StandardKey


class MainWindow(QMainWindow):
    """Takes the document and settings it shows; ``files`` is the file API (composer_app.fileio); ``audio``
    (built by the composition root) adds the transport, Preferences, Export Audio and device status."""

    def __init__(self, document: SongDocument, settings: Settings, files: ModuleType | Any = None,
                 parent: QWidget | None = None, *, audio: AudioService | None = None) -> None:
        super().__init__(parent)
        if files is None:
            from composer_app import fileio as files
        self.document = document
        self.settings = settings
        self.files = files
        self._midi_suffixes: tuple[str, ...] = tuple(getattr(files, "MIDI_SUFFIXES", (".mid", ".midi")))
        self.loader = SongLoader(files.open_song_checked, self)
        self.loader.loaded.connect(self._on_loaded)
        self.loader.warned.connect(lambda _r, path, warnings: show_read_warnings(self, self.status, "opened",
                                                                                 path, warnings))
        self.loader.failed.connect(self._on_failed)
        self.loader.busy_changed.connect(self._on_busy)
        self.saver = SaveService(self, files, settings, self.show_error)

        self.transport = audio.transport if audio is not None else TransportState(self)
        self.track_list = TrackListPanel(document, self)
        self.editors = EditorArea(self, document, self.transport, settings, self.status, self.track_list)
        self.setAcceptDrops(True)
        self._build_actions()
        self._build_menus()
        self.editor_menus = EditorMenus(self, self.editors, self.help_menu.menuAction())
        self.midi_transfer = MidiTransfer(self, document, self.editors, files.open_song_checked,
                                          self.saver.export_midi, self.status, self.show_error, self._start_dir)
        self.midi_transfer.add_to_menu(self.file_menu, self.recent_menu.menuAction(), self.export_action)
        self._build_status_bar()
        self.sound: SoundUi | None = install_sound(self, audio) if audio is not None else None
        if self.sound is not None:
            self.editors.connect_sound(self.sound)
        self.assistant = AssistantUi(document, audio, self.status, self.editors.roll, self.editors.arrangement, self,
                                     settings)
        self.assistant.install(self, self.help_menu.menuAction())

        document.path_changed.connect(self._update_title)
        document.modified_changed.connect(self._update_title)
        self._update_title()
        self._restore_geometry()
        self.focus_after_dialogs = FocusAfterDialogs(self)

    # ------------------------------------------------------------------ building

    def _action(self, text: str, slot, keys: list[QKeySequence] | None = None, tip: str = "") -> QAction:
        action = QAction(text, self)
        if keys:
            action.setShortcuts(keys)
        if tip:
            action.setStatusTip(tip)
        action.triggered.connect(lambda _checked=False: slot())
        self.addAction(action)
        return action

    def _build_actions(self) -> None:
        self.new_action = self._action("&New", self.new_song, key_sequences(StdKey.New, "Ctrl+N"),
                                       "Start an empty song")
        self.open_action = self._action("&Open\u2026", self.open_file, key_sequences(StdKey.Open, "Ctrl+O"),
                                        "Open a MIDI file or a Composer project")
        self.save_action = self._action("&Save", self.save, key_sequences(StdKey.Save, "Ctrl+S"),
                                        "Save the song as a Composer project")
        self.save_as_action = self._action("Save &As\u2026", self.save_as,
                                           key_sequences(StdKey.SaveAs, "Ctrl+Shift+S"),
                                           "Save the song as a project under a new name")
        self.export_action = self._action("&Export MIDI\u2026", self.export_midi, key_sequences(None, "Ctrl+Shift+M"),
                                          "Write the song as a standard MIDI file for a DAW")
        self.quit_action = self._action("&Quit", self.close, key_sequences(StdKey.Quit, "Ctrl+Q"),
                                        "Close Composer")
        self.quit_action.setMenuRole(QAction.MenuRole.QuitRole)
        self.clear_recent_action = self._action("&Clear Recent Files", self.clear_recent_files)

        stack = self.document.undo_stack
        self.undo_action = stack.createUndoAction(self, "&Undo")
        self.undo_action.setShortcuts(key_sequences(StdKey.Undo, "Ctrl+Z"))
        self.redo_action = stack.createRedoAction(self, "&Redo")
        self.redo_action.setShortcuts(key_sequences(StdKey.Redo, "Ctrl+Shift+Z"))
        self.addActions([self.undo_action, self.redo_action])

        self.shortcuts_action = self._action("&Keyboard Shortcuts", self.show_shortcuts,
                                             key_sequences(StdKey.HelpContents, "F1"))
        self.about_action = self._action(f"&About {APP_NAME}", self.show_about)
        self.about_action.setMenuRole(QAction.MenuRole.AboutRole)

    def _build_menus(self) -> None:
        bar = self.menuBar()
        self.file_menu = bar.addMenu("&File")
        self.file_menu.addActions([self.new_action, self.open_action])
        self.recent_menu = QMenu("Open &Recent", self)
        self.recent_menu.setToolTipsVisible(True)
        self.file_menu.addMenu(self.recent_menu)
        self.file_menu.addSeparator()
        self.file_menu.addActions([self.save_action, self.save_as_action, self.export_action])
        self.file_menu.addSeparator()
        self.file_menu.addAction(self.quit_action)
        self.edit_menu = bar.addMenu("&Edit")
        self.edit_menu.addActions([self.undo_action, self.redo_action])
        self.help_menu = bar.addMenu("&Help")
        self.help_menu.addActions([self.shortcuts_action, self.about_action])
        self._rebuild_recent_menu()

    def _build_status_bar(self) -> None:
        self.busy_indicator = QProgressBar(self)
        self.busy_indicator.setRange(0, 0)  # indeterminate
        self.busy_indicator.setMaximumWidth(140)
        self.busy_indicator.setMaximumHeight(14)
        self.busy_indicator.setTextVisible(False)
        self.busy_indicator.hide()
        self.statusBar().addPermanentWidget(self.busy_indicator)
        self.statusBar().showMessage("Ready")

    def _rebuild_recent_menu(self) -> None:
        self.recent_menu.clear()
        files = self.settings.recent_files()
        for i, name in enumerate(files, start=1):
            path = Path(name)
            action = self.recent_menu.addAction(f"&{i % 10}  {path.name.replace('&', '&&')}")
            action.setToolTip(str(path))
            action.setStatusTip(str(path))
            action.triggered.connect(lambda _checked=False, p=path: self.open_path(p))
        if files:
            self.recent_menu.addSeparator()
        self.recent_menu.addAction(self.clear_recent_action)
        self.clear_recent_action.setEnabled(bool(files))
        self.recent_menu.setEnabled(bool(files))

    # ------------------------------------------------------------------ state shown

    def _update_title(self, *_changed: object) -> None:
        self.setWindowTitle(f"{self.document.display_name}[*] \u2014 {APP_NAME}")
        self.setWindowModified(self.document.modified)

    def _on_busy(self, busy: bool) -> None:
        self.busy_indicator.setVisible(busy)

    def status(self, text: str, msecs: int = 0) -> None:
        self.statusBar().showMessage(text, msecs)

    def show_error(self, title: str, error: SongFileError | str) -> None:
        """A one-line status message and a message box; never a traceback."""
        text = str(error)
        self.status(text)
        QMessageBox.critical(self, title, text)

    # ------------------------------------------------------------------ file commands

    def _start_dir(self) -> str:
        if self.document.path is not None:
            return str(self.document.path.parent)
        recent = self.settings.recent_files()
        return str(Path(recent[0]).parent) if recent else str(Path.home())

    def maybe_save(self) -> bool:
        """True when the current song may be replaced: saved, discarded, or never changed."""
        if not self.document.modified:
            return True
        answer = QMessageBox.warning(
            self, APP_NAME, f"Save changes to \u201c{self.document.display_name}\u201d?\n\n"
            "Your changes will be lost if you don't save them.",
            QMessageBox.StandardButton.Save | QMessageBox.StandardButton.Discard
            | QMessageBox.StandardButton.Cancel, QMessageBox.StandardButton.Save)
        if answer == QMessageBox.StandardButton.Save:
            return self.save()
        return answer == QMessageBox.StandardButton.Discard

    def new_song(self) -> None:
        if self.maybe_save():
            self.loader.cancel()
            self.document.load(Song(), None)
            self.editors.song_loaded(self.document.song)
            self.status("New song")

    def open_file(self) -> None:
        if not self.maybe_save():
            return
        name, _ = QFileDialog.getOpenFileName(self, "Open MIDI File or Project", self._start_dir(),
                                              self.files.OPEN_FILTER)
        if name:
            self.open_path(name, ask=False)

    def open_path(self, path: str | Path, ask: bool = True) -> int | None:
        """Start opening ``path`` off the GUI thread; returns the request id (None if cancelled)."""
        if ask and not self.maybe_save():
            return None
        path = Path(path)
        self.status(f"Opening {path.name}\u2026")
        return self.loader.load(path)

    def _on_loaded(self, _request: int, path: Path, song: Song) -> None:
        self.document.load(song, path)
        self.editors.song_loaded(song)
        self.settings.add_recent_file(path)
        self._rebuild_recent_menu()
        self.status(summary.opened_message(path, song))

    def _on_failed(self, _request: int, path: Path, error: SongFileError) -> None:
        if not path.exists() and str(path.resolve()) in self.settings.recent_files():
            self.settings.remove_recent_file(path)
            self._rebuild_recent_menu()
        self.show_error("Could Not Open File", error)

    def save(self) -> bool:
        """Save to the project file; a song from MIDI (or never saved) asks for a name first."""
        if self.document.is_project and self.document.path is not None:
            return self.save_to(self.document.path)
        return self.save_as()

    def _suggested(self, suffix: str) -> str:
        stem = self.document.path.stem if self.document.path is not None else (
            self.document.song.title.strip() or "Untitled")
        return str(Path(self._start_dir()) / f"{stem}{suffix}")

    def save_as(self) -> bool:
        name, _ = QFileDialog.getSaveFileName(self, "Save Project", self._suggested(PROJECT_SUFFIX),
                                              self.files.PROJECT_FILTER)
        return self.save_to(name) if name else False

    def save_to(self, path: str | Path) -> bool:
        path = Path(path)
        if path.suffix.lower() != PROJECT_SUFFIX:
            path = path.with_name(path.name + PROJECT_SUFFIX)
        undo_index = self.document.undo_stack.index()
        if not self.saver.save_project(self.document.song, path):  # off the GUI thread; shows any error
            return False
        if self.document.undo_stack.index() == undo_index:
            self.document.mark_saved(path)
        else:  # edited while the file was written: the file holds the older song
            self.document.set_path(path)
        self.settings.add_recent_file(path)
        self._rebuild_recent_menu()
        self.status(f"Saved {path.name}", 5000)
        return True

    def export_midi(self) -> bool:
        name, _ = QFileDialog.getSaveFileName(self, "Export MIDI", self._suggested(".mid"),
                                              self.files.MIDI_FILTER)
        return self.export_to(name) if name else False

    def export_to(self, path: str | Path) -> bool:
        path = Path(path)
        if path.suffix.lower() not in self._midi_suffixes:
            path = path.with_name(path.name + ".mid")
        if not self.saver.export_midi(self.document.song, path):
            return False
        self.status(f"Exported {path.name}", 5000)
        return True

    def clear_recent_files(self) -> None:
        self.settings.clear_recent_files()
        self._rebuild_recent_menu()

    # ------------------------------------------------------------------ help

    def shortcut_groups(self) -> list[tuple[str, list[QAction]]]:
        """(menu title, its commands) for every menu and submenu, in menu-bar order."""
        return menu_groups([a.menu() for a in self.menuBar().actions() if a.menu() is not None])

    def show_shortcuts(self) -> None:
        ShortcutsDialog(self.shortcut_groups(), self).exec()

    def show_about(self) -> None:
        QMessageBox.about(self, f"About {APP_NAME}",
                          f"<h3>{APP_NAME} {__version__}</h3>"
                          "<p>A composing assistant: sketch a motif, ask for continuations and "
                          "harmonizations, audition them, and export MIDI to your DAW.</p>"
                          "<p>Free software under the GNU General Public License, version 3 or later.</p>")

    # ------------------------------------------------------------------ window events

    def _restore_geometry(self) -> None:
        geometry = self.settings.get(WINDOW_GEOMETRY)
        if geometry.isEmpty() or not self.restoreGeometry(geometry):
            screen = self.screen().availableGeometry()
            self.resize(min(1400, screen.width() * 9 // 10), min(900, screen.height() * 9 // 10))
        state = self.settings.get(WINDOW_STATE)
        if not state.isEmpty():
            self.restoreState(state)
        self.editors.restore()
        self.editor_menus.sync_toggles()

    def closeEvent(self, event: QCloseEvent) -> None:
        recovery = getattr(self, "recovery", None)  # set by ui.recovery.install_recovery
        if self.saver.busy and not (recovery is not None and recovery.terminating):
            event.ignore()  # a save is being written: close once it is done
            self.status("Saving… close again when the save has finished", 5000)
            return
        try:
            if not (recovery is not None and recovery.terminating) and not self.maybe_save():
                event.ignore()
                return
        except Exception as error:  # noqa: BLE001 - a failed save must never close the window and lose the edit
            event.ignore()
            self.show_error("Could Not Save", f"{type(error).__name__}: {error}")
            return
        for loader in (self.loader, self.midi_transfer.loader):
            loader.cancel()
            loader.wait(2)  # a read still running must not outlive the window's Qt objects
        self.assistant.assistant.worker.cancel()  # a request still sampling stops at its next step ...
        self.assistant.assistant.worker.wait(2)  # ... and no thread is left in Qt's code when the app ends
        self.settings.set(WINDOW_GEOMETRY, self.saveGeometry())
        self.settings.set(WINDOW_STATE, self.saveState())
        self.editors.save()
        self.settings.sync()
        if recovery is not None:
            recovery.window_closed()  # saved or discarded: the recovery copy goes
        event.accept()

    def _dropped_path(self, event: QDragEnterEvent | QDropEvent) -> Path | None:
        return song_file_in(event.mimeData(), (*self._midi_suffixes, PROJECT_SUFFIX))

    def dragEnterEvent(self, event: QDragEnterEvent) -> None:
        if self._dropped_path(event) is not None:
            event.setDropAction(Qt.DropAction.CopyAction)
            event.accept()
        else:
            event.ignore()

    def dropEvent(self, event: QDropEvent) -> None:
        path = self._dropped_path(event)
        if path is None:
            event.ignore()
            return
        event.setDropAction(Qt.DropAction.CopyAction)
        event.accept()
        QTimer.singleShot(0, lambda: self.open_path(path))  # ask about unsaved changes after the drop
