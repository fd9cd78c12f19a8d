"""The assistant's request kinds as one small table: how to build each request, run it, and read its results.

A kind is a ``RequestKind`` registered in ``KINDS``; adding one ("Regenerate selection", "Vary", "Suggest
melody") is a few lines::

    KINDS["vary"] = RequestKind(
        name="vary", title="Vary", engine="continuation",       # engine: a key of engines.LOADERS
        build=lambda ask: ...,      # Ask -> (request, KeyChoice); GUI thread, cheap; ValueError = message
        run=run_continuation,       # (engine, request, emit, cancel); worker thread; emit(result) per result
        convert=continuation_suggestion,  # (result, Ask, request) -> Suggestion; worker thread
        keep=None,                  # optional (song, Target, Suggestion) -> Song for Accept (e.g. infill
    )                               # replaces the selected notes); Suggestion.kind must be the kind's name

and an action that calls ``Assistant.ask("vary")``.
"""

from __future__ import annotations

import inspect
from collections.abc import Callable
from dataclasses import dataclass, replace
from typing import Any

from composer_app.core.errors import SongFileError
from composer_app.core.song import Song
from composer_app.model import melody_chords, two_hands
from composer_app.model import song_adapter as adapter
from composer_app.model.continuation import Candidate, ContinuationRequest
from composer_app.model.facts import candidate_facts
from composer_app.model.harmony import Harmonization, HarmonyRequest, Pin
from composer_app.ui.assistant.session import Options, Suggestion, Target

Emit = Callable[[Any], None]
Cancel = Callable[[], bool]


@dataclass(frozen=True)
class Ask:
    """One request as the GUI thread snapshotted it: the song, what it is about, the controls, and for
    "More like this" the candidate to stay near."""

    song: Song
    target: Target
    options: Options
    base: Suggestion | None = None


@dataclass(frozen=True)
class RequestKind:
    name: str
    title: str
    engine: str
    build: Callable[[Ask], tuple[Any, adapter.KeyChoice]]
    run: Callable[[Any, Any, Emit, Cancel], None]
    convert: Callable[[Any, Ask, Any], Suggestion]
    keep: Callable[[Song, Target, Suggestion], Song] | None = None
    """How Accept puts a suggestion of this kind into the song (a pure edit; one undo step). None: the default
    (a continuation joins the clip it continues, a harmonization brings chords and accompaniment)."""
    prepare: Callable[[Any, Ask, Any, Cancel], Any] | None = None
    """(request, Ask, Engines, cancel) -> the request as ``run`` gets it; worker thread, before ``run`` (e.g. chords
    another engine works out). None: the request as built."""


def _takes_cancel(method: Callable) -> bool:
    try:
        return "cancel" in inspect.signature(method).parameters
    except (TypeError, ValueError):
        return False


# ---------------------------------------------------------------- continuation


def _track(ask: Ask):
    return ask.song.track(ask.target.track_id)


def phrase_notes(ask: Ask) -> tuple:
    """The notes a continuation or harmonization is about: the selection, except that one selected note is no
    phrase (drawing a note leaves it selected), so then the open clip's notes."""
    target = ask.target
    if not (target.selection and len(target.notes) == 1 and target.clip_id is not None):
        return tuple(target.notes)
    try:
        clip = ask.song.clip(target.clip_id)
    except KeyError:
        return tuple(target.notes)
    return tuple((n.pitch, clip.start + n.start, n.duration, n.velocity)
                 for n in sorted(clip.notes, key=lambda n: (n.start, n.pitch)))


def _near_bars(options: Options) -> int:
    """How many leading bars of the base candidate "More like this" keeps."""
    return options.bars // 2


