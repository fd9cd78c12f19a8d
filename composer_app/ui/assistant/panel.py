"""The assistant panel: ask buttons, progress and messages, the controls, the history and the candidate cards."""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import QMimeData, Qt
from PySide6.QtWidgets import (
    QComboBox,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QProgressBar,
    QPushButton,
    QScrollArea,
    QVBoxLayout,
    QWidget,
)

from composer_app.core.song import Song
from composer_app.ui.assistant.audition import CandidateAudition
from composer_app.ui.assistant.cards import CandidateCard
from composer_app.ui.assistant.controller import Assistant
from composer_app.ui.assistant.controls import RequestControls
from composer_app.ui.assistant.session import Batch, Suggestion


class AssistantPanel(QWidget):
    """Shows the assistant's state; every button calls the Assistant (or the audition)."""

    def __init__(self, assistant: Assistant, controls: RequestControls, audition: CandidateAudition,
                 song: Callable[[], Song], mime: Callable[[Suggestion], QMimeData],
                 parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.assistant, self.controls, self.audition = assistant, controls, audition
        self._song, self._mime = song, mime
        self.cards: list[CandidateCard] = []
        self._before_drag: Song | None = None  # the song when a card drag began (a drop into it keeps the card)
        self._shown_batch: Batch | None = None
        layout = QVBoxLayout(self)
        layout.setContentsMargins(6, 6, 6, 6)
        asks = QHBoxLayout()
        self.suggest_button = self._push("Suggest", "Suggest the next bars after the open clip or the selected notes "
                                         "(Ctrl+G)", lambda: assistant.ask("continue"))
        self.harmonize_button = self._push("Harmonize", "Chord progressions, voiced, for the selected melody "
                                           "(Ctrl+Shift+H)", lambda: assistant.ask("harmonize"))
        self.regenerate_button = self._push("Regenerate", "Ask again with the current options (pins kept) "
                                            "(Ctrl+Shift+G)", assistant.regenerate)
        self.cancel_button = self._push("Stop", "Cancel the request (Esc)", assistant.cancel)
        for b in (self.suggest_button, self.harmonize_button, self.regenerate_button, self.cancel_button):
            asks.addWidget(b)
        layout.addLayout(asks)
        self.progress = QProgressBar(self)
        self.progress.setMaximumHeight(12)
        self.progress.setTextVisible(False)
        self.progress.hide()
        layout.addWidget(self.progress)
        self.message = QLabel("Open a clip or select notes, then Suggest or Harmonize.", self)
        self.message.setWordWrap(True)
        layout.addWidget(self.message)
        self.options_box = QGroupBox("Options", self)
        self.options_box.setCheckable(True)
        self.options_box.setChecked(True)
        box = QVBoxLayout(self.options_box)
        box.setContentsMargins(4, 2, 4, 2)
        box.addWidget(controls)
        self.options_box.toggled.connect(controls.setVisible)
        layout.addWidget(self.options_box)
        history = QHBoxLayout()
        history.addWidget(QLabel("History", self))
        self.history = QComboBox(self)
        self.history.setToolTip("Every batch of this session; pick one to compare its candidates again")
        self.history.activated.connect(assistant.show_batch)
        history.addWidget(self.history, 1)
        layout.addLayout(history)
        self.scroll = QScrollArea(self)
        self.scroll.setWidgetResizable(True)
        self.scroll.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.card_host = QWidget(self.scroll)
        self.card_layout = QVBoxLayout(self.card_host)
        self.card_layout.setContentsMargins(0, 0, 0, 0)
        self.card_layout.addStretch(1)
        self.scroll.setWidget(self.card_host)
        layout.addWidget(self.scroll, 1)
        self.cancel_button.setEnabled(False)
        self.regenerate_button.setEnabled(False)

        assistant.batch_started.connect(self._on_batch_started)
        assistant.suggestion_added.connect(self._on_added)
        assistant.batch_finished.connect(self._on_finished)
        assistant.current_changed.connect(self._on_current)
        assistant.message.connect(self.message.setText)
        assistant.busy_changed.connect(self._on_busy)
        audition.playing_changed.connect(self._on_playing)
        controls.pins_changed.connect(self._sync_pins)

    def _push(self, text: str, tip: str, slot: Callable[[], object]) -> QPushButton:
        button = QPushButton(text, self)
        button.setToolTip(tip)
        button.clicked.connect(lambda _c=False: slot())
        return button

    # ------------------------------------------------------------ batches and cards
    def _on_batch_started(self, batch: Batch) -> None:
        self._rebuild_history()
        self._show(batch)
        self.progress.setRange(0, batch.options.candidates)
        self.progress.setValue(0)
        self.progress.show()

    def _on_added(self, batch: Batch, suggestion: Suggestion) -> None:
        if batch is self._shown_batch:
            self._add_card(suggestion)
            self.progress.setValue(len(batch.suggestions))
        self._rebuild_history()

    def _on_finished(self, batch: Batch) -> None:
        self.progress.hide()
        self._rebuild_history()
        self.regenerate_button.setEnabled(True)

    def _on_busy(self, busy: bool) -> None:
        self.cancel_button.setEnabled(busy)
        if not busy:
            self.progress.hide()

    def _rebuild_history(self) -> None:
        self.history.blockSignals(True)
        self.history.clear()
        for batch in self.assistant.history.batches:
            state = "" if batch.state == "done" else f" ({batch.state})"
            self.history.addItem(batch.label + state)
        self.history.setCurrentIndex(self.assistant.history.current_batch)
        self.history.blockSignals(False)

    def _show(self, batch: Batch | None) -> None:
        if batch is self._shown_batch:
            return
        for card in self.cards:
            card.setParent(None)
            card.deleteLater()
        self.cards = []
        self._shown_batch = batch
        if batch is not None:
            for suggestion in batch.suggestions:
                self._add_card(suggestion)

    def _add_card(self, suggestion: Suggestion) -> None:
        a = self.assistant
        card = CandidateCard(suggestion, self._song(), self._mime, tuple(self.controls.pins),
                             self.audition.device_note(), self.card_host)
        card.chosen.connect(a.choose)
        card.keep_clicked.connect(lambda i: a.accept(self._suggestion(i)))
        card.more_clicked.connect(lambda i: a.more_like(self._suggestion(i)))
        card.play_clicked.connect(self.play)
        card.pin_toggled.connect(self.controls.toggle_pin)
        card.drag_started.connect(lambda _i: setattr(self, "_before_drag", self._song()))
        card.drag_finished.connect(self._after_drag)
        self.cards.append(card)
        self.cards.sort(key=lambda c: c.suggestion.index)
        self.card_layout.insertWidget(self.cards.index(card), card)
        current = a.current
        card.set_current(current is not None and current == suggestion)

    def _after_drag(self, index: int, taken: bool) -> None:
        """A card dropped into the song (arrangement or piano roll) is kept: its ghost notes go, as after Tab. A drag
        out of the window (to a DAW) changes nothing here, so the ghost notes stay."""
        before, self._before_drag = self._before_drag, None
        if not taken or before is None or self._song() is before or not self.assistant.showing:
            return
        self.assistant.dismiss()
        self.message.setText(f"Kept #{index + 1} by dropping it (Ctrl+Z undoes it)")

    def _suggestion(self, index: int) -> Suggestion | None:
        batch = self._shown_batch
        return next((s for s in batch.suggestions if s.index == index), None) if batch else None

    def _on_current(self, suggestion: Suggestion | None) -> None:
        self._show(self.assistant.history.batch)
        for card in self.cards:
            card.set_current(suggestion is not None and card.suggestion == suggestion)
        if suggestion is not None and self.audition.playing is not None and self.audition.playing != suggestion:
            self.play(suggestion.index)  # switching while playing: hear the new one at once
        current = next((c for c in self.cards if suggestion is not None and c.suggestion == suggestion), None)
        if current is not None:
            self.scroll.ensureWidgetVisible(current)

    def _on_playing(self, playing: Suggestion | None) -> None:
        for card in self.cards:
            card.set_playing(playing is not None and card.suggestion == playing)

    def _sync_pins(self) -> None:
        pins = self.controls.pins
        for card in self.cards:
            for button, (start, _dur, label) in zip(card.chord_buttons, card.suggestion.chords):
                button.blockSignals(True)
                button.setChecked(any(p[0] <= start < p[1] and p[2] == label for p in pins))
                button.blockSignals(False)

    # ------------------------------------------------------------ audition
    def play(self, index: int | None = None) -> None:
        """Audition candidate ``index`` of the shown batch (the current one by default); again stops it."""
        batch = self._shown_batch
        suggestion = self._suggestion(index) if index is not None else self.assistant.history.suggestion
        if batch is None or suggestion is None:
            self.message.setText("Nothing to audition yet")
            return
        note = self.audition.device_note()
        for card in self.cards:
            card.set_audio_note(note)
        if self.audition.audio is None:
            self.message.setText(note)
            return
        if index is not None and self.assistant.history.suggestion != suggestion:
            self.assistant.choose(batch.suggestions.index(suggestion))
        if self.audition.toggle(suggestion, self._song(), batch.target):
            self.message.setText(f"Auditioning #{suggestion.index + 1} with a bar of lead-in, looping"
                                 + (f" \u2014 {note}" if note else "") + " (Esc or \u25a0 stops)")

