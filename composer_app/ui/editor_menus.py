"""The View, Arrangement and Piano Roll menus of the main window, built from the editors' own actions."""

from __future__ import annotations

from collections.abc import Callable, Sequence

from PySide6.QtGui import QAction, QKeySequence
from PySide6.QtWidgets import QMainWindow, QMenu, QWidget

from composer_app.ui.editor_area import EditorArea


class EditorMenus:
    """Adds the menus to ``frame``'s menu bar before ``before`` (Help); the editors' actions keep their
    editor-scoped shortcuts, window-wide commands are added to ``frame``."""

    def __init__(self, frame: QMainWindow, area: EditorArea, before: QAction) -> None:
        self.frame, self.area = frame, area
        bar = frame.menuBar()
        self.view_menu = self._view_menu()
        self.arrangement_menu = self._arrangement_menu()
        self.roll_menu = self._roll_menu()
        for menu in (self.view_menu, self.arrangement_menu, self.roll_menu):
            bar.insertMenu(before, menu)

    def _action(self, text: str, slot: Callable[[], object], keys: Sequence[str] = (), tip: str = "") -> QAction:
        """A window-wide command (its keys must not be used by either editor)."""
        action = QAction(text, self.frame)
        action.setShortcuts([QKeySequence(k) for k in keys])
        action.setStatusTip(tip)
        action.triggered.connect(lambda _checked=False: slot())
        self.frame.addAction(action)
        return action

    def _toggle(self, text: str, editor: QWidget, tip: str) -> QAction:
        action = QAction(text, self.frame)
        action.setCheckable(True)
        action.setChecked(True)
        action.setStatusTip(tip)
        action.toggled.connect(lambda on: self.area.set_editor_visible(editor, on))
        return action

    def _view_menu(self) -> QMenu:
        a, w = self.area, self.frame
        menu = QMenu("&View", w)
        # the keys shown after the tab are the editors' own (+, -, Z / Ctrl+0), which act where the focus is
        self.zoom_in_action = self._action("Zoom &In\t+", lambda: a.zoom(1.25),
                                           tip="Zoom the arrangement or the piano roll, whichever was used last")
        self.zoom_out_action = self._action("Zoom &Out\t-", lambda: a.zoom(0.8),
                                            tip="Zoom out the arrangement or the piano roll")
        self.zoom_fit_action = self._action("Zoom to &Fit", a.zoom_to_fit,
                                            tip="Whole song in the arrangement, whole clip in the piano roll")
        menu.addActions([self.zoom_in_action, self.zoom_out_action, self.zoom_fit_action])
        menu.addSeparator()
        self.show_arrangement_action = self._toggle("&Arrangement", a.arrangement, "Show or hide the arrangement")
        self.show_roll_action = self._toggle("&Piano Roll", a.roll, "Show or hide the piano roll")
        self.tracks_action = a.tracks_dock.toggleViewAction()
        self.tracks_action.setText("&Tracks Panel")
        self.tracks_action.setStatusTip("Every track with its instrument, channel, notes and range")
        self.undo_history_action = a.undo_dock.toggleViewAction()
        self.undo_history_action.setText("Undo &History")
        self.undo_history_action.setShortcut(QKeySequence("Ctrl+H"))
        self.undo_history_action.setStatusTip("Every edit so far; click one to go back to it")
        w.addAction(self.undo_history_action)
        menu.addActions([self.show_arrangement_action, self.show_roll_action, self.tracks_action,
                         self.undo_history_action])
        menu.addSeparator()
        self.focus_arrangement_action = self._action("Go to A&rrangement", lambda: a.focus(a.arrangement),
                                                     ["Alt+1"], "Put the keyboard in the arrangement")
        self.focus_roll_action = self._action("Go to Piano R&oll", lambda: a.focus(a.roll), ["Alt+2"],
                                              "Put the keyboard in the piano roll")
        menu.addActions([self.focus_arrangement_action, self.focus_roll_action])
        return menu

    def sync_toggles(self) -> None:
        """Check marks follow the editors' visibility (after a restored layout)."""
        self.show_arrangement_action.setChecked(not self.area.arrangement.isHidden())
        self.show_roll_action.setChecked(not self.area.roll.isHidden())

    def _arrangement_menu(self) -> QMenu:
        acts = self.area.arrangement.actions_
        menu = QMenu("&Arrangement", self.frame)
        groups = [[acts.add_track, acts.delete_track, acts.move_track_up, acts.move_track_down],
                  [acts.open_clip, acts.rename, acts.split, acts.duplicate, acts.delete_clips, acts.select_all],
                  [acts.align_to_beat],
                  [acts.pencil],
                  [acts.zoom_in, acts.zoom_out, acts.zoom_fit]]
        _add_groups(menu, groups)
        listed = {id(a) for g in groups for a in g}
        menu.addActions([a for a in acts.all() if id(a) not in listed])  # anything added to the view later
        return menu

    def _roll_menu(self) -> QMenu:
        acts = self.area.roll.actions
        menu = QMenu("&Piano Roll", self.frame)
        moves = [acts.move_left, acts.move_right, acts.move_bar_left, acts.move_bar_right, acts.shorten,
                 acts.lengthen, acts.up, acts.down, acts.octave_up, acts.octave_down]
        edit = [a for a in acts.edit if a not in moves]
        shaping = [a for a in edit if a in (acts.quantize, acts.quantize_settings, acts.legato)]
        _add_groups(menu, [acts.tools, [a for a in edit if a not in shaping]])
        move_menu = menu.addMenu("&Move and Transpose")
        move_menu.addActions(moves)
        _add_groups(menu, [shaping, acts.view])
        self.audition_clip_action = self._action(
            "&Audition Clip", self.area.audition_clip, ["Shift+Space"],
            "Loop the clip open in the piano roll, with one bar of the song before it (Space stops)")
        menu.addSeparator()
        menu.addAction(self.audition_clip_action)
        return menu


def _add_groups(menu: QMenu, groups: Sequence[Sequence[QAction]]) -> None:
    for group in groups:
        if group:
            if menu.actions():
                menu.addSeparator()
            menu.addActions(list(group))
