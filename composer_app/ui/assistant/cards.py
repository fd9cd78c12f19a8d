"""Candidate cards: a mini roll, the facts, chord symbols at their bar positions (click one to pin it), play,
keep and "more like this" buttons; a card is also a drag source."""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import QMimeData, QPoint, Qt, Signal
from PySide6.QtGui import QDrag, QMouseEvent
from PySide6.QtWidgets import QFrame, QHBoxLayout, QLabel, QToolButton, QVBoxLayout, QWidget

from composer_app.core.chords import lead_sheet_name
from composer_app.core.errors import SongFileError
from composer_app.core.song import Song
from composer_app.model.song_adapter import spelling_key
from composer_app.ui.assistant.colors import candidate_color
from composer_app.ui.assistant.mini_roll import MiniRoll
from composer_app.ui.assistant.session import Suggestion
from composer_app.ui.midi_drag import drag_failed

CHORDS_PER_ROW = 3


def chord_position(song: Song, tick: int) -> str:
    """'bar.beat' (1-based) of ``tick``."""
    mm = song.meter_map
    bar = mm.bar_of(tick)
    beat = (tick - mm.bar_start(bar)) // mm.meter_at(tick).beat_ticks + 1
    return f"{bar + 1}.{beat}"


def card_title(suggestion: Suggestion) -> str:
    if suggestion.is_harmony:
        chords = [c for c in suggestion.chords if c[2] != "N"]
        return f"{len(chords)} chords, {len(suggestion.notes)} notes"
    if suggestion.changed is not None:
        return f"{len(suggestion.notes)} notes, {suggestion.changed} changed"
    return f"{len(suggestion.notes)} notes"


