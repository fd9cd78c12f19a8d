"""Keyboard focus back to the main window when a dialog closes, also where no window manager gives it back.

A window manager hands focus to a closed dialog's parent. Without one (a bare X server, a kiosk session), focus
falls to the screen's root and the window's shortcuts stop working until the next click. Where the keyboard left
a window of the app that then went away (a dialog closed) and no window of the app took it, the main window is
activated again. Focus that leaves for another program leaves from a window still shown, and is left alone."""

from __future__ import annotations

from PySide6.QtCore import QObject, QTimer
from PySide6.QtWidgets import QApplication, QWidget


class FocusAfterDialogs(QObject):
    """Watches the application's focus on behalf of the main window ``window``."""

    def __init__(self, window: QWidget) -> None:
        super().__init__(window)
        self._window = window
        app = QApplication.instance()
        if isinstance(app, QApplication):
            app.focusChanged.connect(self.focus_changed)

    def focus_changed(self, old: QWidget | None, new: QWidget | None) -> None:
        if new is None and old is not None:
            left = old.window()  # still shown while it hides: judged once the event loop has settled
            QTimer.singleShot(0, lambda: self._refocus(left))

    def _refocus(self, left: QWidget) -> None:
        window = self._window
        if _shown(left) or QApplication.activeWindow() is not None:
            return
        if window.isVisible() and not window.isMinimized():
            window.activateWindow()


def _shown(widget: QWidget) -> bool:
    try:
        return widget.isVisible()
    except RuntimeError:  # already deleted (a static QFileDialog call deletes its dialog)
        return False
