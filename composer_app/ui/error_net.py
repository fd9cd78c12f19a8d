"""The error net: an unexpected exception is logged and shown, a recovery copy follows, the app keeps running."""

from __future__ import annotations

import logging
import logging.handlers
import sys
import threading
import traceback
from collections.abc import Callable
from pathlib import Path
from types import TracebackType

from PySide6.QtCore import QObject, Qt, QUrl, Signal
from PySide6.QtGui import QDesktopServices, QGuiApplication
from PySide6.QtWidgets import QMessageBox, QWidget

LOG_FILE = "composer.log"
LOG_BYTES = 1024 * 1024
LOG_BACKUPS = 4
LOGGER = "composer"


def log_folder() -> Path:
    from composer_app.ui.recovery import data_folder

    return data_folder() / "logs"


class ErrorNet(QObject):
    """Installs ``sys.excepthook`` and ``threading.excepthook`` (exceptions in Qt slots and virtual methods
    reach ``sys.excepthook`` through PySide); each exception is written to a rotating log, the registered
    savers write recovery copies, and one dialog at a time shows the short reason with a Copy Details button."""

    caught = Signal(str, str)  # short reason, full traceback: delivered on the GUI thread

    def __init__(self, folder: str | Path | None = None, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.folder = Path(folder) if folder is not None else log_folder()
        self.parent_widget = parent
        self.savers: list[Callable[[], object]] = []
        self.dialog: QMessageBox | None = None
        self.count = 0
        self.logger = logging.getLogger(LOGGER)
        self.logger.setLevel(logging.INFO)
        self._handler: logging.Handler | None = None
        self._old_hooks: tuple | None = None
        self.caught.connect(self._on_caught, Qt.ConnectionType.QueuedConnection)

    @property
    def log_path(self) -> Path:
        return self.folder / LOG_FILE

    def install(self) -> ErrorNet:
        try:
            self.folder.mkdir(parents=True, exist_ok=True)
            self._handler = logging.handlers.RotatingFileHandler(self.log_path, maxBytes=LOG_BYTES,
                                                                 backupCount=LOG_BACKUPS, encoding="utf-8")
            self._handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(threadName)s %(message)s"))
            self.logger.addHandler(self._handler)
        except OSError as exc:
            print(f"composer: cannot write the log in {self.folder}: {exc}", file=sys.stderr)
        self._old_hooks = (sys.excepthook, threading.excepthook)
        sys.excepthook = self.handle
        threading.excepthook = self._thread_hook
        return self

    def uninstall(self) -> None:
        if self._old_hooks is not None:
            sys.excepthook, threading.excepthook = self._old_hooks
            self._old_hooks = None
        if self._handler is not None:
            self.logger.removeHandler(self._handler)
            self._handler.close()
            self._handler = None

    def handle(self, kind: type[BaseException], error: BaseException, tb: TracebackType | None) -> None:
        """The exception hook: log, then report on the GUI thread (from any thread)."""
        if issubclass(kind, KeyboardInterrupt) and self._old_hooks is not None:
            self._old_hooks[0](kind, error, tb)
            return
        details = "".join(traceback.format_exception(kind, error, tb))
        short = f"{kind.__name__}: {error}".strip().splitlines()[0][:300] if str(error) else kind.__name__
        try:
            self.logger.error("unexpected exception\n%s", details)
        except Exception:  # noqa: BLE001 - the net itself must never raise
            pass
        print(details, file=sys.stderr, end="")
        try:
            self.caught.emit(short, details)
        except RuntimeError:  # the window (and this net's QObject) is gone: the log and stderr have it
            pass

    def _thread_hook(self, args: threading.ExceptHookArgs) -> None:
        if args.exc_type is SystemExit:
            return
        self.handle(args.exc_type, args.exc_value or args.exc_type(), args.exc_traceback)

    def _on_caught(self, short: str, details: str) -> None:
        self.count += 1
        saved = False
        for save in self.savers:
            try:
                saved = bool(save()) or saved
            except Exception as exc:  # noqa: BLE001
                self.logger.error("recovery copy failed after an error: %r", exc)
        if self.dialog is not None and self.dialog.isVisible():
            self.dialog.setInformativeText(f"{self.count} errors so far; each is in the log.")
            return
        self.dialog = self._dialog(short, details, saved)
        self.dialog.open()  # not exec(): no nested event loop inside an error

    def _dialog(self, short: str, details: str, saved: bool) -> QMessageBox:
        safe = ("Your unsaved changes were written to a recovery copy." if saved
                else "Your work is still open; save it when you can.")
        box = QMessageBox(QMessageBox.Icon.Warning, "Something Went Wrong",
                          f"Composer hit an unexpected problem and kept running.\n\n{short}\n\n{safe}",
                          QMessageBox.StandardButton.Close, self.parent_widget)
        box.setInformativeText(f"The details are in {self.log_path}.")
        box.setDetailedText(details)
        copy = box.addButton("&Copy Details", QMessageBox.ButtonRole.ActionRole)  # copies, then closes
        copy.clicked.connect(lambda: QGuiApplication.clipboard().setText(details))
        box.finished.connect(lambda _result: self._closed(box))
        box.setWindowModality(Qt.WindowModality.WindowModal)
        return box

    def _closed(self, box: QMessageBox) -> None:
        if self.dialog is box:
            self.dialog = None
        box.deleteLater()

    def open_log_folder(self) -> bool:
        self.folder.mkdir(parents=True, exist_ok=True)
        return QDesktopServices.openUrl(QUrl.fromLocalFile(str(self.folder)))


def install_error_net(window: QWidget, savers: list[Callable[[], object]] = (),  # type: ignore[assignment]
                      folder: str | Path | None = None) -> ErrorNet:
    """The net for ``window``: hooks installed, ``savers`` called after each error, Help > Open Log Folder."""
    net = ErrorNet(folder, window).install()
    net.savers.extend(savers)
    menu = getattr(window, "help_menu", None)
    if menu is not None:
        action = menu.addAction("Open &Log Folder")
        action.setStatusTip(f"Show the folder with Composer's log ({net.folder})")
        action.triggered.connect(lambda _checked=False: net.open_log_folder())
        window.open_log_action = action  # type: ignore[attr-defined]
    return net
