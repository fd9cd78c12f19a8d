"""The chords an accompaniment's new bars are written over where the tune goes on alone and nobody states them; a
melody's over a bass line alone; and a melody's own bars regenerated or varied where it sounds alone.

A DAW's file gives its harmony only as a piano or guitar part. Continuing that part, the new bars' chords can come
only from the other parts, and where those are melodic lines (the tune alone) the chords heard in one line are a
weak guess (``heard_chords`` needs several notes sounding together). The harmonizer is trained to put chords under
a melody: ``with_melody_chords`` gives the request its first harmonization of the tune there instead (two chords a
bar, led from the 4 bars before), where ``melody_over`` finds the tune alone there. POP909's valid songs as a DAW writes
them (melody and piano tracks, no symbols), the piano continued 4 bars at 8 and 16 bars in, 3 seeds: the share of
the candidates' notes (by duration) that are tones of the annotated chords rose from 0.50 to 0.70 (the real piano:
0.95); the chorales' lower voices under their soprano from 0.43 to 0.58 (model card).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace

from composer_app.core.pitch import KeySignature
from composer_app.core.song import DRUM_CHANNEL, Song, Track
from composer_app.model import song_adapter as sa
from composer_app.model.continuation import ContinuationRequest
from composer_app.model.harmony import Harmonizer, HarmonyRequest

RHYTHM = "half"
"""Chords per bar of the harmonization: POP909's chords change at more than half of the half bars (on the valid
songs one chord a bar gave 0.64 of the notes on chord tones, two 0.70)."""
LEAD_BARS = 4
"""Bars of the tune before the new ones that the harmonization also reads, so that its chords in the new bars follow
from the phrase they continue."""
MODES = ("continue", "fill", "vary")
"""The requests it serves: the next bars, a gap regenerated, a phrase varied (2 bars at 8 and 16 bars in on the same
valid songs: a fill's notes on chord tones 0.50 to 0.73, a rhythm-keeping variation's 0.75 to 0.85)."""
UNDER_THE_TUNE = "the chords the harmonizer hears in the tune"
"""Where such a request's chords in its new bars come from (said as ``song_adapter.chords_source`` says the others)."""
OVER_THE_BASS = "the chords the harmonizer hears over the bass line"
"""Where a melody's chords come from over a bass line alone (``bass_alone``)."""


def melody_over(song: Song, track: Track, start_bar: int, bars: int) -> Track | None:
    """The tune over the accompaniment ``track`` in the ``bars`` bars from ``start_bar`` (0-based), where nobody states
    the chords there: no chord symbol in those bars, and the only other part sounding in them is one melodic line
    (drums aside). None otherwise: with a bass line or a second part playing there, the chords heard in the parts
    together are the better guess (on POP909's valid songs with a bass line taken from the piano's lowest notes,
    0.80 of the candidates' notes on chord tones over the heard chords, 0.71 over the harmonizer's). Worked out
    once per song and span (the window asks for its status line, the request and each candidate's chord lane)."""
    return sa.remembered(song, ("tune over", track.id, start_bar, bars),
                         lambda: _melody_over(song, track, start_bar, bars))


def _melody_over(song: Song, track: Track, start_bar: int, bars: int) -> Track | None:
    sounding = _sounding(song, track, start_bar, bars)
    if sounding is None or len(sounding) != 1 or sa.is_accompaniment(sa.written(song, sounding[0])):
        return None
    return sounding[0]


def _sounding(song: Song, track: Track, start_bar: int, bars: int) -> tuple[Track, ...] | None:
    """The parts other than ``track`` sounding in the ``bars`` bars from ``start_bar`` (drums aside), or None where a
    chord symbol stands there (the musician's word: nothing to work out)."""
    def compute() -> tuple[Track, ...] | None:
        mm = song.meter_map
        a, b = mm.bar_start(start_bar), mm.bar_start(start_bar + bars)
        if any(c.start < b and c.end > a for c in song.chords):
            return None
        return tuple(t for t in song.tracks if t.id != track.id and not t.is_drum and t.channel != DRUM_CHANNEL
                     and any(n[1] < b and n[1] + n[2] > a for n in sa.written(song, t)))

    return sa.remembered(song, ("sounding", track.id, start_bar, bars), compute)


