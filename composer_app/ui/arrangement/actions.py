"""The arrangement's commands as QActions (shortcuts scoped to the arrangement) and its context menus."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from PySide6.QtCore import Qt
from PySide6.QtGui import QAction, QColor, QIcon, QKeySequence, QPixmap
from PySide6.QtWidgets import QMenu, QWidget

from composer_app.ui.arrangement.palette import CLIP_COLORS


@dataclass
class ArrangementActions:
    """Every command with its shortcut; the main window may also put these into its menus."""

    add_track: QAction
    delete_track: QAction
    rename: QAction
    move_track_up: QAction
    move_track_down: QAction
    open_clip: QAction
    split: QAction
    align_to_beat: QAction
    duplicate: QAction
    delete_clips: QAction
    select_all: QAction
    zoom_in: QAction
    zoom_out: QAction
    zoom_fit: QAction
    pencil: QAction

    def all(self) -> list[QAction]:
        return list(vars(self).values())


def _action(owner: QWidget, text: str, keys: tuple[str, ...], slot: Callable[[], object],
            checkable: bool = False, scope: QWidget | None = None) -> QAction:
    """An action whose shortcut works while focus is inside ``scope`` (default: ``owner``)."""
    action = QAction(text, owner)
    action.setShortcuts([QKeySequence(k) for k in keys])
    action.setShortcutContext(Qt.ShortcutContext.WidgetWithChildrenShortcut)
    action.setCheckable(checkable)
    if checkable:
        action.toggled.connect(slot)
    else:
        action.triggered.connect(lambda _checked=False: slot())
    (scope or owner).addAction(action)
    return action


def build_actions(view) -> ArrangementActions:
    """``view`` is the ArrangementView; the actions call its public methods. Keys that also mean something
    in text fields and spin boxes (Return, Delete, Ctrl+A, +, -, B) work only in the clip area."""
    clips = view.clip_view
    return ArrangementActions(
        add_track=_action(view, "Add Track", ("Ctrl+T",), view.add_track),
        delete_track=_action(view, "Delete Track", ("Ctrl+Shift+Del",), view.delete_current_track),
        rename=_action(view, "Rename…", ("F2",), view.rename_selected),
        move_track_up=_action(view, "Move Track Up", ("Ctrl+Shift+Up",), lambda: view.move_current_track(-1)),
        move_track_down=_action(view, "Move Track Down", ("Ctrl+Shift+Down",), lambda: view.move_current_track(1)),
        open_clip=_action(view, "Open in Piano Roll", ("Return", "Enter"), view.open_selected_clip, scope=clips),
        split=_action(view, "Split at Playhead", ("Ctrl+E",), view.split_at_playhead),
        align_to_beat=_action(view, "Align Notes to the Beat", (), view.align_to_beat),
        duplicate=_action(view, "Duplicate", ("Ctrl+D",), view.duplicate_selected),
        delete_clips=_action(view, "Delete Clips", ("Delete", "Backspace"), view.delete_selected, scope=clips),
        select_all=_action(view, "Select All Clips", ("Ctrl+A",), view.select_all, scope=clips),
        zoom_in=_action(view, "Zoom In", ("+", "=", "Ctrl++"), lambda: view.zoom(1.25), scope=clips),
        zoom_out=_action(view, "Zoom Out", ("-", "Ctrl+-"), lambda: view.zoom(0.8), scope=clips),
        zoom_fit=_action(view, "Zoom to Fit", ("Ctrl+0",), view.zoom_to_fit),
        pencil=_action(view, "Draw Clips", ("B",), view.set_pencil, checkable=True, scope=clips),
    )


def swatch(colour: str) -> QIcon:
    pix = QPixmap(14, 14)
    pix.fill(QColor(colour))
    return QIcon(pix)


def clip_menu(view, clip_ids: list[str]) -> QMenu:
    acts: ArrangementActions = view.actions_
    menu = QMenu(view)
    menu.addAction(acts.open_clip)
    menu.addAction(acts.rename)
    colours = menu.addMenu("Colour")
    colours.addAction("Track Colour", lambda: view.clip_commands.set_color(clip_ids, "", "clip"))
    for name, hex_ in CLIP_COLORS:
        colours.addAction(swatch(hex_), name,
                          lambda h=hex_, n=name: view.clip_commands.set_color(clip_ids, h, n.lower()))
    menu.addSeparator()
    menu.addAction(acts.split)
    menu.addAction(acts.duplicate)
    menu.addAction(acts.delete_clips)
    return menu


def empty_menu(view) -> QMenu:
    acts: ArrangementActions = view.actions_
    menu = QMenu(view)
    menu.addAction(acts.add_track)
    menu.addAction(acts.select_all)
    menu.addAction(acts.pencil)
    return menu


def track_menu(view) -> QMenu:
    acts: ArrangementActions = view.actions_
    menu = QMenu(view)
    menu.addAction("Rename Track…", view.rename_current_track)
    for action in (acts.move_track_up, acts.move_track_down):
        menu.addAction(action)
    menu.addSeparator()
    menu.addAction(acts.add_track)
    menu.addAction(acts.delete_track)
    return menu
