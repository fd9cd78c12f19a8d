"""The one adapter between a Song and the models: which track, which key, the requests, and results back as edits.

The command line and the window both call this module, so they pick the same track, the same key and build the
same requests from the same song::

    track = pick_track(song)                                  # the melody, by one rule
    request, key = suggest_request(song, track, bars=4)       # ContinuationRequest, KeyChoice (key + reason)
    song = add_candidate(song, track.id, engine.suggest(request)[0])
    request, key = harmony_request(song, track, style="jazz")
    song = add_harmonization(song, track.id, result, voice_harmonization(request, result, "pop"))
"""

from __future__ import annotations

import functools
import json
import re
import threading
import zipfile
from collections import Counter
from collections.abc import Callable, Hashable, Iterable, Iterator, Sequence
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

import numpy as np

from composer_app.core import edits
from composer_app.core.chords import label_in_key, parse_chord
from composer_app.core.controls import pedal_going_on
from composer_app.core.errors import SongFileError
from composer_app.core.excerpt import excerpt
from composer_app.core.pitch import KeySignature
from composer_app.core.song import DRUM_CHANNEL, ChordSymbol, Clip, Note, NoteTuple, Song, Track
from composer_app.core.timing import PPQ, MeterMap, meter_map_of
from composer_app.model import keys as key_detection
from composer_app.model import played_rhythm
from composer_app.model import tokens as tk
from composer_app.model.continuation import Candidate, ContinuationRequest, SuggestionEngine
from composer_app.model.harmony import Harmonization, Harmonizer, HarmonyRequest
from composer_app.model.heard_chords import as_heard, chords_outside, heard_chords, is_broken_chords, uncovered
from composer_app.model.two_hands import BOTH, CHORDS_SAID, tune_on_top

POLYPHONY_SHARE = 0.25
"""A part with more than this share of onsets holding several notes is accompaniment, else melody ..."""
SOUNDING_SHARE = 0.4
"""... and so is one where more than this share of onsets sound over a note still held (a broken chord over its bass,
an arpeggio with the pedal down) ..."""
CHORD_SPAN = 15
"""... across more than this many semitones: a melody held by the sustain pedal overlaps too, but stays narrower.
On the first 8 bars of 100 POP909 songs the onsets alone called 55 of the pianos melodies, the rule as a whole 2;
the melodies stay melodies (1 of 100 called accompaniment either way)."""
HELD_OVER = PPQ // 4
"""How long (ticks) a note must still sound past another's onset to count as held over it (legato playing
overlaps by less)."""
HELD_SINCE = 8 * PPQ
"""Only a note struck at most this long before (two 4/4 bars) counts as held under an onset: an accompaniment
strikes its bass again every bar or two, while a note droning on for many bars (a stray note left sounding by
its file, a pedal point) says nothing about the line above it. One C#5 held to the end of a music21 export had
made a string quartet's first violin an accompaniment."""
MELODY_NOTES_SHARE = 0.8
"""Among a file's melodic lines the melody is the highest of those with at least this share of the busiest one's
notes: the first violin of a quartet or the soprano of a hymn rather than a busier viola or bass line, while a
sparser line above the tune (a descant, POP909's BRIDGE between the sung phrases) is not taken for it. Taking the
busiest line had picked the bass of a hymn and the viola of two Mozart quartets; on 100 POP909 songs without
track names the pick is the MELODY 76 times (77 before; the rest the BRIDGE)."""
BASS_BELOW = 48
"""A line whose mean pitch lies below this (C3), or more than BASS_UNDER below the highest line's, or whose track
is named for the bass, is a bass line: never the melody while another line plays. A DAW song's busy bass has more
notes than its tune (an eighth-note bass added to 100 POP909 songs without track names was taken for the melody
in 81 of them, now in none), and so has a trio sonata's continuo (Corelli: 101 notes against the violins' 71)."""
BASS_UNDER = 18
"""Semitones (an octave and a half) below the highest melodic line's mean pitch where a line counts as a bass."""
CONTRADICTION_FIT = 0.75
"""A key signature is contradicted when less than this share of the notes' duration lies in its scale ..."""
CONTRADICTION_MARGIN = 0.15
"""... and the detected key's scale holds at least this much more of it."""
ACCOMPANIMENT_TRACK = "accompaniment"
CHORDS_TRACK = "chords"
MELODY_TRACK = "melody"
_LEAD_NAME = re.compile(r"(?:^|[^a-z])(?:melod|lead|vocal|vox|voice|sing|tune|solo)", re.IGNORECASE)
"""Track names that say a line carries the tune (a DAW's "Lead Vox", "Vocal", "Solo Trumpet"): among the melodic
lines, those so named are the ones the melody is chosen from, so a busy high arpeggio does not win over them."""
_STYLE_TAG = re.compile(r"\[(" + "|".join(tk.STYLES) + r")\]")
NO_KEY = (KeySignature(0),)
"""``song.keys`` of a song without any key event."""


# ---------------------------------------------------------------- which track


def _name_is(track: Track, name: str) -> bool:
    return track.name.strip().lower() == name.strip().lower()


def _pitched(track: Track, chords_track: bool = False) -> bool:
    """Not drums; not the lead sheet's 'chords' track either unless ``chords_track``."""
    return not track.is_drum and track.channel != DRUM_CHANNEL and (chords_track or not _name_is(track, CHORDS_TRACK))


def polyphony(notes: Sequence[NoteTuple]) -> float:
    """Share of onsets where several notes start together (0 for a melody, near 1 for block chords)."""
    onsets = Counter(n[1] for n in notes)
    if not onsets:
        return 0.0
    return sum(1 for c in onsets.values() if c > 1) / len(onsets)


def held_share(notes: Sequence[NoteTuple]) -> float:
    """Share of onsets where a note started earlier, at most HELD_SINCE ticks before, still sounds (by more than
    HELD_OVER ticks)."""
    if not notes:
        return 0.0
    order = sorted(notes, key=lambda n: n[1])
    starts = np.array([n[1] for n in order])
    ends = np.array([n[1] + n[2] for n in order])
    onsets = np.unique(starts)
    lo = np.searchsorted(starts, onsets - HELD_SINCE, side="left")
    hi = np.searchsorted(starts, onsets, side="left")
    held = sum(int(a < b and ends[a:b].max() > onset + HELD_OVER) for a, b, onset in zip(lo, hi, onsets))
    return held / len(onsets)


def is_accompaniment(notes: Sequence[NoteTuple]) -> bool:
    """Chords (several notes on many onsets) or broken chords (notes sounding over held ones across more than
    CHORD_SPAN semitones); a melody otherwise, legato or pedalled."""
    if polyphony(notes) > POLYPHONY_SHARE:
        return True
    return bool(notes) and max(n[0] for n in notes) - min(n[0] for n in notes) > CHORD_SPAN \
        and held_share(notes) > SOUNDING_SHARE