def build_continuation(ask: Ask) -> tuple[Any, adapter.KeyChoice]:
    o = ask.options
    notes, start_bar, bars, temperature, avoid = phrase_notes(ask), None, o.bars, o.temperature, ()
    if ask.base is not None:  # keep the candidate's first half, vary the rest a little cooler, never to the same
        kept = _near_bars(o)
        mm = ask.song.meter_map
        first = mm.bar_of(ask.base.start_tick)
        bars = max(1, o.bars - kept)
        start_bar = first + kept
        cut = mm.bar_start(start_bar)
        notes = tuple(notes) + tuple(n for n in ask.base.notes if n[1] < cut)
        temperature = max(0.3, o.temperature * 0.7)
        avoid = tuple(n for n in ask.base.notes if n[1] >= cut)
    request, key = adapter.suggest_request(ask.song, _track(ask), notes=notes, start_bar=start_bar, bars=bars,
                                           candidates=o.candidates, temperature=temperature, key_lock=o.key_lock,
                                           pitch_range=o.pitch_range, density=o.density, style=o.style, seed=o.seed,
                                           phrase_end=o.phrase_end, role=o.role or None)
    return (replace(request, avoid=avoid) if avoid else request), key


def hear_the_tune(request: Any, ask: Ask, engines: Any, cancel: Cancel) -> Any:
    """An accompaniment continued, regenerated or varied under a tune that sounds alone there, or a melody's bars
    over a bass line alone, get the harmonizer's chords in those bars (``melody_chords``); worker thread. Without a
    usable harmonizer, the chords heard in the other parts, as before."""
    track = _track(ask)
    if not melody_chords.applies(ask.song, track, request):
        return request
    try:
        harmonizer = engines.get("harmony")
    except SongFileError:
        return request
    return melody_chords.with_melody_chords(ask.song, track, request, harmonizer, cancel)


def worked_out_chords(ask: Ask, request: Any, result: Candidate) -> tuple:
    """The chords in a candidate's bars that were worked out for its request (``hear_the_tune``; for a part written as
    its tune and accompaniment, those its accompaniment went under), else ()."""
    if not isinstance(request, ContinuationRequest):
        return ()
    if request.role == two_hands.BOTH:  # each candidate's accompaniment went under its own tune's chords
        return tuple(result.meta.get("chords", ()))
    track = _track(ask)
    if not (melody_chords.applies(ask.song, track, request) or adapter.hears_replaced(ask.song, track, request)):
        return ()
    return tuple(c for c in request.chords if result.start_tick <= c[0] < result.end_tick)


def chords_said(ask: Ask, request: Any) -> str:
    """Where a request's chords come from, as the status line says it ("" for a request without chords); for a
    harmonization, the bass line it leans on."""
    if isinstance(request, HarmonyRequest):
        return adapter.OVER_THE_BASS if request.bass else ""
    chords = getattr(request, "chords", None)
    if chords is None:
        return ""
    if isinstance(request, ContinuationRequest) and melody_chords.applies(ask.song, _track(ask), request):
        return melody_chords.said(ask.song, _track(ask), request)
    if isinstance(request, ContinuationRequest) and not _chords_in_new_bars(ask, request):
        return ""  # past the end of the other parts (and of the chord symbols): nothing there to be over
    return adapter.request_chords_source(ask.song, _track(ask), request)


def _chords_in_new_bars(ask: Ask, request: ContinuationRequest) -> bool:
    """Whether any of ``request``'s chords sounds in the bars it writes."""
    if request.start_bar is None:
        return bool(request.chords)
    mm = ask.song.meter_map
    a, b = mm.bar_start(request.start_bar), mm.bar_start(request.start_bar + request.bars)
    return any(s < b and s + d > a for s, d, _ in request.chords)


def run_continuation(engine: Any, request: Any, emit: Emit, cancel: Cancel) -> None:
    if _takes_cancel(engine.suggest):
        engine.suggest(request, on_candidate=emit, cancel=cancel)
    else:
        engine.suggest(request, on_candidate=emit)


def continuation_suggestion(result: Candidate, ask: Ask, request: Any) -> Suggestion:
    cand = result
    if ask.base is not None:  # put the kept bars back in front
        kept = tuple(n for n in ask.base.notes if n[1] < cand.start_tick)
        notes = tuple(sorted(kept + cand.notes, key=lambda n: (n[1], n[0])))
        start = ask.base.start_tick
        cand = replace(cand, notes=notes, start_tick=start,
                       facts=candidate_facts(notes, request.context, request.key))
    return Suggestion(ask_kind(ask), cand.index, tuple(cand.notes), cand.start_tick, cand.end_tick, cand.facts,
                      log_prob=cand.log_prob, source=cand, over=worked_out_chords(ask, request, result))


