"""Grid and snap: note values from 1/1 to 1/32, triplets, bar, off; snapping ticks to them."""

from __future__ import annotations

from dataclasses import dataclass

from composer_app.core.timing import PPQ, MeterMap


@dataclass(frozen=True)
class GridValue:
    """One choice of the grid menu. ``ticks`` 0 means snap off; ``bar`` follows the meter."""

    label: str
    ticks: int
    bar: bool = False

    @property
    def is_off(self) -> bool:
        return self.ticks == 0 and not self.bar


WHOLE = PPQ * 4
GRID_VALUES: tuple[GridValue, ...] = (
    GridValue("Bar", 0, bar=True),
    GridValue("1/1", WHOLE),
    GridValue("1/2", WHOLE // 2),
    GridValue("1/2T", WHOLE // 3),
    GridValue("1/4", WHOLE // 4),
    GridValue("1/4T", WHOLE // 6),
    GridValue("1/8", WHOLE // 8),
    GridValue("1/8T", WHOLE // 12),
    GridValue("1/16", WHOLE // 16),
    GridValue("1/16T", WHOLE // 24),
    GridValue("1/32", WHOLE // 32),
    GridValue("Off", 0),
)
DEFAULT_GRID = GRID_VALUES[8]  # 1/16


def grid_by_label(label: str) -> GridValue:
    for g in GRID_VALUES:
        if g.label == label:
            return g
    raise KeyError(label)


def step_at(grid: GridValue, meters: MeterMap, tick: int) -> int:
    """Grid step in ticks around ``tick`` (a bar's length for 'Bar'; 1 tick when off)."""
    if grid.bar:
        return meters.meter_at(max(0, tick)).bar_ticks
    return grid.ticks or 1


def snap(tick: float, grid: GridValue, meters: MeterMap, *, mode: str = "nearest") -> int:
    """Snap ``tick`` to the grid, counted from the bar it falls in (so triplets and odd meters line up).

    ``mode`` is 'nearest', 'floor' or 'ceil'. Snap off returns the tick rounded.
    """
    t = max(0, round(tick))
    if grid.is_off:
        return t
    bar_start = meters.bar_start(meters.bar_of(t))
    step = step_at(grid, meters, t)
    offset = t - bar_start
    if mode == "floor":
        n = offset // step
    elif mode == "ceil":
        n = -(-offset // step)
    else:
        n = round(offset / step)
    return bar_start + n * step