def pick_track(song: Song, name: str | None = None) -> Track:
    """The part the models work on, by one rule for suggest, harmonize, eval and the window.

    The track named ``name`` (any case; or numbered so, from 1 as ``info`` lists them, when no track has that
    name) when given; else a track named 'melody'; else, among the pitched
    tracks (not drums, not the lead sheet's 'chords') that play a melody rather than an accompaniment
    (``is_accompaniment``; all of them when none does) and are not bass lines (``BASS_BELOW``), nor broken-chord
    figures (``heard_chords.is_broken_chords``: an arpeggio busier than the tune) while another line is not, those
    named for the tune when any is (``_LEAD_NAME``), then the highest of them with at least MELODY_NOTES_SHARE of the
    busiest one's notes. ValueError when none fits.
    """
    if name is not None:
        return _named_track(song, name)
    pitched = [t for t in song.tracks if _pitched(t) and t.note_count]
    for t in pitched:
        if _name_is(t, MELODY_TRACK):
            return t
    if not pitched:
        raise ValueError("no pitched track with notes (drum and chord-symbol tracks are not used)")

    notes = {id(t): written(song, t) for t in pitched}
    mean = {id(t): sum(n[0] for n in notes[id(t)]) / len(notes[id(t)]) for t in pitched}
    lines = [t for t in pitched if not is_accompaniment(notes[id(t)])] or pitched
    floor = max(BASS_BELOW, max(mean[id(t)] for t in lines) - BASS_UNDER)
    lines = [t for t in lines if mean[id(t)] >= floor and "bass" not in t.name.lower()] or lines
    lines = [t for t in lines if not is_broken_chords(notes[id(t)], meters_of(song), held=True)] or lines
    lines = [t for t in lines if _LEAD_NAME.search(t.name)] or lines
    busiest = max(len(notes[id(t)]) for t in lines)
    busy = [t for t in lines if len(notes[id(t)]) >= MELODY_NOTES_SHARE * busiest]
    return max(busy, key=lambda t: (mean[id(t)], len(notes[id(t)])))


def without_chords(song: Song) -> Song:
    """The song as a melody to harmonize afresh: no chord symbols and no lead sheet 'chords' track. An evaluation
    judges a harmonization against them, so they must not reach the request, not as key evidence either."""
    return replace(song, chords=(), tracks=tuple(t for t in song.tracks if not _name_is(t, CHORDS_TRACK)))


def _named_track(song: Song, name: str) -> Track:
    """The track called ``name``, else the one numbered ``name``; ValueError naming the choices when there is
    none, or when several share the name (a score's two piano staves often do)."""
    found = [i for i, t in enumerate(song.tracks) if _name_is(t, name)]
    if len(found) == 1:
        return song.tracks[found[0]]
    if found:
        numbers = ", ".join(str(i + 1) for i in found)
        raise ValueError(f"{len(found)} tracks are named {name!r} (numbers {numbers}): give the track's number "
                         "instead")
    if name.strip().isdigit() and 1 <= int(name) <= len(song.tracks):
        return song.tracks[int(name) - 1]
    names = ", ".join(f"{i + 1} {t.name!r}" for i, t in enumerate(song.tracks)) or "none"
    raise ValueError(f"no track named {name!r} (tracks: {names})")


def track_notes(track: Track) -> tuple[NoteTuple, ...]:
    """(pitch, start, duration, velocity) of every note of a track, absolute ticks, in time order."""
    return tuple((n.pitch, n.start, n.duration, n.velocity) for n in track.notes_absolute())


def infer_role(notes: Sequence[NoteTuple]) -> str:
    """'accompaniment' for chords and broken chords (``is_accompaniment``), else 'melody'."""
    return "accompaniment" if is_accompaniment(notes) else "melody"


BASS_PROGRAMS = (*range(32, 40), 43, 58)
"""General MIDI's basses (acoustic, electric, fretless, slap, synth), the contrabass and the tuba: instruments whose
line is the bass. (A cello, a bassoon or a baritone sax often plays the bass line, but as often the tune: a line of
theirs is a bass when it lies low, BASS_BELOW, or its track is named so.)"""


def part_role(track: Track, notes: Sequence[NoteTuple], song: Song | None = None) -> str:
    """The request role of ``track``'s ``notes``: in ``song``, ``two_hands.BOTH`` for chords that carry a tune on top
    where no other part but a bass line plays (``two_hands.tune_on_top``: a piano solo, a hymn in one track, written
    as its tune and its accompaniment); 'accompaniment' for other chords (``infer_role``) and, in ``song``, for a
    broken-chord figure that goes with another part and is not the tune (``heard_chords.is_broken_chords``, its notes
    held on or not: an Alberti bass under the pedal is one; ``accompanies``; an arpeggio sketched alone is a tune
    until a part comes to go with it); 'bass' for
    another line that its track names or sounds as a bass (a General MIDI bass program) or that lies below
    BASS_BELOW on average; else 'melody'. A bass line is written leaning on the chords' roots (``decoding.BASS_ROOT``).

    A figure asked for as an accompaniment goes under the harmonizer's chords of the tune (``melody_chords``), and
    its regenerated bars over the chords its own notes spell (``replaced_chords``). On the accompaniments of 30 POP909
    valid songs made into Alberti figures and arpeggios (``heard_eval.broken``), continued 4 bars at 8 and 16 bars in,
    2 seeds: notes on the annotated chords' tones 0.515 as a melody over no chords (before), 0.576 as a melody over
    the harmonizer's chords, 0.674 as an accompaniment over them (the chorales 0.442, 0.505, 0.578); pitch classes
    against the real next bars 0.731, 0.750, 0.759 (chorales 0.665, 0.681, 0.676)."""
    role = infer_role(notes)
    if role == "accompaniment" and song is not None and tune_on_top(notes) and not _with_tune(song, track):
        return BOTH
    if role != "melody" or not notes:
        return role
    if song is not None and is_broken_chords(notes, meters_of(song), held=True) and accompanies(song, track):
        return "accompaniment"
    return "bass" if _bass_line(track, notes) else role


def _bass_line(track: Track, notes: Sequence[NoteTuple]) -> bool:
    """Whether the line ``notes`` of ``track`` is a bass line: named so, a bass's program, or lying low."""
    named = "bass" in track.name.lower() or track.program in BASS_PROGRAMS
    return named or bool(notes) and sum(n[0] for n in notes) / len(notes) < BASS_BELOW


def _with_tune(song: Song, track: Track) -> bool:
    """Whether another pitched part than ``track`` plays, other than a bass line (the tune, a second accompaniment)."""
    return any(is_accompaniment(notes := written(song, t)) or not _bass_line(t, notes) for t in _others(song, track))


PART_ROLES = {"melody": "Tune", BOTH: "Tune + chords", "accompaniment": "Chords", "bass": "Bass"}
"""The roles a musician may choose for a part instead of the one ``part_role`` infers, and their names in the window."""


def track_role(song: Song, track: Track) -> str:
    """``part_role`` of all of ``track``'s notes, worked out once per song (the requests and the window ask often)."""
    return _last_song.get(song, ("role", track.id), lambda: part_role(track, written(song, track), song))


def part_of(song: Song, track: Track) -> str | None:
    """``track_role`` of a pitched track with notes (what the window's Part and ``info`` name); None for drums or an
    empty track."""
    if not track.note_count or track.is_drum or track.channel == DRUM_CHANNEL:
        return None
    return track_role(song, track)


def pitched_part(track: Track) -> Track:
    """``track`` when it plays pitched notes; ValueError for a drum track (its note numbers name drums, not pitches:
    the models write and hear melodies, chords and bass lines)."""
    if track.is_drum or track.channel == DRUM_CHANNEL:
        raise ValueError(f"{track.name or 'this track'!r} is a drum track: the assistant writes and harmonizes pitched "
                         "parts (melody, chords, bass), not drums")
    return track