def ask_kind(ask: Ask) -> str:
    return "more" if ask.base is not None else "continue"


# ---------------------------------------------------------------- harmonization


def build_harmony(ask: Ask) -> tuple[Any, adapter.KeyChoice]:
    o = ask.options
    pins = tuple(Pin(s, e, label) for s, e, label in o.pins)
    if ask.base is not None:  # "More like this": keep its first half of chords, re-choose the rest
        mid = (ask.base.start_tick + ask.base.end_tick) // 2
        pins += tuple(Pin(s, min(s + d, mid), lab) for s, d, lab in ask.base.chords if s < mid)
    return adapter.harmony_request(ask.song, _track(ask), notes=phrase_notes(ask), style=o.style, rhythm=o.rhythm,
                                   complexity=o.complexity, candidates=o.candidates, pins=pins, seed=o.seed,
                                   temperature=o.temperature)


def run_harmony(engine: Any, request: Any, emit: Emit, cancel: Cancel) -> None:
    if _takes_cancel(engine.harmonize):
        results = engine.harmonize(request, cancel=cancel)
    else:
        results = engine.harmonize(request)
    for result in results:
        if cancel():
            return
        emit(result)


def harmony_suggestion(result: Harmonization, ask: Ask, request: Any) -> Suggestion:
    """A harmonization as a card: its chords and voicing over the bars it harmonizes (a phrase's, not the
    chords around it that it leads from and into)."""
    result = adapter.in_span(request, result)
    lo, hi = adapter.harmonized_span(request)
    notes = adapter.voice_harmonization(request, result, ask.options.voicing)
    melody = [(p, s, d, 100) for p, s, d in request.melody if lo <= s < hi]
    start = min([s for s, _, _ in result.chords] + [n[1] for n in melody], default=lo)
    end = max([s + d for s, d, _ in result.chords] + [n[1] + n[2] for n in melody], default=start + 1)
    facts = candidate_facts(notes, melody, request.key)
    return Suggestion("harmonize", result.rank - 1, tuple(notes), start, end, facts, tuple(result.chords),
                      result.log_prob, source=result)


# ---------------------------------------------------------------- spans: fill, vary, melody over chords


def selected_span(ask: Ask) -> tuple[int, int]:
    """(first bar, bar count) of the bars the selected notes start in (as written: a note played just before a bar
    line starts that bar). ValueError without a selection."""
    if not ask.target.selection or not ask.target.notes:
        raise ValueError("Select the notes of the bars to rewrite first (the span is the bars they start in)")
    mm = ask.song.meter_map
    starts = [n[1] for n in adapter.written(ask.song, _track(ask), ask.target.notes)]
    first, last = mm.bar_of(min(starts)), mm.bar_of(max(starts))
    if last - first + 1 > 16:
        raise ValueError(f"A span is at most 16 bars; the selection covers {last - first + 1}")
    return first, last - first + 1


def _fill_options(o: Options) -> dict:
    return {"candidates": o.candidates, "temperature": o.temperature, "key_lock": o.key_lock,
            "pitch_range": o.pitch_range, "density": o.density, "style": o.style, "seed": o.seed}


def build_fill(ask: Ask) -> tuple[Any, adapter.KeyChoice]:
    """"Regenerate selection": new notes for the selected bars from the music before and after them."""
    start, bars = selected_span(ask)
    return adapter.fill_request(ask.song, _track(ask), mode="fill", start_bar=start, bars=bars,
                                role=ask.options.role or None, **_fill_options(ask.options))


def build_vary(ask: Ask) -> tuple[Any, adapter.KeyChoice]:
    """"Vary": the selected phrase with its rhythm, contour or first half kept (the panel's "Vary keeps")."""
    start, bars = selected_span(ask)
    o = ask.options
    if o.keep == "start" and bars < 2:
        raise ValueError("Keeping the first half needs a selection over at least 2 bars")
    return adapter.fill_request(ask.song, _track(ask), mode="vary", keep=o.keep, amount=o.amount, start_bar=start,
                                bars=bars, role=o.role or None, **_fill_options(o))


