"""The Assistant: asks the engines on the shared worker, keeps the session history, accepts candidates."""

from __future__ import annotations

import itertools
from collections.abc import Callable
from dataclasses import dataclass, replace
from typing import Any

from PySide6.QtCore import QObject, Signal

from composer_app.core import edits
from composer_app.core.errors import SongFileError
from composer_app.core.song import Song
from composer_app.model import melody_chords, two_hands
from composer_app.model import song_adapter as adapter
from composer_app.model.as_played import off_the_beat
from composer_app.model.beat_offset import BeatOffset
from composer_app.model.continuation import Candidate
from composer_app.model.felt_meter import one_beat_meter
from composer_app.ui.assistant.engines import Engines
from composer_app.ui.assistant.kinds import KINDS, MORE_LIKE_THIS, Ask, RequestKind, chords_said
from composer_app.ui.assistant.session import Batch, History, Options, Suggestion, Target
from composer_app.ui.assistant.targets import into_empty_clip
from composer_app.ui.document import SongDocument
from composer_app.ui.workers import CancelToken, Worker

Status = Callable[[str, int], None]


@dataclass
class _Running:
    request_id: int
    batch: Batch
    kind: RequestKind
    ask: Ask


class Assistant(QObject):
    """Takes only what it uses: the document, a way to find the target (``target_of``), the options source
    and a status sink. Signals drive the panel, the ghost overlay and audition."""

    batch_started = Signal(object)  # Batch
    suggestion_added = Signal(object, object)  # Batch, Suggestion
    current_changed = Signal(object)  # Suggestion or None (dismissed / nothing)
    batch_finished = Signal(object)  # Batch (state: done, cancelled, failed)
    message = Signal(str)  # one line for the panel
    busy_changed = Signal(bool)
    accepted = Signal(object)  # Suggestion

    def __init__(self, document: SongDocument, target_of: Callable[[Song], Target],
                 options: Callable[[], Options], status: Status | None = None, engines: Engines | None = None,
                 parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.document = document
        self._target_of, self._options = target_of, options
        self._status = status or (lambda _text, _ms: None)
        self.engines = engines or Engines()
        self.history = History()
        self.worker = Worker(self, name="composer-assistant")
        self.worker.partial.connect(self._on_partial)
        self.worker.finished.connect(self._on_finished)
        self.worker.failed.connect(self._on_failed)
        self.worker.cancelled.connect(self._on_cancelled)
        self.worker.busy_changed.connect(self.busy_changed)
        self._running: _Running | None = None
        self._seeds = itertools.count(1)
        self.showing = False  # ghost notes are up (Tab/Enter accept, Esc dismisses)

    # ------------------------------------------------------------ asking
    @property
    def busy(self) -> bool:
        return self.worker.busy

    def ask(self, kind_name: str, base: Suggestion | None = None, target: Target | None = None) -> int | None:
        """Start a request of ``kind_name`` (a key of KINDS); a running one is superseded. Returns its id."""
        kind = KINDS[kind_name]
        song = self.document.song
        try:
            target = target or self._target_of(song)
            if kind_name == "melody":
                target = into_empty_clip(song, target)
            options = replace(self._options(), seed=next(self._seeds) * 7919)
            ask = Ask(song, target, options, base)
            request, key = kind.build(ask)
        except (ValueError, KeyError) as error:
            self._say(_first_line(error))
            return None
        title = f"More like #{base.index + 1}" if base is not None else kind.title
        if kind_name == "continue" and base is None:
            title = f"Next {options.bars} bar{'s' if options.bars != 1 else ''}"
        batch = self.history.start(kind_name, title, target, options)
        batch.request, batch.key_name, batch.key_reason = request, key.key.name, key.reason
        batch.chords_from = chords_said(ask, request)
        off = off_the_beat(song)
        batch.off_the_beat = ("" if off is None else f"lie {off.describe()} against its beat grid"
                              if isinstance(off, BeatOffset) else
                              f"drift across its beat grid (a take played without the click, {off.describe()})")
        felt = one_beat_meter(song)
        batch.felt_meter = felt.name if felt is not None else ""
        engines = self.engines

        def job(token: CancelToken) -> int:
            engine = engines.get(kind.engine)
            token.raise_if_cancelled()
            ready = request if kind.prepare is None else kind.prepare(request, ask, engines, token)
            count = 0

            def emit(result: Any) -> None:
                nonlocal count
                token.emit_partial(kind.convert(result, ask, ready))
                count += 1

            kind.run(engine, ready, emit, token)
            token.raise_if_cancelled()
            return count

        self.worker.cancel()
        request_id = self.worker.submit(job)
        self._running = _Running(request_id, batch, kind, ask)
        self.showing = False
        self.batch_started.emit(batch)
        self.current_changed.emit(None)
        self._say(f"{batch.title}: asking the model in {key.key.name} ({key.reason}){_over(batch)}\u2026")
        return request_id

    def regenerate(self) -> int | None:
        """The current batch's kind again on the same target, with the panel's current options."""
        batch = self.history.batch
        if batch is None:
            self._say("Nothing to regenerate yet: ask for a suggestion first")
            return None
        kind = MORE_LIKE_THIS.get(batch.kind, batch.kind)
        return self.ask(kind, target=self._fresh_target(batch.target))

    def more_like(self, suggestion: Suggestion | None = None) -> int | None:
        """Variations near one candidate (its first half kept, the rest sampled cooler)."""
        suggestion = suggestion or self.history.suggestion
        batch = self.history.batch
        if suggestion is None or batch is None:
            self._say("Choose a candidate first")
            return None
        return self.ask(MORE_LIKE_THIS[suggestion.kind], base=suggestion, target=self._fresh_target(batch.target))

    def _fresh_target(self, target: Target) -> Target:
        """``target`` as it is in the song now (its notes may have been edited since)."""
        song = self.document.song
        try:
            song.track(target.track_id)
        except KeyError:
            return self._target_of(song)
        return target

    def cancel(self) -> bool:
        """Esc while asking: the engine stops between steps; what arrived stays in the history."""
        if not self.worker.busy:
            return False
        self.worker.cancel()
        return True

    # ------------------------------------------------------------ results
    def _live(self, request_id: int) -> _Running | None:
        running = self._running
        return running if running is not None and running.request_id == request_id else None

    def _on_partial(self, request_id: int, suggestion: Suggestion) -> None:
        running = self._live(request_id)
        if running is None:
            return
        batch = running.batch
        # numbered as they arrive: the first one shown is #1, and a card never moves once it is there (a
        # continuation's come in consensus order, the one most like the others first; a harmonization's in rank
        # order)
        suggestion = replace(suggestion, index=len(batch.suggestions))
        self.history.add(batch, suggestion)
        self.suggestion_added.emit(batch, suggestion)
        if self.history.batch is batch and self.history.current < 0:
            self.history.choose(batch.suggestions.index(suggestion))
            self.showing = True
            self.current_changed.emit(self.history.suggestion)

    def _on_finished(self, request_id: int, _count: int) -> None:
        def message(batch) -> str:
            n = len(batch.suggestions)
            if n == 0:
                return "The model had no suggestion for this; try other options"
            off = (f" (the song's notes {batch.off_the_beat}, so these keep to the grid and not to the music: "
                   "Arrangement > Align Notes to the Beat first)") if batch.off_the_beat else ""
            if batch.felt_meter:
                off += (f" (the song's bars are one beat long, so these are beats, not bars: click 'Detected: "
                        f"{batch.felt_meter}' beside the time signature first)")
            return (f"{n} candidate{'s' if n != 1 else ''} in {batch.key_name}{_over(batch)}{off} \u2014 Tab accepts, "
                    "Alt+] cycles, Esc dismisses")
        self._end_batch(request_id, "done", message)

    def _on_failed(self, request_id: int, error: BaseException) -> None:
        self._end_batch(request_id, "failed", lambda _batch: _error_text(error))

    def _on_cancelled(self, request_id: int) -> None:
        self._end_batch(request_id, "cancelled",
                        lambda batch: f"Cancelled ({len(batch.suggestions)} candidate(s) kept)")

    def _end_batch(self, request_id: int, state: str, message: Callable[[Any], str]) -> None:
        """The live request ``request_id`` ended: its batch gets ``state`` and a message, said and signalled."""
        running = self._live(request_id)
        if running is None:
            return
        self._running = None
        batch = running.batch
        batch.state = state
        batch.message = message(batch)
        self._say(batch.message)
        self.batch_finished.emit(batch)

    # ------------------------------------------------------------ comparing
    @property
    def current(self) -> Suggestion | None:
        return self.history.suggestion if self.showing else None

    def choose(self, index: int) -> Suggestion | None:
        found = self.history.choose(index)
        self.showing = found is not None
        self.current_changed.emit(self.current)
        return found

    def cycle(self, step: int = 1) -> Suggestion | None:
        found = self.history.cycle(step)
        self.showing = found is not None
        self.current_changed.emit(self.current)
        return found

    def show_batch(self, index: int) -> None:
        self.history.show(index)
        self.showing = self.history.suggestion is not None
        self.current_changed.emit(self.current)

    def dismiss(self) -> None:
        """Esc: the ghost notes go; the batch stays in the history."""
        self.showing = False
        self.current_changed.emit(None)

    # ------------------------------------------------------------ keeping
    def accept(self, suggestion: Suggestion | None = None) -> bool:
        """Put the candidate into the song as one undo step: next to (or into) the clip it continues, or
        for a harmonization its chord symbols and its accompaniment."""
        suggestion = suggestion or self.current or self.history.suggestion
        batch = self.history.batch
        if suggestion is None or batch is None:
            return False
        song = self.document.song
        try:
            new = accepted_song(song, batch.target, suggestion)
        except (KeyError, ValueError) as error:
            self._say(f"Could not keep the candidate: {_first_line(error)}")
            return False
        self.document.apply(f"Keep {_what(suggestion)} #{suggestion.index + 1}", new)
        self.showing = False
        self.current_changed.emit(None)
        self.accepted.emit(suggestion)
        self._say(f"Kept {_what(suggestion)} #{suggestion.index + 1} (Ctrl+Z undoes it)")
        return True

    def _say(self, text: str) -> None:
        self.message.emit(text)
        self._status(text, 8000)


def accepted_song(song: Song, target: Target, suggestion: Suggestion) -> Song:
    """The song with ``suggestion`` kept (a pure edit): its kind's ``keep`` when it has one; otherwise a
    continuation of an open clip joins that clip, and a harmonization brings its chords and accompaniment."""
    kind = KINDS.get(suggestion.kind)
    if kind is not None and kind.keep is not None:
        return kind.keep(song, target, suggestion)
    if suggestion.is_harmony:
        return adapter.add_harmonization(song, target.track_id, suggestion.source, suggestion.notes)
    cand = suggestion.source
    if not isinstance(cand, Candidate):
        raise ValueError("not a continuation")
    cand = replace(cand, notes=suggestion.notes, start_tick=suggestion.start_tick)
    before = {c.id for t in song.tracks for c in t.clips}
    new = adapter.add_candidate(song, target.track_id, cand, name="")
    added = [c.id for c in new.track(target.track_id).clips if c.id not in before]
    if target.clip_id is not None and added:
        try:
            if new.track_of_clip(target.clip_id).id == target.track_id:
                new = edits.join_clips(new, [target.clip_id, *added])
        except (KeyError, ValueError):
            pass
    return new


def _what(suggestion: Suggestion) -> str:
    return "harmonization" if suggestion.is_harmony else "suggestion"


def _first_line(error: BaseException) -> str:
    text = str(error).strip().splitlines()
    return text[0] if text else type(error).__name__


TUNE_AND_ACCOMPANIMENT = "the tune over its accompaniment"
"""What the status line says of a part that plays its tune over its own accompaniment, written as both."""


def _error_text(error: BaseException) -> str:
    if isinstance(error, SongFileError):
        return f"The model could not be loaded: {error}"
    if isinstance(error, ValueError):
        return f"The model could not answer: {_first_line(error)}"
    return f"The model failed ({type(error).__name__}: {_first_line(error)}); the editor keeps working"


def _over(batch: Batch) -> str:
    """What the status line adds when a batch was conditioned on chords heard in the other parts, or writes a part's
    tune and its accompaniment together (``two_hands``)."""
    if getattr(batch.request, "role", None) == two_hands.BOTH:
        return f", {TUNE_AND_ACCOMPANIMENT}"
    said = (adapter.CHORDS_HEARD, adapter.CHORDS_BOTH, melody_chords.UNDER_THE_TUNE, melody_chords.OVER_THE_BASS,
            adapter.CHORDS_REPLACED, adapter.OVER_THE_BASS)
    return f", over {batch.chords_from}" if batch.chords_from in said else ""