def song_style(song: Song, default: str = "pop") -> str:
    """A ``[folk]``-style tag in the title (lead sheets written by the exporter), else ``default``."""
    m = _STYLE_TAG.search(song.title or "")
    return m.group(1) if m else default


def meters_of(song: Song) -> tuple[tuple[int, int, int], ...]:
    return tuple((m.tick, m.numerator, m.denominator) for m in song.meters)


def chords_of(song: Song) -> tuple[tuple[int, int, str], ...]:
    return tuple((c.start, c.duration, c.label) for c in song.chords)


CHORDS_FROM_SYMBOLS = "the chord symbols"
CHORDS_HEARD = "the chords the other parts play"
CHORDS_BOTH = "the chord symbols, and where there are none the chords the other parts play"
NO_CHORDS = "no chords"


def request_chords(song: Song, track: Track) -> tuple[tuple[int, int, str], ...]:
    """The chords a request for ``track`` is conditioned on (``chords_source`` says where they come from): the
    song's chord symbols, and where none stands the chords its other parts play (``heard_under``): a MIDI file
    from a DAW gives its harmony only as a piano or guitar part. The network learnt with the chords: on 40 POP909
    test songs with their piano part and no symbols, the melody costs 3.724 nats a note over the chords heard in
    it, 3.792 with none, 3.718 with the annotated ones."""
    return tuple(sorted(chords_of(song) + heard_under(song, track)))


class _SongMemo:
    """What is worked out from the last song asked about (the chords heard under each track, its detected key
    sections and their rivals), kept while its tracks, meters, keys and chords are the same objects (a song is
    immutable: an edit makes new ones), so a request and the window's views work each out once."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._of: tuple = (None, None, None, None)
        self._values: dict = {}

    def get(self, song: Song, what: Hashable, compute: Callable[[], Any]) -> Any:
        of = (song.tracks, song.meters, song.keys, song.chords)
        with self._lock:
            if all(a is b for a, b in zip(self._of, of)) and what in self._values:
                return self._values[what]
        value = compute()
        with self._lock:
            if not all(a is b for a, b in zip(self._of, of)):
                self._of, self._values = of, {}
            self._values[what] = value
        return value


_last_song = _SongMemo()


def written(song: Song, track: Track, notes: Iterable[NoteTuple] | None = None) -> tuple[NoteTuple, ...]:
    """``notes`` of ``track`` (default all of them) as the models read them, in time order: the clips played in by hand
    (a take recorded without input quantize, a performance from a DAW) as written (``played_rhythm``: onsets on the
    grid the player meant, notes held to the next one, a key struck twice on one onset one note), each clip judged on
    its own; other notes as they are."""
    table = _written_table(song, track)
    if not table:  # nothing played in
        return track_notes(track) if notes is None else tuple(sorted(notes, key=lambda n: (n[1], n[0])))
    if notes is None:
        return _last_song.get(song, ("written notes", track.id),
                              lambda: played_rhythm.deduped(table.get(n, n) for n in track_notes(track)))
    return played_rhythm.deduped(table.get(n, n) for n in notes)


def _written_table(song: Song, track: Track) -> dict[NoteTuple, NoteTuple]:
    """Each note (absolute ticks) of ``track``'s clips played in by hand -> the note as written, once per song."""
    def compute() -> dict[NoteTuple, NoteTuple]:
        meters, table = meters_of(song), {}
        for clip in track.clips:
            notes = [(n.pitch, clip.start + n.start, n.duration, n.velocity) for n in clip.notes]
            if played_rhythm.is_played(notes):
                table.update(zip(notes, played_rhythm.written_each(notes, meters)))
        return table
    return _last_song.get(song, ("written", track.id), compute)


def remembered(song: Song, what: Hashable, compute: Callable[[], Any]) -> Any:
    """``compute()`` for ``song`` (``what`` names it), worked out once while the song stays the same (``_SongMemo``):
    for what a request and the window's views each ask of the same song."""
    return _last_song.get(song, what, compute)


def heard_under(song: Song, track: Track) -> tuple[tuple[int, int, str], ...]:
    """The chords the song's parts other than ``track`` play (``heard_chords``, beat by beat), spelt in the key
    there, wherever no chord symbol stands (a symbol is the musician's word and wins)."""
    return _last_song.get(song, ("heard", track.id), lambda: _hear(song, track))


def _hear(song: Song, track: Track) -> tuple[tuple[int, int, str], ...]:
    return _heard_spelt(song, tuple(n for t in song.tracks if t.id != track.id and _pitched(t, chords_track=True)
                                    for n in heard_notes(song, t)))


def heard_notes(song: Song, track: Track) -> tuple[NoteTuple, ...]:
    """``track``'s notes (``written``) as the ear takes them for its chords (``heard_chords.as_heard``: a broken-chord
    figure's notes taken together a half bar at a time, any other part as written), worked out once per song. The
    song's tune (``pick_track``) is heard as written while other parts play: a tune that leaps along its chord (a
    fanfare, a hook on the triad) is the line the chords go under, not one of them."""
    def hear() -> tuple[NoteTuple, ...]:
        notes = written(song, track)
        return notes if plays_the_tune(song, track) else as_heard(notes, meters_of(song))
    return _last_song.get(song, ("as heard", track.id), hear)


def plays_the_tune(song: Song, track: Track) -> bool:
    """Whether ``track`` is the song's tune (``pick_track``) while another pitched part plays: a line the chords go
    under, never one of them, even where it leaps along its chord (a fanfare, a hook on the triad)."""
    return _with_others(song, track) and _tune_id(song) == track.id


def accompanies(song: Song, track: Track) -> bool:
    """Whether ``track`` plays along with another pitched part and is not the song's tune."""
    return _with_others(song, track) and _tune_id(song) != track.id


def _with_others(song: Song, track: Track) -> bool:
    return any(_others(song, track))


def _others(song: Song, track: Track) -> Iterator[Track]:
    """The pitched parts with notes other than ``track`` (not drums, not the lead sheet's 'chords')."""
    return (t for t in song.tracks if t.id != track.id and _pitched(t) and t.note_count)


def _tune_id(song: Song) -> str | None:
    """The id of the track ``pick_track`` takes for the song's tune (None when none fits), worked out once per song."""
    def tune() -> str | None:
        try:
            return pick_track(song).id
        except ValueError:
            return None
    return _last_song.get(song, "tune", tune)


def _heard_spelt(song: Song, notes: tuple[NoteTuple, ...], a: int = 0, b: int | None = None
                 ) -> tuple[tuple[int, int, str], ...]:
    """The chords heard in ``notes`` (from tick ``a``, up to ``b``: the end of the notes when None), wherever no chord
    symbol stands, spelt in the key there."""
    written = sorted((c.start, c.end) for c in song.chords)
    out = []
    for start, duration, label in heard_chords(notes, meters_of(song), end=b):
        for lo, hi in uncovered(max(start, a), start + duration if b is None else min(start + duration, b), written):
            out.append((lo, hi - lo, label_in_key(label, spelling_key(song, lo))))
    return tuple(out)


