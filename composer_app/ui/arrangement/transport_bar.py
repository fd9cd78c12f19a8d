"""TransportBar: tempo, time signature and key at the playhead, the position readout, snap and pencil."""

from __future__ import annotations

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QFontDatabase
from PySide6.QtWidgets import (
    QComboBox,
    QDoubleSpinBox,
    QHBoxLayout,
    QLabel,
    QSpinBox,
    QToolButton,
    QWidget,
)

from composer_app.core.pitch import KeySignature
from composer_app.core.song import Song
from composer_app.ui.arrangement.detected_key import DetectedKeyButton
from composer_app.ui.arrangement.detected_meter import DetectedMeterButton
from composer_app.ui.arrangement.off_beat import OffBeatButton
from composer_app.ui.arrangement.track_commands import TrackCommands
from composer_app.ui.document import SongDocument
from composer_app.ui.timeline.grid import GridValue, grid_by_label
from composer_app.ui.timeline.transport import TransportState

TONICS = ("C", "Db", "D", "Eb", "E", "F", "Gb", "G", "Ab", "A", "Bb", "B")
"""The tonics in major; ``refresh`` spells them for the key's mode."""
DENOMINATORS = (2, 4, 8, 16)
SNAP_LABELS = ("Bar", "1/2", "1/4", "1/8", "1/16", "Off")


def format_clock(seconds: float) -> str:
    minutes, rest = divmod(max(0.0, seconds), 60)
    return f"{int(minutes)}:{rest:04.1f}"


class TransportBar(QWidget):
    """Edits the tempo, meter and key in effect at the playhead (tick 0 for a song without changes)."""

    grid_changed = Signal(object)  # GridValue
    pencil_toggled = Signal(bool)

    def __init__(self, document: SongDocument, transport: TransportState, commands: TrackCommands,
                 parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.document = document
        self.transport = transport
        self.commands = commands
        mono = QFontDatabase.systemFont(QFontDatabase.SystemFont.FixedFont)
        mono.setPointSizeF(mono.pointSizeF() + 1.5)
        self.position = QLabel("1.1.000", self)
        self.position.setFont(mono)
        self.position.setToolTip("Playhead: bar.beat.tick")
        self.clock = QLabel("0:00.0", self)
        self.clock.setFont(mono)
        self.clock.setToolTip("Playhead: minutes:seconds")
        self.tempo = QDoubleSpinBox(self)
        self.tempo.setRange(20.0, 400.0)
        self.tempo.setDecimals(1)
        self.tempo.setSuffix(" BPM")
        self.tempo.setKeyboardTracking(False)
        self.tempo.setToolTip("Tempo at the playhead")
        self.numerator = QSpinBox(self)
        self.numerator.setRange(1, 32)
        self.numerator.setKeyboardTracking(False)
        self.numerator.setToolTip("Beats per bar")
        self.denominator = QComboBox(self)
        for d in DENOMINATORS:
            self.denominator.addItem(str(d), d)
        self.denominator.setToolTip("Beat unit")
        self.off_beat = OffBeatButton(document, self)
        self.detected_meter = DetectedMeterButton(document, self)
        self.tonic = QComboBox(self)
        self.tonic.addItems(TONICS)
        self._spelling: tuple[str, bool] = ("major", False)
        self.tonic.setToolTip("Key: tonic")
        self.mode = QComboBox(self)
        self.mode.addItems(["major", "minor"])
        self.mode.setToolTip("Key: mode")
        self.detected_key = DetectedKeyButton(document, transport, commands, self)
        self.snap = QComboBox(self)
        self.snap.addItems(SNAP_LABELS)
        self.snap.setToolTip("Snap for moving and resizing clips (hold Alt to move freely)")
        self.pencil = QToolButton(self)
        self.pencil.setText("✎ Draw")
        self.pencil.setCheckable(True)
        self.pencil.setToolTip("Draw clips by dragging on empty lanes (B)")
        self._layout()
        self.tempo.valueChanged.connect(lambda v: self.commands.set_tempo(self.transport.playhead, round(v, 1)))
        self.numerator.valueChanged.connect(self._meter_edited)
        self.denominator.activated.connect(self._meter_edited)
        self.tonic.activated.connect(self._key_edited)
        self.mode.activated.connect(self._key_edited)
        self.snap.currentTextChanged.connect(lambda text: self.grid_changed.emit(grid_by_label(text)))
        self.pencil.toggled.connect(self.pencil_toggled)
        document.song_changed.connect(lambda _old, _new: self.refresh())
        transport.playhead_changed.connect(lambda _tick: self.refresh())
        self.refresh()

    def _layout(self) -> None:
        row = QHBoxLayout(self)
        row.setContentsMargins(8, 4, 8, 4)
        row.setSpacing(6)

        def caption(text: str) -> QLabel:
            label = QLabel(text, self)
            label.setAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
            return label

        row.addWidget(self.position)
        row.addWidget(self.clock)
        row.addSpacing(14)  # the window still fits an 800-pixel screen with the tonics spelt Gb, F#
        row.addWidget(caption("Tempo"))
        row.addWidget(self.tempo)
        row.addSpacing(10)
        row.addWidget(caption("Time"))
        row.addWidget(self.numerator)
        row.addWidget(QLabel("/", self))
        row.addWidget(self.denominator)
        row.addWidget(self.off_beat)
        row.addWidget(self.detected_meter)
        row.addSpacing(10)
        row.addWidget(caption("Key"))
        row.addWidget(self.tonic)
        row.addWidget(self.mode)
        row.addWidget(self.detected_key)
        row.addStretch(1)
        row.addWidget(caption("Snap"))
        row.addWidget(self.snap)
        row.addWidget(self.pencil)

    # ------------------------------------------------------------ from the song
    def refresh(self) -> None:
        song: Song = self.document.song
        tick = self.transport.playhead
        self.position.setText(str(song.meter_map.position(tick)))
        self.clock.setText(format_clock(song.tempo_map.seconds(tick)))
        meter = song.meter_map.meter_at(tick)
        key = song.key_at(tick)
        values = ((self.tempo, round(song.tempo_map.tempo_at(tick).bpm, 1)), (self.numerator, meter.numerator))
        for widget, value in values:
            widget.blockSignals(True)
            widget.setValue(value)
            widget.blockSignals(False)
        if self._spelling != (key.mode, key.sharps):  # spelt as in this mode: Gb major but F# minor, ...
            self._spelling = (key.mode, key.sharps)
            for tonic in range(len(TONICS)):
                self.tonic.setItemText(tonic, KeySignature(0, tonic, key.mode, sharps=key.sharps).tonic_name)
        for combo, index in ((self.denominator, self.denominator.findData(meter.denominator)),
                             (self.tonic, key.tonic), (self.mode, self.mode.findText(key.mode))):
            combo.blockSignals(True)
            combo.setCurrentIndex(index)
            combo.blockSignals(False)

    # ------------------------------------------------------------ edits
    def _meter_edited(self, *_args) -> None:
        denominator = self.denominator.currentData() or 4
        self.commands.set_meter(self.transport.playhead, self.numerator.value(), int(denominator))

    def _key_edited(self, *_args) -> None:
        self.commands.set_key(self.transport.playhead, self.tonic.currentIndex(), self.mode.currentText())

    def set_grid(self, grid: GridValue) -> None:
        if grid.label in SNAP_LABELS:
            self.snap.setCurrentText(grid.label)


