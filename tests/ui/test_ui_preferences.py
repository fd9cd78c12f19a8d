"""Preferences: choosing a SoundFont (valid and not), persisting, MIDI hot-plug refresh, live reconfigure."""

from __future__ import annotations

import shutil

import pytest
from PySide6.QtWidgets import QMessageBox

from composer_app.audio.soundfonts import default_soundfont
from composer_app.ui.preferences import PreferencesDialog
from composer_app.ui.settings import (
    AUDIO_DRIVER,
    COUNT_IN_BARS,
    EXPORT_SAMPLE_RATE,
    INPUT_QUANTIZE,
    INPUT_QUANTIZE_STRENGTH,
    METRONOME,
    MIDI_INPUT,
    MIDI_OUTPUT,
    SOUNDFONT,
    Settings,
)
from tests.ui.sound_fakes import FakeOpener, fake_service


@pytest.fixture
def warnings(monkeypatch):
    shown: list[tuple[str, str]] = []
    monkeypatch.setattr(QMessageBox, "warning", lambda _p, title, text, *a, **k: shown.append((title, text)))
    return shown


@pytest.fixture
def dialog(qtbot, settings, document, plugged):
    audio = fake_service(settings, document, FakeOpener())
    dlg = PreferencesDialog(settings, audio)
    qtbot.addWidget(dlg)
    yield dlg
    audio.shutdown()


@pytest.fixture
def a_soundfont(tmp_path):
    font = default_soundfont()
    if font is None:
        pytest.skip("no SoundFont on this machine")
    copy = tmp_path / "My Piano.sf2"
    shutil.copyfile(font, copy)
    return copy


def test_choosing_a_soundfont_file_persists_and_reopens_the_output(qtbot, dialog, settings, tmp_path, a_soundfont):
    audio = dialog.audio
    opener_calls = len(audio._opener.configs)
    assert dialog.audio_page.choose_soundfont_file(a_soundfont)
    assert dialog.audio_page.soundfont.currentText() == "My Piano.sf2"
    assert dialog.apply()  # the sound settings changed: the output is reopened
    assert len(audio._opener.configs) == opener_calls + 1
    assert audio._opener.configs[-1].soundfont == str(a_soundfont)
    again = Settings.from_ini(tmp_path / "settings.ini")
    assert again.get(SOUNDFONT) == str(a_soundfont)
    reopened = PreferencesDialog(again)
    qtbot.addWidget(reopened)
    assert reopened.audio_page.soundfont.currentData() == str(a_soundfont)


def test_a_file_that_is_not_a_soundfont_is_refused_and_the_old_one_kept(dialog, settings, tmp_path, warnings):
    before = dialog.audio_page.soundfont.currentData()
    bad = tmp_path / "song.sf2"
    bad.write_bytes(b"MThd\x00\x00\x00\x06")
    assert not dialog.audio_page.choose_soundfont_file(bad)
    assert warnings and "not a SoundFont file" in warnings[0][1]
    assert dialog.audio_page.soundfont.currentData() == before
    assert "Not used" in dialog.audio_page.font_note.text()
    dialog.apply()
    assert settings.get(SOUNDFONT) == (before or "")


def test_unchanged_sound_settings_do_not_reopen_the_device(dialog):
    assert not dialog.apply()


def test_driver_choice_lists_automatic_first(dialog, settings):
    page = dialog.audio_page
    assert page.driver.itemText(0) == "Automatic"
    assert page.driver.findData("file") < 0  # not a device
    if page.driver.count() > 1:
        page.driver.setCurrentIndex(1)
        dialog.apply()
        assert settings.get(AUDIO_DRIVER) == page.driver.itemData(1)


def test_hot_plugged_keyboard_appears_while_the_dialog_is_open(qtbot, dialog, plugged):
    dialog.show()
    page = dialog.midi_page
    assert page.status.text() == "No MIDI devices connected"
    assert [page.input.itemText(i) for i in range(page.input.count())] == ["First keyboard found"]
    plugged.inputs.append("Keystation 49 MIDI 1")
    plugged.outputs.append("Keystation 49 MIDI 1")
    qtbot.waitUntil(lambda: page.input.findData("Keystation 49 MIDI 1") >= 0, timeout=5000)  # by the 2 s timer
    assert "1 MIDI input(s)" in page.status.text()
    page.input.setCurrentIndex(page.input.findData("Keystation 49 MIDI 1"))
    plugged.inputs.clear()  # unplugged again: the choice stays, marked
    page.refresh()
    assert page.input.currentText() == "Keystation 49 MIDI 1 (not connected)"
    dialog.reject()
    assert not page.timer.isActive()


def test_refresh_button_and_output_port_choice(qtbot, dialog, plugged, settings):
    page = dialog.midi_page
    assert page.output.itemText(0) == "Internal synth"
    plugged.outputs.append("Synth Module")
    before = plugged.calls
    page.refresh_button.click()
    assert plugged.calls == before + 1
    page.output.setCurrentIndex(page.output.findData("Synth Module"))
    assert dialog.apply()  # playback moves to the port: the output is reopened
    assert settings.get(MIDI_OUTPUT) == "Synth Module"
    assert settings.get(MIDI_INPUT) == ""
    assert dialog.audio._opener.configs[-1].midi_output == "Synth Module"


def test_recording_page_persists(dialog, settings):
    page = dialog.recording_page
    page.count_in.setCurrentIndex(page.count_in.findData(2))
    page.metronome.setChecked(True)
    page.quantize.setCurrentIndex(page.quantize.findData(120))
    page.strength.setValue(75)
    dialog.audio_page.export_rate.setCurrentIndex(dialog.audio_page.export_rate.findData(48000))
    dialog.accept()
    assert settings.get(COUNT_IN_BARS) == 2
    assert settings.get(METRONOME) is True
    assert settings.get(INPUT_QUANTIZE) == 120
    assert settings.get(INPUT_QUANTIZE_STRENGTH) == 75
    assert settings.get(EXPORT_SAMPLE_RATE) == 48000


def test_strength_is_off_while_quantize_is_off(dialog):
    page = dialog.recording_page
    page.quantize.setCurrentIndex(0)
    assert not page.strength.isEnabled()
    page.quantize.setCurrentIndex(1)
    assert page.strength.isEnabled()


def test_test_button_reports_what_opened_and_plays_a_chord(qtbot, dialog):
    sink = dialog.audio.output.sink
    dialog.audio_page.test.click()
    assert dialog.audio_page.test_result.text().startswith("Audio: fake")
    assert {m[2] for _t, m in sink.ons()} >= {60, 64, 67}


def test_opened_from_the_window_with_ctrl_comma(qtbot, document, settings, plugged):
    from PySide6.QtGui import QKeySequence

    from composer_app import fileio
    from composer_app.ui.main_window import MainWindow

    audio = fake_service(settings, document)
    win = MainWindow(document, settings, fileio, audio=audio)
    qtbot.addWidget(win)
    win.show()
    qtbot.waitExposed(win)
    action = win.sound.preferences_action
    assert action.shortcut() == QKeySequence("Ctrl+,")  # offscreen QTest does not deliver Ctrl+, (xdotool does)
    assert action in win.edit_menu.actions()
    action.trigger()
    qtbot.waitUntil(lambda: any(w.isVisible() for w in win.findChildren(PreferencesDialog)), timeout=2000)
    dlg = win.findChildren(PreferencesDialog)[0]
    dlg.recording_page.metronome.setChecked(True)
    dlg.accept()
    assert win.sound.actions.metronome.isChecked()
    audio.shutdown()
