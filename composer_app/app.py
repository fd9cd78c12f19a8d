"""The composition root: builds the QApplication, the services, the document and the main window."""

from __future__ import annotations

import atexit
import os
import shutil
import sys
import tempfile
from collections.abc import Sequence
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from PySide6.QtWidgets import QApplication

    from composer_app.ui.main_window import MainWindow


def _private_runtime_dir() -> None:
    """Qt wants XDG_RUNTIME_DIR (0700); give it a private temporary one when the session has none."""
    if not os.environ.get("XDG_RUNTIME_DIR"):
        folder = tempfile.mkdtemp(prefix="composer-runtime-")  # mode 0700
        os.environ["XDG_RUNTIME_DIR"] = folder
        atexit.register(shutil.rmtree, folder, True)  # gone again when the app quits


def start(app: QApplication, files: Sequence[str] = ()) -> MainWindow:
    """Name the application, build the services, document and window, show it, open ``files[0]``."""
    from composer_app import __version__, fileio
    from composer_app.ui.audio_service import AudioService
    from composer_app.ui.document import SongDocument
    from composer_app.ui.error_net import install_error_net
    from composer_app.ui.main_window import MainWindow
    from composer_app.ui.recovery import install_recovery
    from composer_app.ui.settings import APPLICATION, ORGANIZATION, Settings
    from composer_app.ui.timeline.transport import TransportState

    app.setOrganizationName(ORGANIZATION)
    app.setApplicationName(APPLICATION)
    app.setApplicationVersion(__version__)
    app.setDesktopFileName("composer")
    settings, document = Settings(), SongDocument()
    audio = AudioService(settings, document, TransportState(app), app)  # opens the sound device in the background
    app.aboutToQuit.connect(audio.shutdown)
    window = MainWindow(document, settings, fileio, audio=audio)
    recovery = install_recovery(window, document, settings)
    install_error_net(window, [recovery.save_now])
    window.show()
    window.activateWindow()  # keys reach it at once, also where no window manager hands out focus
    restored = recovery.offer()  # copies left by a crash or kill: restore, discard or later
    if files:
        window.open_path(files[0], ask=restored)
    return window


def main(argv: Sequence[str] | None = None) -> int:
    """Start the desktop app; an optional file argument is opened at start."""
    _private_runtime_dir()
    from PySide6.QtWidgets import QApplication

    args = list(sys.argv if argv is None else argv)
    existing = QApplication.instance()
    app = existing if isinstance(existing, QApplication) else QApplication(args)
    # a new QApplication has taken its own options (-platform xcb ...) out of arguments()
    rest = args[1:] if app is existing else app.arguments()[1:]
    window = start(app, [a for a in rest if not a.startswith("-")])
    from composer_app.ui.recovery import install_sigterm

    install_sigterm(app)  # logout/shutdown: recovery copies first, then quit
    code = app.exec()
    del window
    return code


if __name__ == "__main__":
    sys.exit(main())
