"""The chords an accompaniment continuation is written over under a tune that goes on (``melody_chords``)."""

from __future__ import annotations

from dataclasses import replace

import pytest

from composer_app.core.song import ChordSymbol, Clip, Note, Song, Track
from composer_app.model import melody_chords as mc
from composer_app.model import song_adapter as sa
from composer_app.model.continuation import ContinuationRequest
from composer_app.model.harmony import DEFAULT_WEIGHTS as HARMONY_WEIGHTS

BAR = 1920
ODE = [64, 64, 65, 67, 67, 65, 64, 62, 60, 60, 62, 64, 64, 62, 62, 62,
       64, 64, 65, 67, 67, 65, 64, 62, 60, 60, 62, 64, 62, 60, 60, 60]
"""Ode to Joy in C, quarter notes: 8 bars."""
VOICINGS = ((48, 55, 60, 64), (43, 55, 59, 62), (48, 55, 60, 64), (43, 55, 59, 62))


def _song(piano_bars: int = 4, symbols: tuple[ChordSymbol, ...] = (), guitar: bool = False, bass: bool = False,
          drums: bool = False) -> Song:
    tune = Track("Melody", clips=(Clip(0, 8 * BAR, tuple(Note(p, i * 480, 480) for i, p in enumerate(ODE))),))
    piano = Track("Piano", channel=1, clips=(Clip(0, piano_bars * BAR, tuple(
        Note(p, b * BAR, BAR, 70) for b in range(piano_bars) for p in VOICINGS[b % 4])),))
    tracks = [tune, piano]
    if guitar:
        tracks.append(Track("Guitar", channel=2, clips=(Clip(0, 8 * BAR, tuple(
            Note(p, b * BAR + h * 960, 960, 60) for b in range(8) for h in (0, 1) for p in (52, 55, 60))),)))
    if bass:
        tracks.append(Track("Bass", channel=3, clips=(Clip(0, 8 * BAR, tuple(
            Note(36 + (7 if b % 2 else 0), b * BAR, BAR, 80) for b in range(8))),)))
    if drums:
        tracks.append(Track("Drums", channel=9, is_drum=True, clips=(Clip(0, 8 * BAR, tuple(
            Note(36, i * 480, 120, 100) for i in range(32))),)))
    return Song(tracks=tuple(tracks), chords=symbols)


def test_the_tune_is_found_only_where_nobody_states_the_chords():
    song = _song()
    piano = song.tracks[1]
    assert mc.melody_over(song, piano, 4, 4) is song.tracks[0]
    assert mc.melody_over(song, piano, 8, 4) is None  # the tune has ended
    stated = _song(symbols=(ChordSymbol(5 * BAR, BAR, "F:maj"),))
    assert mc.melody_over(stated, stated.tracks[1], 4, 4) is None  # a chord symbol there is the musician's word
    with_guitar = _song(guitar=True)
    assert mc.melody_over(with_guitar, with_guitar.tracks[1], 4, 4) is None  # its chords are heard instead
    with_bass = _song(bass=True)
    assert mc.melody_over(with_bass, with_bass.tracks[1], 4, 4) is None  # so are the tune's and the bass line's
    with_drums = _song(drums=True)
    assert mc.melody_over(with_drums, with_drums.tracks[1], 4, 4) is with_drums.tracks[0]  # drums say no chord


