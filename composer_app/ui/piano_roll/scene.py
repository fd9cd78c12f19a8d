"""PianoRollScene: note items of one clip kept in step with the document by diffing note ids."""

from __future__ import annotations

import math
from bisect import bisect_left, bisect_right
from collections.abc import Iterable

from PySide6.QtCore import QPointF, QRectF, Qt, QTimer, Signal
from PySide6.QtGui import QColor, QPainter, QStaticText
from PySide6.QtWidgets import QGraphicsScene

from composer_app.core.pitch import KeySignature
from composer_app.core.song import Clip, Note, Song
from composer_app.model.song_adapter import spelling_key
from composer_app.ui.document import SongDocument
from composer_app.ui.piano_roll.backdrop import paint_background, paint_transport
from composer_app.ui.piano_roll.note_item import GhostItem, NoteItem, note_rect
from composer_app.ui.piano_roll.state import RollState
from composer_app.ui.timeline.transport import TransportState

LABEL_MIN_ROW_PX = 11
LABEL_MIN_WIDTH_PX = 24
LABEL_MAX_ITEMS = 600
SPARE_BARS = 16
EAGER_NOTES = 3000  # bigger clips build the items outside the first view in the background
BUILD_CHUNK = 2000
BUILD_DELAY_MS = 15


