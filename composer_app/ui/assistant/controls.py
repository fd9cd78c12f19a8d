"""The request controls: bars, candidates, creativity, key lock, range, density, what the part is, style, harmonic
rhythm, voicing and the pinned chords, each with a default and a tooltip; ``options()`` reads them as a value."""

from __future__ import annotations

import json
from dataclasses import replace

from PySide6.QtCore import Signal
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QDoubleSpinBox,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QSpinBox,
    QToolButton,
    QWidget,
)

from composer_app.core.pitch import KeySignature
from composer_app.model.harmony_features import STYLES
from composer_app.model.song_adapter import PART_ROLES
from composer_app.model.voicing import VOICINGS
from composer_app.ui.assistant.session import DEFAULT_TEMPERATURE, Options

RHYTHMS = (("bar", "1 per bar"), ("half", "2 per bar"), ("beat", "every beat"))
KEEPS = (("rhythm", "rhythm"), ("contour", "contour"), ("start", "first half"))


class RequestControls(QWidget):
    """Defaults: 4 bars ending the phrase, 4 candidates, creativity 0.8, no key lock, any range, automatic density,
    pop."""

    pins_changed = Signal()
    changed = Signal()  # any stored control changed (pins are per session and not stored)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.pins: list[tuple[int, int, str]] = []
        form = QFormLayout(self)
        form.setContentsMargins(0, 0, 0, 0)
        form.setVerticalSpacing(3)
        self.bars = self._spin(1, 16, 4, "How many bars to suggest (1-16)")
        self.candidates = self._spin(1, 8, 4, "How many alternatives to compare (1-8)")
        self.phrase_end = QCheckBox("End phrase", self)
        self.phrase_end.setChecked(True)
        self.phrase_end.setToolTip("<qt>The last suggested bar ends the phrase: fewer notes and one held to the"
                                   " barline, in the rhythm of your own phrase's ending where it had a long note."
                                   " Where your phrase ended open, away from the key's home note, a tune's new"
                                   " phrase leans on the home note there: it answers. Off: the line runs on.</qt>")
        form.addRow("Bars", _pair(self.bars, self.phrase_end, QLabel("Candidates", self), self.candidates))
        self.creativity = QDoubleSpinBox(self)
        self.creativity.setRange(0.2, 2.0)
        self.creativity.setSingleStep(0.1)
        self.creativity.setValue(DEFAULT_TEMPERATURE)
        self.creativity.setToolTip("Temperature: lower stays close to what is most likely, higher surprises more")
        self.key_lock = QCheckBox("Key lock", self)
        self.key_lock.setToolTip("Every suggested note in the key's scale, in a minor key with its leading tone (the "
                                 "detected key when the song has none)")
        form.addRow("Creativity", _pair(self.creativity, self.key_lock))
        self.range_on = QCheckBox(self)
        self.range_on.setToolTip("Limit the pitches of the suggestion (off: within an octave and a fifth of the"
                                 " notes it follows, an accompaniment within an octave; drawn back to the part's"
                                 " register)")
        self.low = self._spin(0, 127, 55, "Lowest pitch allowed")
        self.high = self._spin(0, 127, 84, "Highest pitch allowed")
        self._key = KeySignature(0)
        for spin in (self.low, self.high):
            spin.valueChanged.connect(lambda *_a: self._name_range())
        self._name_range()
        row = QHBoxLayout()
        for w in (self.range_on, self.low, QLabel("to", self), self.high):
            row.addWidget(w)
        self.range_on.toggled.connect(self._sync_range)
        form.addRow("Range", row)
        self.density = QDoubleSpinBox(self)
        self.density.setRange(0.0, 24.0)
        self.density.setSingleStep(1.0)
        self.density.setSpecialValueText("auto")
        self.density.setSuffix(" notes/bar")
        self.density.setToolTip("Target notes per bar; auto follows the context (an accompaniment aims at its"
                                " part's notes per bar)")
        self.part = self._combo([("", "auto"), *PART_ROLES.items()], "",
                                "What the open clip's part is: auto lets the assistant tell (in brackets: a tune, "
                                "chords, a bass line, or a tune over its own chords, continued as both); a choice "
                                "holds for this track until another track's clip is opened")
        self._part_track: str | None = None
        """The track the Part choice was made for (not stored with the other controls: it is about one track)."""
        form.addRow("Density", self.density)
        form.addRow("Part", self.part)
        self.style = self._combo([(s, s.capitalize()) for s in STYLES], "pop", "Style the models condition on")
        self.rhythm = self._combo(list(RHYTHMS), "bar", "Harmonic rhythm: how often the chord changes")
        form.addRow("Style", _pair(self.style, QLabel("Chords", self), self.rhythm))
        self.voicing = self._combo([(v, v) for v in VOICINGS], "pop", "How the chords are voiced into notes")
        form.addRow("Voicing", self.voicing)
        self.pins_label = QLabel("none \u2014 click a chord on a card", self)
        self.pins_label.setWordWrap(True)
        self.clear_pins = QToolButton(self)
        self.clear_pins.setText("Clear")
        self.clear_pins.setToolTip("Forget the pinned chords")
        self.clear_pins.clicked.connect(lambda _c=False: self.set_pins([]))
        pins_row = QHBoxLayout()
        pins_row.addWidget(self.pins_label, 1)
        pins_row.addWidget(self.clear_pins)
        form.addRow("Pinned", pins_row)
        self.keep = self._combo(list(KEEPS), "rhythm", "What Vary keeps of the selected phrase: its rhythm (new "
                                "pitches), its contour (new rhythm and intervals) or its first half (new second half)")
        self.amount = QDoubleSpinBox(self)
        self.amount.setRange(0.0, 1.0)
        self.amount.setSingleStep(0.1)
        self.amount.setValue(0.5)
        self.amount.setToolTip("How far Vary moves from the original: 0 stays close, 1 ignores it")
        form.addRow("Vary keeps", _pair(self.keep, QLabel("How far", self), self.amount))
        self._sync_range(False)
        self.set_pins([])
        for spin in (self.bars, self.candidates, self.low, self.high, self.creativity, self.density, self.amount):
            spin.valueChanged.connect(lambda *_a: self.changed.emit())
        for box in (self.key_lock, self.range_on, self.phrase_end):
            box.toggled.connect(lambda *_a: self.changed.emit())
        for combo in (self.style, self.rhythm, self.voicing, self.keep):
            combo.currentIndexChanged.connect(lambda *_a: self.changed.emit())

    def set_key(self, key: KeySignature) -> None:
        """Name the range's pitches as ``key`` spells them (Bb3 in F major, A#3 in B major)."""
        if (key.fifths, key.mode) != (self._key.fifths, self._key.mode):  # F# and Gb are equal keys, spelt apart
            self._key = key
            self._name_range()

    def set_part(self, track_id: str | None, inferred: str | None) -> None:
        """The open clip's track and the role the assistant infers for it (None: none, a drum track): "auto" names
        it; a choice made for another track goes back to auto."""
        if track_id != self._part_track:
            self._part_track = track_id
            self.part.setCurrentIndex(0)
        self.part.setItemText(0, f"auto ({PART_ROLES[inferred]})" if inferred in PART_ROLES else "auto")

    def _name_range(self) -> None:
        for spin in (self.low, self.high):
            spin.setSuffix(f" {self._key.spell(spin.value())}")

    def state(self) -> str:
        """The stored controls as one JSON text."""
        return json.dumps({"bars": self.bars.value(), "candidates": self.candidates.value(),
                           "creativity": self.creativity.value(), "key_lock": self.key_lock.isChecked(),
                           "phrase_end": self.phrase_end.isChecked(),
                           "range": [self.range_on.isChecked(), self.low.value(), self.high.value()],
                           "density": self.density.value(), "style": self.style.currentData(),
                           "rhythm": self.rhythm.currentData(), "voicing": self.voicing.currentData(),
                           "keep": self.keep.currentData(), "amount": self.amount.value()})

    def restore(self, text: str) -> None:
        """Controls from ``state()`` text; anything missing or unreadable keeps its default."""
        try:
            data = json.loads(text) if text else {}
            if not isinstance(data, dict):
                return
            self.bars.setValue(int(data.get("bars", self.bars.value())))
            self.candidates.setValue(int(data.get("candidates", self.candidates.value())))
            self.creativity.setValue(float(data.get("creativity", self.creativity.value())))
            self.key_lock.setChecked(bool(data.get("key_lock", False)))
            self.phrase_end.setChecked(bool(data.get("phrase_end", True)))
            on, lo, hi = data.get("range", [False, self.low.value(), self.high.value()])
            self.range_on.setChecked(bool(on))
            self.low.setValue(int(lo))
            self.high.setValue(int(hi))
            self.density.setValue(float(data.get("density", 0.0)))
            self.amount.setValue(float(data.get("amount", self.amount.value())))
            for combo, key in ((self.style, "style"), (self.rhythm, "rhythm"), (self.voicing, "voicing"),
                               (self.keep, "keep")):
                found = combo.findData(data.get(key))
                if found >= 0:
                    combo.setCurrentIndex(found)
        except (ValueError, TypeError):
            return

    def _spin(self, lo: int, hi: int, value: int, tip: str) -> QSpinBox:
        spin = QSpinBox(self)
        spin.setRange(lo, hi)
        spin.setValue(value)
        spin.setToolTip(tip)
        return spin

    def _combo(self, items: list[tuple[str, str]], default: str, tip: str) -> QComboBox:
        combo = QComboBox(self)
        for data, text in items:
            combo.addItem(text, data)
        combo.setCurrentIndex(max(0, combo.findData(default)))
        combo.setToolTip(tip)
        return combo

    def _sync_range(self, on: bool) -> None:
        self.low.setEnabled(on)
        self.high.setEnabled(on)

    def set_pins(self, pins: list[tuple[int, int, str]]) -> None:
        self.pins = sorted(set(pins))
        self.pins_label.setText(", ".join(label for _s, _e, label in self.pins) if self.pins
                                else "none \u2014 click a chord on a card")
        self.clear_pins.setEnabled(bool(self.pins))
        self.pins_changed.emit()

    def toggle_pin(self, start: int, end: int, label: str, on: bool) -> None:
        rest = [p for p in self.pins if not (p[0] < end and start < p[1])]
        self.set_pins(rest + [(start, end, label)] if on else rest)

    def options(self) -> Options:
        lo, hi = sorted((self.low.value(), self.high.value()))
        return replace(Options(), bars=self.bars.value(), candidates=self.candidates.value(),
                       temperature=round(self.creativity.value(), 2), key_lock=self.key_lock.isChecked(),
                       phrase_end=self.phrase_end.isChecked(),
                       pitch_range=(lo, hi) if self.range_on.isChecked() else None,
                       density=self.density.value() or None, style=self.style.currentData(),
                       rhythm=self.rhythm.currentData(), voicing=self.voicing.currentData(), pins=tuple(self.pins),
                       keep=self.keep.currentData(), amount=round(self.amount.value(), 2),
                       role=self.part.currentData())


def _pair(*widgets: QWidget) -> QHBoxLayout:
    row = QHBoxLayout()
    row.setSpacing(4)
    for w in widgets:
        row.addWidget(w, 1 if not isinstance(w, (QLabel, QCheckBox)) else 0)
    return row