@pytest.mark.skipif(not HARMONY_WEIGHTS.is_file(), reason="no shipped harmonizer weights")
def test_an_accompaniment_continued_under_the_tune_gets_the_harmonizers_chords():
    song = _song()
    piano = song.tracks[1]
    harmonizer = sa.load_harmonizer(None)
    request, _ = sa.suggest_request(song, piano, start_bar=4, bars=4, seed=0)
    assert request.role == "accompaniment" and mc.applies(song, piano, request)
    got = mc.with_melody_chords(song, piano, request, harmonizer)
    inside = [c for c in got.chords if c[0] >= 4 * BAR]
    outside = [c for c in got.chords if c[0] < 4 * BAR]
    assert outside == [c for c in request.chords if c[0] + c[1] <= 4 * BAR]
    assert inside and all(c[0] + c[1] <= 8 * BAR for c in inside)
    # the tune's bars 5-8 (E E F G | G F E D | C C D E | D C C) are C major's tonic and dominant: so are the chords
    roots = {c[2].split(":")[0] for c in inside}
    assert roots <= {"C", "G", "F", "A", "E", "D"} and "C" in roots
    # an empty gap in the piano filled under the tune gets them too, in its bars only
    whole = _song(piano_bars=8)
    piano8 = whole.tracks[1]
    clip = piano8.clips[0]
    gapped = replace(whole, tracks=(whole.tracks[0], replace(piano8, clips=(replace(clip, notes=tuple(
        n for n in clip.notes if not 2 * BAR <= n.start < 4 * BAR)),))))
    span, _ = sa.fill_request(gapped, gapped.tracks[1], mode="fill", start_bar=2, bars=2, seed=0)
    assert span.role == "accompaniment" and mc.applies(gapped, gapped.tracks[1], span)
    got = mc.with_melody_chords(gapped, gapped.tracks[1], span, harmonizer)
    assert got is not span and [c for c in got.chords if not 2 * BAR <= c[0] < 4 * BAR] == [
        c for c in span.chords if c[0] + c[1] <= 2 * BAR or c[0] >= 4 * BAR]
    # bars the piano plays, regenerated or varied, keep the chords of the notes they replace (not the harmonizer's)
    for mode, keep in (("fill", None), ("vary", "rhythm")):
        span, _ = sa.fill_request(whole, piano8, mode=mode, keep=keep, start_bar=2, bars=2, seed=0)
        assert not mc.applies(whole, piano8, span) and mc.with_melody_chords(whole, piano8, span, harmonizer) is span
        inside = [c for c in span.chords if 2 * BAR <= c[0] < 4 * BAR]
        assert inside == [(2 * BAR, BAR, "C:maj"), (3 * BAR, BAR, "G:maj")]
        assert sa.request_chords_source(whole, piano8, span) == sa.CHORDS_REPLACED
    # a melody request and a request whose chords are stated are left as they are
    melody, _ = sa.suggest_request(song, song.tracks[0], start_bar=4, bars=4, seed=0)
    assert mc.with_melody_chords(song, song.tracks[0], melody, harmonizer) is melody
    stated = replace(song, chords=(ChordSymbol(4 * BAR, 4 * BAR, "A:min"),))
    assert mc.with_melody_chords(stated, piano, request, harmonizer) is request


@pytest.mark.skipif(not HARMONY_WEIGHTS.is_file(), reason="no shipped harmonizer weights")
def test_a_piano_of_broken_chords_continued_under_the_tune_gets_the_harmonizers_chords():
    """The piano as an Alberti figure (one eighth note at a time): an accompaniment all the same, so its new bars go
    under the harmonizer's chords of the tune, and its regenerated bars over the chords its own notes spell. Before,
    it was asked for as a melody over no chords at all."""
    song = _song()
    low_high_middle_high = ((48, 64, 55, 64), (43, 62, 59, 62))  # C, G
    alberti = tuple(Note(low_high_middle_high[b % 2][i % 4], b * BAR + i * 240, 240, 70) for b in range(4)
                    for i in range(8))
    piano = replace(song.tracks[1], clips=(Clip(0, 4 * BAR, alberti),))
    song = replace(song, tracks=(song.tracks[0], piano))
    request, _ = sa.suggest_request(song, piano, start_bar=4, bars=4, seed=0)
    assert request.role == "accompaniment" and mc.applies(song, piano, request)
    got = mc.with_melody_chords(song, piano, request, sa.load_harmonizer(None))
    assert {c[2].split(":")[0] for c in got.chords if c[0] >= 4 * BAR} <= {"C", "G", "F", "A", "E", "D"}
    span, _ = sa.fill_request(song, piano, mode="vary", keep="rhythm", start_bar=2, bars=2, seed=0)
    assert [c for c in span.chords if 2 * BAR <= c[0] < 4 * BAR] == [(2 * BAR, BAR, "C:maj"), (3 * BAR, BAR, "G:maj")]


def test_a_chord_across_the_first_new_bar_keeps_its_part_before_it():
    new_bars = [(2 * BAR, 3 * BAR)]
    assert sa.chords_outside([(BAR, 3 * BAR, "C:maj")], new_bars) == ((BAR, BAR, "C:maj"), (3 * BAR, BAR, "C:maj"))
    assert sa.chords_outside([(0, BAR, "C:maj")], new_bars) == ((0, BAR, "C:maj"),)
    assert sa.chords_outside([(2 * BAR, BAR, "C:maj")], new_bars) == ()
    assert isinstance(ContinuationRequest(), ContinuationRequest)