class PianoRollScene(QGraphicsScene):
    """Observes the document; tools preview gestures here and commit through ``document.apply``."""

    selection_changed = Signal()
    clip_changed = Signal(object)  # the edited Clip, or None

    def __init__(self, document: SongDocument, transport: TransportState, state: RollState,
                 parent=None) -> None:
        super().__init__(parent)
        self.document = document
        self.transport = transport
        self.state = state
        self.clip_id: str | None = None
        self.clip: Clip | None = None
        self.items_by_id: dict[str, NoteItem] = {}
        self.selected: set[str] = set()
        self._ghosts: dict[str, tuple[Clip, list[GhostItem]]] = {}
        self._previewed: set[str] = set()
        self._pending: list[Note] = []
        self._labels: dict[tuple[int, bool], list[QStaticText]] = {}
        self.setItemIndexMethod(QGraphicsScene.ItemIndexMethod.BspTreeIndex)
        self.setBackgroundBrush(QColor(31, 33, 39))
        document.song_changed.connect(self._on_song_changed)
        state.changed.connect(self.update)

    # ------------------------------------------------------------ model
    @property
    def song(self) -> Song:
        return self.document.song

    def open_clip(self, clip_id: str | None, window: tuple[int, int] | None = None) -> None:
        """Show ``clip_id``'s notes. With a big clip, notes inside ``window`` (song ticks) get items
        first and the rest are built in the background (any tool use finishes that at once)."""
        for item in self.items_by_id.values():
            self.removeItem(item)
        self.items_by_id.clear()
        self.selected.clear()
        self._pending = []
        self.clip_id, self.clip = None, None
        if clip_id is not None:
            clip = self.song.clip(clip_id)
            self.clip_id, self.clip = clip_id, clip
            notes = list(clip.notes)
            if window is not None and len(notes) > EAGER_NOTES:
                longest = max(n.duration for n in notes)
                starts = [n.start for n in notes]
                lo = bisect_left(starts, window[0] - clip.start - longest)
                hi = bisect_right(starts, window[1] - clip.start)
                notes, self._pending = notes[lo:hi], notes[:lo] + notes[hi:]
                QTimer.singleShot(BUILD_DELAY_MS, self._build_some)
            for n in notes:
                self._add(n, clip.start)
        self._sync_ghosts(self.song)
        self._update_rect(self.song)
        self.selection_changed.emit()
        self.clip_changed.emit(self.clip)
        self.update()

    @property
    def pending(self) -> int:
        """Notes still waiting for their items."""
        return len(self._pending)

    def _build_some(self) -> None:
        if not self._pending or self.clip is None:
            return
        chunk, self._pending = self._pending[:BUILD_CHUNK], self._pending[BUILD_CHUNK:]
        for n in chunk:
            self._add(n, self.clip.start)
        if self._pending:
            QTimer.singleShot(BUILD_DELAY_MS, self._build_some)

    def flush(self) -> None:
        """Build every item still pending (before anything that needs all notes)."""
        if self._pending and self.clip is not None:
            pending, self._pending = self._pending, []
            for n in pending:
                self._add(n, self.clip.start)

    def all_ids(self) -> list[str]:
        self.flush()
        return list(self.items_by_id)

    def _add(self, note: Note, clip_start: int) -> None:
        item = NoteItem(note, clip_start)
        self.items_by_id[note.id] = item
        self.addItem(item)

    def _on_song_changed(self, old: Song, new: Song) -> None:
        self.clear_preview()
        if self.clip_id is not None:
            try:
                clip = new.clip(self.clip_id)
            except KeyError:
                self.open_clip(None)
                return
            if clip is not self.clip:
                self._sync_notes(clip)
        self._sync_ghosts(new)
        self._update_rect(new)
        if (old.meters, old.keys) != (new.meters, new.keys):
            self.update()

    def _sync_notes(self, clip: Clip) -> None:
        self.flush()
        old_clip, self.clip = self.clip, clip
        moved = old_clip is None or old_clip.start != clip.start
        seen: set[str] = set()
        for n in clip.notes:
            seen.add(n.id)
            item = self.items_by_id.get(n.id)
            if item is None:
                self._add(n, clip.start)
            elif item.note is not n or moved:
                item.set_note(n, clip.start)
        if len(seen) != len(self.items_by_id):
            for nid in [i for i in self.items_by_id if i not in seen]:
                self.removeItem(self.items_by_id.pop(nid))
        if not self.selected <= seen:
            self.selected &= seen
            self.selection_changed.emit()
        self.clip_changed.emit(clip)

    def _sync_ghosts(self, song: Song) -> None:
        wanted: dict[str, Clip] = {}
        if self.state.show_ghosts:
            wanted = {c.id: c for t in song.tracks for c in t.clips if c.id != self.clip_id}
        for cid in list(self._ghosts):
            clip, items = self._ghosts[cid]
            if wanted.get(cid) is not clip:
                for item in items:
                    self.removeItem(item)
                del self._ghosts[cid]
        for cid, clip in wanted.items():
            if cid not in self._ghosts:
                items = [GhostItem(n, clip.start) for n in clip.notes]
                for item in items:
                    self.addItem(item)
                self._ghosts[cid] = (clip, items)

    def set_show_ghosts(self, show: bool) -> None:
        self.state.show_ghosts = show
        self._sync_ghosts(self.song)

    def ghost_count(self) -> int:
        return sum(len(items) for _c, items in self._ghosts.values())

    def _update_rect(self, song: Song) -> None:
        meters = song.meter_map
        end = max(song.end_tick, self.clip.end if self.clip else 0)
        end = meters.bar_start(meters.bar_of(end) + SPARE_BARS)
        self.setSceneRect(QRectF(0, 0, end, 128))

    # ------------------------------------------------------------ selection
    def set_selection(self, ids: Iterable[str]) -> None:
        self.flush()
        new = {i for i in ids if i in self.items_by_id}
        if new == self.selected:
            return
        for nid in self.selected - new:
            self.items_by_id[nid].set_selected(False)
        for nid in new - self.selected:
            self.items_by_id[nid].set_selected(True)
        self.selected = new
        self.selection_changed.emit()

    def selected_notes(self) -> list[Note]:
        return [self.items_by_id[i].note for i in self.selected]

    # ------------------------------------------------------------ hit testing
    def note_at(self, pos: QPointF) -> NoteItem | None:
        self.flush()
        for item in self.items(pos, Qt.ItemSelectionMode.IntersectsItemBoundingRect,
                               Qt.SortOrder.DescendingOrder):
            if isinstance(item, NoteItem) and item.rect().translated(item.pos()).contains(pos):
                return item
        return None

    def notes_in(self, rect: QRectF) -> list[NoteItem]:
        self.flush()
        rect = rect.normalized()
        return [i for i in self.items(rect, Qt.ItemSelectionMode.IntersectsItemBoundingRect)
                if isinstance(i, NoteItem) and i.rect().translated(i.pos()).intersects(rect)]

    # ------------------------------------------------------------ previews (never touch the song)
    def preview_move(self, ids: Iterable[str], dt: int, dpitch: int) -> None:
        for nid in ids:
            self.items_by_id[nid].setPos(dt, -dpitch)
            self._previewed.add(nid)

    def preview_notes(self, notes: Iterable[Note]) -> None:
        """Show notes (same ids) with changed times or pitches, e.g. while resizing."""
        assert self.clip is not None
        for n in notes:
            self.items_by_id[n.id].setRect(note_rect(n, self.clip.start))
            self._previewed.add(n.id)

    def preview_hidden(self, ids: Iterable[str]) -> None:
        for nid in ids:
            self.items_by_id[nid].setVisible(False)
            self._previewed.add(nid)

    def clear_preview(self) -> None:
        for nid in self._previewed:
            item = self.items_by_id.get(nid)
            if item is not None and self.clip is not None:
                item.setPos(0, 0)
                item.setVisible(True)
                item.setRect(note_rect(item.note, self.clip.start))
        self._previewed.clear()

    # ------------------------------------------------------------ painting
    def drawBackground(self, painter: QPainter, rect: QRectF) -> None:  # noqa: N802 (Qt override)
        paint_background(painter, rect, self.song, self.clip, self.state)

    def drawForeground(self, painter: QPainter, rect: QRectF) -> None:  # noqa: N802
        self._paint_labels(painter, rect)
        t = self.transport
        paint_transport(painter, rect, t.playhead, t.loop, t.loop_enabled)

    def _paint_labels(self, painter: QPainter, rect: QRectF) -> None:
        t = painter.transform()
        sx, sy, dx, dy = t.m11(), t.m22(), t.dx(), t.dy()
        if sy < LABEL_MIN_ROW_PX:
            return
        min_ticks = LABEL_MIN_WIDTH_PX / sx
        items = [i for i in self.items(rect, Qt.ItemSelectionMode.IntersectsItemBoundingRect)
                 if isinstance(i, NoteItem) and i.note.duration >= min_ticks]
        if not items or len(items) > LABEL_MAX_ITEMS:
            return
        painter.save()
        painter.resetTransform()
        font = painter.font()
        font.setPixelSize(max(9, min(12, int(sy * 0.62))))
        painter.setFont(font)
        top = (sy - font.pixelSize() * 1.2) / 2
        origin = self.clip.start if self.clip else 0
        for selected, colour in ((False, QColor(236, 242, 248)), (True, QColor(40, 24, 8))):
            painter.setPen(colour)
            for item in items:
                names = self._label_cache(font.pixelSize(), self.label_key(origin + item.note.start))
                if item.selected is selected and item.isVisible():
                    r = item.rect()
                    pos = item.pos()
                    x = (r.left() + pos.x()) * sx + dx + 4
                    y = (math.floor(r.top() + pos.y())) * sy + dy + top
                    painter.drawStaticText(QPointF(x, y), names[item.note.pitch])
        painter.restore()

    def label_key(self, tick: int | None = None) -> KeySignature:
        """The key a note label at song ``tick`` (default: the clip's start) is spelt in: the song's key there, or
        without a signature the key detected there (a clip that modulates names each note in its own section's key)."""
        return spelling_key(self.song, (self.clip.start if self.clip else 0) if tick is None else tick)

    def _label_cache(self, pixels: int, song_key: KeySignature) -> list[QStaticText]:
        key = (pixels, song_key.fifths, song_key.mode)  # D minor and F major name C#/Db apart
        if key not in self._labels:
            texts = []
            for p in range(128):
                text = QStaticText(song_key.spell(p))
                text.setTextFormat(Qt.TextFormat.PlainText)
                texts.append(text)
            self._labels[key] = texts
        return self._labels[key]
