"""Piano roll fixtures: an editor on a small song, and helpers that click where notes are drawn."""

from __future__ import annotations

import pytest
from PySide6.QtCore import QPoint, QPointF, Qt

from composer_app.core.song import Clip, Note, Song, Track
from composer_app.ui.document import SongDocument
from composer_app.ui.piano_roll import PianoRollEditor
from composer_app.ui.timeline.transport import TransportState

BAR = 1920


def roll_song() -> Song:
    """A C major scale of quarters in a clip at bar 2, plus a ghost track."""
    notes = tuple(Note(p, i * 480, 480, 80, id=f"n{i}") for i, p in enumerate((60, 62, 64, 65, 67, 69, 71, 72)))
    lead = Clip(BAR, 2 * BAR, notes, name="Lead", id="clip1")
    bass = Clip(0, 4 * BAR, (Note(48, 0, BAR, id="g0"), Note(43, BAR, BAR, id="g1")), id="clip2")
    return Song(tracks=(Track("Lead", clips=(lead,), id="t1"), Track("Bass", channel=1, clips=(bass,), id="t2")))


class Roll:
    """The editor plus mouse helpers in song ticks and pitches."""

    def __init__(self, qtbot, editor: PianoRollEditor) -> None:
        self.qtbot = qtbot
        self.editor = editor
        self.view = editor.view
        self.vp = editor.view.viewport()

    @property
    def doc(self) -> SongDocument:
        return self.editor.document

    def clip(self) -> Clip:
        return self.doc.song.clip("clip1")

    def at(self, tick: float, pitch: int, dy: float = 0.5) -> QPoint:
        """Viewport point of absolute song ``tick`` in the middle of ``pitch``'s row."""
        return self.view.mapFromScene(QPointF(tick, 127 - pitch + dy))

    def note_mid(self, note_id: str) -> QPoint:
        n = self.clip().note(note_id)
        return self.at(BAR + n.start + n.duration / 2, n.pitch)

    def drag(self, a: QPoint, b: QPoint, button=Qt.MouseButton.LeftButton,
             mods=Qt.KeyboardModifier.NoModifier) -> None:
        self.qtbot.mousePress(self.vp, button, mods, a)
        steps = 4
        for i in range(1, steps + 1):
            p = QPoint(a.x() + (b.x() - a.x()) * i // steps, a.y() + (b.y() - a.y()) * i // steps)
            self.qtbot.mouseMove(self.vp, p)
        self.qtbot.mouseRelease(self.vp, button, mods, b)

    def click(self, p: QPoint, mods=Qt.KeyboardModifier.NoModifier, button=Qt.MouseButton.LeftButton) -> None:
        self.qtbot.mouseClick(self.vp, button, mods, p)

    def key(self, key, mods=Qt.KeyboardModifier.NoModifier) -> None:
        self.qtbot.keyClick(self.view, key, mods)


@pytest.fixture
def roll(qtbot) -> Roll:
    doc = SongDocument(roll_song())
    editor = PianoRollEditor(doc, TransportState())
    qtbot.addWidget(editor)
    editor.resize(1200, 700)
    editor.show()
    qtbot.waitExposed(editor)
    editor.open_clip("clip1")
    editor.view.setFocus()
    return Roll(qtbot, editor)
