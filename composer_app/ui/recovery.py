"""Crash recovery in the window: autosave wiring, the restore offer at start, and a recovery copy on SIGTERM."""

from __future__ import annotations

import signal
import socket
import time
import weakref
from pathlib import Path
from typing import TYPE_CHECKING

from PySide6.QtCore import QObject, QSocketNotifier, QStandardPaths, QTimer
from PySide6.QtWidgets import QApplication, QMessageBox, QWidget

from composer_app.core.errors import SongFileError
from composer_app.core.song import Song
from composer_app.project import recovery as store
from composer_app.project.recovery import RecoveryInfo
from composer_app.ui.autosave import Autosave
from composer_app.ui.document import SongDocument
from composer_app.ui.settings import Settings

if TYPE_CHECKING:
    from composer_app.ui.main_window import MainWindow

Btn = QMessageBox.StandardButton
RESTORE, DISCARD, LATER = "restore", "discard", "later"


def data_folder() -> Path:
    """The user data folder (QStandardPaths.AppDataLocation): recovery copies and logs live here."""
    return Path(QStandardPaths.writableLocation(QStandardPaths.StandardLocation.AppDataLocation))


def recovery_folder() -> Path:
    return data_folder() / "recovery"


def _ago(seconds: float) -> str:
    seconds = abs(seconds)
    if seconds < 90:
        return f"{seconds:.0f} seconds"
    if seconds < 90 * 60:
        return f"{seconds / 60:.0f} minutes"
    if seconds < 36 * 3600:
        return f"{seconds / 3600:.1f} hours"
    return f"{seconds / 86400:.1f} days"


def describe(info: RecoveryInfo) -> str:
    """What a recovery copy holds, in words for the restore question."""
    when = time.strftime("%Y-%m-%d %H:%M:%S", time.localtime(info.saved_at))
    lines = [f"Composer did not close normally while \u201c{info.name}\u201d had unsaved changes.",
             "",
             f"A recovery copy from {when} holds {info.notes} notes in {info.tracks} "
             f"track{'s' if info.tracks != 1 else ''}."]
    newer = info.newer_by()
    if info.source is None:
        lines.append("The song was never saved.")
    elif newer is None:
        lines.append(f"The saved file {info.source} is missing.")
    elif newer >= 0:
        lines.append(f"It is {_ago(newer)} newer than the saved file {info.source}.")
    else:
        lines.append(f"The saved file {info.source} is {_ago(newer)} newer than the copy: it was saved later.")
    lines += ["", "Restore it (as unsaved changes you can undo), discard it, or decide next time?"]
    return "\n".join(lines)


def ask(parent: QWidget | None, info: RecoveryInfo) -> str:
    """RESTORE, DISCARD or LATER, as the user answers (tests replace this function)."""
    box = QMessageBox(QMessageBox.Icon.Question, "Recover Unsaved Work", describe(info), parent=parent)
    restore = box.addButton("&Restore", QMessageBox.ButtonRole.AcceptRole)
    discard = box.addButton("&Discard", QMessageBox.ButtonRole.DestructiveRole)
    box.addButton("Decide &Later", QMessageBox.ButtonRole.RejectRole)
    box.setDefaultButton(restore)
    box.exec()
    clicked = box.clickedButton()
    return RESTORE if clicked is restore else DISCARD if clicked is discard else LATER


class RecoveryController(QObject):
    """Owns a window's autosave; offers orphaned copies back; writes a copy when the app is told to stop."""

    def __init__(self, window: MainWindow, document: SongDocument, settings: Settings,
                 folder: str | Path | None = None) -> None:
        super().__init__(window)
        self.window = window
        self.document = document
        self.folder = Path(folder) if folder is not None else recovery_folder()
        self.autosave = Autosave(document, settings, self.folder, self)
        self.autosave.failed.connect(lambda text: window.status(f"Recovery copy not written: {text}", 10000))
        self.terminating = False
        _controllers.add(self)

    def save_now(self) -> bool:
        """An immediate recovery copy on this thread (the error net, SIGTERM)."""
        return self.autosave.save_now(wait=True)

    def window_closed(self) -> None:
        """The window closed after the user saved or discarded: the copy is no longer needed."""
        if not self.terminating:
            self.autosave.discard()

    def terminate(self) -> None:
        """SIGTERM (logout, shutdown): write the copy, then close without asking."""
        self.terminating = True
        self.save_now()

    def offer(self, choose=None) -> bool:
        """Offer orphaned copies, newest first; True when one was restored into the window.

        After a restore the rest stay for the next start (the window holds one song)."""
        choose = choose or ask
        for info in store.orphans(self.folder):
            if not store.claim(info):
                continue
            answer = choose(self.window, info)
            if answer == RESTORE:
                try:
                    self.restore(info)
                except SongFileError as error:
                    store.release(info)
                    self.window.show_error("Could Not Recover", error)
                    continue
                info.discard()
                return True
            if answer == DISCARD:
                info.discard()
            else:
                store.release(info)
        return False

    def restore(self, info: RecoveryInfo) -> None:
        """The saved file (if any) as the clean state, the recovered song as one undoable unsaved change."""
        song = info.load()
        base = Song()
        if info.source is not None and info.source.is_file():
            try:
                base = self.window.files.open_song(info.source)
            except SongFileError:
                base = Song()
        self.document.load(base, info.source)
        self.document.apply("Recover Unsaved Changes", song)
        self.window.editors.song_loaded(song)
        self.window.status(f"Recovered {info.notes} notes in {info.tracks} tracks of \u201c{info.name}\u201d")
        self.autosave.save_now()  # the restored work has a copy again at once


_controllers: weakref.WeakSet[RecoveryController] = weakref.WeakSet()
_wakeup: list[object] = []  # the socket pair and notifier, kept alive


def on_sigterm() -> None:
    """Every window writes its recovery copy; then the application quits without asking."""
    for controller in list(_controllers):
        controller.terminate()
    app = QApplication.instance()
    if app is not None:
        QTimer.singleShot(0, app.quit)  # also when the signal came before exec() started its loop


def install_sigterm(app: QApplication) -> None:
    """Let SIGTERM reach Python while Qt's event loop runs (a wakeup socket), and handle it there.

    Only for a process that runs ``app.exec()`` next (the app's ``main``): the handler ends by quitting it."""
    if _wakeup or not hasattr(signal, "SIGTERM"):
        return
    reader, writer = socket.socketpair()
    reader.setblocking(False)
    writer.setblocking(False)
    signal.set_wakeup_fd(writer.fileno(), warn_on_full_buffer=False)
    notifier = QSocketNotifier(reader.fileno(), QSocketNotifier.Type.Read, app)

    def drain() -> None:
        try:
            reader.recv(64)
        except OSError:
            pass

    notifier.activated.connect(drain)  # Python runs pending handlers as soon as it regains control
    signal.signal(signal.SIGTERM, lambda _sig, _frame: on_sigterm())
    _wakeup.extend([reader, writer, notifier])


def install_recovery(window: MainWindow, document: SongDocument, settings: Settings,
                     folder: str | Path | None = None) -> RecoveryController:
    """Give ``window`` its autosave and recovery (``window.recovery``); SIGTERM is ``install_sigterm``'s."""
    controller = RecoveryController(window, document, settings, folder)
    window.recovery = controller  # type: ignore[attr-defined]
    return controller
