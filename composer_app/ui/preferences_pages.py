"""The Preferences pages: Audio (SoundFont, driver, rates), MIDI (ports, hot-plug refresh), Recording."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from PySide6.QtCore import QTimer
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QFileDialog,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QMessageBox,
    QPushButton,
    QSpinBox,
    QVBoxLayout,
    QWidget,
)

from composer_app.audio.soundfonts import default_soundfont, find_soundfonts, validate_soundfont
from composer_app.audio.synth import AudioUnavailableError, available_drivers
from composer_app.core.errors import SongFileError
from composer_app.midi import ports
from composer_app.midi.ports import PortList, compiled_apis, default_api
from composer_app.ui import settings as keys
from composer_app.ui.audio_output import AUTO_DRIVER
from composer_app.ui.settings import Settings

REFRESH_MS = 2000
SOUNDFONT_FILTER = "SoundFonts (*.sf2 *.sf3 *.SF2 *.SF3);;All files (*)"
QUANTIZE_CHOICES = (("Off", 0), ("1/4", 480), ("1/8", 240), ("1/8 triplet", 160), ("1/16", 120),
                    ("1/16 triplet", 80), ("1/32", 60))
HIDDEN_DRIVERS = {"file"}  # writes a raw file, not a device


def _select(combo: QComboBox, value: object, missing: str | None = None) -> None:
    """Select the item holding ``value``; add it (labelled ``missing``) when it is not listed."""
    index = combo.findData(value)
    if index < 0 and missing is not None:
        combo.addItem(missing, value)
        index = combo.count() - 1
    combo.setCurrentIndex(max(0, index))


def _drivers() -> list[str]:
    try:
        return [d for d in available_drivers() if d not in HIDDEN_DRIVERS]
    except AudioUnavailableError:
        return []


def _label(text: str = "") -> QLabel:
    label = QLabel(text)
    label.setWordWrap(True)
    return label


class AudioPage(QWidget):
    """SoundFont (found ones + Browse\u2026), audio driver, sample rates, and a Test button."""

    def __init__(self, settings: Settings, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.soundfont = QComboBox(self)
        best = default_soundfont()
        self.soundfont.addItem(f"Automatic ({best.name})" if best else "Automatic (none found)", "")
        for path in find_soundfonts():
            self.soundfont.addItem(path.name, str(path))
            self.soundfont.setItemData(self.soundfont.count() - 1, str(path), 3)  # tooltip role
        self.browse = QPushButton("Browse\u2026", self)
        self.browse.clicked.connect(self.browse_soundfont)
        self.font_note = _label()
        self.font_note.hide()  # shown when there is something to say about a chosen file
        self.driver = QComboBox(self)
        self.driver.addItem("Automatic", AUTO_DRIVER)
        for name in _drivers():
            self.driver.addItem(name, name)
        self.rate = QComboBox(self)
        self.export_rate = QComboBox(self)
        for rate in keys.SAMPLE_RATES:
            self.rate.addItem(f"{rate} Hz", rate)
            self.export_rate.addItem(f"{rate} Hz", rate)
        self.test = QPushButton("Test Sound", self)
        self.test.setToolTip("Apply these choices and play a chord")
        self.test_result = _label()

        font_row = QHBoxLayout()
        font_row.addWidget(self.soundfont, 1)
        font_row.addWidget(self.browse)
        test_row = QHBoxLayout()
        test_row.addWidget(self.test)
        test_row.addWidget(self.test_result, 1)
        form = QFormLayout(self)
        font_box = QVBoxLayout()
        font_box.addLayout(font_row)
        font_box.addWidget(self.font_note)
        form.addRow("SoundFont:", font_box)
        form.addRow("Audio driver:", self.driver)
        form.addRow("Sample rate:", self.rate)
        form.addRow("", test_row)
        form.addRow("Export sample rate:", self.export_rate)
        self.load(settings)

    def load(self, settings: Settings) -> None:
        font = settings.get(keys.SOUNDFONT)
        _select(self.soundfont, font, Path(font).name if font else None)
        _select(self.driver, settings.get(keys.AUDIO_DRIVER), f"{settings.get(keys.AUDIO_DRIVER)} (not available)")
        _select(self.rate, settings.get(keys.SAMPLE_RATE), f"{settings.get(keys.SAMPLE_RATE)} Hz")
        _select(self.export_rate, settings.get(keys.EXPORT_SAMPLE_RATE), f"{settings.get(keys.EXPORT_SAMPLE_RATE)} Hz")

    def save(self, settings: Settings) -> None:
        settings.set(keys.SOUNDFONT, self.soundfont.currentData() or "")
        settings.set(keys.AUDIO_DRIVER, self.driver.currentData() or AUTO_DRIVER)
        settings.set(keys.SAMPLE_RATE, int(self.rate.currentData()))
        settings.set(keys.EXPORT_SAMPLE_RATE, int(self.export_rate.currentData()))

    def browse_soundfont(self) -> None:
        current = self.soundfont.currentData() or ""
        start = str(Path(current).parent) if current else str(Path.home())
        name, _ = QFileDialog.getOpenFileName(self, "Choose a SoundFont", start, SOUNDFONT_FILTER)
        if name:
            self.choose_soundfont_file(name)

    def choose_soundfont_file(self, path: str | Path) -> bool:
        """Select ``path`` when it is a SoundFont; otherwise say why and keep the current choice."""
        try:
            font = validate_soundfont(path)
        except SongFileError as error:
            self.font_note.setText(f"Not used: {error}")
            self.font_note.show()
            QMessageBox.warning(self, "Not a SoundFont", f"{error}\n\nThe current SoundFont is kept.")
            return False
        _select(self.soundfont, str(font), font.name)
        self.font_note.setText(str(font))
        self.font_note.show()
        return True


class MidiPage(QWidget):
    """MIDI system, input and output ports; refreshed by the button and every 2 s while shown (hot-plug)."""

    def __init__(self, settings: Settings, parent: QWidget | None = None, *,
                 scan: Callable[[str | None], PortList] | None = None) -> None:
        super().__init__(parent)
        self._scan = scan or (lambda api: ports.scan_ports(api))
        self.api = QComboBox(self)
        self.api.addItem(f"Automatic ({default_api()})", "")
        for name in compiled_apis():
            self.api.addItem(name.upper() if len(name) <= 4 else name, name)
        self.input = QComboBox(self)
        self.output = QComboBox(self)
        self.refresh_button = QPushButton("Refresh", self)
        self.refresh_button.clicked.connect(self.refresh)
        self.status = _label()
        self.timer = QTimer(self)
        self.timer.setInterval(REFRESH_MS)
        self.timer.timeout.connect(self.refresh)
        row = QHBoxLayout()
        row.addWidget(self.input, 1)
        row.addWidget(self.refresh_button)
        form = QFormLayout(self)
        form.addRow("MIDI system:", self.api)
        form.addRow("Input (keyboard):", row)
        form.addRow("Playback output:", self.output)
        form.addRow("", self.status)
        self._wanted = (settings.get(keys.MIDI_INPUT), settings.get(keys.MIDI_OUTPUT))
        _select(self.api, settings.get(keys.MIDI_API), settings.get(keys.MIDI_API))
        self.api.currentIndexChanged.connect(lambda _i: self.refresh())
        self.refresh()

    def refresh(self) -> PortList:
        """Scan the ports again, keeping the chosen ones selected (marked when unplugged)."""
        if self.input.count():
            self._wanted = (self.input.currentData() or "", self.output.currentData() or "")
        listing = self._scan(self.api.currentData() or None)
        for combo, first, names, wanted in ((self.input, "First keyboard found", listing.inputs, self._wanted[0]),
                                            (self.output, "Internal synth", listing.outputs, self._wanted[1])):
            combo.blockSignals(True)
            combo.clear()
            combo.addItem(first, "")
            for name in names:
                combo.addItem(name, name)
            _select(combo, wanted, f"{wanted} (not connected)" if wanted else None)
            combo.blockSignals(False)
        self.status.setText(listing.status)
        return listing

    def save(self, settings: Settings) -> None:
        settings.set(keys.MIDI_API, self.api.currentData() or "")
        settings.set(keys.MIDI_INPUT, self.input.currentData() or "")
        settings.set(keys.MIDI_OUTPUT, self.output.currentData() or "")


class RecordingPage(QWidget):
    """Count-in, metronome and input quantize."""

    def __init__(self, settings: Settings, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.count_in = QComboBox(self)
        for bars in keys.COUNT_IN_CHOICES:
            self.count_in.addItem("Off" if bars == 0 else f"{bars} bar{'s' if bars > 1 else ''}", bars)
        self.metronome = QCheckBox("Click on every beat while playing and recording", self)
        self.quantize = QComboBox(self)
        for label, ticks in QUANTIZE_CHOICES:
            self.quantize.addItem(label, ticks)
        self.strength = QSpinBox(self)
        self.strength.setRange(0, 100)
        self.strength.setSuffix(" %")
        self.strength.setToolTip("How far recorded notes move towards the grid")
        self.quantize.currentIndexChanged.connect(self._update_strength)
        form = QFormLayout(self)
        form.addRow("Count-in before recording:", self.count_in)
        form.addRow("Metronome:", self.metronome)
        form.addRow("Input quantize:", self.quantize)
        form.addRow("Quantize strength:", self.strength)
        _select(self.count_in, settings.get(keys.COUNT_IN_BARS))
        self.metronome.setChecked(settings.get(keys.METRONOME))
        _select(self.quantize, settings.get(keys.INPUT_QUANTIZE), f"{settings.get(keys.INPUT_QUANTIZE)} ticks")
        self.strength.setValue(settings.get(keys.INPUT_QUANTIZE_STRENGTH))
        self._update_strength()

    def _update_strength(self, *_index: int) -> None:
        self.strength.setEnabled(bool(self.quantize.currentData()))

    def save(self, settings: Settings) -> None:
        settings.set(keys.COUNT_IN_BARS, int(self.count_in.currentData()))
        settings.set(keys.METRONOME, self.metronome.isChecked())
        settings.set(keys.INPUT_QUANTIZE, int(self.quantize.currentData()))
        settings.set(keys.INPUT_QUANTIZE_STRENGTH, self.strength.value())
