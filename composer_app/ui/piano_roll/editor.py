"""PianoRollEditor: assembles toolbar, ruler, chord lane, keyboard, roll and velocity lane, and runs the
note commands (clipboard, duplicate, nudge, quantize, legato)."""

from __future__ import annotations

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import QGridLayout, QLabel, QVBoxLayout, QWidget

from composer_app.core.song import Clip, Note, Song
from composer_app.core.timing import PPQ
from composer_app.ui.document import SongDocument
from composer_app.ui.piano_roll import ops
from composer_app.ui.piano_roll.actions import EditorActions
from composer_app.ui.piano_roll.chord_lane import ChordLane
from composer_app.ui.piano_roll.keyboard import WIDTH as KEYS_WIDTH
from composer_app.ui.piano_roll.keyboard import KeyboardColumn
from composer_app.ui.piano_roll.quantize_dialog import QuantizeDialog
from composer_app.ui.piano_roll.scene import PianoRollScene
from composer_app.ui.piano_roll.state import RollState
from composer_app.ui.piano_roll.toolbar import EditorToolbar
from composer_app.ui.piano_roll.velocity_lane import VelocityLane
from composer_app.ui.piano_roll.view import PianoRollView
from composer_app.ui.timeline.grid import grid_by_label, step_at
from composer_app.ui.timeline.ruler import Ruler
from composer_app.ui.timeline.scale import TimeScale
from composer_app.ui.timeline.transport import TransportState

CLIPBOARD: list[Note] = []  # notes copied in this app, starts relative to the clip they came from


