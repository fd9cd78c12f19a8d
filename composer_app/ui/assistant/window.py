"""Puts the assistant into a main window: the dock, the Assistant menu, a toolbar button, the piano roll's
context menu, the keys (Tab/Enter accept, Esc dismisses or cancels), ghost notes and card drops."""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

from PySide6.QtCore import QEvent, QObject, QPointF, Qt, Signal
from PySide6.QtGui import QAction, QKeyEvent, QKeySequence
from PySide6.QtWidgets import (
    QAbstractSpinBox,
    QApplication,
    QComboBox,
    QDockWidget,
    QFrame,
    QLineEdit,
    QMainWindow,
    QMenu,
    QScrollArea,
    QTextEdit,
    QToolBar,
    QWidget,
)

from composer_app.core.song import Song
from composer_app.model.song_adapter import part_of, spelling_key
from composer_app.ui.assistant import drag
from composer_app.ui.assistant.audition import CandidateAudition
from composer_app.ui.assistant.colors import candidate_color
from composer_app.ui.assistant.controller import Assistant
from composer_app.ui.assistant.controls import RequestControls
from composer_app.ui.assistant.engines import Engines
from composer_app.ui.assistant.overlay import GhostOverlay
from composer_app.ui.assistant.panel import AssistantPanel
from composer_app.ui.assistant.session import Suggestion
from composer_app.ui.assistant.targets import target_of
from composer_app.ui.document import SongDocument
from composer_app.ui.settings import ASSISTANT_OPTIONS, Settings

if TYPE_CHECKING:
    from composer_app.ui.arrangement import ArrangementView
    from composer_app.ui.audio_service import AudioService
    from composer_app.ui.piano_roll import PianoRollEditor

ACCEPT_KEYS = (Qt.Key.Key_Tab, Qt.Key.Key_Return, Qt.Key.Key_Enter)
DOCK_MIN_WIDTH = 240
EDITABLE = (QLineEdit, QAbstractSpinBox, QTextEdit, QComboBox)
Status = Callable[[str, int], None]


