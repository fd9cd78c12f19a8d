"""Export Audio: a WAV at a sensible level rendered off the GUI thread; Cancel leaves no file; errors are said."""

from __future__ import annotations

import wave

import numpy as np
import pytest
from PySide6.QtWidgets import QFileDialog, QMessageBox, QPushButton

from composer_app.audio.soundfonts import default_soundfont
from composer_app.audio.synth import fluidsynth_problem
from composer_app.core.song import Clip, Note, Song, Track
from composer_app.ui import audio_output
from composer_app.ui.export_audio import AudioExporter, ExportAudioFlow
from composer_app.ui.settings import EXPORT_AUDIO_DIR, EXPORT_SAMPLE_RATE

pytestmark = pytest.mark.skipif(bool(fluidsynth_problem()) or default_soundfont() is None,
                                reason="FluidSynth or a SoundFont is missing")


def phrase(bars: int = 1) -> Song:
    notes = tuple(Note(60 + (i * 4) % 12, i * 480, 480, 100) for i in range(bars * 4))
    return Song(tracks=(Track("Piano", clips=(Clip(0, bars * 1920, notes),)),))


@pytest.fixture
def errors(monkeypatch):
    shown: list[str] = []
    monkeypatch.setattr(QMessageBox, "critical", lambda _p, _t, text, *a, **k: shown.append(text))
    return shown


@pytest.fixture
def flow(qtbot, settings):
    host = QFileDialog()  # any widget will do as the parent window
    qtbot.addWidget(host)
    state = {"song": phrase()}
    f = ExportAudioFlow(host, settings, lambda: state["song"], lambda: "phrase.wav")
    f.state = state
    yield f
    f.exporter.cancel()
    f.exporter.wait(10)


def read_wav(path):
    with wave.open(str(path), "rb") as w:
        rate, frames = w.getframerate(), w.readframes(w.getnframes())
        channels = w.getnchannels()
    data = np.frombuffer(frames, dtype="<i2").reshape(-1, channels).astype(np.float32) / 32768
    return rate, data


def test_exports_a_wav_with_a_sensible_level(qtbot, flow, tmp_path, settings):
    settings.set(EXPORT_SAMPLE_RATE, 48000)
    messages: list[str] = []
    flow.message.connect(messages.append)
    with qtbot.waitSignal(flow.exporter.finished, timeout=30_000) as blocker:
        flow.export_to(tmp_path / "phrase")  # ".wav" is added
    path = tmp_path / "phrase.wav"
    assert blocker.args[1] == path and path.exists()
    rate, data = read_wav(path)
    assert rate == 48000 and data.shape[1] == 2
    assert 2.0 < len(data) / rate < 4.5  # 2 s of music plus the release tail
    peak = 20 * np.log10(np.max(np.abs(data)))
    assert -1.5 < peak <= -0.9  # normalised to -1 dBFS, never clipping
    assert np.sqrt(np.mean(data[: rate * 2] ** 2)) > 0.01  # real sound, not near-silence
    assert messages[-1].startswith("Exported phrase.wav (peak -1.0 dBFS)")
    assert flow.dialog is None
    assert settings.get(EXPORT_AUDIO_DIR) == str(tmp_path)


def test_cancel_writes_no_file(qtbot, flow, tmp_path):
    flow.state["song"] = phrase(bars=200)  # several minutes of music
    out = tmp_path / "out"
    out.mkdir()
    path = out / "long.wav"
    with qtbot.waitSignal(flow.exporter.cancelled, timeout=30_000):
        flow.export_to(path)
        flow.dialog.findChild(QPushButton).click()  # the progress dialog's Cancel button
    assert not path.exists()
    assert list(out.iterdir()) == []  # no temporary leftovers either


def test_cancel_mid_render_from_progress(qtbot, tmp_path):
    exporter = AudioExporter()
    seen: list[float] = []

    def on_progress(_request, fraction):
        seen.append(fraction)
        if fraction > 0.05:
            exporter.cancel()

    exporter.progress.connect(on_progress)
    with qtbot.waitSignal(exporter.cancelled, timeout=60_000):
        exporter.export(phrase(bars=100), tmp_path / "mid.wav", default_soundfont())
    assert seen and max(seen) < 1.0
    assert not (tmp_path / "mid.wav").exists()


def test_empty_song_and_missing_soundfont_are_said_plainly(qtbot, flow, tmp_path, errors, monkeypatch):
    flow.state["song"] = Song()
    assert flow.export_to(tmp_path / "empty.wav") is None
    assert errors == ["Nothing to export: the song has no notes"]
    flow.state["song"] = phrase()
    monkeypatch.setattr(audio_output, "default_soundfont", lambda: None)
    assert flow.export_to(tmp_path / "nofont.wav") is None
    assert "No SoundFont found" in errors[-1]
    assert not (tmp_path / "empty.wav").exists() and not (tmp_path / "nofont.wav").exists()


def test_write_failure_is_a_message_not_a_traceback(qtbot, flow, tmp_path, errors):
    target = tmp_path / "missing-folder" / "x.wav"
    with qtbot.waitSignal(flow.exporter.failed, timeout=30_000):
        flow.export_to(target)
    assert errors and errors[0].startswith("Could not export audio:")
