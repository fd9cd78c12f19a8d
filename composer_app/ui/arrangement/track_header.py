"""TrackHeaderRow: one track's name, instrument, drum flag, mute/solo, volume and pan."""

from __future__ import annotations

from PySide6.QtCore import QPoint, QRect, Qt, Signal
from PySide6.QtGui import QColor, QMouseEvent, QPainter, QPaintEvent, QPalette
from PySide6.QtWidgets import (
    QCheckBox,
    QFrame,
    QGridLayout,
    QHBoxLayout,
    QLabel,
    QSlider,
    QToolButton,
    QWidget,
)

from composer_app.core.song import Track
from composer_app.ui.arrangement import palette
from composer_app.ui.arrangement.inline_editor import InlineEditor
from composer_app.ui.arrangement.instrument_combo import InstrumentCombo
from composer_app.ui.arrangement.track_commands import TrackCommands

STRIPE = 5  # colour stripe along the left edge; it is also the drag grip


def pan_text(pan: int) -> str:
    d = pan - 64
    return "C" if d == 0 else (f"L{-d}" if d < 0 else f"R{d}")


class _Toggle(QToolButton):
    """A small checkable letter button (M, S) that lights up in ``colour`` when on."""

    def __init__(self, text: str, colour: QColor, tip: str, parent: QWidget) -> None:
        super().__init__(parent)
        self.setText(text)
        self.setCheckable(True)
        self.setToolTip(tip)
        self.setFixedSize(22, 20)
        self.setStyleSheet(f"QToolButton:checked {{ background: {colour.name()}; color: #111;"
                           " border: 1px solid #555; border-radius: 3px; font-weight: bold; }")


class _ValueSlider(QSlider):
    """A compact slider: a drag commits once on release, a key or wheel step commits at once."""

    committed = Signal(int)

    def __init__(self, lo: int, hi: int, tip: str, parent: QWidget) -> None:
        super().__init__(Qt.Orientation.Horizontal, parent)
        self.setRange(lo, hi)
        self.setPageStep(8)
        self.setFixedHeight(16)
        self._tip = tip
        self.sliderReleased.connect(lambda: self.committed.emit(self.value()))
        self.valueChanged.connect(self._on_value)

    def _on_value(self, value: int) -> None:
        self.setToolTip(f"{self._tip} {value if self._tip == 'Volume' else pan_text(value)}")
        if not self.isSliderDown():
            self.committed.emit(value)

    def set_quietly(self, value: int) -> None:
        self.blockSignals(True)
        self.setValue(value)
        self.blockSignals(False)
        self.setToolTip(f"{self._tip} {value if self._tip == 'Volume' else pan_text(value)}")