class CandidateCard(QFrame):
    """One suggestion. ``pins`` are the (start, end, label) chords pinned now (their buttons show checked)."""

    chosen = Signal(int)
    play_clicked = Signal(int)
    keep_clicked = Signal(int)
    more_clicked = Signal(int)
    pin_toggled = Signal(int, int, str, bool)  # start, end, label, pinned
    drag_started = Signal(int)
    drag_finished = Signal(int, bool)  # index, whether something took the drop

    def __init__(self, suggestion: Suggestion, song: Song, mime: Callable[[Suggestion], QMimeData],
                 pins: tuple[tuple[int, int, str], ...] = (), audio_note: str = "",
                 parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.suggestion = suggestion
        self._mime = mime
        self._press: QPoint | None = None
        self.setFrameShape(QFrame.Shape.StyledPanel)
        self.setToolTip("Click to show it in the piano roll; drag it onto the arrangement, the piano roll, "
                        "or out of the window as a .mid file")
        colour = candidate_color(suggestion.index).name()
        self._colour = colour
        layout = QVBoxLayout(self)
        layout.setContentsMargins(6, 4, 6, 4)
        layout.setSpacing(3)

        head = QHBoxLayout()
        badge = QLabel(f"<b style='color:{colour}'>\u25a0 {suggestion.index + 1}</b>", self)
        head.addWidget(badge)
        self.title = QLabel(card_title(suggestion), self)
        self.title.setMinimumWidth(10)
        head.addWidget(self.title, 1)
        self.play_button = self._button("\u25b6", "Audition: loop it with the bar before it (Ctrl+Shift+Space)",
                                        self.play_clicked)
        self.more_button = self._button("\u2248", "More like this: keep its first half, vary the rest",
                                        self.more_clicked)
        self.keep_button = self._button("Keep", "Put it into the song (Tab); Ctrl+Z undoes it", self.keep_clicked)
        for button in (self.play_button, self.more_button, self.keep_button):
            head.addWidget(button)
        layout.addLayout(head)

        bars = [song.meter_map.bar_start(b) for b in range(song.meter_map.bar_of(suggestion.start_tick),
                                                             song.meter_map.bar_of(suggestion.end_tick) + 2)]
        self.mini = MiniRoll(suggestion, bars, self)
        layout.addWidget(self.mini)
        facts = suggestion.facts
        text = ""
        if facts is not None:
            text = f"{facts.in_key:.0%} in key \u00b7 range {_range(facts, spelling_key(song, suggestion.start_tick))}"
            if not suggestion.is_harmony:
                text += f" \u00b7 motif reuse {facts.motif_reuse:.0%}"
        self.facts = QLabel(text, self)
        self.facts.setStyleSheet("color: palette(mid);" if not text else "")
        layout.addWidget(self.facts)
        self.chord_buttons: list[QToolButton] = []
        if suggestion.chords:
            self._chords(layout, song, pins)
        self.audio_note = QLabel(audio_note, self)
        self.audio_note.setWordWrap(True)
        self.audio_note.setStyleSheet("color: #e0a040;")
        self.audio_note.setVisible(bool(audio_note))
        layout.addWidget(self.audio_note)
        self.set_current(False)
        self.set_playing(False)

    def _button(self, text: str, tip: str, signal) -> QToolButton:
        button = QToolButton(self)
        button.setText(text)
        button.setToolTip(tip)
        button.setAutoRaise(True)
        button.clicked.connect(lambda _c=False: signal.emit(self.suggestion.index))
        return button

    def _chords(self, layout: QVBoxLayout, song: Song, pins: tuple[tuple[int, int, str], ...]) -> None:
        row: QHBoxLayout | None = None
        for i, (start, dur, label) in enumerate(self.suggestion.chords):
            if i % CHORDS_PER_ROW == 0:
                row = QHBoxLayout()
                row.setSpacing(2)
                layout.addLayout(row)
            button = QToolButton(self)
            button.setText(f"{chord_position(song, start)} {lead_sheet_name(label)}")
            button.setCheckable(True)
            button.setChecked(any(p[0] <= start < p[1] and p[2] == label for p in pins))
            button.setToolTip(f"Pin {lead_sheet_name(label)} at bar {chord_position(song, start)}, then Regenerate "
                              "to re-choose only the other chords")
            button.toggled.connect(lambda on, s=start, d=dur, lab=label: self.pin_toggled.emit(s, s + d, lab, on))
            row.addWidget(button)
            self.chord_buttons.append(button)
        if row is not None:
            row.addStretch(1)

    def set_current(self, current: bool) -> None:
        width = 2 if current else 1
        colour = self._colour if current else "palette(mid)"
        self.setStyleSheet(f"CandidateCard {{ border: {width}px solid {colour}; border-radius: 4px; }}")

    def set_playing(self, playing: bool) -> None:
        self.play_button.setText("\u25a0" if playing else "\u25b6")

    def set_audio_note(self, text: str) -> None:
        self.audio_note.setText(text)
        self.audio_note.setVisible(bool(text))

    # ------------------------------------------------------------ mouse: choose and drag
    def mousePressEvent(self, event: QMouseEvent) -> None:  # noqa: N802 (Qt override)
        if event.button() == Qt.MouseButton.LeftButton:
            self._press = event.position().toPoint()
            self.chosen.emit(self.suggestion.index)
        super().mousePressEvent(event)

    def mouseMoveEvent(self, event: QMouseEvent) -> None:  # noqa: N802
        if self._press is None or not event.buttons() & Qt.MouseButton.LeftButton:
            return
        if (event.position().toPoint() - self._press).manhattanLength() < 8:
            return
        self._press = None
        self.start_drag()

    def mouseReleaseEvent(self, event: QMouseEvent) -> None:  # noqa: N802
        self._press = None
        super().mouseReleaseEvent(event)

    def start_drag(self) -> Qt.DropAction:
        try:
            mime = self._mime(self.suggestion)
        except SongFileError as error:  # the candidate does not fit in a MIDI file: say so, drag nothing
            drag_failed(self, error)
            return Qt.DropAction.IgnoreAction
        drag = QDrag(self)
        drag.setMimeData(mime)
        drag.setPixmap(self.mini.grab())
        self.drag_started.emit(self.suggestion.index)
        action = drag.exec(Qt.DropAction.CopyAction)
        self.drag_finished.emit(self.suggestion.index, action != Qt.DropAction.IgnoreAction)
        return action


def _range(facts, key) -> str:
    """Lowest to highest note, spelt as the key spells them (with flats in a flat key)."""
    if facts.lowest is None:
        return "-"
    return f"{key.spell(facts.lowest)}\u2013{key.spell(facts.highest)}"
