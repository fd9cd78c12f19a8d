"""Arrangement test fixtures: a shown ArrangementView over a small 4/4 song, and helpers to aim the mouse."""

from __future__ import annotations

import pytest
from PySide6.QtCore import QPoint, QPointF

from composer_app.core.song import Clip, Note, Song, Track
from composer_app.ui.arrangement import ArrangementView
from composer_app.ui.document import SongDocument
from composer_app.ui.timeline.transport import TransportState

BAR = 1920


def small_song() -> Song:
    lead = Clip(0, BAR, tuple(Note(60 + i, i * 480, 480) for i in range(4)), name="Intro")
    bass = Clip(BAR, BAR, (Note(36, 0, 960), Note(43, 960, 960)))
    return Song(tracks=(Track("Lead", program=40, channel=0, clips=(lead,)),
                        Track("Bass", program=33, channel=1, clips=(bass,)),
                        Track("Pad", program=88, channel=2)))


@pytest.fixture
def view_of(qtbot):
    """view_of(song) -> a shown ArrangementView over ``song`` (its own document and transport)."""

    def make(song: Song) -> ArrangementView:
        view = ArrangementView(SongDocument(song), TransportState())
        qtbot.addWidget(view)
        view.resize(1200, 400)
        view.show()
        return view

    return make


@pytest.fixture
def arr(qtbot) -> ArrangementView:
    document = SongDocument(small_song())
    transport = TransportState()
    view = ArrangementView(document, transport)
    qtbot.addWidget(view)
    view.resize(1200, 520)
    view.show()
    qtbot.waitExposed(view)
    view.scale.set_pixels_per_quarter(40.0)  # a bar is 160 px
    return view


def _at(view: ArrangementView, tick: int, row: int, dy: float = 0.0) -> QPoint:
    """Viewport point of ``tick`` in the middle of lane ``row`` (``dy`` moves it down)."""
    scene = view.scene
    y = scene.row_y(row) + scene.row_height / 2 + dy
    return view.clip_view.mapFromScene(QPointF(scene.scale.x(tick), y))


@pytest.fixture
def at():
    """at(view, tick, row, dy=0) -> the viewport point over that tick in that lane."""
    return _at