def chords_source(song: Song, chords: Sequence[tuple[int, int, str]]) -> str:
    """Where the ``chords`` of a request built by ``request_chords`` for ``song`` came from (its phrase)."""
    if not song.chords:
        return CHORDS_HEARD if chords else NO_CHORDS
    return CHORDS_BOTH if len(chords) > len(song.chords) else CHORDS_FROM_SYMBOLS


CHORDS_REPLACED = "the chords of the notes it replaces"
"""Where a fill's or variation's chords in its span come from when they are heard in the accompaniment's own notes
there (``replaced_chords``)."""


def replaced_chords(song: Song, track: Track, start_bar: int, bars: int) -> tuple[tuple[int, int, str], ...]:
    """The chords heard in the bars ``start_bar``.. ``start_bar + bars - 1`` (0-based) where ``track``'s own notes there
    (those a fill or a variation replaces) sound with the other parts, and no chord symbol stands; spelt in the key.

    Regenerating or varying two bars of a piano part under its tune, the notes being replaced are the best witness of
    the harmony there: the network learnt fills over the chords of the real span. On POP909's valid songs as a DAW
    writes them (piano at 8 and 16 bars in, 3 seeds) the candidates' notes on tones of the annotated chords rose from
    0.72 (the harmonizer's chords under the tune) to 0.87 for a fill and from 0.83 to 0.90 for a rhythm-keeping
    variation; on the chorales' lower voices from 0.62 to 0.75 and 0.71 to 0.78 (model card)."""
    return _last_song.get(song, ("replaced", track.id, start_bar, bars),
                          lambda: _hear_replaced(song, track, start_bar, bars))


def _hear_replaced(song: Song, track: Track, start_bar: int, bars: int) -> tuple[tuple[int, int, str], ...]:
    mm = song.meter_map
    a, b = mm.bar_start(start_bar), mm.bar_start(start_bar + bars)
    own = tuple(n for n in heard_notes(song, track) if a <= n[1] < b)
    if not own:
        return ()
    others = tuple(n for t in song.tracks if t.id != track.id and _pitched(t, chords_track=True)
                   for n in heard_notes(song, t) if n[1] < b and n[1] + n[2] > a)
    return _heard_spelt(song, own + others, a, b)


REPLACED_ROLES = ("accompaniment", BOTH)
"""The parts whose own notes in a span, when regenerated or varied, say its chords: an accompaniment, and a part
that plays its tune over its own chords (on the valid lead sheets played on the piano, a fill's notes on the
annotated chords 0.755 over the chords heard in its accompaniment alone, 0.769 over those of all its notes there)."""


def hears_replaced(song: Song, track: Track, request: ContinuationRequest) -> bool:
    """Whether ``request`` regenerates or varies bars of an accompaniment (or of a part that plays its tune over its
    own chords) whose own notes there give chords (``replaced_chords``): ``fill_request`` then puts those chords under
    the span."""
    return (request.mode in ("fill", "vary") and request.role in REPLACED_ROLES and request.start_bar is not None
            and bool(replaced_chords(song, track, request.start_bar, request.bars)))


def with_replaced_chords(song: Song, track: Track, request: ContinuationRequest) -> ContinuationRequest:
    """``request`` with the chords of the notes it replaces in its span (``replaced_chords``), where it
    ``hears_replaced``; the request's own chords stay outside the span and where those notes give none."""
    if not hears_replaced(song, track, request) or request.start_bar is None:
        return request
    heard = replaced_chords(song, track, request.start_bar, request.bars)
    kept = chords_outside(request.chords, sorted((s, s + d) for s, d, _ in heard))
    return replace(request, chords=tuple(sorted(kept + heard)))


def request_chords_source(song: Song, track: Track, request: Any) -> str:
    """Where a request's chords come from, as the status line and the JSON say it."""
    if isinstance(request, ContinuationRequest) and hears_replaced(song, track, request):
        return CHORDS_REPLACED
    if isinstance(request, ContinuationRequest) and request.role == BOTH and not song.chords:
        return CHORDS_SAID
    return chords_source(song, request.chords)


# ---------------------------------------------------------------- which key


SET_BY_YOU = "set by you"
FROM_SIGNATURE = "key signature"
"""``KeyChoice.reason`` of a key the user set, and of the song's key signature (the policies that keep to them)."""


@dataclass(frozen=True)
class KeyChoice:
    """The key a request uses, why (one line for a person), and the key detected from the notes (if any)."""

    key: KeySignature
    reason: str
    detected: KeySignature | None


def has_key_signature(song: Song) -> bool:
    """False for a song without any key event (most files from DAWs): its C major is only a default."""
    return song.keys != NO_KEY


def detection_notes(song: Song, notes: Sequence[NoteTuple] = ()) -> tuple[NoteTuple, ...]:
    """What the key is judged on: the context ``notes``, every pitched part of the song and its chord symbols as
    held notes (``chord_tones``): a song's bass, accompaniment and chords tell its key far better than its
    melody alone (model card). The same for every request and for the window's "Detected" key, so a
    harmonization works in the key the window shows. Context notes that are not in the song (the kept bars of a
    candidate "More like this" builds on) are added; a note doubled (the same pitch, onset, length and velocity)
    counts once. In no particular order: key detection sums durations."""
    return tuple(dict.fromkeys(_evidence_parts(song) + tuple(notes))) + chord_tones(song)


def _detected_key(song: Song, heard: Sequence[NoteTuple], at_tick: int, bars: int | None,
                  ahead: bool = True) -> KeySignature | None:
    """The key detected from ``heard`` (``detection_notes``) for music that goes on at ``at_tick`` (None when there
    is nothing to tell): the section key in force there, or with ``bars``, the key of those bars before ``at_tick``
    taken as one passage (a whole melody to harmonize). Sections are found over the whole song where music
    follows ``at_tick`` and ``ahead`` lets it count (``keys.key_amid``: the sections the window shows), else over
    the music before it (``keys.key_before``)."""
    if not heard:
        return None
    if bars is None:
        if ahead and any(n[1] >= at_tick for n in heard):
            return key_detection.key_amid(heard, at_tick, meters_of(song))
        return key_detection.key_before(heard, at_tick, meters_of(song))
    final = key_detection.ending_pitch_class([n for n in heard if n[1] < at_tick], until=at_tick)
    return key_detection.local_key(heard, at_tick, meters_of(song), bars, final=final).key


def choose_key(song: Song, notes: Sequence[NoteTuple], at_tick: int, key_explicit: bool = False,
               bars: int | None = None, ahead: bool = True) -> KeyChoice:
    """The key the models see for a context ``notes`` ending at ``at_tick``, by one policy.

    A key the user set on purpose (``key_explicit``, or ``song.key_explicit``) wins; a song without a key
    event uses the key detected from the notes; a key signature the notes contradict strongly gives way to
    the detected key; otherwise the song's key in force at ``at_tick``. Detection (``_detected_key``) finds the
    section key in force at ``at_tick`` (the local key, not the song's first), or with ``bars``, the key of
    those bars before it as one passage. What counts: ``detection_notes``; the music after ``at_tick`` only
    with ``ahead`` (an evaluation whose file holds the answer there passes False).
    """
    signature = song.key_at(at_tick)
    heard = detection_notes(song, notes)
    detected = _detected_key(song, heard, at_tick, bars, ahead)
    if key_explicit or song.key_explicit:
        return KeyChoice(signature, SET_BY_YOU, detected)
    if detected is None:
        reason = FROM_SIGNATURE if has_key_signature(song) else "no key signature and no notes: C major"
        return KeyChoice(signature, reason, None)
    if not has_key_signature(song):
        chords = any(c.start < at_tick for c in song.chords)
        return KeyChoice(detected, f"detected from the notes{' and chord symbols' if chords else ''}, no key "
                                   "signature", detected)
    if _contradicts(song, heard, at_tick, bars or key_detection.SECTION_BARS, signature, detected):
        return KeyChoice(detected, f"detected: the notes contradict the {signature.name} signature", detected)
    return KeyChoice(signature, FROM_SIGNATURE, detected)


