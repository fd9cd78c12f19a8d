"""How clips are painted: note miniatures (cached, stretched while zooming, crisp after), body, backdrop grid."""

from dataclasses import replace

import pytest
from PySide6.QtCore import QPointF
from PySide6.QtGui import QColor, QImage

from composer_app.core.song import Clip, Note
from composer_app.ui.arrangement import clip_item, miniature
from composer_app.ui.arrangement.backdrop import grid_lines
from composer_app.ui.arrangement.clip_look import NAME_STRIP
from composer_app.ui.arrangement.miniature import PixmapStore, layout_of, note_rects, render

BAR = 1920


@pytest.fixture
def renders(monkeypatch):
    """Counts miniatures drawn afresh."""
    calls = []

    def counting(*args, **kwargs):
        calls.append(args[1])
        return render(*args, **kwargs)

    monkeypatch.setattr(clip_item, "render", counting)
    return calls


def item_of(arr, name):
    clip = next(c for t in arr.song.tracks for c in t.clips if c.name == name)
    return arr.scene.clip_item(clip.id)


def viewport_image(arr) -> QImage:
    return arr.clip_view.viewport().grab().toImage()


def pixel(arr, image: QImage, item, x: float, y: float) -> QColor:
    """The colour at item coordinates (x, y)."""
    p = arr.clip_view.mapFromScene(item.mapToScene(QPointF(x, y)))
    return image.pixelColor(p.x(), p.y())


def near(a: QColor, b: QColor, tolerance: int = 12) -> bool:
    return all(abs(u - v) <= tolerance for u, v in zip(a.getRgb()[:3], b.getRgb()[:3]))


def note_centres(item) -> list[QPointF]:
    top = NAME_STRIP + miniature.TOP_GAP
    rects = note_rects(layout_of(item.clip), item.width, top, item.boundingRect().height() - miniature.BOTTOM_GAP)
    return [r.center() for r in rects]


# ------------------------------------------------------------ layout and pixmaps
def test_layout_puts_higher_notes_higher_and_drops_notes_past_the_end():
    clip = Clip(0, BAR, (Note(72, 960, 480), Note(60, 0, 480), Note(64, BAR + 10, 100)))
    layout = layout_of(clip)
    assert layout.starts == (0.0, 0.5)  # sorted by start; the note past the clip's end is left out
    assert layout.rows[0] > layout.rows[1]  # pitch 60 sits lower than 72
    assert layout.span == 13
    assert layout_of(Clip(0, BAR, ())) is None


def test_note_rects_keep_short_notes_visible():
    layout = layout_of(Clip(0, BAR, (Note(60, 0, 10), Note(62, 960, 960))))
    short, long = note_rects(layout, 100.0, 0.0, 40.0)
    assert short.width() == 1.5 and short.height() >= 1.5
    assert long.x() == 50.0 and long.width() == pytest.approx(49.5)
    visible = note_rects(layout, 100.0, 0.0, 40.0, left=60.0, right=80.0)
    assert [r.x() for r in visible] == [50.0]  # only what may show between left and right


def test_render_draws_the_notes_on_a_transparent_pixmap(qtbot):
    layout = layout_of(Clip(0, BAR, (Note(60, 0, 960), Note(72, 960, 960))))
    ink = QColor(20, 30, 40)
    image = render(layout, 80.0, 30.0, ink, 1.0).toImage()
    for r in note_rects(layout, 80.0, 0.0, 30.0):
        assert image.pixelColor(r.center().toPoint()) == ink
    assert image.pixelColor(70, 27).alpha() == 0  # under the second note, over no note


def test_pixmap_store_drops_the_least_recently_used_over_budget(qtbot):
    one = render(layout_of(Clip(0, BAR, (Note(60, 0, 960),))), 10.0, 10.0, QColor(0, 0, 0), 1.0)
    store = PixmapStore(budget=2 * 10 * 10 * 4)
    store.put("a", one)
    store.put("b", one)
    assert store.get("a") is not None  # now "b" is the oldest
    store.put("c", one)
    assert store.get("b") is None and store.get("a") is not None and store.get("c") is not None
    assert store.bytes == 2 * 400
    store.discard("a")
    assert len(store) == 1 and store.bytes == 400


# ------------------------------------------------------------ in the view
def test_each_note_of_a_clip_shows_in_its_miniature(arr):
    item = item_of(arr, "Intro")
    image = viewport_image(arr)
    fill, ink = item._colours(False)
    for centre in note_centres(item):
        assert near(pixel(arr, image, item, centre.x(), centre.y()), ink)
    assert near(pixel(arr, image, item, 150, item.boundingRect().height() - 2), fill)  # right of the last note


