"""Ghost notes: the current candidate drawn over the piano roll where it would go (it only changes the view)."""

from __future__ import annotations

from PySide6.QtCore import QRectF, Qt
from PySide6.QtGui import QBrush, QColor, QPen
from PySide6.QtWidgets import QGraphicsRectItem, QGraphicsScene, QGraphicsView

from composer_app.ui.assistant.colors import candidate_color
from composer_app.ui.assistant.session import Suggestion

GHOST_Z = 5.0  # over the clip's own notes, under nothing the tools hit
SPAN_KINDS = ("fill", "vary", "melody")
"""Kinds whose candidate replaces the notes of its span: those notes are dimmed while it shows."""
SPAN_SHADE = QColor(24, 26, 31, 170)


class CandidateGhost(QGraphicsRectItem):
    """One note of a candidate; inert (tools never hit it: it is not a NoteItem and takes no buttons)."""

    def __init__(self, pitch: int, start: int, duration: int, index: int) -> None:
        super().__init__(QRectF(start, 127 - pitch + 0.1, duration, 0.8))
        fill = candidate_color(index, 120)
        self.setBrush(QBrush(fill))
        pen = QPen(candidate_color(index))
        pen.setCosmetic(True)
        pen.setWidthF(1.5)
        pen.setStyle(Qt.PenStyle.DashLine)
        self.setPen(pen)
        self.setZValue(GHOST_Z)
        self.setAcceptedMouseButtons(Qt.MouseButton.NoButton)


class SpanShade(QGraphicsRectItem):
    """Dims the notes a span candidate would replace (between them and the ghost notes; inert)."""

    def __init__(self, start: int, end: int) -> None:
        super().__init__(QRectF(start, 0, max(1, end - start), 128))
        self.setBrush(QBrush(SPAN_SHADE))
        self.setPen(QPen(Qt.PenStyle.NoPen))
        self.setZValue(GHOST_Z - 1)
        self.setAcceptedMouseButtons(Qt.MouseButton.NoButton)


class GhostOverlay:
    """Shows one suggestion at a time in ``scene``; ``view`` scrolls to show it when it is out of sight."""

    def __init__(self, scene: QGraphicsScene, view: QGraphicsView | None = None) -> None:
        self.scene, self.view = scene, view
        self.items: list[CandidateGhost] = []
        self.shade: SpanShade | None = None
        self.shown: Suggestion | None = None
        self._home: tuple[int, int] | None = None
        """Where the view was before the ghost notes scrolled it (a harmonization's voicing lies below the
        melody): the view goes back there when they go, kept or dismissed."""

    def show(self, suggestion: Suggestion | None) -> None:
        previous = self.shown
        self.clear()
        self.shown = suggestion
        if suggestion is None:
            if previous is not None and previous.is_harmony and self._home is not None and self.view is not None:
                self.view.horizontalScrollBar().setValue(self._home[0])
                self.view.verticalScrollBar().setValue(self._home[1])
            self._home = None
            return
        if suggestion.kind in SPAN_KINDS:  # the notes it would replace step back, so the two do not blur
            self.shade = SpanShade(suggestion.start_tick, suggestion.end_tick)
            self.scene.addItem(self.shade)
        for pitch, start, duration, _velocity in suggestion.notes:
            item = CandidateGhost(pitch, start, max(1, duration), suggestion.index)
            self.scene.addItem(item)
            self.items.append(item)
        if self.view is not None and self.items:
            self._reveal()

    def clear(self) -> None:
        for item in [*self.items, *([self.shade] if self.shade is not None else [])]:
            if item.scene() is self.scene:
                self.scene.removeItem(item)
        self.items, self.shade = [], None
        self.shown = None

    def _reveal(self) -> None:
        rect = self.items[0].rect()
        for item in self.items[1:]:
            rect = rect.united(item.rect())
        visible = self.view.mapToScene(self.view.viewport().rect()).boundingRect()
        # the head of the candidate (up to 60% of the view, the rest for the bars before it) in sight: a ghost
        # note peeking in at the edge is not a suggestion one can judge by eye
        head = QRectF(rect.left(), rect.top(), min(rect.width(), visible.width() * 0.6), rect.height())
        if not visible.contains(head):
            if self._home is None:
                self._home = (self.view.horizontalScrollBar().value(), self.view.verticalScrollBar().value())
            self.view.ensureVisible(head, 40, 20)