def _context_weights(song: Song, notes: Sequence[NoteTuple], at_tick: int, bars: int) -> np.ndarray:
    """Duration per pitch class over the span local key detection judges (same fallback when it is nearly empty)."""
    mm = song.meter_map
    lo = mm.bar_start(max(mm.bar_of(max(at_tick - 1, 0)) + 1 - bars, 0))
    hist = key_detection.pitch_class_weights(notes, lo, at_tick)
    if hist.sum() < mm.bar_start(1):
        before = any(n[1] < at_tick for n in notes)
        hist = key_detection.pitch_class_weights(notes, None, at_tick if before else None)
    return hist


def scale_fit(hist: np.ndarray, key: KeySignature) -> float:
    """Share of a pitch-class histogram lying in ``key``'s scale (1 when empty)."""
    total = float(hist.sum())
    return 1.0 if total <= 0 else float(sum(hist[pc] for pc in key.scale)) / total


def _contradicts(song: Song, notes: Sequence[NoteTuple], at_tick: int, bars: int, signature: KeySignature,
                 detected: KeySignature) -> bool:
    if detected.scale == signature.scale:  # the same key or its relative: the signature holds
        return False
    hist = _context_weights(song, notes, at_tick, bars)
    sig_fit, det_fit = scale_fit(hist, signature), scale_fit(hist, detected)
    return sig_fit < CONTRADICTION_FIT and det_fit - sig_fit >= CONTRADICTION_MARGIN


def pitched_notes(song: Song, chords_track: bool = False) -> tuple[NoteTuple, ...]:
    """The notes of every pitched track (no drums; no 'chords' track unless ``chords_track``), as the models read them
    (``written``)."""
    return tuple(n for t in song.tracks if _pitched(t, chords_track) for n in written(song, t))


def _evidence_parts(song: Song) -> tuple[NoteTuple, ...]:
    """The notes key detection counts: every pitched track's, and a track named 'chords' too when the song has
    no chord symbols (with symbols it is their playback, and the symbols count instead)."""
    return pitched_notes(song, chords_track=not song.chords)


def detected_sections(song: Song) -> tuple[KeySignature, ...]:
    """The keys detected from the song's pitched notes, one per section (empty for a song without notes)."""
    def sections() -> tuple[KeySignature, ...]:
        notes = _last_song.get(song, "evidence", lambda: detection_notes(song))
        return key_detection.piece_sections(notes, meters_of(song)) if notes else ()

    return _last_song.get(song, "sections", sections)


def detected_rivals(song: Song) -> tuple[KeySignature | None, ...]:
    """Per detected section (``detected_sections``): another key that fits its notes about as well as its own
    (within ``keys.CLOSE``), else None."""
    return _last_song.get(song, "rivals", lambda: key_detection.section_rivals(
        _last_song.get(song, "evidence", lambda: detection_notes(song)), detected_sections(song)))


def spelling_key(song: Song, tick: int) -> KeySignature:
    """The key the notes at ``tick`` are named in: the song's key when it has a key signature, else the key
    detected there (a DAW file in Eb without a signature reads Eb and Bb, not D# and A#)."""
    if has_key_signature(song):
        return song.key_at(tick)
    sections = detected_sections(song)
    return key_detection.key_at(sections, tick) if sections else song.key_at(tick)


def song_key_report(song: Song, notes: Sequence[NoteTuple] | None = None) -> dict:
    """What ``info`` prints: the signature, the key detected from the notes (and a second that fits about as well,
    within ``keys.CLOSE``), and per-section keys if it modulates."""
    if notes is None:
        notes = detection_notes(song)
    final = key_detection.ending_pitch_class(notes)
    detected = key_detection.estimate_key(notes, final=final) if notes else None
    sections = key_detection.piece_sections(notes, meters_of(song)) if notes else ()
    rival = key_detection.close_rival(detected.scores, detected.key) if detected else None
    return {"signature": song.keys[0].name if has_key_signature(song) else None,
            "detected": detected.key.name if detected else None,
            "confidence": round(detected.confidence, 3) if detected else None,
            "also_fits": rival.name if rival else None,
            "sections": [{"bar": song.meter_map.bar_of(k.tick) + 1, "key": k.name} for k in sections]
            if len(sections) > 1 else []}


# ---------------------------------------------------------------- requests


def bar_after(notes: Sequence[NoteTuple], song: Song) -> int:
    """The first bar after ``notes`` end (the bar their last end falls in, rounded up)."""
    return _bar_after(notes, song)


def _bar_after(notes: Sequence[NoteTuple], song: Song) -> int:
    end = max(n[1] + n[2] for n in notes)
    mm = song.meter_map
    bar = mm.bar_of(end)
    return bar if mm.bar_start(bar) == end else bar + 1


def suggest_request(song: Song, track: Track, *, notes: Sequence[NoteTuple] | None = None,
                    start_bar: int | None = None, bars: int = 4, candidates: int = 4,
                    temperature: float | None = None, top_p: float | None = None, key_lock: bool = False,
                    pitch_range: tuple[int, int] | None = None, density: float | None = None,
                    style: str | None = None, seed: int | None = None, key_explicit: bool = False,
                    phrase_end: bool = True, role: str | None = None) -> tuple[ContinuationRequest, KeyChoice]:
    """A continuation request for ``notes`` (the selection or open clip; default all of ``track``) and its key.

    ``start_bar`` (0-based) is the first new bar; None continues after the notes. The context is the notes
    starting before that bar; the role is ``role`` (one of ``PART_ROLES``, the musician's word) or inferred from them
    (``part_role``); meters, chords and style come from the song; None options take the engine's defaults.
    ValueError when there is nothing to continue.
    """
    pitched_part(track)
    notes = written(song, track, notes)
    if start_bar is None:
        if not notes:
            raise ValueError(f"track {track.name!r} has no notes to continue")
        start_bar = _bar_after(notes, song)
    at_tick = song.meter_map.bar_start(start_bar)
    context = tuple(n for n in notes if n[1] < at_tick)
    choice = choose_key(song, context, at_tick, key_explicit)
    options: dict = {"temperature": temperature, "top_p": top_p, "seed": seed, "pitch_range": pitch_range,
                     "density": density}
    request = ContinuationRequest(
        context=context, meters=meters_of(song), key=choice.key, chords=request_chords(song, track),
        start_bar=start_bar, bars=bars, candidates=candidates, key_lock=key_lock, style=style or song_style(song),
        role=role or part_role(track, context or notes, song), phrase_end=phrase_end,
        **{k: v for k, v in options.items() if v is not None})
    return request, choice


def melody_of(notes: Iterable[NoteTuple]) -> tuple[tuple[int, int, int], ...]:
    """(pitch, start, duration) of notes, as the harmonizer reads a melody."""
    return tuple((n[0], n[1], n[2]) for n in notes)


