"""TransportState: playhead, loop region and play state shared by the editors and the player."""

from __future__ import annotations

from PySide6.QtCore import QObject, Signal


class TransportState(QObject):
    """The playhead (ticks), the loop region and whether playback runs. Views show it; the
    player (later) drives the playhead while playing."""

    playhead_changed = Signal(int)
    loop_changed = Signal(int, int, bool)  # start, end, enabled
    playing_changed = Signal(bool)

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._playhead = 0
        self._loop = (0, 0)
        self._loop_enabled = False
        self._playing = False

    @property
    def playhead(self) -> int:
        return self._playhead

    def set_playhead(self, tick: int) -> None:
        tick = max(0, int(tick))
        if tick != self._playhead:
            self._playhead = tick
            self.playhead_changed.emit(tick)

    @property
    def loop(self) -> tuple[int, int]:
        return self._loop

    @property
    def loop_enabled(self) -> bool:
        return self._loop_enabled and self._loop[1] > self._loop[0]

    def set_loop(self, start: int, end: int, enabled: bool | None = None) -> None:
        start, end = sorted((max(0, int(start)), max(0, int(end))))
        enabled = self._loop_enabled if enabled is None else enabled
        if (start, end) != self._loop or enabled != self._loop_enabled:
            self._loop = (start, end)
            self._loop_enabled = enabled
            self.loop_changed.emit(start, end, enabled)

    def set_loop_enabled(self, enabled: bool) -> None:
        self.set_loop(*self._loop, enabled=enabled)

    @property
    def playing(self) -> bool:
        return self._playing

    def set_playing(self, playing: bool) -> None:
        if playing != self._playing:
            self._playing = playing
            self.playing_changed.emit(playing)
