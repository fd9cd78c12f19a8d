"""Candidate cards as drag sources: a candidate no MIDI file can hold is reported, and no drag starts."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QMainWindow, QMessageBox

from composer_app.core.song import Clip, Note, Song, Track
from composer_app.ui.assistant import cards, drag
from composer_app.ui.assistant.cards import CandidateCard
from composer_app.ui.assistant.session import Suggestion
from composer_app.ui.midi_drag import DRAG_FAILED


class _NoDrag:
    """Stands in for QDrag, whose exec() would wait for the desktop's drag loop; records whether one started."""

    started: list = []

    def __init__(self, source) -> None:
        self.source = source

    def setMimeData(self, mime) -> None:  # noqa: N802 (Qt spelling)
        self.mime = mime

    def setPixmap(self, pixmap) -> None:  # noqa: N802
        pass

    def exec(self, action):
        _NoDrag.started.append(self.mime)
        return action


def _card(qtbot, notes) -> tuple[QMainWindow, CandidateCard]:
    song = Song(tracks=(Track("Lead", clips=(Clip(0, 1920, (Note(60, 0, 480),)),)),))
    track_id = song.tracks[0].id
    suggestion = Suggestion("continue", 0, notes, notes[0][1], notes[-1][1] + notes[-1][2])
    window = QMainWindow()
    qtbot.addWidget(window)
    card = CandidateCard(suggestion, song, lambda s: drag.card_mime(song, track_id, s, "1:0"))
    window.setCentralWidget(card)
    window.show()
    return window, card


def test_a_card_too_long_for_a_midi_file_says_so_instead_of_dragging(qtbot, monkeypatch):
    monkeypatch.setattr(cards, "QDrag", _NoDrag)
    _NoDrag.started = []
    window, card = _card(qtbot, ((62, 1920, 480, 90), (64, 300_000_000, 480, 90)))
    assert card.start_drag() == Qt.DropAction.IgnoreAction
    assert _NoDrag.started == []
    assert "cannot be exported as MIDI" in window.statusBar().currentMessage()
    (box,) = [b for b in window.findChildren(QMessageBox) if b.objectName() == DRAG_FAILED]
    assert not box.isModal() and "too far out on the timeline" in box.text()
    box.close()


def test_a_card_that_fits_drags_its_midi_file(qtbot, monkeypatch):
    monkeypatch.setattr(cards, "QDrag", _NoDrag)
    _NoDrag.started = []
    _window, card = _card(qtbot, ((62, 1920, 480, 90), (64, 2400, 480, 90)))
    assert card.start_drag() == Qt.DropAction.CopyAction
    (mime,) = _NoDrag.started
    assert mime.hasFormat("audio/midi") and mime.hasUrls()


def test_a_card_spells_its_range_as_the_song_key_does(qtbot):
    """In a flat key the range reads Db4-Gb4, in a sharp key C#4-F#4."""
    from dataclasses import replace

    from composer_app.core.pitch import KeySignature
    from composer_app.model.facts import candidate_facts

    notes = ((61, 0, 480, 90), (66, 480, 480, 90))
    for key, text in ((KeySignature(0, 6), "range Db4\u2013Gb4"), (KeySignature(0, 2), "range C#4\u2013F#4")):
        song = Song(tracks=(Track("Lead"),), keys=(key,))
        suggestion = replace(Suggestion("continue", 0, notes, 0, 1920), facts=candidate_facts(notes, (), key))
        card = CandidateCard(suggestion, song, lambda s: None)
        qtbot.addWidget(card)
        assert text in card.facts.text()
    # a song without a signature: the key detected from its notes (a Db major scale) spells the range
    scale = tuple(Note(p, i * 480, 480) for i, p in enumerate((61, 63, 65, 66, 68, 70, 72, 73)))
    song = Song(tracks=(Track("Lead", clips=(Clip(0, 3840, scale),)),))
    suggestion = replace(Suggestion("continue", 0, notes, 3840, 5760),
                         facts=candidate_facts(notes, (), KeySignature(0, 1)))
    card = CandidateCard(suggestion, song, lambda s: None)
    qtbot.addWidget(card)
    assert "range Db4\u2013Gb4" in card.facts.text()