def harmony_request(song: Song, track: Track, *, notes: Sequence[NoteTuple] | None = None,
                    key_explicit: bool = False, **options) -> tuple[HarmonyRequest, KeyChoice]:
    """A harmonization request for ``notes`` (the selected melody; default all of ``track``) and its key.

    The key is chosen as for ``suggest_request``, judged on the whole melody's bars (and what else
    ``detection_notes`` counts there); meters come from the song, and so do the chords kept around ``range_bars``:
    its chord symbols, and where none stands the chords its other parts play (``request_chords``, so a
    reharmonized range leads from and into what the piano plays). Notes that reach the track's last note end the
    music (``ends_music``: a tune ending on its tonic ends at home); ``options`` are HarmonyRequest fields (style,
    rhythm, complexity, candidates, pins, range_bars, seed, method ...). ValueError when there is no melody.
    """
    whole = written(song, pitched_part(track))
    notes = whole if notes is None else written(song, track, notes)
    if not notes:
        raise ValueError(f"track {track.name!r} has no notes to harmonize")
    end = max(n[1] + n[2] for n in notes)
    mm = song.meter_map
    span_bars = mm.bar_of(max(end - 1, 0)) - mm.bar_of(notes[0][1]) + 1
    choice = choose_key(song, notes, end, key_explicit, bars=max(span_bars, key_detection.SECTION_BARS))
    start = mm.bar_start(mm.bar_of(notes[0][1]))
    existing = request_chords(song, track)
    fields: dict = {"melody": melody_of(notes), "meters": meters_of(song), "key": choice.key, "end": end,
                    "existing": existing, "ends_music": not whole or notes[-1][1] >= whole[-1][1],
                    "bass": bass_under(song, track)}
    if options.get("range_bars") is None:
        options.pop("range_bars", None)
        if _is_phrase(notes, whole, mm):
            fields.update(_phrase_fields(notes, whole, existing, mm))
    ranged = options.get("range_bars", fields.get("range_bars")) is not None
    sections = () if ranged else _key_sections_over(song, choice, start, end)
    if len(sections) == 1 and choice.reason not in (SET_BY_YOU, FROM_SIGNATURE) \
            and (sections[0].tonic, sections[0].mode) != (choice.key.tonic, choice.key.mode):
        fields["key"] = sections[0]
        choice = replace(choice, key=sections[0], detected=sections[0])
    if len(sections) > 1:
        fields.update(key=sections[0], key_changes=sections[1:])
        by_bar = ", ".join(f"{k.name} from bar {mm.bar_of(max(k.tick, start)) + 1}" for k in sections)
        choice = replace(choice, key=sections[0], reason=f"{choice.reason}; it modulates: {by_bar}")
    fields.update(options)
    return HarmonyRequest(**fields), choice


OVER_THE_BASS = "the bass line"
"""What a harmonization leans on where the song has a bass line (``bass_under``), as the status line says it."""


def bass_under(song: Song, track: Track) -> tuple[tuple[int, int, int], ...]:
    """(pitch, start, duration) of the bass lines other than ``track`` (``part_role``): what a harmonization of its
    melody leans on (``HarmonyRequest.bass``)."""
    def compute() -> tuple[tuple[int, int, int], ...]:
        lines = [t for t in song.tracks if t.id != track.id and _pitched(t) and track_role(song, t) == "bass"]
        return tuple(sorted(((n[0], n[1], n[2]) for t in lines for n in written(song, t)), key=lambda n: (n[1], n[0])))

    return _last_song.get(song, ("bass under", track.id), compute)


PHRASE_CONTEXT_BARS = 4
"""Bars on each side of a phrase harmonized on its own whose melody and chords (symbols, else the chords the
other parts play) the harmonization leads from and into."""


def _is_phrase(notes: Sequence[NoteTuple], whole: Sequence[NoteTuple], mm: MeterMap) -> bool:
    """Whether ``notes`` (a selection, a clip) begin after the track's first bar or end before its last one."""
    first, last = (mm.bar_of(n[1]) for n in (notes[0], notes[-1]))
    return bool(whole) and (first > mm.bar_of(whole[0][1]) or last < mm.bar_of(whole[-1][1]))


def _phrase_fields(notes: Sequence[NoteTuple], whole: Sequence[NoteTuple], chords: Sequence[tuple[int, int, str]],
                   mm: MeterMap) -> dict:
    """A phrase later in a song: its harmonization starts at its first bar (no lead-in chords written over the
    music before it). Where chords stand in the PHRASE_CONTEXT_BARS around it, the request spans them too, with
    the melody there, and harmonizes the phrase's bars only (``range_bars``), leading from and into those chords:
    on the held-out lead sheets' middle 4 of 8 bars this agrees with the real roots 0.011-0.038 more often per
    source than the phrase alone."""
    a = mm.bar_of(notes[0][1])
    b = max(a, mm.bar_of(max(n[1] + n[2] for n in notes) - 1))
    lo, hi = mm.bar_start(a), mm.bar_start(b + 1)
    before, after = mm.bar_start(max(a - PHRASE_CONTEXT_BARS, 0)), mm.bar_start(b + 1 + PHRASE_CONTEXT_BARS)
    if not any(s < lo and s + d > before or hi <= s < after for s, d, _ in chords):
        return {"start": lo}
    around = [n for n in whole if before <= n[1] < lo or hi <= n[1] < after]
    melody = sorted(list(notes) + around, key=lambda n: (n[1], n[0]))
    return {"start": before, "range_bars": (a, b), "melody": melody_of(melody),
            "end": max(n[1] + n[2] for n in melody)}


def harmonized_span(request: HarmonyRequest) -> tuple[int, int]:
    """The ticks [start, end) a request writes chords in: its bar range, else from its start to the end of the
    bar its music ends in."""
    mm = meter_map_of(request.meters)
    if request.range_bars is None:
        end = max([request.end, request.start + 1] + [s + d for _, s, d in request.melody])
        return request.start, mm.bar_start(mm.bar_of(end - 1) + 1)
    return mm.bar_start(request.range_bars[0]), mm.bar_start(request.range_bars[1] + 1)


def in_span(request: HarmonyRequest, harmonization: Harmonization) -> Harmonization:
    """``harmonization`` with only its chords inside ``harmonized_span`` (a bar range's result also lists the
    chords kept around it)."""
    lo, hi = harmonized_span(request)
    chords = tuple((max(s, lo), min(s + d, hi) - max(s, lo), lab) for s, d, lab in harmonization.chords
                   if s < hi and s + d > lo)
    return replace(harmonization, chords=chords)


def _key_sections_over(song: Song, choice: KeyChoice, start: int, end: int) -> tuple[KeySignature, ...]:
    """The keys in force over [start, end) by the policy ``choice`` followed: none for a key the user set, the
    key signatures where the song's hold, else the detected sections (the window's Detected keys)."""
    if choice.reason == SET_BY_YOU:
        return ()
    if choice.reason == FROM_SIGNATURE:
        keys = [song.key_at(start)] + [k for k in song.keys if start < k.tick < end]
    else:
        detected = detected_sections(song)
        if not detected:
            return ()
        keys = [key_detection.key_at(detected, start)] + [k for k in detected if start < k.tick < end]
    out = [keys[0]]
    for k in keys[1:]:
        if (k.tonic, k.mode) != (out[-1].tonic, out[-1].mode):
            out.append(k)
    return tuple(out)


