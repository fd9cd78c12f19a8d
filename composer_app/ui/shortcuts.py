"""Keyboard shortcuts: platform-standard key sequences with fallbacks, and the dialog listing them."""

from __future__ import annotations

from collections.abc import Iterable, Sequence

from PySide6.QtCore import Qt
from PySide6.QtGui import QAction, QKeySequence
from PySide6.QtWidgets import QDialog, QDialogButtonBox, QTreeWidget, QTreeWidgetItem, QVBoxLayout, QWidget


def key_sequences(standard: QKeySequence.StandardKey | None, *explicit: str) -> list[QKeySequence]:
    """``explicit`` keys first (the one the menu shows), then the platform's standard ones."""
    keys = [QKeySequence(k) for k in explicit]
    if standard is not None:
        for seq in QKeySequence.keyBindings(standard):
            if not seq.isEmpty() and seq not in keys:
                keys.append(seq)
    return keys


def _typable(seq: QKeySequence) -> bool:
    """True for keys found on an ordinary keyboard (not media keys such as XF86New or F14)."""
    if seq.isEmpty():
        return False
    key = seq[0].key()
    return key < Qt.Key.Key_Escape or Qt.Key.Key_Escape <= key <= Qt.Key.Key_F12


def shortcut_text(action: QAction) -> str:
    """The action's shortcuts a person can type, as the platform writes them."""
    keys = [s for i, s in enumerate(action.shortcuts()) if i == 0 or _typable(s)]
    return ", ".join(s.toString(QKeySequence.SequenceFormat.NativeText) for s in keys)


def action_label(action: QAction) -> str:
    """Menu text without accelerator ampersands or a trailing ellipsis."""
    text = action.text().replace("&&", "\0").replace("&", "").replace("\0", "&")
    return text.rstrip(".\u2026").strip()


class ShortcutsDialog(QDialog):
    """Lists every command that has a shortcut, grouped by menu."""

    def __init__(self, groups: Iterable[tuple[str, Sequence[QAction]]], parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle("Keyboard Shortcuts")
        self.tree = QTreeWidget(self)
        self.tree.setColumnCount(2)
        self.tree.setHeaderLabels(["Command", "Shortcut"])
        self.tree.setRootIsDecorated(False)
        self.tree.setAlternatingRowColors(True)
        self.tree.setSelectionMode(QTreeWidget.SelectionMode.NoSelection)
        self.tree.setFocusPolicy(Qt.FocusPolicy.NoFocus)
        self.tree.setStyleSheet("QTreeWidget::item { padding: 3px 6px; }")
        for menu, actions in groups:
            rows = [a for a in actions if a.shortcuts()]
            if not rows:
                continue
            heading = QTreeWidgetItem(self.tree, [menu.replace("&", "")])
            font = heading.font(0)
            font.setBold(True)
            heading.setFont(0, font)
            heading.setFirstColumnSpanned(True)
            for action in rows:
                QTreeWidgetItem(heading, [action_label(action), shortcut_text(action)])
        self.tree.expandAll()
        self.tree.resizeColumnToContents(0)
        self.tree.setColumnWidth(0, self.tree.columnWidth(0) + 32)

        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close, self)
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(self.tree)
        layout.addWidget(buttons)
        self.resize(460, 420)

    def rows(self) -> list[tuple[str, str]]:
        """(command, shortcut) for every listed command."""
        out = []
        for i in range(self.tree.topLevelItemCount()):
            heading = self.tree.topLevelItem(i)
            for j in range(heading.childCount()):
                item = heading.child(j)
                out.append((item.text(0), item.text(1)))
        return out