def test_zooming_stretches_the_last_miniature_and_redraws_it_crisp_once_settled(arr, qtbot, renders):
    item = item_of(arr, "Intro")
    qtbot.waitUntil(lambda: not arr.scene.settling)
    viewport_image(arr)
    assert item.miniature_size[0] == 160.0
    renders.clear()
    arr.zoom(1.25)
    assert arr.scene.settling
    image = viewport_image(arr)
    assert renders == []  # nothing drawn afresh while zooming
    assert item.miniature_size[0] == 160.0
    ink = item._colours(False)[1]
    assert near(pixel(arr, image, item, *note_centres(item)[0].toTuple()), ink, 40)  # stretched, still there
    qtbot.waitUntil(lambda: not arr.scene.settling)
    image = viewport_image(arr)
    assert item.miniature_size[0] == 200.0 and 200.0 in renders
    for centre in note_centres(item):
        assert near(pixel(arr, image, item, centre.x(), centre.y()), ink)


def test_zooming_far_at_once_draws_the_miniature_afresh(arr, qtbot, renders):
    item = item_of(arr, "Intro")
    viewport_image(arr)
    arr.zoom(3.0)
    viewport_image(arr)
    assert arr.scene.settling and item.miniature_size[0] == 480.0 and 480.0 in renders


def test_a_changed_clip_gets_a_new_miniature(arr, qtbot):
    item = item_of(arr, "Intro")
    viewport_image(arr)
    song = arr.song
    lead = song.tracks[0]
    clip = replace(lead.clips[0], notes=(Note(40, 0, 1920),))
    arr.document.apply("Edit notes", replace(song, tracks=(replace(lead, clips=(clip,)),) + song.tracks[1:]))
    assert arr.scene.clip_item(clip.id) is item
    image = viewport_image(arr)
    (centre,) = note_centres(item)
    assert near(pixel(arr, image, item, centre.x(), centre.y()), item._colours(False)[1])
    old_first_note = QPointF(20, NAME_STRIP + 4)  # where the old top notes were: now empty
    assert near(pixel(arr, image, item, old_first_note.x(), old_first_note.y()), item._colours(False)[0])


def test_deep_zoom_draws_notes_directly_and_tiny_clips_still_paint(arr, qtbot, renders):
    item = item_of(arr, "Intro")
    arr.scale.set_pixels_per_quarter(1200.0)  # a bar is 4800 px: wider than any miniature pixmap
    arr.clip_view.horizontalScrollBar().setValue(0)
    renders.clear()
    image = viewport_image(arr)
    assert renders == []
    centre = note_centres(item)[0]
    assert near(pixel(arr, image, item, centre.x(), centre.y()), item._colours(False)[1])
    arr.scale.set_pixels_per_quarter(2.0)  # a bar is 8 px
    assert not viewport_image(arr).isNull()


def test_selection_repaints_the_body_in_its_own_colour(arr, qtbot):
    item = item_of(arr, "Intro")
    plain = pixel(arr, viewport_image(arr), item, 150, 40)
    arr.select_clips([item.clip_id])
    selected = pixel(arr, viewport_image(arr), item, 150, 40)
    assert near(plain, item._colours(False)[0]) and near(selected, item._colours(True)[0])
    assert plain != selected


def test_relayout_after_zoom_matches_clip_rect(arr):
    arr.zoom(1.7)
    for row, track in enumerate(arr.song.tracks):
        for clip in track.clips:
            item = arr.scene.clip_item(clip.id)
            rect = arr.scene.clip_rect(clip.start, clip.length, row)
            assert item.pos() == rect.topLeft() and item.width == rect.width()


# ------------------------------------------------------------ backdrop
def test_grid_lines_and_their_pixels(arr):
    scale = arr.scale  # 160 px a bar, 40 px a beat
    lines = grid_lines(arr.song, scale, 0.0, 700.0)
    assert lines["phrase"] == [0, 640]
    assert lines["bar"] == [160, 320, 480]
    assert lines["beat"][:3] == [40, 80, 120]
    image = viewport_image(arr)
    y = arr.scene.row_y(2) + 30  # the empty "Pad" lane
    on = image.pixelColor(arr.clip_view.mapFromScene(QPointF(480, y)))
    off = image.pixelColor(arr.clip_view.mapFromScene(QPointF(500, y)))
    assert on != off and off == image.pixelColor(arr.clip_view.mapFromScene(QPointF(470, y)))