# ---------------------------------------------------------------- engines


def _model_error(path: Path, problem: str, train: str) -> SongFileError:
    return SongFileError(path, f"{problem}; reinstall the app's resources/models or train one with "
                               f"python -m {train}")


def load_continuation_engine(path: str | Path | None = None) -> SuggestionEngine:
    """The transformer engine (or the n-gram engine for an n-gram file); SongFileError naming file and fix."""
    from composer_app.model.continuation import DEFAULT_WEIGHTS, ContinuationEngine
    from composer_app.model.ngram import FORMAT as NGRAM_FORMAT
    from composer_app.model.ngram_engine import NgramEngine

    path = Path(path or DEFAULT_WEIGHTS)
    train = "composer_app.training.continuation.train"
    if not path.is_file():
        raise _model_error(path, "no continuation model file" if not path.exists() else "not a file", train)
    if not zipfile.is_zipfile(path):
        raise _model_error(path, "not a usable continuation model (not an .npz file)", train)
    try:
        with np.load(path, allow_pickle=False) as data:
            fmt = json.loads(bytes(data["__meta__"]).decode()).get("format") if "__meta__" in data.files else None
        engine = NgramEngine.load(path) if fmt == NGRAM_FORMAT else ContinuationEngine.load(path)
    except Exception as exc:  # any unreadable or foreign file: one line, never a traceback
        detail = str(exc).splitlines()[0] if str(exc) else type(exc).__name__
        raise _model_error(path, f"not a usable continuation model ({detail[:120]})", train) from None
    engine.harmonizer = functools.lru_cache(maxsize=1)(load_harmonizer)
    return engine


def load_harmonizer(path: str | Path | None = None) -> Harmonizer:
    """The harmonizer; SongFileError naming file and fix when it is missing or unusable."""
    from composer_app.model.harmony import DEFAULT_WEIGHTS

    path = Path(path or DEFAULT_WEIGHTS)
    train = "composer_app.training.harmony.train"
    if not path.is_file():
        raise _model_error(path, "no harmonizer model file" if not path.exists() else "not a file", train)
    if not zipfile.is_zipfile(path):
        raise _model_error(path, "not a usable harmonizer model (not an .npz file)", train)
    try:
        return Harmonizer.load(path)
    except Exception as exc:  # any unreadable or foreign file: one line, never a traceback
        detail = str(exc).splitlines()[0] if str(exc) else type(exc).__name__
        raise _model_error(path, f"not a usable harmonizer model ({detail[:120]})", train) from None


# ---------------------------------------------------------------- results back into songs


def _song_notes(notes: Iterable[NoteTuple], origin: int) -> tuple[Note, ...]:
    """Tuples as Note values relative to ``origin`` (durations and velocities clamped to valid values)."""
    return tuple(Note(p, s - origin, max(1, d), min(max(v, 1), 127)) for p, s, d, v in notes)


def candidate_song(song: Song, track: Track, notes: Sequence[NoteTuple], start: int, end: int, name: str,
                   key: KeySignature | None = None) -> Song:
    """A song holding only ``notes`` (one clip, ``start`` to ``end``) that begins at ``start``'s bar: tick 0 is
    the candidate's first bar, with the tempo, meter and key in force there (``key`` when given); pedalled as the
    part's bar before it was (``pedal_going_on``)."""
    clip = Clip(start, max(1, end - start), _song_notes(notes, start), name=name,
                controls=pedal_going_on(track, song.meter_map, start, end))
    out = replace(track, name=name, mute=False, solo=False, clips=(clip,))
    keys = song.keys if key is None else (replace(key, tick=0),)
    whole = Song(tracks=(out,), tempos=song.tempos, meters=song.meters, keys=keys, title=song.title)
    mm = song.meter_map
    return excerpt(whole, mm.bar_start(mm.bar_of(start)))


def add_candidate(song: Song, track_id: str, candidate: Candidate, name: str = "suggestion") -> Song:
    """``candidate``'s notes as a new clip on the track, from its start tick to its end tick (one edit); where the
    part used the sustain pedal in the bar before, the new bars are pedalled as that bar was (``pedal_going_on``)."""
    lo, hi = candidate.start_tick, candidate.end_tick
    pedal = pedal_going_on(song.track(track_id), song.meter_map, lo, hi)
    clip = Clip(lo, max(1, hi - lo), _song_notes(candidate.notes, lo), name=name, controls=pedal)
    return edits.add_clip(song, track_id, clip)


def voice_harmonization(request: HarmonyRequest, harmonization: Harmonization, voicing: str = "pop"
                        ) -> tuple[NoteTuple, ...]:
    """The accompaniment notes of a harmonization, voiced against the request's melody."""
    from composer_app.model.voicing_render import accompany

    _, notes = accompany(harmonization.chords, request.melody, request.meters, voicing)
    return tuple(notes)


def _accompaniment_track(song: Song, after_id: str) -> tuple[Song, str]:
    for t in song.tracks:
        if _name_is(t, ACCOMPANIMENT_TRACK):
            return song, t.id
    index = next((i + 1 for i, t in enumerate(song.tracks) if t.id == after_id), None)
    used = {t.channel for t in song.tracks}
    channel = next((c for c in range(16) if c != DRUM_CHANNEL and c not in used), 0)
    track = Track(name=ACCOMPANIMENT_TRACK, program=0, channel=channel, volume=90)
    return edits.add_track(song, track, index), track.id


def add_harmonization(song: Song, melody_track_id: str, harmonization: Harmonization,
                      accompaniment: Sequence[NoteTuple] = ()) -> Song:
    """A harmonization accepted: its chord symbols replace the chords in its span, and ``accompaniment`` (see
    ``voice_harmonization``) becomes a clip on the 'accompaniment' track (created after the melody when missing),
    replacing that track's clips lying inside the span. One pure edit."""
    song.track(melody_track_id)
    spans = [c for c in harmonization.chords if c[1] > 0]
    if not spans:
        return song
    lo = min(s for s, _, _ in spans)
    hi = max(s + d for s, d, _ in spans)
    kept = tuple(c for c in song.chords if c.end <= lo or c.start >= hi)
    trimmed = [replace(c, duration=lo - c.start) for c in song.chords if c.start < lo < c.end]
    tails = [ChordSymbol(hi, c.end - hi, c.label) for c in song.chords if c.start < hi < c.end]
    song = replace(song, chords=kept + tuple(trimmed) + tuple(tails))
    for s, d, label in spans:
        if label and label != "N":
            song = edits.set_chord(song, s, d, label)
    if not accompaniment:
        return song
    song, acc_id = _accompaniment_track(song, melody_track_id)
    inside = [c.id for c in song.track(acc_id).clips if c.start >= lo and c.end <= hi]
    if inside:
        song = edits.delete_clips(song, inside)
    end = max(hi, max(n[1] + n[2] for n in accompaniment))
    start = min(lo, min(n[1] for n in accompaniment))
    clip = Clip(start, end - start, _song_notes(accompaniment, start), name="harmonization")
    return edits.add_clip(song, acc_id, clip)


