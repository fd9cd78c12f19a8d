"""TrackHeaderPanel: the column of track header rows beside the clip area, scrolled with it; drag to reorder."""

from __future__ import annotations

from PySide6.QtCore import QPoint, Signal
from PySide6.QtGui import QPalette
from PySide6.QtWidgets import QFrame, QPushButton, QWidget

from composer_app.core.song import Song
from composer_app.ui.arrangement import palette
from composer_app.ui.arrangement.scene import DEFAULT_ROW_HEIGHT
from composer_app.ui.arrangement.track_commands import TrackCommands
from composer_app.ui.arrangement.track_header import TrackHeaderRow

HEADER_WIDTH = 264


class TrackHeaderPanel(QWidget):
    """Rows keyed by track id, laid out by hand so they line up exactly with the scene's lanes."""

    current_changed = Signal(str)
    context_menu_requested = Signal(str, QPoint)

    def __init__(self, commands: TrackCommands, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.commands = commands
        self.rows: dict[str, TrackHeaderRow] = {}
        self.order: list[str] = []
        self.row_height = DEFAULT_ROW_HEIGHT
        self.current_id: str | None = None
        self._offset = 0
        self._drag_id: str | None = None
        self._drop_index = 0
        self.setFixedWidth(HEADER_WIDTH)
        self.setBackgroundRole(QPalette.ColorRole.Window)
        self.setAutoFillBackground(True)
        self.add_button = QPushButton("+  Add track", self)
        self.add_button.setFlat(True)
        self.add_button.setToolTip("Add a track (Ctrl+T)")
        self.add_button.clicked.connect(lambda: self.commands.add())
        self.drop_line = QFrame(self)
        self.drop_line.setStyleSheet(f"background: {palette.SELECTED_OUTLINE.name()};")
        self.drop_line.hide()

    # ------------------------------------------------------------ following the song
    def set_song(self, song: Song) -> None:
        ids = [t.id for t in song.tracks]
        for gone in [tid for tid in self.rows if tid not in ids]:
            row = self.rows.pop(gone)
            row.hide()
            row.deleteLater()
        for index, track in enumerate(song.tracks):
            row = self.rows.get(track.id)
            if row is None:
                row = TrackHeaderRow(track, self.commands, self)
                row.clicked.connect(self.set_current)
                row.grip_pressed.connect(self._grip_pressed)
                row.grip_moved.connect(self._grip_moved)
                row.grip_released.connect(self._grip_released)
                row.context_menu_requested.connect(self.context_menu_requested)
                self.rows[track.id] = row
                row.show()
            row.set_track(track, index)
        self.order = ids
        if self.current_id not in self.rows:
            self.current_id = ids[0] if ids else None
        self._layout()

    def set_current(self, track_id: str | None) -> None:
        changed = track_id != self.current_id
        self.current_id = track_id
        for tid, row in self.rows.items():
            row.set_current(tid == track_id)
        if changed and track_id is not None:
            self.current_changed.emit(track_id)

    def set_offset(self, offset: int) -> None:
        if offset != self._offset:
            self._offset = offset
            self._layout()

    def set_row_height(self, height: int) -> None:
        if height != self.row_height:
            self.row_height = height
            self._layout()

    def row_widget(self, track_id: str) -> TrackHeaderRow:
        return self.rows[track_id]

    def _layout(self) -> None:
        h = self.row_height
        for i, tid in enumerate(self.order):
            self.rows[tid].setGeometry(0, i * h - self._offset, self.width(), h)
            self.rows[tid].set_current(tid == self.current_id)
        self.add_button.setGeometry(8, len(self.order) * h - self._offset + 6, self.width() - 16, 26)

    def resizeEvent(self, event) -> None:  # noqa: N802 (Qt override)
        super().resizeEvent(event)
        self._layout()

    # ------------------------------------------------------------ reorder by drag
    def _index_at(self, global_pos: QPoint) -> int:
        y = self.mapFromGlobal(global_pos).y() + self._offset
        return max(0, min(len(self.order), round(y / self.row_height)))

    def _grip_pressed(self, track_id: str, global_pos: QPoint) -> None:
        self._drag_id = track_id
        self._drop_index = self.order.index(track_id)

    def _grip_moved(self, global_pos: QPoint) -> None:
        if self._drag_id is None:
            return
        self._drop_index = self._index_at(global_pos)
        y = self._drop_index * self.row_height - self._offset
        self.drop_line.setGeometry(0, max(0, y - 1), self.width(), 3)
        self.drop_line.show()
        self.drop_line.raise_()

    def _grip_released(self, global_pos: QPoint) -> None:
        track_id, self._drag_id = self._drag_id, None
        self.drop_line.hide()
        if track_id is None:
            return
        slot = self._index_at(global_pos)
        current = self.order.index(track_id)
        target = slot - 1 if slot > current else slot  # the slot counts the dragged row itself
        if target != current:
            self.commands.move(track_id, target)


__all__ = ["TrackHeaderPanel", "HEADER_WIDTH"]