class TrackHeaderRow(QFrame):
    """Shows one Track; every change asks ``commands`` for an edit (one undo step)."""

    clicked = Signal(str)  # track id
    grip_pressed = Signal(str, QPoint)  # track id, global position
    grip_moved = Signal(QPoint)
    grip_released = Signal(QPoint)
    context_menu_requested = Signal(str, QPoint)

    def __init__(self, track: Track, commands: TrackCommands, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.track_id = track.id
        self.commands = commands
        self.colour = palette.track_color(0)
        self.current = False
        self._gripping = False
        self.setAutoFillBackground(True)
        self.setFrameShape(QFrame.Shape.NoFrame)
        self.name_label = QLabel(self)
        self.name_label.setTextFormat(Qt.TextFormat.PlainText)
        font = self.name_label.font()
        font.setBold(True)
        self.name_label.setFont(font)
        self.mute_button = _Toggle("M", palette.MUTE_COLOR, "Mute", self)
        self.solo_button = _Toggle("S", palette.SOLO_COLOR, "Solo", self)
        self.instrument = InstrumentCombo(self)
        self.instrument.setFixedHeight(22)
        self.drum_box = QCheckBox("Drums", self)
        self.drum_box.setToolTip("Drum track: plays on MIDI channel 10")
        self.volume = _ValueSlider(0, 127, "Volume", self)
        self.pan = _ValueSlider(0, 127, "Pan", self)
        self._build_layout()
        self.mute_button.toggled.connect(lambda on: commands.set_mute(self.track_id, on))
        self.solo_button.toggled.connect(lambda on: commands.set_solo(self.track_id, on))
        self.instrument.program_chosen.connect(lambda p: commands.set_program(self.track_id, p))
        self.drum_box.toggled.connect(lambda on: commands.set_drum(self.track_id, on))
        self.volume.committed.connect(lambda v: commands.set_volume(self.track_id, v))
        self.pan.committed.connect(lambda v: commands.set_pan(self.track_id, v))
        self.set_track(track, 0)

    def _build_layout(self) -> None:
        grid = QGridLayout(self)
        grid.setContentsMargins(STRIPE + 6, 3, 6, 3)
        grid.setHorizontalSpacing(4)
        grid.setVerticalSpacing(2)
        top = QHBoxLayout()
        top.setSpacing(3)
        top.addWidget(self.name_label, 1)
        top.addWidget(self.mute_button)
        top.addWidget(self.solo_button)
        grid.addLayout(top, 0, 0, 1, 2)
        grid.addWidget(self.instrument, 1, 0)
        grid.addWidget(self.drum_box, 1, 1)
        mix = QHBoxLayout()
        mix.setSpacing(4)
        for text, slider, stretch in (("Vol", self.volume, 3), ("Pan", self.pan, 2)):
            label = QLabel(text, self)
            small = label.font()
            small.setPointSizeF(max(6.5, small.pointSizeF() - 1.5))
            label.setFont(small)
            label.setForegroundRole(QPalette.ColorRole.PlaceholderText)
            mix.addWidget(label)
            mix.addWidget(slider, stretch)
        grid.addLayout(mix, 2, 0, 1, 2)
        grid.setColumnStretch(0, 1)

    # ------------------------------------------------------------ showing the track
    def set_track(self, track: Track, index: int) -> None:
        self.track_id = track.id
        self.colour = palette.track_color(index)
        self.name_label.setText(track.name)
        self.name_label.setToolTip(f"{track.name}: channel {track.channel + 1} (double-click or F2 to rename)")
        for widget, value in ((self.mute_button, track.mute), (self.solo_button, track.solo),
                              (self.drum_box, track.is_drum)):
            widget.blockSignals(True)
            widget.setChecked(value)
            widget.blockSignals(False)
        self.instrument.set_program(track.program, track.is_drum)
        self.volume.set_quietly(track.volume)
        self.pan.set_quietly(track.pan)
        self.update()

    def set_current(self, current: bool) -> None:
        if current != self.current:
            self.current = current
            self.update()

    def start_rename(self) -> InlineEditor:
        r = self.name_label.geometry()
        editor = InlineEditor(self, QRect(r.left() - 2, r.top() - 2, max(r.width(), 120), r.height() + 4),
                              self.name_label.text())
        editor.committed.connect(lambda text: self.commands.rename(self.track_id, text))
        return editor

    # ------------------------------------------------------------ painting and mouse
    def paintEvent(self, event: QPaintEvent) -> None:  # noqa: N802 (Qt override)
        p = QPainter(self)
        pal = self.palette()
        bg = pal.color(QPalette.ColorRole.Window)
        if self.current:
            bg = QColor(palette.SELECTED_OUTLINE)
            bg.setAlpha(40)
            p.fillRect(self.rect(), pal.color(QPalette.ColorRole.Window))
        p.fillRect(self.rect(), bg)
        p.fillRect(QRect(0, 0, STRIPE, self.height()), self.colour)
        for dy in (-6, 0, 6):  # grip dots on the stripe
            p.fillRect(QRect(1, self.height() // 2 + dy - 1, 3, 2), self.colour.darker(170))
        line = pal.color(QPalette.ColorRole.Mid)
        p.setPen(line)
        p.drawLine(0, self.height() - 1, self.width(), self.height() - 1)
        if self.current:
            p.fillRect(QRect(self.width() - 3, 0, 3, self.height()), palette.SELECTED_OUTLINE)
        p.end()

    def mousePressEvent(self, event: QMouseEvent) -> None:  # noqa: N802
        self.clicked.emit(self.track_id)
        if event.button() == Qt.MouseButton.LeftButton and event.position().x() <= STRIPE + 6:
            self._gripping = True
            self.grip_pressed.emit(self.track_id, event.globalPosition().toPoint())
        event.accept()

    def mouseMoveEvent(self, event: QMouseEvent) -> None:  # noqa: N802
        if self._gripping:
            self.grip_moved.emit(event.globalPosition().toPoint())

    def mouseReleaseEvent(self, event: QMouseEvent) -> None:  # noqa: N802
        if self._gripping:
            self._gripping = False
            self.grip_released.emit(event.globalPosition().toPoint())

    def mouseDoubleClickEvent(self, event: QMouseEvent) -> None:  # noqa: N802
        if self.name_label.geometry().adjusted(-4, -4, 40, 4).contains(event.position().toPoint()):
            self.start_rename()

    def contextMenuEvent(self, event) -> None:  # noqa: N802
        self.clicked.emit(self.track_id)
        self.context_menu_requested.emit(self.track_id, event.globalPos())
