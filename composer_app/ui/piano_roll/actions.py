"""The piano roll's commands as QActions with shortcuts (active while the editor has focus)."""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

from PySide6.QtCore import Qt
from PySide6.QtGui import QAction, QActionGroup, QKeySequence

from composer_app.ui.shortcuts import mark_standard_keys

if TYPE_CHECKING:
    from composer_app.ui.piano_roll.editor import PianoRollEditor

StdKey = QKeySequence.StandardKey


class EditorActions:
    """Builds the actions of one editor. ``tools`` are checkable and exclusive; ``edit`` and ``view``
    list the rest in menu order (the main window may put them in its menus)."""

    def __init__(self, editor: PianoRollEditor) -> None:
        self._editor = editor
        e = editor
        self.tool_group = QActionGroup(editor)
        self.tool_select = self._tool("Select tool", "select", ["1", "V"])
        self.tool_draw = self._tool("Draw tool", "draw", ["2", "B"])
        self.tool_erase = self._tool("Erase tool", "erase", ["3", "E"])
        self.tool_draw.setChecked(True)

        self.select_all = self._make("Select all notes", e.select_all, [StdKey.SelectAll, "Ctrl+A"])
        self.deselect = self._make("Deselect / cancel", e.escape, ["Esc"])
        # not StdKey.Delete: on X11 it adds Ctrl+D, which is Duplicate here
        self.delete = self._make("Delete notes", e.delete_selected, ["Del", "Backspace"])
        self.cut = self._make("Cut notes", e.cut, [StdKey.Cut, "Ctrl+X"])
        self.copy = self._make("Copy notes", e.copy, [StdKey.Copy, "Ctrl+C"])
        self.paste = self._make("Paste notes at playhead", e.paste, [StdKey.Paste, "Ctrl+V"])
        self.duplicate = self._make("Duplicate notes", e.duplicate, ["Ctrl+D"])
        self.move_left = self._make("Move left one grid step", lambda: e.nudge(-1, 0), ["Left"])
        self.move_right = self._make("Move right one grid step", lambda: e.nudge(1, 0), ["Right"])
        self.move_bar_left = self._make("Move left one bar", lambda: e.nudge_bar(-1), ["Ctrl+Left"])
        self.move_bar_right = self._make("Move right one bar", lambda: e.nudge_bar(1), ["Ctrl+Right"])
        self.shorten = self._make("Shorten one grid step", lambda: e.stretch(-1), ["Shift+Left"])
        self.lengthen = self._make("Lengthen one grid step", lambda: e.stretch(1), ["Shift+Right"])
        self.up = self._make("Transpose up a semitone", lambda: e.nudge(0, 1), ["Up"])
        self.down = self._make("Transpose down a semitone", lambda: e.nudge(0, -1), ["Down"])
        self.octave_up = self._make("Transpose up an octave", lambda: e.nudge(0, 12), ["Shift+Up"])
        self.octave_down = self._make("Transpose down an octave", lambda: e.nudge(0, -12), ["Shift+Down"])
        self.quantize = self._make("Quantize", e.quantize, ["Q"])
        self.quantize_settings = self._make("Quantize\u2026", e.quantize_dialog, ["Shift+Q"])
        self.legato = self._make("Legato", e.legato, ["L"])
        self.edit = [self.select_all, self.deselect, self.delete, self.cut, self.copy, self.paste, self.duplicate,
                     self.move_left, self.move_right, self.move_bar_left, self.move_bar_right, self.shorten,
                     self.lengthen, self.up, self.down, self.octave_up, self.octave_down, self.quantize,
                     self.quantize_settings, self.legato]

        v = e.view
        self.zoom_in = self._make("Zoom in", lambda: v.zoom_time(1.25), [StdKey.ZoomIn, "+", "="])
        self.zoom_out = self._make("Zoom out", lambda: v.zoom_time(0.8), [StdKey.ZoomOut, "-"])
        self.zoom_in_v = self._make("Taller rows", lambda: v.set_row_px(v.row_px * 1.25), ["Alt+=", "Alt++"])
        self.zoom_out_v = self._make("Shorter rows", lambda: v.set_row_px(v.row_px * 0.8), ["Alt+-"])
        self.zoom_fit = self._make("Zoom to clip", e.zoom_to_clip, ["Z"])
        self.follow = self._make("Follow playhead", lambda: None, ["F"])
        self.follow.setCheckable(True)
        self.follow.setChecked(e.state.follow_playhead)
        self.follow.toggled.connect(e.set_follow)
        self.ghosts = self._make("Show other tracks", lambda: None, [])
        self.ghosts.setCheckable(True)
        self.ghosts.setChecked(e.state.show_ghosts)
        self.ghosts.toggled.connect(e.scene.set_show_ghosts)
        self.view = [self.zoom_in, self.zoom_out, self.zoom_in_v, self.zoom_out_v, self.zoom_fit, self.follow,
                     self.ghosts]
        self.tools = [self.tool_select, self.tool_draw, self.tool_erase]
        editor.view.tool_changed.connect(self._on_tool_changed)

    def all(self) -> list[QAction]:
        return self.tools + self.edit + self.view

    def _make(self, text: str, slot: Callable[[], object], keys: list) -> QAction:
        action = QAction(text, self._editor)
        seqs: list[QKeySequence] = []
        for k in keys:
            found = QKeySequence.keyBindings(k) if isinstance(k, StdKey) else [QKeySequence(k)]
            seqs += [s for s in found if not s.isEmpty() and s not in seqs]
        action.setShortcuts(seqs)
        mark_standard_keys(action, [k for k in keys if isinstance(k, StdKey)])
        action.setShortcutContext(Qt.ShortcutContext.WidgetWithChildrenShortcut)
        action.triggered.connect(lambda _checked=False: slot())
        self._editor.addAction(action)
        return action

    def _tool(self, text: str, name: str, keys: list[str]) -> QAction:
        action = self._make(text, lambda: self._editor.view.set_tool(name), keys)
        action.setCheckable(True)
        action.setData(name)
        self.tool_group.addAction(action)
        return action

    def _on_tool_changed(self, name: str) -> None:
        for action in self.tools:
            if action.data() == name and not action.isChecked():
                action.setChecked(True)
