"""RollState: the editor's view settings (grid, note length, scale override, quantize) shared by its parts."""

from __future__ import annotations

from dataclasses import dataclass

from PySide6.QtCore import QObject, Signal

from composer_app.core.pitch import KeySignature
from composer_app.core.timing import MeterMap
from composer_app.ui.timeline.grid import DEFAULT_GRID, GRID_VALUES, GridValue, grid_by_label, snap, step_at

LAST_LENGTH = "Last"
GRID_LENGTH = "Grid"
NOTE_LENGTHS: tuple[str, ...] = (LAST_LENGTH, GRID_LENGTH) + tuple(
    g.label for g in GRID_VALUES if not g.is_off and not g.bar)
SONG_KEY = "Song key"
NO_SCALE = "No highlighting"


@dataclass(frozen=True)
class QuantizeSettings:
    """What Q does: grid label, strength 0..1, and whether starts and ends move."""

    grid: str = "1/16"
    strength: float = 1.0
    starts: bool = True
    ends: bool = False


class RollState(QObject):
    """Grid, note length, last-used length and velocity, scale highlighting, quantize settings."""

    changed = Signal()

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.grid: GridValue = DEFAULT_GRID
        self.length_choice = LAST_LENGTH
        self.last_length = 0  # ticks; 0 until something is drawn or resized (then the grid step is used)
        self.last_velocity = 100
        self.scale_choice = SONG_KEY
        self.quantize = QuantizeSettings()
        self.show_ghosts = True
        self.follow_playhead = True

    def set_grid(self, label: str) -> None:
        self.grid = grid_by_label(label)
        self.changed.emit()

    def set_length_choice(self, label: str) -> None:
        if label not in NOTE_LENGTHS:
            raise KeyError(label)
        self.length_choice = label
        self.changed.emit()

    def set_scale_choice(self, text: str) -> None:
        self.scale_choice = text
        self.changed.emit()

    # ------------------------------------------------------------ derived
    def step(self, meters: MeterMap, tick: int) -> int:
        """The grid step at ``tick`` (a sixteenth when the grid is off, for keys and lengths)."""
        if self.grid.is_off:
            return grid_by_label("1/16").ticks
        return step_at(self.grid, meters, tick)

    def snap(self, tick: float, meters: MeterMap, free: bool = False, mode: str = "nearest") -> int:
        """Snap a song tick to the grid unless ``free`` (Alt held) or the grid is off."""
        if free:
            return max(0, round(tick))
        return snap(tick, self.grid, meters, mode=mode)

    def draw_length(self, meters: MeterMap, tick: int) -> int:
        """Length of a newly drawn note: last used, the grid step, or a fixed value."""
        if self.length_choice == LAST_LENGTH:
            return self.last_length or self.step(meters, tick)
        if self.length_choice == GRID_LENGTH:
            return self.step(meters, tick)
        return grid_by_label(self.length_choice).ticks

    def scale_for(self, song_key: KeySignature) -> frozenset[int] | None:
        """Pitch classes to leave unshaded, or None for no highlighting."""
        if self.scale_choice == NO_SCALE:
            return None
        if self.scale_choice == SONG_KEY:
            return song_key.scale
        return KeySignature.parse(0, self.scale_choice).scale


def scale_choices() -> list[str]:
    """Entries of the key/scale selector, each key spelt as musicians write it (Eb major, C# minor)."""
    out = [SONG_KEY, NO_SCALE]
    for mode in ("major", "minor"):
        out += [KeySignature(0, tonic, mode).name for tonic in range(12)]
    return out
