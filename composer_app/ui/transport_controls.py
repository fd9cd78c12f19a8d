"""Transport commands (play, record, loop, metronome, return, panic) as actions, their icons and toolbar."""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import QPointF, QRectF, QSize, Qt
from PySide6.QtGui import QAction, QColor, QIcon, QKeySequence, QPainter, QPainterPath, QPen, QPixmap, QPolygonF
from PySide6.QtWidgets import QToolBar, QWidget

ICON_PX = 32
INK = QColor(60, 60, 66)
RED = QColor(205, 45, 45)


def _icon(draw: Callable[[QPainter], None]) -> QIcon:
    pix = QPixmap(ICON_PX, ICON_PX)
    pix.fill(Qt.GlobalColor.transparent)
    p = QPainter(pix)
    p.setRenderHint(QPainter.RenderHint.Antialiasing)
    p.scale(ICON_PX / 16, ICON_PX / 16)  # drawn on a 16 x 16 grid
    p.setPen(Qt.PenStyle.NoPen)
    p.setBrush(INK)
    draw(p)
    p.end()
    return QIcon(pix)


def _play(p: QPainter) -> None:
    p.drawPolygon(QPolygonF([QPointF(4, 2.5), QPointF(13.5, 8), QPointF(4, 13.5)]))


def _stop(p: QPainter) -> None:
    p.drawRect(QRectF(3.5, 3.5, 9, 9))


def _record(p: QPainter) -> None:
    p.setBrush(RED)
    p.drawEllipse(QPointF(8, 8), 5, 5)


def _to_start(p: QPainter) -> None:
    p.drawRect(QRectF(2.5, 3, 2, 10))
    p.drawPolygon(QPolygonF([QPointF(13.5, 3), QPointF(5.5, 8), QPointF(13.5, 13)]))


def _loop(p: QPainter) -> None:
    p.setPen(QPen(INK, 1.6))
    p.setBrush(Qt.BrushStyle.NoBrush)
    path = QPainterPath(QPointF(4, 10))
    path.lineTo(4, 6)
    path.quadTo(4, 4, 6, 4)
    path.lineTo(12, 4)
    path.moveTo(12, 6)
    path.lineTo(12, 10)
    path.quadTo(12, 12, 10, 12)
    path.lineTo(4, 12)
    p.drawPath(path)
    p.setPen(Qt.PenStyle.NoPen)
    p.setBrush(INK)
    p.drawPolygon(QPolygonF([QPointF(11, 1.5), QPointF(14.5, 4), QPointF(11, 6.5)]))
    p.drawPolygon(QPolygonF([QPointF(5, 9.5), QPointF(1.5, 12), QPointF(5, 14.5)]))


def _metronome(p: QPainter) -> None:
    p.drawPolygon(QPolygonF([QPointF(6, 2), QPointF(10, 2), QPointF(13, 14), QPointF(3, 14)]))
    p.setBrush(QColor(235, 235, 235))
    p.drawRect(QRectF(5, 10, 6, 2))
    p.setPen(QPen(QColor(235, 235, 235), 1.3))
    p.drawLine(QPointF(8, 10), QPointF(11.5, 3.5))


def _panic(p: QPainter) -> None:
    p.setBrush(RED)
    p.drawEllipse(QPointF(8, 8), 6.5, 6.5)
    p.setPen(QPen(QColor("white"), 2.0))
    p.drawLine(QPointF(8, 4.3), QPointF(8, 9.3))
    p.drawPoint(QPointF(8, 12))


class TransportActions:
    """The transport's QActions with window-wide shortcuts; ``menu_actions`` lists them in menu order.

    Keys: Space play/stop, R (or Ctrl+R) record, Ctrl+L loop (plain L is Legato in the piano roll),
    K metronome (as in Logic), Home return to start, Shift+Esc panic.
    """

    def __init__(self, owner: QWidget) -> None:
        self._owner = owner
        self.play_icon, self.stop_icon = _icon(_play), _icon(_stop)
        self.play = self._make("&Play", ["Space"], self.play_icon, "Play from the playhead, or stop (Space)")
        self.play.setCheckable(True)
        self.play.toggled.connect(self._show_play_state)
        self.record = self._make("&Record", ["R", "Ctrl+R"], _icon(_record),
                                 "Record from the MIDI keyboard at the playhead (R)")
        self.record.setCheckable(True)
        self.loop = self._make("&Loop", ["Ctrl+L"], _icon(_loop), "Repeat the loop region (Ctrl+L)")
        self.loop.setCheckable(True)
        self.metronome = self._make("&Metronome", ["K"], _icon(_metronome), "Click on every beat (K)")
        self.metronome.setCheckable(True)
        self.to_start = self._make("Return to &Start", ["Home"], _icon(_to_start),
                                   "Move the playhead to the start of the song (Home)")
        self.panic = self._make("P&anic (All Notes Off)", ["Shift+Esc"], _icon(_panic),
                                "Silence every note at once (Shift+Esc)")

    def _make(self, text: str, keys: list[str], icon: QIcon, tip: str) -> QAction:
        action = QAction(icon, text, self._owner)
        action.setShortcuts([QKeySequence(k) for k in keys])
        action.setShortcutContext(Qt.ShortcutContext.WindowShortcut)
        action.setToolTip(tip)
        action.setStatusTip(tip)
        self._owner.addAction(action)
        return action

    def _show_play_state(self, playing: bool) -> None:
        self.play.setIcon(self.stop_icon if playing else self.play_icon)
        self.play.setText("&Stop" if playing else "&Play")

    def menu_actions(self) -> list[QAction | None]:
        """Menu order; None is a separator."""
        return [self.play, self.record, self.to_start, None, self.loop, self.metronome, None, self.panic]

    def toolbar_actions(self) -> list[QAction | None]:
        """Toolbar order, as on a tape machine: return, play, record; None is a separator."""
        return [self.to_start, self.play, self.record, None, self.loop, self.metronome, None, self.panic]


class TransportToolBar(QToolBar):
    """A compact transport: return, play/stop, record, then the loop and metronome toggles and panic."""

    def __init__(self, actions: TransportActions, parent: QWidget | None = None) -> None:
        super().__init__("Transport", parent)
        self.setObjectName("transport_toolbar")  # saveState needs a name
        self.setIconSize(QSize(20, 20))
        self.setToolButtonStyle(Qt.ToolButtonStyle.ToolButtonIconOnly)
        for action in actions.toolbar_actions():
            if action is None:
                self.addSeparator()
            else:
                self.addAction(action)