@pytest.mark.skipif(not HARMONY_WEIGHTS.is_file(), reason="no shipped harmonizer weights")
def test_a_melody_over_a_bass_line_alone_gets_the_harmonizers_chords_over_it():
    """A band's file with a tune, a bass line and drums, no chord part: a melody continued or written there had no
    chords to go by (one line sounds no chord); it now gets the harmonizer's over the bass line, whose roots it
    follows (C, A, F, G a bar each)."""
    tune = Track("Melody", clips=(Clip(0, 8 * BAR, tuple(Note(p, i * 480, 480) for i, p in enumerate(ODE))),))
    bass = Track("Bass", channel=1, program=33, clips=(Clip(0, 12 * BAR, tuple(
        Note((36, 45, 41, 43)[b % 4], b * BAR, BAR, 90) for b in range(12))),))
    drums = Track("Drums", channel=9, is_drum=True, clips=(Clip(0, 12 * BAR, tuple(
        Note(36, i * 960, 120) for i in range(24))),))
    song = Song(tracks=(tune, bass, drums))
    harmonizer = sa.load_harmonizer(None)
    request, _ = sa.suggest_request(song, tune, start_bar=8, bars=4, seed=0)
    assert request.role == "melody" and mc.applies(song, tune, request)
    assert mc.said(song, tune, request) == mc.OVER_THE_BASS
    got = mc.with_melody_chords(song, tune, request, harmonizer)
    inside = [c for c in got.chords if c[0] >= 8 * BAR]
    assert [c[2].split(":")[0] for c in inside if c[0] % BAR == 0] == ["C", "A", "F", "G"]
    # a melody written into an empty track over the bass line: no longer refused, and it gets them too
    empty = Track("Lead", channel=2, clips=(Clip(8 * BAR, 4 * BAR, ()),))
    with_lead = Song(tracks=(empty, bass, drums))
    fill, _ = sa.fill_request(with_lead, empty, mode="melody", start_bar=8, bars=4, seed=0)
    assert mc.applies(with_lead, empty, fill) and mc.with_melody_chords(with_lead, empty, fill, harmonizer) != fill
    # with a chord part playing there, the chords it plays are heard instead; the bass itself is no melody
    piano = Track("Piano", channel=3, clips=(Clip(0, 12 * BAR, tuple(
        Note(p, b * BAR, BAR, 70) for b in range(12) for p in VOICINGS[b % 4])),))
    band = Song(tracks=(tune, bass, piano))
    assert not mc.applies(band, tune, sa.suggest_request(band, tune, start_bar=8, bars=4)[0])
    on_bass, _ = sa.suggest_request(song, bass, start_bar=12, bars=2)
    assert on_bass.role == "bass" and not mc.applies(song, bass, on_bass)


@pytest.mark.skipif(not HARMONY_WEIGHTS.is_file(), reason="no shipped harmonizer weights")
def test_a_tune_sketched_alone_is_regenerated_over_the_chords_the_harmonizer_reads_in_it():
    """A tune alone, no chords anywhere: two of its bars regenerated or varied get the harmonizer's reading of the tune
    around and in them (the notes replaced included); a continuation (nothing after to read) and a tune with a part
    under it do not."""
    tune = Track("Melody", clips=(Clip(0, 8 * BAR, tuple(Note(p, i * 480, 480) for i, p in enumerate(ODE))),))
    song = Song(tracks=(tune,))
    harmonizer = sa.load_harmonizer(None)
    for mode, keep in (("fill", None), ("vary", "rhythm")):
        span, _ = sa.fill_request(song, tune, mode=mode, keep=keep, start_bar=2, bars=2, seed=0)
        assert span.chords == () and mc.applies(song, tune, span) and mc.said(song, tune, span) == mc.UNDER_THE_TUNE
        got = mc.with_melody_chords(song, tune, span, harmonizer)
        inside = [c for c in got.chords if 2 * BAR <= c[0] < 4 * BAR]
        assert inside and got.chords == tuple(inside)
        # bars 3-4 (C C D E | E D D) are C major's tonic and dominant
        assert {c[2].split(":")[0] for c in inside} <= {"C", "G", "E", "A", "F", "D"}
    onward, _ = sa.suggest_request(song, tune, start_bar=8, bars=4)
    assert not mc.applies(song, tune, onward)
    with_piano = _song(piano_bars=8)
    span, _ = sa.fill_request(with_piano, with_piano.tracks[0], mode="fill", start_bar=2, bars=2)
    assert not mc.applies(with_piano, with_piano.tracks[0], span)


@pytest.mark.skipif(not HARMONY_WEIGHTS.is_file(), reason="no shipped harmonizer weights")
def test_a_piano_continued_over_a_bass_line_alone_gets_chords_on_the_bass():
    """A piano part for 4 bars and a bass line going on (C A F G a bar each), no tune: the piano's next bars get the
    harmonizer's chords over the bass line, on its roots (harmonizing the bass as if it were a tune did worse)."""
    bass = Track("Bass", channel=1, program=33, clips=(Clip(0, 12 * BAR, tuple(
        Note((36, 45, 41, 43)[b % 4], b * BAR, BAR, 90) for b in range(12))),))
    piano = Track("Piano", channel=2, clips=(Clip(0, 4 * BAR, tuple(
        Note(p, b * BAR, BAR, 70) for b in range(4) for p in VOICINGS[b % 4])),))
    song = Song(tracks=(piano, bass))
    request, _ = sa.suggest_request(song, piano, start_bar=4, bars=4, seed=0)
    assert request.role == "accompaniment" and mc.said(song, piano, request) == mc.OVER_THE_BASS
    got = mc.with_melody_chords(song, piano, request, sa.load_harmonizer(None))
    assert [c[2].split(":")[0] for c in got.chords if c[0] >= 4 * BAR and c[0] % BAR == 0] == ["C", "A", "F", "G"]