def applies(song: Song, track: Track, request: ContinuationRequest) -> bool:
    """Whether ``request`` (for ``track`` of ``song``) continues, fills or varies bars of an accompaniment under a tune
    ``melody_over`` finds there, a melody over a bass line alone (``bass_alone``) or a melody's bars where it sounds
    alone (``melody_alone``); no harmonizer needed to tell."""
    return bool(_way(song, track, request))


def said(song: Song, track: Track, request: ContinuationRequest) -> str:
    """Where the chords ``with_melody_chords`` gives ``request`` come from (``UNDER_THE_TUNE``, ``OVER_THE_BASS``), as
    the status line and the JSON say it; "" where it does not apply."""
    return {"tune": UNDER_THE_TUNE, "alone": UNDER_THE_TUNE, "bass": OVER_THE_BASS}.get(_way(song, track, request), "")


def _way(song: Song, track: Track, request: ContinuationRequest) -> str:
    """Which chords ``request`` gets: "tune" (an accompaniment under a tune), "bass" (over a bass line alone: a
    melody's, or an accompaniment's whose one other line is a bass), "alone" (a melody's own bars), or ""."""
    tune = _tune(song, track, request)
    if tune is not None:
        return "bass" if _is_bass(song, tune) else "tune"
    if bass_alone(song, track, request):
        return "bass"
    return "alone" if melody_alone(song, track, request) else ""


def _is_bass(song: Song, part: Track) -> bool:
    """Whether the one line an accompaniment goes under is a bass line (``song_adapter.track_role``): its notes are the
    chords' roots, not a tune to harmonize (a piano over a bass line alone: notes on chord tones on POP909's valid
    songs 0.55 over the chords heard, 0.70 harmonizing the bass as a tune, 0.83 as a bass line)."""
    return sa.track_role(song, part) == "bass"


def melody_alone(song: Song, track: Track, request: ContinuationRequest) -> bool:
    """Whether ``request`` regenerates or varies bars of a melody that sounds alone there (no chord symbol, no other
    part but drums) and has notes of its own within LEAD_BARS of them: a tune sketched without chords. The
    harmonizer reads the chords from the tune itself, the notes being replaced included (``with_melody_chords``)."""
    if request.role != "melody" or request.mode not in ("fill", "vary") or request.start_bar is None:
        return False
    if _sounding(song, track, request.start_bar, request.bars) != ():
        return False
    lo, hi = _around(song, request.start_bar, request.bars)
    return any(lo <= n[1] < hi for n in sa.written(song, track))


def _around(song: Song, start_bar: int, bars: int) -> tuple[int, int]:
    """Ticks from LEAD_BARS before the span to LEAD_BARS after it: what the harmonizer reads of a melody alone."""
    mm = song.meter_map
    return mm.bar_start(max(start_bar - LEAD_BARS, 0)), mm.bar_start(start_bar + bars + LEAD_BARS)


def bass_alone(song: Song, track: Track, request: ContinuationRequest) -> bool:
    """Whether ``request`` writes a melody's bars (continued, filled, varied, or a melody written into an empty track)
    where no chord symbol stands and the other parts sounding there are bass lines (``song_adapter.part_role``;
    drums aside): a band's file with a bass and drums. The chords heard need two notes together, so the melody had
    none to go by, or a few where the bass's notes overlap."""
    if request.role != "melody" or request.mode not in MODES or request.start_bar is None:
        return False
    sounding = _sounding(song, track, request.start_bar, request.bars)
    return bool(sounding) and all(sa.track_role(song, t) == "bass" for t in sounding or ())


def _tune(song: Song, track: Track, request: ContinuationRequest) -> Track | None:
    """The tune ``request`` is written under where it ``applies``, else None."""
    if request.role != "accompaniment" or request.mode not in MODES or request.start_bar is None:
        return None
    if sa.hears_replaced(song, track, request):  # the notes a fill or variation replaces say the chords better
        return None
    return melody_over(song, track, request.start_bar, request.bars)


