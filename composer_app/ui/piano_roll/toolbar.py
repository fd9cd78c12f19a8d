"""The editor's toolbar: tools, grid, note length, scale highlighting, quantize, follow, status text."""

from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtWidgets import QComboBox, QLabel, QMenu, QToolBar, QToolButton, QWidget

from composer_app.ui.piano_roll.state import NOTE_LENGTHS, scale_choices
from composer_app.ui.timeline.grid import GRID_VALUES

if TYPE_CHECKING:
    from composer_app.ui.piano_roll.editor import PianoRollEditor


class EditorToolbar(QToolBar):
    """Widgets bound to the editor's RollState and actions."""

    def __init__(self, editor: PianoRollEditor, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setMovable(False)
        actions, state = editor.actions, editor.state
        self.clip_label = QLabel("No clip", self)
        self.clip_label.setMinimumWidth(120)
        self.addWidget(self.clip_label)
        self.addSeparator()
        for action in actions.tools:
            self.addAction(action)
        self.addSeparator()
        self.grid = self._combo("Grid", [g.label for g in GRID_VALUES], state.grid.label, state.set_grid,
                                "Snap grid (hold Alt while dragging to ignore it)")
        self.length = self._combo("Length", list(NOTE_LENGTHS), state.length_choice, state.set_length_choice,
                                  "Length of new notes: Last = the last note drawn or resized")
        self.scale = self._combo("Scale", scale_choices(), state.scale_choice, state.set_scale_choice,
                                 "Shade the rows outside this key's scale")
        self.addSeparator()
        quantize = QToolButton(self)
        quantize.setDefaultAction(actions.quantize)
        menu = QMenu(quantize)
        menu.addAction(actions.quantize_settings)
        menu.addAction(actions.legato)
        quantize.setMenu(menu)
        quantize.setPopupMode(QToolButton.ToolButtonPopupMode.MenuButtonPopup)
        self.addWidget(quantize)
        self.addAction(actions.follow)
        self.addAction(actions.ghosts)
        self.status = QLabel("", self)
        self.status.setMinimumWidth(160)
        self.addSeparator()
        self.addWidget(self.status)

    def _combo(self, label: str, items: list[str], current: str, slot, tip: str) -> QComboBox:
        self.addWidget(QLabel(f" {label} ", self))
        combo = QComboBox(self)
        combo.addItems(items)
        combo.setCurrentText(current)
        combo.setToolTip(tip)
        combo.currentTextChanged.connect(slot)
        self.addWidget(combo)
        return combo
