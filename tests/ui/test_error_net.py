"""The error net: exceptions anywhere are logged, shown once with their details, followed by a recovery copy."""

import sys
import threading

import pytest
from PySide6.QtCore import QTimer, QUrl
from PySide6.QtGui import QDesktopServices, QGuiApplication

from composer_app import fileio
from composer_app.core import edits
from composer_app.ui.error_net import LOG_FILE, install_error_net
from composer_app.ui.main_window import MainWindow
from composer_app.ui.recovery import install_recovery

pytestmark = pytest.mark.qt_no_exception_capture


@pytest.fixture
def rig(qtbot, document, settings, tmp_path, song):
    win = MainWindow(document, settings, fileio)
    controller = install_recovery(win, document, settings, tmp_path / "recovery")
    net = install_error_net(win, [controller.save_now], tmp_path / "logs")
    win.show()
    document.load(song, None)
    document.apply("Rename", edits.set_title(song, "unsaved work"))
    yield win, net
    net.uninstall()
    if net.dialog is not None:
        net.dialog.close()
    document.undo_stack.setClean()
    win.close()
    win.deleteLater()


def _log(net) -> str:
    return (net.folder / LOG_FILE).read_text()


def test_an_exception_in_a_qt_slot_is_logged_shown_and_saved(qtbot, rig):
    win, net = rig

    def broken_slot():
        raise RuntimeError("slot went wrong")

    QTimer.singleShot(0, broken_slot)
    qtbot.waitUntil(lambda: net.dialog is not None and net.dialog.isVisible(), timeout=5000)
    assert "RuntimeError: slot went wrong" in net.dialog.text()
    assert "recovery copy" in net.dialog.text()
    assert "broken_slot" in net.dialog.detailedText()
    assert "slot went wrong" in _log(net) and "Traceback" in _log(net)
    slot = win.recovery.autosave.slot
    assert slot.exists  # written at once, not after the autosave interval
    assert win.isVisible() and win.document.song.title == "unsaved work"


def test_an_exception_in_a_worker_thread_reaches_the_gui(qtbot, rig):
    win, net = rig

    def work():
        raise ValueError("thread went wrong")

    thread = threading.Thread(target=work)
    thread.start()
    thread.join()
    qtbot.waitUntil(lambda: net.dialog is not None and net.dialog.isVisible(), timeout=5000)
    assert "ValueError: thread went wrong" in net.dialog.text()
    assert "thread went wrong" in _log(net)


def test_copy_details_puts_the_traceback_on_the_clipboard(qtbot, rig):
    _win, net = rig
    try:
        raise KeyError("copied")
    except KeyError:
        sys.excepthook(*sys.exc_info())
    qtbot.waitUntil(lambda: net.dialog is not None and net.dialog.isVisible(), timeout=5000)
    copy = next(b for b in net.dialog.buttons() if b.text() == "&Copy Details")
    copy.click()
    assert "KeyError: 'copied'" in QGuiApplication.clipboard().text()
    assert net.dialog is None  # closed; the next error opens a new one


def test_a_burst_of_errors_shows_one_dialog(qtbot, rig):
    _win, net = rig
    for i in range(5):
        try:
            raise RuntimeError(f"burst {i}")
        except RuntimeError:
            sys.excepthook(*sys.exc_info())
    qtbot.waitUntil(lambda: net.count == 5, timeout=5000)
    assert "burst 0" in net.dialog.text() and "5 errors so far" in net.dialog.informativeText()
    assert all(f"burst {i}" in _log(net) for i in range(5))


def test_help_opens_the_log_folder(qtbot, rig, monkeypatch):
    win, net = rig
    opened = []
    monkeypatch.setattr(QDesktopServices, "openUrl", lambda url: opened.append(url) or True)
    assert win.open_log_action in win.help_menu.actions()
    win.open_log_action.trigger()
    assert opened == [QUrl.fromLocalFile(str(net.folder))]


def test_uninstall_restores_the_hooks(rig):
    _win, net = rig
    assert sys.excepthook == net.handle
    net.uninstall()
    assert sys.excepthook != net.handle and threading.excepthook != net._thread_hook