def with_melody_chords(song: Song, track: Track, request: ContinuationRequest, harmonizer: Harmonizer,
                       cancel: Callable[[], bool] | None = None) -> ContinuationRequest:
    """``request`` (a continuation, fill or variation of ``track``) with the harmonizer's chords under the tune in its
    bars, where it ``applies``; else ``request`` itself. The request's other chords (heard or stated outside those
    bars) stay."""
    way = _way(song, track, request)
    if way == "bass":
        return harmonized_over_bass(song, track, request, harmonizer, cancel)
    if way == "tune":
        tune = _tune(song, track, request)
        assert tune is not None
        return harmonized_under(song, tune, request, harmonizer, cancel)
    if way == "alone":
        return harmonized_under(song, track, request, harmonizer, cancel, after=LEAD_BARS)
    return request


def harmonized_over_bass(song: Song, track: Track, request: ContinuationRequest, harmonizer: Harmonizer,
                         cancel: Callable[[], bool] | None = None) -> ContinuationRequest:
    """``request`` (a melody's bars, or an accompaniment's, over a bass line alone) with the harmonizer's first
    harmonization there of the bass line (``HarmonyRequest.bass``) and, for a melody, of its own notes from LEAD_BARS
    before (a fill or variation: to LEAD_BARS after, the notes it replaces included; none for a melody written into
    an empty track), in the request's key; the request itself where the harmonizer cannot read them. An
    accompaniment's own notes are no melody to harmonize: it gets the bass line's chords alone."""
    if request.start_bar is None:
        return request
    mm = song.meter_map
    a, b = mm.bar_start(request.start_bar), mm.bar_start(request.start_bar + request.bars)
    lo, hi = _around(song, request.start_bar, request.bars)
    if request.mode == "continue":
        hi = a
    melody = tuple((n[0], n[1], n[2]) for n in sa.written(song, track)
                   if lo <= n[1] < hi) if request.role != "accompaniment" else ()
    end = max(b, hi)
    bass = tuple(n for n in sa.bass_under(song, track) if n[1] < end and n[1] + n[2] > lo)
    return _first_harmonization(song, request, lambda: HarmonyRequest(
        melody, meters=request.meters, key=request.key or KeySignature(0), end=end, rhythm=RHYTHM, style=request.style,
        candidates=1, seed=0, start=lo, bass=bass), harmonizer, cancel)


def harmonized_under(song: Song, tune: Track, request: ContinuationRequest, harmonizer: Harmonizer,
                     cancel: Callable[[], bool] | None = None, after: int = 0) -> ContinuationRequest:
    """``request`` with the harmonizer's first harmonization in its bars of ``tune`` from LEAD_BARS before them (to
    ``after`` bars after them: a melody's own bars regenerated or varied read the tune around them, the notes being
    replaced included); the request itself where the harmonizer cannot read the tune."""
    if request.start_bar is None:
        return request
    mm = song.meter_map
    lo = mm.bar_start(max(request.start_bar - LEAD_BARS, 0))
    hi = mm.bar_start(request.start_bar + request.bars + after)
    notes = tuple(n for n in sa.written(song, tune) if lo <= n[1] < hi)
    return _first_harmonization(song, request, lambda: sa.harmony_request(
        song, tune, notes=notes, style=request.style, rhythm=RHYTHM, candidates=1, seed=0)[0], harmonizer, cancel)


def _first_harmonization(song: Song, request: ContinuationRequest, harmony: Callable[[], HarmonyRequest],
                         harmonizer: Harmonizer, cancel: Callable[[], bool] | None) -> ContinuationRequest:
    """``request`` with the chords of the first harmonization of ``harmony()`` in its bars; the request itself where
    the harmonizer cannot read it (ValueError: the chords heard, as before) or finds none."""
    mm = song.meter_map
    a, b = mm.bar_start(request.start_bar or 0), mm.bar_start((request.start_bar or 0) + request.bars)
    try:
        found = harmonizer.harmonize(harmony(), cancel)
    except ValueError:
        return request
    return _with_chords(request, found[0].chords if found else (), a, b)


def _with_chords(request: ContinuationRequest, chords: tuple[tuple[int, int, str], ...], a: int, b: int
                 ) -> ContinuationRequest:
    """``request`` with ``chords`` in [a, b) and its own chords outside; itself when ``chords`` has none there."""
    inside = tuple((max(s, a), min(s + d, b) - max(s, a), label) for s, d, label in chords if s < b and s + d > a)
    if not inside:
        return request
    outside = sa.chords_outside(request.chords, [(a, b)])
    return replace(request, chords=tuple(sorted(outside + inside)))
