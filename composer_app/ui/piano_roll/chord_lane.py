"""Chord lane: the song's chord symbols above the roll; double-click to type one, Delete to remove it. Where no
symbol stands, the chords the other parts play show in grey italics: what the assistant writes over."""

from __future__ import annotations

from PySide6.QtCore import QEvent, QRectF, Qt, Signal
from PySide6.QtGui import (
    QAction,
    QColor,
    QContextMenuEvent,
    QFont,
    QKeyEvent,
    QMouseEvent,
    QPainter,
    QPaintEvent,
    QPen,
)
from PySide6.QtWidgets import QLineEdit, QMenu, QWidget

from composer_app.core import edits
from composer_app.core.chords import lead_sheet_name, spelled_label
from composer_app.core.song import ChordSymbol
from composer_app.model.song_adapter import heard_under, spelling_key
from composer_app.ui.piano_roll.view import PianoRollView

HEIGHT = 24
TIP = "Chords: double-click to type a chord (C, Am7, G/B, F:maj7), Delete removes"
HEARD_TIP = (TIP + ". Grey chords are those the other parts play where there is no chord symbol: the assistant "
             "writes over them (right-click keeps them as chord symbols)")


class ChordLane(QWidget):
    """Shows ``song.chords``; edits go through ``document.apply`` as one undo step each."""

    error = Signal(str)  # a chord name that could not be read

    def __init__(self, view: PianoRollView, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._view = view
        self._doc = view.document
        self.selected: str | None = None
        self.editor: QLineEdit | None = None
        self._span = (0, 0)
        self.ghost_chords: tuple[tuple[int, int, str], ...] = ()  # (start, duration, label) of a shown candidate
        self._ghost_colour = QColor(255, 255, 255)
        self.setFixedHeight(HEIGHT)
        self.setFocusPolicy(Qt.FocusPolicy.ClickFocus)
        self.setToolTip(TIP)
        view.viewport_moved.connect(self.update)
        self._doc.song_changed.connect(self._on_song_changed)

    def _on_song_changed(self, _old, new) -> None:
        if self.selected and all(c.id != self.selected for c in new.chords):
            self.selected = None
        self.update()

    def chord_at(self, x: float) -> ChordSymbol | None:
        tick = self._view.tick_at(x)
        for c in self._doc.song.chords:
            if c.start <= tick < c.end:
                return c
        return None

    def heard(self) -> tuple[tuple[int, int, str], ...]:
        """The chords the parts other than the open clip's track play where no symbol stands (``heard_under``, as
        the assistant hears them)."""
        song, clip_id = self._doc.song, self._view.scene_.clip_id
        try:
            return heard_under(song, song.track_of_clip(clip_id)) if clip_id is not None else ()
        except KeyError:
            return ()

    def keep_heard(self) -> None:
        """The heard chords become chord symbols (one undo step)."""
        song = self._doc.song
        heard = self.heard()
        for start, duration, label in heard:
            song = edits.set_chord(song, start, duration, label)
        if heard:
            self._doc.apply(f"Keep {len(heard)} heard chord{'s' if len(heard) != 1 else ''}", song)

    # ------------------------------------------------------------ painting
    def paintEvent(self, _event: QPaintEvent) -> None:  # noqa: N802 (Qt override)
        p = QPainter(self)
        p.fillRect(self.rect(), QColor(40, 43, 50))
        w, h = self.width(), self.height()
        heard = self.heard()
        self.setToolTip(HEARD_TIP if heard else TIP)
        font = QFont(p.font())
        font.setItalic(True)
        p.setFont(font)
        for start, duration, label in heard:
            x0, x1 = self._view.view_x(start), self._view.view_x(start + duration)
            if x1 < 0 or x0 > w:
                continue
            rect = QRectF(x0 + 1, 2, x1 - x0 - 2, h - 4)
            p.fillRect(rect, QColor(52, 57, 66))
            p.setPen(QPen(QColor(150, 158, 170)))
            p.drawText(rect.adjusted(4, 0, -2, 0), Qt.AlignmentFlag.AlignVCenter | Qt.AlignmentFlag.AlignLeft,
                       self.shown_label(label, start))
        font.setItalic(False)
        p.setFont(font)
        for c in self._doc.song.chords:
            x0, x1 = self._view.view_x(c.start), self._view.view_x(c.end)
            if x1 < 0 or x0 > w:
                continue
            rect = QRectF(x0 + 1, 2, x1 - x0 - 2, h - 4)
            chosen = c.id == self.selected
            p.fillRect(rect, QColor(200, 150, 80) if chosen else QColor(66, 84, 104))
            p.setPen(QPen(QColor(30, 24, 16) if chosen else QColor(225, 232, 240)))
            p.drawText(rect.adjusted(4, 0, -2, 0), Qt.AlignmentFlag.AlignVCenter | Qt.AlignmentFlag.AlignLeft,
                       self.shown_label(c.label, c.start))
        self._paint_ghosts(p, w, h)
        p.setPen(QPen(QColor(70, 74, 82)))
        p.drawLine(0, h - 1, w, h - 1)
        p.end()

    def set_ghost_chords(self, chords: tuple[tuple[int, int, str], ...], colour: QColor | None = None) -> None:
        """Show a candidate's chord symbols (start, duration, label) over the song's, dashed in ``colour``
        (it only changes the view); () hides them."""
        self.ghost_chords = tuple(chords)
        if colour is not None:
            self._ghost_colour = QColor(colour)
        self.update()

    def shown_label(self, label: str, tick: int) -> str:
        """How a chord at ``tick`` reads in the lane: spelt for the song's key there (the detected one without a
        signature)."""
        return lead_sheet_name(label, spelling_key(self._doc.song, tick))

    def _paint_ghosts(self, p: QPainter, w: int, h: int) -> None:
        pen = QPen(self._ghost_colour)
        pen.setStyle(Qt.PenStyle.DashLine)
        for start, duration, label in self.ghost_chords:
            x0, x1 = self._view.view_x(start), self._view.view_x(start + duration)
            if x1 < 0 or x0 > w:
                continue
            rect = QRectF(x0 + 1, 2, x1 - x0 - 2, h - 4)
            p.fillRect(rect, QColor(40, 43, 50))
            p.setPen(pen)
            p.drawRect(rect)
            p.drawText(rect.adjusted(4, 0, -2, 0), Qt.AlignmentFlag.AlignVCenter | Qt.AlignmentFlag.AlignLeft,
                       self.shown_label(label, start))

    # ------------------------------------------------------------ selecting and deleting
    def mousePressEvent(self, event: QMouseEvent) -> None:  # noqa: N802
        chord = self.chord_at(event.position().x())
        self.selected = chord.id if chord else None
        self.update()

    def event(self, event: QEvent) -> bool:
        # take Delete before the editor's shortcuts do, while a chord is selected here
        if event.type() == QEvent.Type.ShortcutOverride and self.selected and isinstance(event, QKeyEvent) \
                and event.key() in (Qt.Key.Key_Delete, Qt.Key.Key_Backspace):
            event.accept()
            return True
        return super().event(event)

    def keyPressEvent(self, event: QKeyEvent) -> None:  # noqa: N802
        if event.key() in (Qt.Key.Key_Delete, Qt.Key.Key_Backspace) and self.selected:
            self.delete_chord(self.selected)
        else:
            super().keyPressEvent(event)

    def delete_chord(self, chord_id: str) -> None:
        chord = next((c for c in self._doc.song.chords if c.id == chord_id), None)
        if chord is not None:
            self._doc.apply(f"Delete chord {chord.label}", edits.delete_chords(self._doc.song, [chord_id]))

    def contextMenuEvent(self, event: QContextMenuEvent) -> None:  # noqa: N802
        x = event.pos().x()
        chord = self.chord_at(x)
        menu = QMenu(self)
        if chord is not None:
            edit = QAction("Edit chord\u2026", menu)
            edit.triggered.connect(lambda: self.begin_edit(self._view.view_x(chord.start) + 1))
            menu.addAction(edit)
        if self.edit_span(x)[1] is None:
            add = QAction("Add chord here\u2026" if chord else "Add chord\u2026", menu)
            add.triggered.connect(lambda: self.begin_edit(x))
            menu.addAction(add)
        if chord is not None:
            delete = QAction("Delete chord", menu)
            delete.triggered.connect(lambda: self.delete_chord(chord.id))
            menu.addAction(delete)
        if self.heard():
            keep = QAction("Keep the heard chords as chord symbols", menu)
            keep.triggered.connect(self.keep_heard)
            menu.addAction(keep)
        menu.exec(event.globalPos())

    # ------------------------------------------------------------ typing a chord
    def mouseDoubleClickEvent(self, event: QMouseEvent) -> None:  # noqa: N802
        self.begin_edit(event.position().x())

    def edit_span(self, x: float) -> tuple[tuple[int, int], ChordSymbol | None]:
        """What typing at ``x`` writes: the chord there when ``x`` lies in its first beat (span, chord); else a new
        chord from the beat at ``x`` (span, None) to the end of the chord it falls in (which then ends on that beat:
        two chords in a bar), or to the bar's end or the next chord."""
        song = self._doc.song
        chord = self.chord_at(x)
        meters = song.meter_map
        tick = max(0, int(self._view.tick_at(x)))  # view positions are floats; ticks are whole numbers
        m = meters.meter_at(tick)
        bar_start = meters.bar_start(meters.bar_of(tick))
        start = bar_start + (tick - bar_start) // m.beat_ticks * m.beat_ticks
        if chord is not None and start <= chord.start:
            return (chord.start, chord.duration), chord
        if chord is not None:
            return (start, chord.end - start), None
        end = min([bar_start + m.bar_ticks] + [c.start for c in song.chords if c.start > start])
        return (start, end - start), None

    def begin_edit(self, x: float) -> QLineEdit:
        """Open a line editor for what typing at ``x`` writes (``edit_span``)."""
        self._span, chord = self.edit_span(x)
        text = chord.label if chord is not None else ""
        if self.editor is None:
            self.editor = QLineEdit(self)
            self.editor.returnPressed.connect(self.finish_edit)
            self.editor.installEventFilter(self)
        x0 = max(0, self._view.view_x(self._span[0]))
        self.editor.setGeometry(int(x0), 0, max(90, int(self._view.view_x(sum(self._span)) - x0)), self.height())
        self.editor.setText(text)
        self.editor.setStyleSheet("")
        self.editor.show()
        self.editor.setFocus()
        self.editor.selectAll()
        return self.editor

    def finish_edit(self) -> bool:
        """Apply the typed chord; a name that cannot be read shows an error and keeps the editor open."""
        if self.editor is None:
            return False
        text = self.editor.text().strip()
        if not text:
            self.cancel_edit()
            return False
        try:
            label = spelled_label(text)
        except (ValueError, KeyError, IndexError):
            message = f"Not a chord name: {text!r} (try C, Am7, G7/B or Harte syntax like C:maj7)"
            self.editor.setStyleSheet("QLineEdit { border: 2px solid #d04030; }")
            self.editor.setToolTip(message)
            self.error.emit(message)
            return False
        self.editor.hide()
        start, duration = self._span
        self._doc.apply(f"Set chord {label}", edits.set_chord(self._doc.song, start, duration, label))
        return True

    def editor_visible(self) -> bool:
        return self.editor is not None and self.editor.isVisible()

    def cancel_edit(self) -> None:
        if self.editor is not None:
            self.editor.hide()

    def eventFilter(self, obj, event: QEvent) -> bool:  # noqa: N802
        if obj is self.editor and isinstance(event, QKeyEvent) and event.key() == Qt.Key.Key_Escape:
            if event.type() == QEvent.Type.ShortcutOverride:
                event.accept()
                return True
            if event.type() == QEvent.Type.KeyPress:
                self.cancel_edit()
                return True
        return super().eventFilter(obj, event)