def lead_sheet(song: Song, track: Track, chords: Sequence[tuple[int, int, str]],
               accompaniment: Sequence[NoteTuple], key: KeySignature | None = None) -> Song:
    """A lead-sheet song (what ``harmonize`` writes): track 'melody', track 'accompaniment', the chord symbols."""
    melody = replace(track, name=MELODY_TRACK, channel=0)
    tracks = [melody]
    if accompaniment:
        end = max(s + d for _, s, d, _ in accompaniment)
        tracks.append(Track(name=ACCOMPANIMENT_TRACK, program=0, channel=1, volume=90,
                            clips=(Clip(0, max(1, end), _song_notes(accompaniment, 0), name=ACCOMPANIMENT_TRACK),)))
    symbols = tuple(ChordSymbol(s, d, lab) for s, d, lab in chords)
    keys = song.keys if key is None or key in song.keys else (replace(key, tick=0),)
    return Song(tracks=tuple(tracks), tempos=song.tempos, meters=song.meters, keys=keys, chords=symbols,
                title=song.title)


# ---------------------------------------------------------------- fills, variations, melody over chords


def chord_notes(chords: Iterable[tuple[int, int, str]]) -> tuple[NoteTuple, ...]:
    """Chord symbols (start, duration, label) as held notes, one per chord tone: the bass (the root, or a slash
    chord's bass where it is a chord tone) in octave 3, under the other tones in octave 4, as a player would sound
    it, so the music ends on its final chord's bass (``keys.ending_pitch_class``); unreadable labels and "N" give
    none."""
    out = []
    for start, duration, label in chords:
        try:
            chord = parse_chord(label)
        except ValueError:
            continue
        if chord.root is not None:
            tones = [(chord.root + iv) % 12 for iv in chord.intervals]
            bass = chord.bass_pitch_class if chord.bass_pitch_class in tones else chord.root
            out.extend((48 + pc if pc == bass else 60 + pc, start, duration, 80) for pc in tones)
    return tuple(out)


def chord_tones(song: Song) -> tuple[NoteTuple, ...]:
    """The song's chord symbols as held notes (``chord_notes``): with the notes, what a key is judged on (a lead
    sheet's chords tell its key far better than its melody alone, model card)."""
    return chord_notes(chords_of(song))


def fill_request(song: Song, track: Track, *, mode: str, start_bar: int, bars: int, keep: str | None = None,
                 amount: float = 0.5, role: str | None = None, candidates: int = 4, temperature: float | None = None,
                 top_p: float | None = None, key_lock: bool = False, pitch_range: tuple[int, int] | None = None,
                 density: float | None = None, style: str | None = None, seed: int | None = None,
                 key_explicit: bool = False) -> tuple[ContinuationRequest, KeyChoice]:
    """A request that rewrites bars ``start_bar``..``start_bar + bars - 1`` (0-based) of ``track``.

    ``mode`` "fill" writes new notes for the span from the music before and after it; "vary" re-chooses the
    span's own notes (``keep`` "rhythm", "contour" or "start", ``amount`` 0..1 how far); "melody" writes a
    melody over the song's chords in the span (the track may be empty). The key is chosen as for
    ``suggest_request``, where the span starts (where it ends for a variation)."""
    notes = written(song, pitched_part(track))
    mm = song.meter_map
    lo, hi = mm.bar_start(start_bar), mm.bar_start(start_bar + bars)
    if mode == "vary" and not any(lo <= n[1] < hi for n in notes):
        raise ValueError(f"track {track.name!r} has no notes in bars {start_bar + 1}-{start_bar + bars} to vary")
    chords = request_chords(song, track)
    if mode == "melody" and not chords and not bass_under(song, track):  # over a bass line: melody_chords
        if is_accompaniment(notes):  # the open clip is the chord part itself (a DAW's piano part alone)
            raise ValueError(f"{track.name!r} plays the chords the melody would go over (the song has no chord "
                             "symbols): write the melody on another track, a new one if need be")
        raise ValueError("the song has no chord symbols, and no other part plays chords or a bass line, to write a "
                         "melody over")
    choice = choose_key(song, notes, hi if mode == "vary" else max(lo, 1), key_explicit)
    options: dict = {"temperature": temperature, "top_p": top_p, "seed": seed, "pitch_range": pitch_range,
                     "density": density}
    request = ContinuationRequest(
        context=notes, meters=meters_of(song), key=choice.key, chords=chords, start_bar=start_bar,
        bars=bars, candidates=candidates, key_lock=key_lock, style=style or song_style(song),
        role=role or ("melody" if mode == "melody" else part_role(track, notes, song)),
        mode="vary" if mode == "vary" else "fill", keep=keep if mode == "vary" else None, amount=amount,
        **{k: v for k, v in options.items() if v is not None})
    return with_replaced_chords(song, track, request), choice


def fill_span(song: Song, track_id: str, candidate: Candidate) -> Song:
    """The track with its notes starting inside the candidate's span replaced by the candidate's (one edit): they
    go into the clip that holds the span's start, or a new clip when none does."""
    lo, hi = candidate.start_tick, candidate.end_tick
    track = song.track(track_id)
    table = _written_table(song, track)  # a note played just before the span's bar line is heard in it
    for clip in track.clips:
        kept = [n for n in clip.notes
                if not lo <= table.get(t := (n.pitch, clip.start + n.start, n.duration, n.velocity), t)[1] < hi]
        if len(kept) != len(clip.notes):
            song = edits.set_notes(song, clip.id, kept)
    track = song.track(track_id)
    home = next((c for c in track.clips if c.start <= lo < c.end), None)
    if home is None:
        return edits.add_clip(song, track_id, Clip(lo, max(1, hi - lo), _song_notes(candidate.notes, lo),
                                                   name="fill"))
    if home.end < hi:
        song = edits.resize_clip(song, home.id, home.start, hi - home.start)
    return edits.add_notes(song, home.id, _song_notes(candidate.notes, home.start))


def filled_song(song: Song, track: Track, candidate: Candidate, name: str) -> Song:
    """What ``infill``/``vary``/``melody`` write per candidate: the whole track with the span replaced, the tempo,
    meter and key of the song, and its chord symbols."""
    if not any(t.id == track.id for t in song.tracks):
        song = edits.add_track(song, track)
    out = replace(fill_span(song, track.id, candidate).track(track.id), name=name, mute=False, solo=False)
    return Song(tracks=(out,), tempos=song.tempos, meters=song.meters, keys=song.keys, chords=song.chords,
                title=song.title)


def replace_track_notes(song: Song, track_id: str, notes: Sequence[NoteTuple]) -> Song:
    """The track with every clip emptied and ``notes`` (absolute ticks) placed in its first clip (a new one when it
    has none)."""
    track = song.track(track_id)
    for clip in track.clips:
        song = edits.set_notes(song, clip.id, ())
    if not notes:
        return song
    lo = min(n[1] for n in notes)
    hi = max(n[1] + n[2] for n in notes)
    if not track.clips:
        return edits.add_clip(song, track_id, Clip(lo, hi - lo, _song_notes(notes, lo)))
    first = song.track(track_id).clips[0]
    if first.start > lo or first.end < hi:
        start = min(first.start, lo)
        song = edits.resize_clip(song, first.id, start, max(first.end, hi) - start)
        first = song.track(track_id).clips[0]
    return edits.add_notes(song, first.id, _song_notes(notes, first.start))
