"""ArrangementScene: tracks as lanes and clips as items, kept in step with the document by clip id."""

from __future__ import annotations

from collections.abc import Iterable

from PySide6.QtCore import QLineF, QRectF, Qt, QTimer
from PySide6.QtGui import QColor, QPainter, QPen
from PySide6.QtWidgets import QGraphicsLineItem, QGraphicsRectItem, QGraphicsScene

from composer_app.core.song import Song
from composer_app.ui.arrangement import palette
from composer_app.ui.arrangement.backdrop import draw_backdrop
from composer_app.ui.arrangement.clip_item import ClipItem
from composer_app.ui.document import SongDocument
from composer_app.ui.timeline.scale import TimeScale
from composer_app.ui.timeline.transport import TransportState

DEFAULT_ROW_HEIGHT = 72
CLIP_MARGIN = 2.0
TAIL_BARS = 16  # empty bars to the right of the song's end
SETTLE_MS = 150  # after the last zoom step, clips stretched meanwhile are drawn crisp again


class ArrangementScene(QGraphicsScene):
    """Observes the document; never edits it. Tools move items for previews, ``relayout`` puts them back."""

    def __init__(self, document: SongDocument, scale: TimeScale, transport: TransportState,
                 parent=None) -> None:
        super().__init__(parent)
        self.document = document
        self.scale = scale
        self.transport = transport
        self.row_height = DEFAULT_ROW_HEIGHT
        self.current_track_id: str | None = None
        self._items: dict[str, ClipItem] = {}
        self._song = document.song
        self._view_width = 800.0
        self.settling = False  # zooming: clip items may stretch their last miniature instead of drawing a new one
        self._stretched: set[ClipItem] = set()
        self._settle = QTimer(self)
        self._settle.setSingleShot(True)
        self._settle.setInterval(SETTLE_MS)
        self._settle.timeout.connect(self._settled)
        self.setItemIndexMethod(QGraphicsScene.ItemIndexMethod.BspTreeIndex)
        self.playhead = QGraphicsLineItem()
        self.playhead.setPen(QPen(palette.PLAYHEAD_COLOR, 1.5))
        self.playhead.setZValue(100)
        self.addItem(self.playhead)
        self.ghost = QGraphicsRectItem()
        self.ghost.setPen(QPen(palette.SELECTED_OUTLINE, 1.5, Qt.PenStyle.DashLine))
        self.ghost.setBrush(QColor(43, 108, 176, 50))
        self.ghost.setZValue(90)
        self.ghost.hide()
        self.addItem(self.ghost)
        document.song_changed.connect(self._on_song_changed)
        scale.changed.connect(self._on_zoom)
        transport.playhead_changed.connect(self._place_playhead)
        self.sync()

    # ------------------------------------------------------------ queries
    @property
    def song(self) -> Song:
        return self._song

    def clip_item(self, clip_id: str) -> ClipItem | None:
        return self._items.get(clip_id)

    def clip_items(self) -> list[ClipItem]:
        return list(self._items.values())

    def selected_clip_ids(self) -> list[str]:
        ids = {i.clip_id for i in self._items.values() if i.isSelected()}
        return [c.id for t in self._song.tracks for c in t.clips if c.id in ids]

    def select_clips(self, clip_ids: Iterable[str]) -> None:
        wanted = set(clip_ids)
        for cid, item in self._items.items():
            item.setSelected(cid in wanted)

    def row_of_y(self, y: float) -> int:
        """Track index under scene ``y`` (may be out of range: the caller checks)."""
        return int(y // self.row_height) if y >= 0 else -1

    def row_y(self, row: int) -> float:
        return row * self.row_height

    def clip_rect(self, start: int, length: int, row: int) -> QRectF:
        return QRectF(self.scale.x(start), self.row_y(row) + CLIP_MARGIN,
                      self.scale.width(length), self.row_height - 2 * CLIP_MARGIN)

    # ------------------------------------------------------------ state from outside
    def set_row_height(self, height: int) -> None:
        height = max(36, min(200, int(height)))
        if height != self.row_height:
            self.row_height = height
            self._start_settling()
            self.relayout()

    def set_current_track(self, track_id: str | None) -> None:
        if track_id != self.current_track_id:
            self.current_track_id = track_id
            self.invalidate(self.sceneRect(), QGraphicsScene.SceneLayer.BackgroundLayer)

    def set_view_width(self, width: float) -> None:
        self._view_width = width
        self._update_scene_rect()

    # ------------------------------------------------------------ keeping in step
    def _on_song_changed(self, _old: Song, new: Song) -> None:
        self.sync(new)

    def sync(self, song: Song | None = None) -> None:
        """Bring items in line with ``song``: create, update, place and remove by clip id."""
        self._song = song if song is not None else self.document.song
        seen: set[str] = set()
        for row, track in enumerate(self._song.tracks):
            for clip in track.clips:
                seen.add(clip.id)
                colour = palette.clip_color(clip.color, row)
                item = self._items.get(clip.id)
                if item is None:
                    item = ClipItem(clip, track.name, colour, track.mute)
                    self._items[clip.id] = item
                    self.addItem(item)
                else:
                    item.set_clip(clip, track.name, colour, track.mute)
                self._place(item, clip.start, clip.length, row)
        for cid in [c for c in self._items if c not in seen]:
            item = self._items.pop(cid)
            item.forget_miniature()
            self.removeItem(item)
            self._stretched.discard(item)
        if self.current_track_id not in {t.id for t in self._song.tracks}:
            self.current_track_id = self._song.tracks[0].id if self._song.tracks else None
        self._update_scene_rect()
        self.invalidate(self.sceneRect(), QGraphicsScene.SceneLayer.BackgroundLayer)

    def _place(self, item: ClipItem, start: int, length: int, row: int) -> None:
        r = self.clip_rect(start, length, row)
        item.set_size(r.width(), r.height())
        if item.pos() != r.topLeft():
            item.setPos(r.topLeft())

    def relayout(self) -> None:
        """Put every item where the song says (after a zoom, a row-height change or a cancelled drag)."""
        for row, track in enumerate(self._song.tracks):
            for clip in track.clips:
                item = self._items.get(clip.id)
                if item is not None:
                    self._place(item, clip.start, clip.length, row)
        self._update_scene_rect()
        self.invalidate(self.sceneRect(), QGraphicsScene.SceneLayer.BackgroundLayer)

    # ------------------------------------------------------------ zoom
    def _on_zoom(self) -> None:
        self._start_settling()
        self.relayout()

    def _start_settling(self) -> None:
        self.settling = True
        self._settle.start()

    def refresh_later(self, item: ClipItem) -> None:
        """``item`` drew a stretched miniature: repaint it once zooming has settled."""
        self._stretched.add(item)

    def _settled(self) -> None:
        self.settling = False
        stretched, self._stretched = self._stretched, set()
        for item in stretched:
            item.update()

    def _update_scene_rect(self) -> None:
        meters = self._song.meter_map
        end_bar = meters.bar_of(self._song.end_tick) + TAIL_BARS
        width = max(self.scale.x(meters.bar_start(end_bar)), self._view_width)
        height = max(len(self._song.tracks), 1) * self.row_height
        rect = QRectF(0, 0, width, height)
        if rect != self.sceneRect():
            self.setSceneRect(rect)
        self._place_playhead()

    def _place_playhead(self, *_args) -> None:
        x = self.scale.x(self.transport.playhead)
        self.playhead.setLine(QLineF(x, 0, x, self.sceneRect().height()))

    # ------------------------------------------------------------ background
    def drawBackground(self, painter: QPainter, rect: QRectF) -> None:  # noqa: N802 (Qt override)
        draw_backdrop(painter, rect, self._song, self.scale, self.row_height, self.current_track_id)