class AssistantUi(QObject):
    """The assistant of one window. It gets only what it uses: the document, the audio service (or None), a
    status sink, the two editors it draws into and takes drops on, and the settings (its controls)."""

    ghosts_drawn = Signal(int)  # how many ghost notes are up now (0: none)

    def __init__(self, document: SongDocument, audio: AudioService | None, status: Status,
                 roll: PianoRollEditor, arrangement: ArrangementView, parent: QWidget,
                 settings: Settings | None = None, engines: Engines | None = None) -> None:
        super().__init__(parent)
        self.document, self.roll, self.arrangement = document, roll, arrangement
        self.controls = RequestControls()
        if settings is not None:
            self.controls.restore(settings.get(ASSISTANT_OPTIONS))
            self.controls.changed.connect(lambda: settings.set(ASSISTANT_OPTIONS, self.controls.state()))
        self.assistant = Assistant(document, self._target, self.controls.options, status, engines, self)
        self.audition = CandidateAudition(audio, self)
        self.panel = AssistantPanel(self.assistant, self.controls, self.audition, lambda: document.song,
                                    self.card_mime, parent)
        self.overlay = GhostOverlay(roll.scene, roll.view)
        self.assistant.current_changed.connect(self._on_current)
        self.assistant.accepted.connect(lambda _s: self.audition.stop())
        document.song_changed.connect(self._on_song_changed)
        document.song_changed.connect(lambda _old, _new: self._name_pitches())
        roll.scene.clip_changed.connect(lambda _c: self._name_pitches())
        self._name_pitches()
        self._build_actions(parent)
        self._arrangement_drops = drag.DropFilter(self._drop_on_arrangement, self._is_harmony, False, self)
        arrangement.clip_view.viewport().installEventFilter(self._arrangement_drops)
        self._roll_drops = drag.DropFilter(self._drop_on_roll, parent=self)
        roll.view.viewport().setAcceptDrops(True)
        roll.view.viewport().installEventFilter(self._roll_drops)
        roll.view.viewport().installEventFilter(self)
        self._host = parent
        self._filtering = False  # the app-wide key filter is on only while there is something to accept or stop
        for signal in (self.assistant.current_changed, self.assistant.busy_changed, self.audition.playing_changed):
            signal.connect(lambda *_a: self._sync_key_filter())
        parent.destroyed.connect(self._detach)

    # ------------------------------------------------------------ what a request is about
    def _target(self, song: Song):
        return target_of(song, self.roll.clip_id, self.roll.scene.selected)

    # ------------------------------------------------------------ actions, menu, dock, toolbar
    def _action(self, parent: QWidget, text: str, slot: Callable[[], object], keys: tuple[str, ...] = (),
                tip: str = "") -> QAction:
        action = QAction(text, parent)
        action.setShortcuts([QKeySequence(k) for k in keys])
        action.setStatusTip(tip)
        action.setToolTip(tip or text)
        action.triggered.connect(lambda _c=False: slot())
        parent.addAction(action)
        return action

    def _build_actions(self, w: QWidget) -> None:
        a = self.assistant
        self.suggest_action = self._action(w, "&Suggest Next Bars", lambda: a.ask("continue"), ("Ctrl+G",),
                                           "Continue the open clip or the selected notes (bars set in the panel)")
        self.harmonize_action = self._action(w, "&Harmonize", lambda: a.ask("harmonize"), ("Ctrl+Shift+H",),
                                             "Alternative voiced chord progressions for the selected melody")
        self.regenerate_action = self._action(w, "&Regenerate", a.regenerate, ("Ctrl+Shift+G",),
                                              "Ask again with the panel's current options and pinned chords")
        self.more_action = self._action(w, "&More Like This", a.more_like, ("Ctrl+Alt+G",),
                                        "Variations near the current candidate")
        self.fill_action = self._action(w, "Regenerate Se&lection", lambda: a.ask("fill"), ("Ctrl+Alt+R",),
                                        "New notes for the bars of the selected notes, leading into what follows")
        self.vary_action = self._action(w, "&Vary Selection", lambda: a.ask("vary"), ("Ctrl+Alt+V",),
                                        "The selected phrase with its rhythm, contour or first half kept "
                                        "(see \"Vary keeps\" in the panel)")
        self.melody_action = self._action(w, "Suggest Melod&y", lambda: a.ask("melody"), ("Ctrl+Alt+M",),
                                          "A melody over the chord track: the selected bars, else the panel's bars "
                                          "after the track's last note")
        self.next_action = self._action(w, "&Next Candidate", lambda: a.cycle(1), ("Alt+]",),
                                        "Show the next candidate as ghost notes")
        self.previous_action = self._action(w, "&Previous Candidate", lambda: a.cycle(-1), ("Alt+[",),
                                            "Show the previous candidate")
        self.audition_action = self._action(w, "&Audition Candidate", lambda: self.panel.play(),
                                            ("Ctrl+Shift+Space",), "Loop the current candidate with a bar of lead-in")
        self.accept_action = self._action(w, "&Keep Candidate\tTab", a.accept, (),
                                          "Put the current candidate into the song (one undo step)")
        self.dismiss_action = self._action(w, "&Dismiss\tEsc", self.escape, (),
                                           "Hide the ghost notes (the batch stays in the history)")
        self.cancel_action = self._action(w, "&Cancel Request\tEsc", a.cancel, (), "Stop the running request")
        self.suggest_action.setIconText("Suggest")
        self.harmonize_action.setIconText("Harmonize")

    def install(self, window: QMainWindow, before_menu: QAction | None = None) -> None:
        """Dock (right), the Assistant menu (before ``before_menu``) and a toolbar with Suggest and Harmonize."""
        self.dock = QDockWidget("Assistant", window)
        self.dock.setObjectName("assistant_dock")
        holder = QScrollArea(self.dock)  # the dock may be narrower than the panel's controls
        holder.setWidget(self.panel)
        holder.setWidgetResizable(True)
        holder.setFrameShape(QFrame.Shape.NoFrame)
        holder.setMinimumWidth(DOCK_MIN_WIDTH)
        self.dock.setWidget(holder)
        window.addDockWidget(Qt.DockWidgetArea.RightDockWidgetArea, self.dock)
        self.menu = QMenu("A&ssistant", window)
        self.menu.addActions([self.suggest_action, self.harmonize_action, self.regenerate_action, self.more_action])
        self.menu.addSeparator()
        self.menu.addActions([self.fill_action, self.vary_action, self.melody_action])
        self.menu.addSeparator()
        self.menu.addActions([self.next_action, self.previous_action, self.audition_action, self.accept_action,
                              self.dismiss_action, self.cancel_action])
        self.menu.addSeparator()
        panel_action = self.dock.toggleViewAction()
        panel_action.setText("Assistant &Panel")
        self.menu.addAction(panel_action)
        if before_menu is not None:
            window.menuBar().insertMenu(before_menu, self.menu)
        else:
            window.menuBar().addMenu(self.menu)
        self.toolbar = QToolBar("Assistant", window)
        self.toolbar.setObjectName("assistant_toolbar")
        self.toolbar.setToolButtonStyle(Qt.ToolButtonStyle.ToolButtonTextOnly)
        self.toolbar.addActions([self.suggest_action, self.harmonize_action])
        self.toolbar.addActions([self.regenerate_action, self.more_action])
        self.toolbar.addSeparator()
        self.toolbar.addActions([self.fill_action, self.vary_action, self.melody_action])
        self.fill_action.setIconText("Regenerate Selection")
        self.vary_action.setIconText("Vary")
        self.melody_action.setIconText("Melody")
        window.addToolBarBreak(Qt.ToolBarArea.TopToolBarArea)  # the first row is full on a small screen
        window.addToolBar(Qt.ToolBarArea.TopToolBarArea, self.toolbar)

    def context_menu(self) -> QMenu:
        """The assistant part of the piano roll's context menu."""
        menu = QMenu(self.roll)
        menu.addActions([self.suggest_action, self.harmonize_action, self.regenerate_action])
        menu.addActions([self.fill_action, self.vary_action, self.melody_action])
        if self.assistant.current is not None:
            menu.addSeparator()
            menu.addActions([self.accept_action, self.next_action, self.audition_action])
        return menu

    # ------------------------------------------------------------ ghost notes
    def _on_current(self, suggestion: Suggestion | None) -> None:
        self.overlay.show(suggestion)
        # a harmonization's chord symbols in the roll's chord lane, where they would go (a continuation's: the chords
        # worked out for it, which it was written over)
        self.roll.chord_lane.set_ghost_chords((suggestion.chords or suggestion.over) if suggestion is not None else (),
                                              candidate_color(suggestion.index) if suggestion is not None else None)
        if suggestion is None:
            self.audition.stop()
        self.ghosts_drawn.emit(len(self.overlay.items))

    def _name_pitches(self) -> None:
        """The Range controls spell pitches as the roll does: the key at the open clip; the Part control names the
        role the assistant infers for the open clip's track."""
        clip = self.roll.scene.clip
        song = self.document.song
        self.controls.set_key(spelling_key(song, clip.start if clip is not None else 0))
        try:
            track = song.track_of_clip(clip.id) if clip is not None else None
        except KeyError:  # the clip is gone from the song
            track = None
        self.controls.set_part(track.id if track is not None else None,
                               part_of(song, track) if track is not None else None)

    def _on_song_changed(self, _old: Song, new: Song) -> None:
        """Another song (File > Open, New) or the target track deleted: the ghost notes no longer apply."""
        batch = self.assistant.history.batch
        if batch is None or any(t.id == batch.target.track_id for t in new.tracks):
            return
        self.assistant.cancel()
        if self.assistant.showing:
            self.assistant.dismiss()
        # "Kept #2 (Ctrl+Z undoes it)" from the last song would now be wrong
        self.panel.message.setText("The earlier suggestions were for a track this song does not have; they stay "
                                   "in the History. Open a clip or select notes, then Suggest or Harmonize.")

    # ------------------------------------------------------------ keys
    def escape(self) -> bool:
        """Esc: cancel a running request, else stop an audition, else dismiss the ghost notes."""
        if self.assistant.cancel():
            return True
        if self.audition.playing is not None:
            self.audition.stop()
            return True
        if self.assistant.showing:
            self.assistant.dismiss()
            return True
        return False

    def _wants(self, event: QKeyEvent, receiver: QObject) -> bool:
        if event.modifiers() & ~Qt.KeyboardModifier.KeypadModifier:
            return False
        if not isinstance(receiver, QWidget) or receiver.window() is not self._host:
            return False
        key = event.key()
        if key == Qt.Key.Key_Escape:
            return self.assistant.busy or self.assistant.showing or self.audition.playing is not None
        if key in ACCEPT_KEYS:
            focus = QApplication.focusWidget()
            return self.assistant.showing and not isinstance(focus, EDITABLE)
        return False

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:  # noqa: N802 (Qt override)
        kind = event.type()
        if kind == QEvent.Type.ContextMenu and watched is self.roll.view.viewport():
            return self._roll_context_menu(event)
        if kind in (QEvent.Type.ShortcutOverride, QEvent.Type.KeyPress) and isinstance(event, QKeyEvent):
            if not self._wants(event, watched):
                return False
            if kind == QEvent.Type.ShortcutOverride:
                event.accept()  # the key goes to us as a key press, not to an editor's shortcut
                return True
            if event.key() == Qt.Key.Key_Escape:
                self.escape()
            else:
                self.assistant.accept()
            return True
        return False

    def _roll_context_menu(self, event) -> bool:
        view = self.roll.view
        if self.roll.scene.note_at(view.mapToScene(event.pos())) is not None:
            return False  # right-click on a note keeps erasing it
        view.cancel_gesture()
        self.context_menu().popup(event.globalPos())
        return True

    def _sync_key_filter(self) -> None:
        wanted = self.assistant.busy or self.assistant.showing or self.audition.playing is not None
        app = QApplication.instance()
        if app is None or wanted == self._filtering:
            return
        if wanted:
            app.installEventFilter(self)
        else:
            app.removeEventFilter(self)
        self._filtering = wanted

    def _detach(self) -> None:
        app = QApplication.instance()
        if app is not None and self._filtering:
            app.removeEventFilter(self)
        self._filtering = False

    # ------------------------------------------------------------ drags and drops
    def _key(self, suggestion: Suggestion) -> str:
        batch = self.assistant.history.batch
        return f"{batch.number if batch else 0}:{suggestion.index}"

    def _find(self, key: str) -> tuple[Suggestion, str] | None:
        try:
            number, index = (int(x) for x in key.split(":"))
        except ValueError:
            return None
        for batch in self.assistant.history.batches:
            if batch.number == number:
                found = next((s for s in batch.suggestions if s.index == index), None)
                return (found, batch.target.track_id) if found is not None else None
        return None

    def card_mime(self, suggestion: Suggestion):
        batch = self.assistant.history.batch
        track_id = batch.target.track_id if batch else ""
        return drag.card_mime(self.document.song, track_id, suggestion, self._key(suggestion))

    def _is_harmony(self, key: str) -> bool:
        found = self._find(key)
        return found is not None and found[0].is_harmony

    def _drop_on_arrangement(self, key: str, position: QPointF) -> bool:
        """A harmonization dropped on the arrangement: accompaniment clip plus its chords (continuations are
        dropped by the arrangement itself from the notes in the drag)."""
        found = self._find(key)
        if found is None:
            return False
        view = self.arrangement.clip_view
        view.arr_scene.ghost.hide()
        track_id, bar = view.drop_target(view.scene_pos(position))
        song, clip_id = drag.harmonization_at(self.document.song, track_id, bar, found[0])
        self.document.apply(f"Drop harmonization #{found[0].index + 1}", song)
        self.arrangement.select_clips([clip_id])
        return True

    def _drop_on_roll(self, key: str, position: QPointF) -> bool:
        """A card dropped into the open piano roll: its notes into the open clip from the bar under the drop."""
        found = self._find(key)
        clip_id = self.roll.clip_id
        if found is None or clip_id is None:
            return False
        tick = max(0, int(self.roll.view.mapToScene(position.toPoint()).x()))
        self.document.apply(f"Drop candidate #{found[0].index + 1}", drag.into_clip(self.document.song, clip_id,
                                                                                    tick, found[0]))
        return True
