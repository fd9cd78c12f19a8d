"""The track list: a summary of the song above a table of its tracks, or a hint when it is empty."""

from __future__ import annotations

from html import escape
from typing import Any

from PySide6.QtCore import QAbstractTableModel, QModelIndex, QObject, QPersistentModelIndex, Qt
from PySide6.QtGui import QColor, QPalette
from PySide6.QtWidgets import (
    QAbstractItemView,
    QHeaderView,
    QLabel,
    QStackedWidget,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from composer_app.core.pitch import KeySignature
from composer_app.core.song import Song, Track
from composer_app.model.song_adapter import spelling_key
from composer_app.ui import song_summary as summary
from composer_app.ui.document import SongDocument

EMPTY_HINT = "Open a MIDI file or project (Ctrl+O), or drop one here"

_Index = QModelIndex | QPersistentModelIndex


class TrackTableModel(QAbstractTableModel):
    """One row per track: name, instrument, channel, clips, notes, pitch range."""

    COLUMNS = ("Name", "Instrument", "Channel", "Clips", "Notes", "Range")
    NAME, INSTRUMENT, CHANNEL, CLIPS, NOTES, RANGE = range(6)
    NUMERIC = (CHANNEL, CLIPS, NOTES)

    def __init__(self, song: Song | None = None, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._tracks: tuple[Track, ...] = song.tracks if song is not None else ()
        self._key = spelling_key(song, 0) if song is not None else KeySignature(0)

    def set_song(self, song: Song) -> None:
        self.beginResetModel()
        self._tracks, self._key = song.tracks, spelling_key(song, 0)
        self.endResetModel()

    def track(self, row: int) -> Track:
        return self._tracks[row]

    def rowCount(self, parent: _Index = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self._tracks)

    def columnCount(self, parent: _Index = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self.COLUMNS)

    def headerData(self, section: int, orientation: Qt.Orientation,
                   role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if orientation == Qt.Orientation.Horizontal and role == Qt.ItemDataRole.TextAlignmentRole:
            return self._alignment(section)
        if role != Qt.ItemDataRole.DisplayRole:
            return None
        if orientation == Qt.Orientation.Horizontal:
            return self.COLUMNS[section]
        return str(section + 1)

    def _alignment(self, col: int) -> int:
        horizontal = Qt.AlignmentFlag.AlignRight if col in self.NUMERIC else Qt.AlignmentFlag.AlignLeft
        return int(horizontal | Qt.AlignmentFlag.AlignVCenter)

    def data(self, index: _Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid():
            return None
        track, col = self._tracks[index.row()], index.column()
        if role == Qt.ItemDataRole.DisplayRole:
            return self._text(track, col)
        if role == Qt.ItemDataRole.ToolTipRole:
            if col == self.INSTRUMENT:
                return summary.instrument_tooltip(track)
            if col == self.RANGE and summary.pitch_range(track):
                low, high = summary.pitch_range(track)  # type: ignore[misc]
                return f"MIDI notes {low}\u2013{high} (C4 = 60)"
            return None
        if role == Qt.ItemDataRole.TextAlignmentRole:
            return self._alignment(col)
        if role == Qt.ItemDataRole.ForegroundRole and col == self.NAME and not track.name.strip():
            return QPalette().color(QPalette.ColorRole.PlaceholderText)
        return None

    def _text(self, track: Track, col: int) -> str:
        if col == self.NAME:
            return track.name.strip() or "(unnamed)"
        if col == self.INSTRUMENT:
            return summary.instrument_text(track)
        if col == self.CHANNEL:
            return summary.channel_text(track)
        if col == self.CLIPS:
            return f"{len(track.clips):,}"
        if col == self.NOTES:
            return f"{track.note_count:,}"
        return summary.range_text(track, self._key)


def muted_color(palette: QPalette) -> QColor:
    """Text colour halfway to the background, for secondary text."""
    text, back = palette.color(QPalette.ColorRole.WindowText), palette.color(QPalette.ColorRole.Window)
    return QColor((text.red() + back.red()) // 2, (text.green() + back.green()) // 2,
                  (text.blue() + back.blue()) // 2)


class SongHeader(QLabel):
    """Title and file above the table, then length, tempo, meter, key and chord count."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("songHeader")
        self.setTextFormat(Qt.TextFormat.RichText)
        self.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.setWordWrap(True)
        self.setContentsMargins(4, 4, 4, 8)

    def show_song(self, song: Song, document: SongDocument) -> None:
        title = escape(summary.title_text(song, document.path))
        where = escape(str(document.path)) if document.path is not None else "not saved yet"
        facts = " &nbsp;\u00b7&nbsp; ".join(escape(f) for f in summary.facts(song))
        muted = muted_color(self.palette()).name()
        self.setText(
            f"<div style='font-size:15pt; font-weight:600'>{title}</div>"
            f"<div style='color:{muted}'>{where}</div>"
            f"<div style='margin-top:6px'>{facts}</div>")
        self.setToolTip(str(document.path or ""))


class TrackListPanel(QWidget):
    """Observes a SongDocument and shows what the song holds."""

    def __init__(self, document: SongDocument, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._document = document
        self.model = TrackTableModel(document.song, self)
        self.header = SongHeader(self)

        self.table = QTableView(self)
        self.table.setObjectName("trackTable")
        self.table.setModel(self.model)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.setAlternatingRowColors(True)
        self.table.setShowGrid(False)
        self.table.setWordWrap(False)
        self.table.setStyleSheet("QTableView::item { padding: 0 10px; }"
                                 " QHeaderView::section { padding: 4px 10px; }")
        self.table.verticalHeader().hide()
        self.table.verticalHeader().setDefaultSectionSize(self.fontMetrics().height() + 12)
        columns = self.table.horizontalHeader()
        columns.setHighlightSections(False)
        columns.setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        columns.setSectionResizeMode(TrackTableModel.NAME, QHeaderView.ResizeMode.Stretch)
        columns.setMinimumSectionSize(self.fontMetrics().horizontalAdvance("0000000") + 20)

        self.empty_hint = QLabel(EMPTY_HINT, self)
        self.empty_hint.setObjectName("emptyHint")
        self.empty_hint.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.empty_hint.setWordWrap(True)
        hint_font = self.empty_hint.font()
        hint_font.setPointSizeF(hint_font.pointSizeF() * 1.25)
        self.empty_hint.setFont(hint_font)
        self.empty_hint.setForegroundRole(QPalette.ColorRole.PlaceholderText)

        self.stack = QStackedWidget(self)
        self.stack.addWidget(self.empty_hint)
        self.stack.addWidget(self.table)

        layout = QVBoxLayout(self)
        layout.setContentsMargins(12, 12, 12, 12)
        layout.addWidget(self.header)
        layout.addWidget(self.stack, 1)

        document.song_changed.connect(self._on_song_changed)
        document.path_changed.connect(self._on_path_changed)
        self._show(document.song)

    @property
    def is_empty(self) -> bool:
        return self.stack.currentWidget() is self.empty_hint

    def _on_song_changed(self, _old: Song, new: Song) -> None:
        self._show(new)

    def _on_path_changed(self, _path: object) -> None:
        self._show(self._document.song)

    def _show(self, song: Song) -> None:
        self.model.set_song(song)
        empty = not song.tracks
        self.header.setVisible(not empty or self._document.path is not None)
        self.header.show_song(song, self._document)
        self.stack.setCurrentWidget(self.empty_hint if empty else self.table)
