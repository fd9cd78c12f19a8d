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
StdKey = QKeySequence.StandardKey
STANDARD_PROPERTY = "composer_standard_keys"
"""Action property naming the platform-standard keys an action was given (see ``mark_standard_keys``)."""
STANDARD_ELSEWHERE: dict[QKeySequence.StandardKey, tuple[str, ...]] = {
    StdKey.Delete: ("Del", "Ctrl+D", "Backspace", "Meta+D"),  # X11 adds Ctrl+D, macOS Backspace and Ctrl+D
    StdKey.Cut: ("Ctrl+X", "Shift+Del"),
    StdKey.Copy: ("Ctrl+C", "Ctrl+Ins"),
    StdKey.Paste: ("Ctrl+V", "Shift+Ins", "Ctrl+Shift+Ins"),
    StdKey.Undo: ("Ctrl+Z", "Alt+Backspace"),
    StdKey.Redo: ("Ctrl+Shift+Z", "Ctrl+Y"),
    StdKey.SelectAll: ("Ctrl+A",),
    StdKey.ZoomIn: ("Ctrl++",),
    StdKey.ZoomOut: ("Ctrl+-",),
}
"""What Qt binds these standard keys to on some platform (X11, Windows, macOS): a clash on any of them is a
clash, even when the tests run on a platform that binds fewer keys."""


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


def mark_standard_keys(action: QAction, standards: Iterable[QKeySequence.StandardKey]) -> None:
    """Remember which platform-standard keys ``action`` was given, so clashes on other platforms are seen."""
    action.setProperty(STANDARD_PROPERTY, [k.name for k in standards])


def keys_on_any_platform(action: QAction) -> set[str]:
    """The action's shortcuts here, plus what its standard keys are bound to on the other platforms."""
    keys = {s.toString(QKeySequence.SequenceFormat.PortableText) for s in action.shortcuts() if not s.isEmpty()}
    for name in action.property(STANDARD_PROPERTY) or ():
        for text in STANDARD_ELSEWHERE.get(StdKey[name], ()):
            keys.add(QKeySequence(text).toString(QKeySequence.SequenceFormat.PortableText))
    return keys


def shortcut_clashes(root: QWidget) -> list[str]:
    """Keys bound to two actions that can both be active at once under ``root`` (Qt would then run neither),
    on this platform or, for standard keys, on another one."""
    seen: dict[str, list[tuple[QAction, list[QWidget]]]] = {}
    for action in set(root.findChildren(QAction)):
        keys = keys_on_any_platform(action)
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
