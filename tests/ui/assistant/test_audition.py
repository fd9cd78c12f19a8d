"""Auditioning a candidate plays the song as Keep would leave it: a variation is heard instead of the phrase it
varies, a harmonization instead of the accompaniment it replaces, never both at once."""

from __future__ import annotations

from dataclasses import replace

from PySide6.QtCore import QObject, Signal

from composer_app.core.song import Song
from composer_app.ui.assistant.audition import CandidateAudition, heard_song
from composer_app.ui.assistant.controller import Assistant
from composer_app.ui.assistant.session import Options
from composer_app.ui.assistant.targets import target_of
from composer_app.ui.document import SongDocument
from tests.ui.assistant.conftest import motif_song


def _assistant(doc: SongDocument, engines, selected=(), **options) -> Assistant:
    clip_id = doc.song.tracks[0].clips[0].id
    return Assistant(doc, lambda song: target_of(song, clip_id, selected), lambda: Options(**options),
                     engines=engines)


def _sounding(song: Song, lo: int, hi: int) -> list[tuple[str, int, int]]:
    """(track name, onset, pitch) of every note starting in [lo, hi) on an audible track."""
    solo = any(t.solo for t in song.tracks)
    return sorted((t.name, c.start + n.start, n.pitch) for t in song.tracks if not t.mute and (t.solo or not solo)
                  for c in t.clips for n in c.notes if lo <= c.start + n.start < hi)


class _Transport(QObject):
    playing_changed = Signal(bool)


class _Audio:
    """What CandidateAudition needs of the window's audio service; keeps the songs it was asked to play."""

    def __init__(self) -> None:
        self.transport = _Transport()
        self.played: list[tuple[Song, int, int]] = []
        self.mode = None

    def audition_song(self, song: Song, start: int, end: int, lead_in_bars: int = 1, loop: bool = True) -> None:
        self.played.append((song, start, end))


def test_a_variation_is_heard_instead_of_the_phrase_it_varies(qtbot, engines):
    song = motif_song(6)
    doc = SongDocument(song)
    mm = song.meter_map
    lo, hi = mm.bar_start(2), mm.bar_start(4)
    clip = song.tracks[0].clips[0]
    selected = [n.id for n in clip.notes if lo <= clip.start + n.start < hi]
    assistant = _assistant(doc, engines, selected, candidates=2, keep="rhythm", amount=1.0)
    with qtbot.waitSignal(assistant.batch_finished, timeout=60_000):
        assistant.ask("vary")
    batch = assistant.history.batch
    suggestion = batch.suggestions[0]
    audio = _Audio()
    audition = CandidateAudition(audio)
    assert audition.toggle(suggestion, doc.song, batch.target)
    heard, start, end = audio.played[-1]
    assert (start, end) == (suggestion.start_tick, suggestion.end_tick)
    lead = song.tracks[0].name
    assert _sounding(heard, lo, hi) == sorted((lead, n[1], n[0]) for n in suggestion.notes)  # only the variation
    assert _sounding(heard, 0, lo) == _sounding(song, 0, lo)  # the lead-in is the song's
    assert [t.name for t in heard.tracks] == [t.name for t in song.tracks]
    assert doc.song is song  # auditioning changes nothing
    assert not audition.toggle(suggestion, doc.song, batch.target) and audition.playing is None


def test_a_harmonization_is_heard_instead_of_the_one_kept_before(qtbot, engines):
    song = motif_song(4)
    doc = SongDocument(song)
    assistant = _assistant(doc, engines, candidates=2)
    with qtbot.waitSignal(assistant.batch_finished, timeout=60_000):
        assistant.ask("harmonize")
    batch = assistant.history.batch
    first, second = batch.suggestions[:2]
    assert assistant.accept(first)
    kept = doc.song
    heard = heard_song(kept, batch.target, second)
    end = song.meter_map.bar_start(4)
    accompaniment = [x for x in _sounding(heard, 0, end) if x[0] == "accompaniment"]
    assert sorted(x[1:] for x in accompaniment) == sorted((n[1], n[0]) for n in second.notes)
    assert tuple((c.start, c.duration, c.label) for c in heard.chords) == tuple(sorted(second.chords))
    muted = replace(kept, tracks=tuple(replace(t, mute=t.name == "accompaniment") for t in kept.tracks))
    assert [x for x in _sounding(heard_song(muted, batch.target, second), 0, end) if x[0] == "accompaniment"] \
        == accompaniment  # the track the candidate lands on is heard even when muted


def test_a_candidate_is_heard_on_a_muted_track_and_beside_a_soloed_one(qtbot, engines):
    song = motif_song(4)
    doc = SongDocument(song)
    assistant = _assistant(doc, engines, candidates=1, bars=2)
    with qtbot.waitSignal(assistant.batch_finished, timeout=60_000):
        assistant.ask("continue")
    batch = assistant.history.batch
    suggestion = batch.suggestions[0]
    mm = song.meter_map
    new = sorted((song.tracks[0].name, n[1], n[0]) for n in suggestion.notes)
    muted = replace(song, tracks=(replace(song.tracks[0], mute=True),))
    assert _sounding(heard_song(muted, batch.target, suggestion), mm.bar_start(4), mm.bar_start(6)) == new
    other = replace(song.tracks[0], id="other", name="other", solo=True, clips=())
    soloed = replace(song, tracks=(song.tracks[0], other))
    assert _sounding(heard_song(soloed, batch.target, suggestion), mm.bar_start(4), mm.bar_start(6)) == new
    gone = replace(song, tracks=(other,))  # its track was deleted: the notes still play, on a track of their own
    heard = heard_song(gone, batch.target, suggestion)
    assert sorted(x[1:] for x in _sounding(heard, mm.bar_start(4), mm.bar_start(6))) == [x[1:] for x in new]
