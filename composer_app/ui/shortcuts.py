"""Keyboard shortcuts: platform-standard key sequences with fallbacks, and the dialog listing them."""

from __future__ import annotations

from collections.abc import Iterable, Sequence

from PySide6.QtCore import Qt
from PySide6.QtGui import QAction, QKeySequence
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QMenu,
    QMenuBar,
    QTreeWidget,
    QTreeWidgetItem,
    QVBoxLayout,
    QWidget,
)

WINDOW_WIDE = (Qt.ShortcutContext.WindowShortcut, Qt.ShortcutContext.ApplicationShortcut)


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
    text = action.text().split("\t")[0].replace("&&", "\0").replace("&", "").replace("\0", "&")
    return text.rstrip(".\u2026").strip()


def menu_groups(menus: Iterable[QMenu], prefix: str = "") -> list[tuple[str, list[QAction]]]:
    """(title, commands) for each menu, each submenu following its menu as "Menu > Submenu"."""
    out: list[tuple[str, list[QAction]]] = []
    for menu in menus:
        title = prefix + menu.title().replace("&&", "\0").replace("&", "").replace("\0", "&")
        actions = [a for a in menu.actions() if not a.isSeparator()]
        out.append((title, [a for a in actions if a.menu() is None]))
        out += menu_groups([a.menu() for a in actions if a.menu() is not None], title + " \u203a ")
    return out


def action_scopes(action: QAction, root: QWidget) -> list[QWidget]:
    """The widgets inside which the action's shortcut fires (``root`` for window-wide ones)."""
    if action.shortcutContext() in WINDOW_WIDE:
        return [root]
    return [w for w in action.associatedObjects()
            if isinstance(w, QWidget) and not isinstance(w, (QMenu, QMenuBar))]


def shortcut_clashes(root: QWidget) -> list[str]:
    """Keys bound to two actions that can both be active at once under ``root`` (Qt would then run neither)."""
    seen: dict[str, list[tuple[QAction, list[QWidget]]]] = {}
    for action in set(root.findChildren(QAction)):
        keys = {s.toString(QKeySequence.SequenceFormat.PortableText) for s in action.shortcuts() if not s.isEmpty()}
        scopes = action_scopes(action, root)
        for key in keys:
            seen.setdefault(key, []).append((action, scopes))
    out = []
    for key, bound in sorted(seen.items()):
        for i, (a, a_scopes) in enumerate(bound):
            for b, b_scopes in bound[i + 1:]:
                if any(_overlap(x, y) for x in a_scopes for y in b_scopes):
                    out.append(f"{key}: {action_label(a)!r} and {action_label(b)!r}")
    return out


def _overlap(a: QWidget, b: QWidget) -> bool:
    return a is b or a.isAncestorOf(b) or b.isAncestorOf(a)


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
        self.resize(520, 640)

    def rows(self) -> list[tuple[str, str]]:
        """(command, shortcut) for every listed command."""
        out = []
        for i in range(self.tree.topLevelItemCount()):
            heading = self.tree.topLevelItem(i)
            for j in range(heading.childCount()):
                item = heading.child(j)
                out.append((item.text(0), item.text(1)))
        return out
