"""Auditioning: loop one candidate (with optional lead-in bars of context) and preview single notes."""

from __future__ import annotations

import heapq
import itertools
import threading
import time
from collections.abc import Sequence
from dataclasses import dataclass, replace

from composer_app.audio.player import LoopRegion, Player
from composer_app.core.song import Clip, Note, Song, Track

AUDITION_TRACK_NAME = "Audition"


@dataclass(frozen=True, slots=True)
class AuditionRequest:
    """What is being auditioned: the song played and the looped region (lead-in included)."""

    song: Song
    region: LoopRegion
    requested_at: float


def candidate_song(notes: Sequence[Note], context: Song | None = None, *, at: int = 0, program: int = 0,
                   channel: int = 0) -> tuple[Song, int]:
    """A song holding ``context`` plus one extra track with ``notes`` (clip-relative) placed at tick ``at``.

    Returns the song and the candidate's end tick. Without notes the candidate lasts one beat.
    """
    base = context if context is not None else Song()
    length = max((n.end for n in notes), default=480)
    clip = Clip(at, max(1, length), tuple(notes), name=AUDITION_TRACK_NAME)
    track = Track(AUDITION_TRACK_NAME, program=program, channel=channel, clips=(clip,))
    # a soloed context would silence the candidate: solo it too so it is always heard
    any_solo = any(t.solo for t in base.tracks)
    return replace(base, tracks=base.tracks + (replace(track, solo=any_solo),)), at + length


def lead_in_start(song: Song, tick: int, bars: int) -> int:
    """The bar line ``bars`` bars before the bar holding ``tick`` (0 at the song's start)."""
    mm = song.meter_map
    bar = max(0, mm.bar_of(tick) - max(0, bars))
    return mm.bar_start(bar) if bars > 0 else tick


class _Releaser:
    """One daemon thread that sends the note-offs of preview notes when they are due."""

    def __init__(self) -> None:
        self._heap: list[tuple[float, int, object]] = []
        self._cond = threading.Condition()
        self._count = itertools.count()
        self._thread: threading.Thread | None = None

    def later(self, when: float, action) -> None:
        with self._cond:
            heapq.heappush(self._heap, (when, next(self._count), action))
            if self._thread is None or not self._thread.is_alive():
                self._thread = threading.Thread(target=self._main, name="composer-preview", daemon=True)
                self._thread.start()
            self._cond.notify()

    def _main(self) -> None:
        while True:
            with self._cond:
                while not self._heap:
                    if not self._cond.wait(5.0) and not self._heap:
                        self._thread = None
                        return
                when, _n, action = self._heap[0]
                delay = when - time.perf_counter()
                if delay > 0:
                    self._cond.wait(delay)
                    continue
                heapq.heappop(self._heap)
            try:
                action()
            except Exception:
                pass


class Auditioner:
    """Plays candidates through a :class:`Player`; switching to another candidate is instant."""

    def __init__(self, player: Player) -> None:
        self.player = player
        self.current: AuditionRequest | None = None
        self._releaser = _Releaser()
        self._preview_gen: dict[tuple[int, int], int] = {}
        self._lock = threading.Lock()

    def audition(self, source: Song | Sequence[Note], *, context: Song | None = None, start: int = 0,
                 end: int | None = None, lead_in_bars: int = 0, loop: bool = True, program: int = 0,
                 channel: int = 0, keep_position: bool = True) -> AuditionRequest:
        """Play one candidate from ``start`` (minus ``lead_in_bars`` whole bars of what comes before it).

        ``source`` is a whole Song (the candidate already placed in it) or clip notes (relative to
        ``start``) that are laid over ``context`` on their own track with ``program`` and ``channel``.
        ``end`` defaults to the candidate's end. With ``loop`` it repeats, lead-in included, until
        :meth:`stop`. While another candidate over the same region plays, the new one takes over at
        the same position (``keep_position``), so candidates can be compared in time.
        """
        requested = time.perf_counter()
        if isinstance(source, Song):
            song, cand_end = source, source.end_tick
        else:
            song, cand_end = candidate_song(source, context, at=start, program=program, channel=channel)
        stop = max(end if end is not None else cand_end, start + 1)
        region = LoopRegion(lead_in_start(song, start, lead_in_bars), stop)
        request = AuditionRequest(song, region, requested)
        previous, self.current = self.current, request
        if (keep_position and previous is not None and previous.region == region and loop
                and self.player.playing and self.player.loop == region):
            self.player.replace_song(song)
        elif loop:
            self.player.play(song, region.start, loop=region)
        else:
            self.player.play(_cut(song, region.end), region.start, loop=None)
        return request

    def stop(self) -> None:
        """Stop the audition (all notes off)."""
        self.current = None
        self.player.stop()

    def first_note_latency(self) -> float | None:
        """Seconds from the last audition request to its first note-on sent (None before it)."""
        sent = self.player.first_note_sent_at
        if self.current is None or sent is None:
            return None
        return sent - self.current.requested_at

    def preview_note(self, pitch: int, velocity: int = 100, channel: int = 0, duration: float = 0.3,
                     program: int | None = None) -> None:
        """Sound one note now (a piano key clicked, a note drawn) and release it after ``duration`` s."""
        sink = self.player.sink
        if program is not None:
            sink.program_select(channel, program)
        key = (channel, pitch)
        with self._lock:
            gen = self._preview_gen.get(key, 0) + 1
            self._preview_gen[key] = gen
        sink.note_off(channel, pitch)  # a retriggered key restarts cleanly
        sink.note_on(channel, pitch, max(1, min(127, velocity)))

        def release() -> None:
            with self._lock:
                if self._preview_gen.get(key) != gen:
                    return  # struck again since: that strike's own release ends it
                del self._preview_gen[key]
            sink.note_off(channel, pitch)

        self._releaser.later(time.perf_counter() + max(0.0, duration), release)


def _cut(song: Song, end: int) -> Song:
    """``song`` with clips ending after ``end`` trimmed, so a one-shot audition stops at ``end``."""
    tracks = []
    for t in song.tracks:
        clips = []
        for c in t.clips:
            if c.start >= end:
                continue
            notes = tuple(n if c.start + n.end <= end else replace(n, duration=end - c.start - n.start)
                          for n in c.notes if c.start + n.start < end)
            clips.append(replace(c, length=min(c.length, end - c.start), notes=notes))
        tracks.append(replace(t, clips=tuple(clips)))
    return replace(song, tracks=tuple(tracks), chords=tuple(ch for ch in song.chords if ch.end <= end))
