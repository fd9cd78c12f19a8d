"""The window's transport: Space plays and stops, Home, loop and metronome toggles, menus, shortcuts, status bar."""

from __future__ import annotations

import pytest
from PySide6.QtCore import Qt

from composer_app import fileio
from composer_app.core.song import Clip, Note, Song, Track
from composer_app.midi import ports
from composer_app.ui.main_window import MainWindow
from composer_app.ui.settings import METRONOME
from composer_app.ui.shortcuts import ShortcutsDialog
from tests.ui.sound_fakes import fake_service


def song() -> Song:
    notes = tuple(Note(60 + i % 7, i * 480, 240) for i in range(32))
    return Song(tracks=(Track("Piano", clips=(Clip(0, 8 * 1920, notes),)),))


@pytest.fixture
def window(qtbot, document, settings, plugged):
    document.load(song())
    audio = fake_service(settings, document)
    win = MainWindow(document, settings, fileio, audio=audio)
    qtbot.addWidget(win)
    win.show()
    qtbot.waitExposed(win)
    yield win
    audio.shutdown()


def test_space_toggles_play_and_stop(qtbot, window):
    transport = window.transport
    window.activateWindow()
    qtbot.keyClick(window, Qt.Key.Key_Space)
    assert transport.playing
    assert window.sound.actions.play.isChecked()
    assert window.sound.actions.play.text() == "&Stop"
    qtbot.waitUntil(lambda: transport.playhead > 0, timeout=3000)
    qtbot.keyClick(window, Qt.Key.Key_Space)
    assert not transport.playing
    assert not window.sound.actions.play.isChecked()


def test_home_returns_to_start(qtbot, window):
    window.transport.set_playhead(3000)
    qtbot.keyClick(window, Qt.Key.Key_Home)
    assert window.transport.playhead == 0


def test_loop_toggle_without_a_region_loops_four_bars_at_the_playhead(qtbot, window):
    window.transport.set_playhead(1920 + 100)
    window.sound.actions.loop.trigger()
    assert window.transport.loop == (1920, 1920 * 5) and window.transport.loop_enabled
    assert window.sound.actions.loop.isChecked()
    window.sound.actions.loop.trigger()
    assert not window.transport.loop_enabled
    window.transport.set_loop(0, 960, True)  # the ruler sets a region: the toggle follows
    assert window.sound.actions.loop.isChecked()


def test_metronome_toggle_is_remembered(qtbot, window, settings):
    window.sound.actions.metronome.trigger()
    assert settings.get(METRONOME) is True
    assert window.sound.audio.player.metronome_on
    window.sound.actions.metronome.trigger()
    assert settings.get(METRONOME) is False


def test_panic_stops(qtbot, window):
    window.sound.audio.play()
    window.sound.actions.panic.trigger()
    assert not window.transport.playing


def test_transport_menu_and_shortcuts_dialog(window):
    titles = [a.text() for a in window.menuBar().actions()]
    assert titles == ["&File", "&Edit", "&View", "&Arrangement", "&Piano Roll", "&Transport", "A&ssistant", "&Help"]
    rows = dict(ShortcutsDialog(window.shortcut_groups()).rows())
    assert rows["Play"] == "Space"
    assert rows["Record"].startswith("R")
    assert rows["Loop"] == "Ctrl+L"
    assert rows["Metronome"] == "K"
    assert rows["Return to Start"] == "Home"
    assert rows["Panic (All Notes Off)"] == "Shift+Esc"
    assert rows["Preferences"].startswith("Ctrl+,")
    assert rows["Export Audio"] == "Ctrl+Shift+E"
    file_items = [a.text() for a in window.file_menu.actions()]
    assert file_items.index("Export &Audio\u2026") == file_items.index("&Export MIDI\u2026") + 1


def test_status_bar_says_what_device_and_midi_there_are(window):
    sound = window.sound
    assert sound.device_label.text() == "Audio: fake"
    assert sound.device_label.isVisible()
    assert sound.midi_label.text() == "No MIDI devices connected"


def test_status_bar_with_no_midi_subsystem(qtbot, document, settings, monkeypatch):
    monkeypatch.setattr(ports, "scan_ports", lambda api=None: ports.PortList(
        "alsa", (), (), "No MIDI devices (ALSA sequencer not available)"))
    audio = fake_service(settings, document)
    win = MainWindow(document, settings, fileio, audio=audio)
    qtbot.addWidget(win)
    assert win.sound.midi_label.text() == "No MIDI devices (ALSA sequencer not available)"
    audio.shutdown()


def test_window_without_audio_still_has_a_transport(qtbot, document, settings):
    win = MainWindow(document, settings, fileio)
    qtbot.addWidget(win)
    assert win.sound is None
    assert win.transport.playhead == 0
