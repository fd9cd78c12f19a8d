"""The assistant's session: suggestions as values, batches of them, and the history of batches."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from composer_app.core.song import NoteTuple
from composer_app.model.continuation import DEFAULT_TEMPERATURE
from composer_app.model.facts import CandidateFacts

ChordSpan = tuple[int, int, str]


@dataclass(frozen=True)
class Target:
    """What a request is about, snapshotted on the GUI thread: the track, the open clip and the chosen notes
    (absolute ticks; the selection, else the clip's notes)."""

    track_id: str
    clip_id: str | None
    notes: tuple[NoteTuple, ...]
    selection: bool = False
    empty_clip: str | None = None
    """The open clip when it was passed over for having no notes (the target is then the song's melody)."""


@dataclass(frozen=True)
class Options:
    """The panel's controls. ``pitch_range``/``density`` None mean free; ``pins`` are (start, end, label)."""

    bars: int = 4
    candidates: int = 4
    temperature: float = DEFAULT_TEMPERATURE
    key_lock: bool = False
    phrase_end: bool = True
    """Whether a continuation's last bar ends the phrase (fewer notes, one held to the barline)."""
    pitch_range: tuple[int, int] | None = None
    density: float | None = None
    style: str = "pop"
    rhythm: str = "bar"
    voicing: str = "pop"
    complexity: str = "sevenths"
    pins: tuple[tuple[int, int, str], ...] = ()
    seed: int = 0
    keep: str = "rhythm"
    """What "Vary" keeps: "rhythm" (onsets and durations), "contour" (the up/down pattern) or "start" (first half)."""
    amount: float = 0.5
    """How far "Vary" moves from the original: 0 stays close, 1 ignores it."""
    role: str = ""
    """What the part is, as the musician says it (a key of ``song_adapter.PART_ROLES``); "" lets the assistant tell."""


@dataclass(frozen=True)
class Suggestion:
    """One candidate as the window shows it. ``notes`` are absolute ticks: the continuation, or for a
    harmonization its voiced accompaniment; ``chords`` the harmonization's symbols (absolute)."""

    kind: str
    index: int
    notes: tuple[NoteTuple, ...]
    start_tick: int
    end_tick: int
    facts: CandidateFacts | None = None
    chords: tuple[ChordSpan, ...] = ()
    log_prob: float = 0.0
    source: Any = field(default=None, compare=False)  # the engine's own value (Candidate, Harmonization)
    changed: int | None = None
    """For a candidate that replaces notes (fill, vary): how many of its notes are not already there."""
    over: tuple[ChordSpan, ...] = ()
    """The chords a continuation was written over where they were worked out for it, not the song's (the
    harmonizer's under the tune, ``melody_chords``; those of the notes a fill or variation replaces,
    ``song_adapter.replaced_chords``): shown dashed in the chord lane with it, never kept."""

    @property
    def is_harmony(self) -> bool:
        return bool(self.chords) or self.kind == "harmonize"

    def summary(self) -> str:
        if self.is_harmony:
            return " ".join(label for _, _, label in self.chords) or "no chords"
        return self.facts.summary() if self.facts is not None else f"{len(self.notes)} notes"


@dataclass
class Batch:
    """The answer to one request: its kind, target, options and the suggestions so far (streamed in)."""

    number: int
    kind: str
    title: str
    target: Target
    options: Options
    key_name: str = ""
    key_reason: str = ""
    chords_from: str = ""
    """Where the request's chords came from (``song_adapter.chords_source``; "" for a harmonization)."""
    off_the_beat: str = ""
    """How the song's notes lay off its beat grid when asked ("lie 80 ticks (0.17 beat) early against its beat grid",
    "drift across its beat grid (...)"; "" when on it)."""
    felt_meter: str = ""
    """Where the song's bars were one beat long when asked, the meter its notes are felt in ("4/4"; "" otherwise)."""
    suggestions: list[Suggestion] = field(default_factory=list)
    state: str = "running"  # running, done, cancelled, failed
    message: str = ""
    request: Any = None

    def add(self, suggestion: Suggestion) -> None:
        self.suggestions.append(suggestion)
        self.suggestions.sort(key=lambda s: s.index)

    @property
    def label(self) -> str:
        n = len(self.suggestions)
        return f"#{self.number} {self.title} \u2013 {n} candidate{'s' if n != 1 else ''}"


class History:
    """Every batch of the session, newest last, and which batch and candidate are current."""

    def __init__(self) -> None:
        self.batches: list[Batch] = []
        self.current_batch: int = -1
        self.current: int = -1

    def start(self, kind: str, title: str, target: Target, options: Options) -> Batch:
        batch = Batch(len(self.batches) + 1, kind, title, target, options)
        self.batches.append(batch)
        self.current_batch, self.current = len(self.batches) - 1, -1
        return batch

    def add(self, batch: Batch, suggestion: Suggestion) -> None:
        """A streamed suggestion joins ``batch`` (in candidate order); the current candidate stays current."""
        keep = self.suggestion if batch is self.batch else None
        batch.add(suggestion)
        if keep is not None:
            self.current = batch.suggestions.index(keep)

    @property
    def batch(self) -> Batch | None:
        return self.batches[self.current_batch] if 0 <= self.current_batch < len(self.batches) else None

    def show(self, index: int) -> None:
        """Make batch ``index`` current (its first candidate chosen)."""
        if 0 <= index < len(self.batches):
            self.current_batch = index
            self.current = 0 if self.batches[index].suggestions else -1

    @property
    def suggestion(self) -> Suggestion | None:
        batch = self.batch
        if batch is None or not 0 <= self.current < len(batch.suggestions):
            return None
        return batch.suggestions[self.current]

    def choose(self, index: int) -> Suggestion | None:
        batch = self.batch
        if batch is not None and 0 <= index < len(batch.suggestions):
            self.current = index
        return self.suggestion

    def cycle(self, step: int = 1) -> Suggestion | None:
        batch = self.batch
        if batch is None or not batch.suggestions:
            return None
        self.current = (self.current + step) % len(batch.suggestions) if self.current >= 0 else 0
        return self.suggestion