class PianoRollEditor(QWidget):
    """Edits one clip of ``document``. ``note_preview(pitch, velocity)`` asks the synth to sound a
    note (velocity 0 = release); ``actions`` holds the QActions (shortcuts work while it has focus)."""

    note_preview = Signal(int, int)
    clip_opened = Signal(object)  # clip id or None

    def __init__(self, document: SongDocument, transport: TransportState, parent: QWidget | None = None,
                 scale: TimeScale | None = None) -> None:
        super().__init__(parent)
        self.document = document
        self.transport = transport
        self.state = RollState(self)
        self.time_scale = scale or TimeScale(80.0, self)
        self.scene = PianoRollScene(document, transport, self.state, self)
        self.view = PianoRollView(self.scene, self.time_scale, self)
        self.keyboard = KeyboardColumn(self.view, self)
        self.velocity_lane = VelocityLane(self.view, self)
        self.chord_lane = ChordLane(self.view, self)
        self.ruler = Ruler(self.time_scale, transport, lambda: self.document.song, self)
        self.actions = EditorActions(self)
        self.toolbar = EditorToolbar(self, self)
        self._layout()
        self.view.note_preview.connect(self.note_preview)
        self.keyboard.note_preview.connect(self.note_preview)
        self.view.viewport_moved.connect(lambda: self.ruler.set_offset(self.view.h_offset()))
        self.state.changed.connect(lambda: self.ruler.set_grid(self.state.grid))
        self.scene.selection_changed.connect(self._show_status)
        self.chord_lane.error.connect(self.toolbar.status.setText)
        self.scene.clip_changed.connect(lambda _c: self._show_clip_name())
        self.ruler.set_grid(self.state.grid)
        self.view.set_tool("draw")

    def _layout(self) -> None:
        grid = QGridLayout()
        grid.setSpacing(0)
        grid.setContentsMargins(0, 0, 0, 0)
        corner = QLabel("", self)
        corner.setFixedWidth(KEYS_WIDTH)
        grid.addWidget(corner, 0, 0)
        grid.addWidget(self.ruler, 0, 1)
        chords = QLabel("Chords", self)
        chords.setAlignment(Qt.AlignmentFlag.AlignCenter)
        grid.addWidget(chords, 1, 0)
        grid.addWidget(self.chord_lane, 1, 1)
        grid.addWidget(self.keyboard, 2, 0)
        grid.addWidget(self.view, 2, 1)
        velocity = QLabel("Velocity", self)
        velocity.setAlignment(Qt.AlignmentFlag.AlignCenter)
        grid.addWidget(velocity, 3, 0)
        grid.addWidget(self.velocity_lane, 3, 1)
        grid.setRowStretch(2, 1)
        outer = QVBoxLayout(self)
        outer.setContentsMargins(0, 0, 0, 0)
        outer.setSpacing(0)
        outer.addWidget(self.toolbar)
        outer.addLayout(grid, 1)

    # ------------------------------------------------------------ opening
    @property
    def clip_id(self) -> str | None:
        return self.scene.clip_id

    def open_clip(self, clip_id: str | None) -> None:
        """Edit this clip (None shows nothing); scrolls to its start and its notes' middle pitch."""
        window, start = None, 0
        if clip_id is not None:
            start = self._first_bar(self.song.clip(clip_id))
            window = (start, start + round(self.view.tick_at(self.view.viewport().width() * 2) - self.view.tick_at(0)))
        self.scene.open_clip(clip_id, window)
        clip = self.scene.clip
        if clip is not None:
            pitches = sorted(n.pitch for n in clip.notes) or [60]
            self.view.scroll_to(start, pitches[len(pitches) // 2])
        self.view.viewport_moved.emit()
        self.clip_opened.emit(clip_id)

    def _first_bar(self, clip: Clip) -> int:
        """Start of the bar holding the clip's first note (a clip that opens with rests scrolls to its music)."""
        if not clip.notes:
            return clip.start
        mm = self.song.meter_map
        return max(clip.start, mm.bar_start(mm.bar_of(clip.start + min(n.start for n in clip.notes))))

    def show_track(self, track_id: str) -> None:
        """Open the track's clip under the playhead, else its first clip."""
        track = self.song.track(track_id)
        here = [c for c in track.clips if c.start <= self.transport.playhead < c.end]
        chosen = (here or list(track.clips) or [None])[0]
        self.open_clip(chosen.id if chosen else None)

    @property
    def song(self) -> Song:
        return self.document.song

    def _show_clip_name(self) -> None:
        clip = self.scene.clip
        if clip is None:
            self.toolbar.clip_label.setText("No clip")
            return
        track = self.song.track_of_clip(clip.id)
        self.toolbar.clip_label.setText(f"  {track.name}" + (f" \u2013 {clip.name}" if clip.name else ""))

    def _show_status(self) -> None:
        n = len(self.scene.selected)
        self.toolbar.status.setText(f"{ops.count(n)} selected" if n else "")

    # ------------------------------------------------------------ commands
    def _commit(self, result: ops.Result | None) -> None:
        self.view.commit(result)

    def _targets(self) -> list[str]:
        """Selected notes, or every note of the clip when none is selected."""
        if self.scene.selected:
            return list(self.scene.selected)
        return self.scene.all_ids()

    def _step(self) -> int:
        clip = self.scene.clip
        return self.state.step(self.song.meter_map, clip.start if clip else 0)

    def select_all(self) -> None:
        self.scene.set_selection(self.scene.all_ids())

    def escape(self) -> None:
        if not self.view.cancel_gesture() and not self.chord_lane.editor_visible():
            self.scene.set_selection(())

    def delete_selected(self) -> None:
        if self.clip_id:
            self._commit(ops.delete(self.song, self.clip_id, self.scene.selected))

    def copy(self) -> None:
        if self.scene.selected:
            CLIPBOARD[:] = sorted(self.scene.selected_notes(), key=lambda n: (n.start, n.pitch))

    def cut(self) -> None:
        if self.clip_id and self.scene.selected:
            self.copy()
            result = ops.delete(self.song, self.clip_id, self.scene.selected)
            if result is not None:
                self._commit(ops.Result(result.song, result.text.replace("Delete", "Cut"), ()))

    def paste(self) -> None:
        if self.clip_id:
            self._commit(ops.paste(self.song, self.clip_id, CLIPBOARD, self.transport.playhead))

    def duplicate(self) -> None:
        if self.clip_id:
            self._commit(ops.duplicate(self.song, self.clip_id, self.scene.selected, self._step()))

    def nudge(self, steps: int, semitones: int) -> None:
        if self.clip_id:
            self._commit(ops.move(self.song, self.clip_id, self.scene.selected, steps * self._step(), semitones))

    def nudge_bar(self, bars: int) -> None:
        if self.clip_id:
            clip = self.scene.clip
            bar = self.song.meter_map.meter_at(clip.start if clip else 0).bar_ticks
            self._commit(ops.move(self.song, self.clip_id, self.scene.selected, bars * bar, 0))

    def stretch(self, steps: int) -> None:
        if self.clip_id:
            step = self._step()
            shortest = min((n.duration for n in self.scene.selected_notes()), default=step)
            self._commit(ops.resize(self.song, self.clip_id, self.scene.selected, 0, steps * step, min(step, shortest)))

    def quantize(self) -> None:
        if not self.clip_id:
            return
        q = self.state.quantize
        grid = grid_by_label(q.grid)
        clip = self.scene.clip
        ticks = step_at(grid, self.song.meter_map, clip.start if clip else 0)
        self._commit(ops.quantize(self.song, self.clip_id, self._targets(), ticks, q.strength, q.starts, q.ends))

    def quantize_dialog(self) -> None:
        dialog = QuantizeDialog(self.state.quantize, self)
        if dialog.exec():
            self.state.quantize = dialog.settings()
            self.quantize()

    def legato(self) -> None:
        if self.clip_id:
            self._commit(ops.legato(self.song, self.clip_id, self._targets()))

    def zoom_to_clip(self) -> None:
        clip = self.scene.clip
        if clip is None:
            return
        width = max(1, self.view.viewport().width() - 16)
        self.time_scale.set_pixels_per_quarter(width * PPQ / max(clip.length, PPQ))
        self.view.scroll_to(clip.start)

    def set_follow(self, on: bool) -> None:
        self.state.follow_playhead = on
