"""Ghost notes: drawn where the candidate would go, and brought into sight when only their edge shows."""

from __future__ import annotations

from PySide6.QtCore import QRectF
from PySide6.QtGui import QTransform
from PySide6.QtWidgets import QGraphicsScene, QGraphicsView

from composer_app.ui.assistant.overlay import GhostOverlay
from composer_app.ui.assistant.session import Suggestion

BAR = 1920


def _view(qtbot) -> QGraphicsView:
    scene = QGraphicsScene(QRectF(0, 0, 40 * BAR, 128))
    view = QGraphicsView(scene)
    view.keep = scene  # the view does not own its scene
    view.setTransform(QTransform.fromScale(300 / BAR, 10))  # 300 px a bar, 10 px a row
    view.resize(900, 400)
    qtbot.addWidget(view)
    view.show()
    view.horizontalScrollBar().setValue(0)
    return view


def _visible(view: QGraphicsView) -> QRectF:
    return view.mapToScene(view.viewport().rect()).boundingRect()


def test_ghost_notes_peeking_in_at_the_edge_are_scrolled_into_sight(qtbot):
    view = _view(qtbot)
    view.centerOn(BAR, 127 - 64)
    view.horizontalScrollBar().setValue(0)
    start = int(_visible(view).right()) - 100  # only the first 100 ticks of the candidate would show
    notes = tuple((64 + i % 5, start + i * 480, 480, 90) for i in range(16))  # 4 bars of quarters
    overlay = GhostOverlay(view.scene(), view)
    overlay.show(Suggestion("continue", 0, notes, start, start + 4 * BAR))
    assert len(overlay.items) == 16
    visible = _visible(view)
    assert visible.left() <= start and visible.right() >= start + 0.55 * visible.width()


def test_ghost_notes_already_in_sight_do_not_move_the_view(qtbot):
    view = _view(qtbot)
    view.centerOn(BAR, 127 - 64)
    view.horizontalScrollBar().setValue(0)
    before = view.horizontalScrollBar().value()
    notes = ((64, BAR // 2, 480, 90), (67, BAR, 480, 90))
    GhostOverlay(view.scene(), view).show(Suggestion("continue", 0, notes, BAR // 2, 2 * BAR))
    assert view.horizontalScrollBar().value() == before


def test_a_span_candidate_dims_the_notes_it_would_replace_and_a_continuation_does_not(qtbot):
    view = _view(qtbot)
    overlay = GhostOverlay(view.scene(), view)
    fill = Suggestion("fill", 0, ((64, 2 * BAR, 480, 90),), 2 * BAR, 4 * BAR)
    overlay.show(fill)
    assert overlay.shade is not None and overlay.shade.scene() is view.scene()
    assert overlay.shade.rect() == QRectF(2 * BAR, 0, 2 * BAR, 128)
    assert overlay.items[0].zValue() > overlay.shade.zValue() > 1.0  # over the selected notes, under the ghosts
    shade = overlay.shade
    overlay.show(Suggestion("continue", 1, ((64, 4 * BAR, 480, 90),), 4 * BAR, 5 * BAR))
    assert shade.scene() is None and overlay.shade is None and len(overlay.items) == 1
    overlay.show(None)
    assert overlay.items == [] and overlay.shade is None


def test_the_first_candidates_are_not_coloured_like_selected_notes():
    from PySide6.QtGui import QColor

    from composer_app.ui.assistant.colors import candidate_color
    from composer_app.ui.piano_roll.note_item import note_brush

    selected = note_brush(15, True).color().hueF()
    for index in range(4):
        hue = candidate_color(index).hueF()
        assert min(abs(hue - selected), 1 - abs(hue - selected)) > 0.04, QColor(candidate_color(index)).name()
