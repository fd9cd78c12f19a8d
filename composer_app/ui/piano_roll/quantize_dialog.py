"""Quantize dialog: grid, strength, and whether note starts and/or ends are pulled to the grid."""

from __future__ import annotations

from PySide6.QtWidgets import QCheckBox, QComboBox, QDialog, QDialogButtonBox, QFormLayout, QSpinBox, QWidget

from composer_app.ui.piano_roll.state import QuantizeSettings
from composer_app.ui.timeline.grid import GRID_VALUES


class QuantizeDialog(QDialog):
    """Edits a QuantizeSettings; ``settings()`` reads the result."""

    def __init__(self, settings: QuantizeSettings, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle("Quantize")
        self.grid = QComboBox(self)
        self.grid.addItems([g.label for g in GRID_VALUES if not g.is_off])
        self.grid.setCurrentText(settings.grid)
        self.strength = QSpinBox(self)
        self.strength.setRange(0, 100)
        self.strength.setSuffix(" %")
        self.strength.setValue(round(settings.strength * 100))
        self.starts = QCheckBox("Note starts", self)
        self.starts.setChecked(settings.starts)
        self.ends = QCheckBox("Note ends", self)
        self.ends.setChecked(settings.ends)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel, self)
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        form = QFormLayout(self)
        form.addRow("Grid", self.grid)
        form.addRow("Strength", self.strength)
        form.addRow("Quantize", self.starts)
        form.addRow("", self.ends)
        form.addRow(buttons)

    def settings(self) -> QuantizeSettings:
        return QuantizeSettings(self.grid.currentText(), self.strength.value() / 100,
                                self.starts.isChecked(), self.ends.isChecked())
