"""InstrumentCombo: the 128 General MIDI programs grouped under their families, or drum kits."""

from __future__ import annotations

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QFont, QStandardItem, QStandardItemModel
from PySide6.QtWidgets import QComboBox, QWidget

from composer_app.core.gm import FAMILIES, PROGRAM_NAMES
from composer_app.ui.arrangement.track_commands import DRUM_KITS, instrument_name

PROGRAM_ROLE = Qt.ItemDataRole.UserRole + 1


class InstrumentCombo(QComboBox):
    """Emits ``program_chosen`` only for the user's choice, never for ``set_program``."""

    program_chosen = Signal(int)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._drums: bool | None = None
        self._model = QStandardItemModel(self)
        self.setModel(self._model)
        self.setMaxVisibleItems(30)
        self.setSizeAdjustPolicy(QComboBox.SizeAdjustPolicy.AdjustToMinimumContentsLengthWithIcon)
        self.setMinimumContentsLength(8)
        self.activated.connect(self._on_activated)
        self._fill(False)

    def _fill(self, drums: bool) -> None:
        if drums == self._drums:
            return
        self._drums = drums
        self._model.clear()
        if drums:
            for program, name in DRUM_KITS:
                self._add(program, name)
            return
        bold = QFont(self.font())
        bold.setBold(True)
        for f, family in enumerate(FAMILIES):
            heading = QStandardItem(family)
            heading.setFlags(Qt.ItemFlag.NoItemFlags)
            heading.setFont(bold)
            self._model.appendRow(heading)
            for program in range(f * 8, f * 8 + 8):
                self._add(program, PROGRAM_NAMES[program])

    def _add(self, program: int, text: str) -> None:
        item = QStandardItem(text)
        item.setData(program, PROGRAM_ROLE)
        item.setToolTip(f"{text.strip()} (program {program + 1})")
        self._model.appendRow(item)

    def row_of(self, program: int) -> int:
        for row in range(self._model.rowCount()):
            if self._model.item(row).data(PROGRAM_ROLE) == program:
                return row
        return -1

    def set_program(self, program: int, is_drum: bool) -> None:
        self.blockSignals(True)
        self._fill(is_drum)
        row = self.row_of(program)
        if row < 0 and is_drum:  # a kit we do not list: show it anyway
            self._add(program, instrument_name(program, True))
            row = self._model.rowCount() - 1
        self.setCurrentIndex(row)
        self.setToolTip(instrument_name(program, is_drum))
        self.blockSignals(False)

    def program(self) -> int:
        data = self.currentData(PROGRAM_ROLE)
        return int(data) if data is not None else 0

    def choose(self, program: int) -> None:
        """Pick ``program`` as the user would (used by keyboard access and tests)."""
        row = self.row_of(program)
        if row >= 0:
            self.setCurrentIndex(row)
            self._on_activated(row)

    def _on_activated(self, row: int) -> None:
        data = self._model.item(row).data(PROGRAM_ROLE) if row >= 0 else None
        if data is not None:
            self.program_chosen.emit(int(data))