def build_melody(ask: Ask) -> tuple[Any, adapter.KeyChoice]:
    """"Suggest melody": a melody over the chord track (or the chords the other parts play, or a bass line) for the
    selected bars, else for the panel's bars after the track's last note; when the track is empty, from the start of
    the open clip (the one the musician drew for it), else from the first chord or bass note."""
    song, o = ask.song, ask.options
    if ask.target.selection:
        start, bars = selected_span(ask)
    else:
        track = _track(ask)
        notes = adapter.written(song, track)
        chords = () if notes else adapter.request_chords(song, track)
        bass = () if notes or chords else adapter.bass_under(song, track)
        clip = next((c for c in track.clips if c.id == ask.target.clip_id), None)
        if notes:
            start = adapter.bar_after(notes, song)
        elif clip is not None:
            start = song.meter_map.bar_of(clip.start)
        elif chords or bass:
            start = song.meter_map.bar_of(min(c[0] for c in chords) if chords else bass[0][1])
        else:
            raise ValueError("Suggest melody needs chord symbols in the chord track, or another part playing chords "
                             "or a bass line")
        bars = o.bars
    return adapter.fill_request(song, _track(ask), mode="melody", start_bar=start, bars=bars, **_fill_options(o))


def changed_notes(song: Song, track_id: str, candidate: Candidate) -> int:
    """How many of ``candidate``'s notes (pitch and onset) are not already on the track in its span: a variation
    that changes nothing shows as such on its card."""
    there = {(n[0], n[1]) for n in adapter.written(song, song.track(track_id))
             if candidate.start_tick <= n[1] < candidate.end_tick}
    return sum((n[0], n[1]) not in there for n in candidate.notes)


def span_suggestion(kind: str) -> Callable[[Candidate, Ask, Any], Suggestion]:
    """The converter of a span kind ("fill", "vary", "melody"): the candidate for its span, as that kind."""
    def convert(result: Candidate, ask: Ask, request: Any) -> Suggestion:
        changed = changed_notes(ask.song, ask.target.track_id, result) if kind != "melody" else None
        return Suggestion(kind, result.index, tuple(result.notes), result.start_tick, result.end_tick, result.facts,
                          log_prob=result.log_prob, source=result, changed=changed,
                          over=worked_out_chords(ask, request, result))
    return convert


def keep_span(song: Song, target: Target, suggestion: Suggestion) -> Song:
    """Accept a fill, variation or melody: the notes starting in its span are replaced by the candidate's."""
    cand = suggestion.source
    if not isinstance(cand, Candidate):
        raise ValueError("not a span candidate")
    return adapter.fill_span(song, target.track_id, replace(cand, notes=suggestion.notes))


KINDS: dict[str, RequestKind] = {
    "continue": RequestKind("continue", "Suggest next bars", "continuation", build_continuation, run_continuation,
                            continuation_suggestion, prepare=hear_the_tune),
    "harmonize": RequestKind("harmonize", "Harmonize", "harmony", build_harmony, run_harmony, harmony_suggestion),
    "fill": RequestKind("fill", "Regenerate selection", "continuation", build_fill, run_continuation,
                        span_suggestion("fill"), keep_span, prepare=hear_the_tune),
    "vary": RequestKind("vary", "Vary", "continuation", build_vary, run_continuation, span_suggestion("vary"),
                        keep_span, prepare=hear_the_tune),
    "melody": RequestKind("melody", "Suggest melody", "continuation", build_melody, run_continuation,
                          span_suggestion("melody"), keep_span, prepare=hear_the_tune),
}
MORE_LIKE_THIS = {"continue": "continue", "more": "continue", "harmonize": "harmonize", "fill": "fill",
                  "vary": "vary", "melody": "melody"}
"""Which kind "More like this" re-runs (with ``Ask.base`` set) for a suggestion of each kind."""
