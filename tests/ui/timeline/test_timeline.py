from PySide6.QtCore import QPoint, Qt

from composer_app.core.song import Song
from composer_app.core.timing import TimeSignature
from composer_app.ui.timeline.grid import GRID_VALUES, grid_by_label, snap
from composer_app.ui.timeline.ruler import Ruler
from composer_app.ui.timeline.scale import TimeScale
from composer_app.ui.timeline.transport import TransportState


def test_scale_round_trip_and_clamp():
    s = TimeScale(80)
    assert s.x(480) == 80 and s.tick(160) == 960
    s.zoom(1000)
    assert s.pixels_per_quarter == TimeScale.MAX_PPQN


def test_snap_values_follow_the_meter():
    mm = Song(meters=(TimeSignature(0, 4, 4), TimeSignature(1920, 7, 8))).meter_map
    sixteenth = grid_by_label("1/16")
    assert snap(130, sixteenth, mm) == 120
    assert snap(181, sixteenth, mm) == 240
    assert snap(130, sixteenth, mm, mode="floor") == 120
    assert snap(121, sixteenth, mm, mode="ceil") == 240
    assert snap(1000, grid_by_label("Bar"), mm) == 1920
    assert snap(1920 + 1000, grid_by_label("Bar"), mm) == 1920 + 1680  # 7/8 bars
    trip = grid_by_label("1/8T")
    assert snap(170, trip, mm) == 160
    assert snap(1234, grid_by_label("Off"), mm) == 1234
    assert len({g.label for g in GRID_VALUES}) == len(GRID_VALUES)


def test_ruler_click_seeks_and_drag_draws_and_moves_loop(qtbot):
    song = Song()
    transport = TransportState()
    ruler = Ruler(TimeScale(40), transport, lambda: song)
    ruler.resize(800, 26)
    qtbot.addWidget(ruler)
    ruler.show()
    with qtbot.waitSignal(ruler.seek_requested):
        qtbot.mouseClick(ruler, Qt.MouseButton.LeftButton, pos=QPoint(83, 13))
    assert transport.playhead == 960  # snapped to the beat
    qtbot.mousePress(ruler, Qt.MouseButton.LeftButton, pos=QPoint(160, 20))
    qtbot.mouseMove(ruler, QPoint(330, 20))
    qtbot.mouseRelease(ruler, Qt.MouseButton.LeftButton, pos=QPoint(330, 20))
    assert transport.loop == (1920, 3840) and transport.loop_enabled
    qtbot.mousePress(ruler, Qt.MouseButton.LeftButton, pos=QPoint(200, 20))
    qtbot.mouseMove(ruler, QPoint(280, 20))
    qtbot.mouseRelease(ruler, Qt.MouseButton.LeftButton, pos=QPoint(280, 20))
    assert transport.loop == (2880, 4800)
    ruler.grab()  # paints without error
