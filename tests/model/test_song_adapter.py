"""The one song-to-model adapter on real dataset files with the shipped weights: track rule, key policy, requests,
results back into the song."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import pytest

from composer_app.core.errors import SongFileError
from composer_app.core.pitch import KeySignature
from composer_app.core.song import ChordSymbol, Clip, Note, Song, Track
from composer_app.core.timing import TempoChange, TimeSignature
from composer_app.fileio import open_song
from composer_app.model import keys as key_detection
from composer_app.model import song_adapter as sa
from composer_app.model.continuation import DEFAULT_WEIGHTS as CONTINUATION_WEIGHTS
from composer_app.model.continuation import ContinuationRequest
from composer_app.model.harmony import DEFAULT_WEIGHTS as HARMONY_WEIGHTS
from tests.model.key_tunes import relative_lean_then_c_major

DATASETS = Path(__file__).resolve().parents[2].parent / "shared" / "datasets"
ASHOVER = DATASETS / "nottingham" / "MIDI" / "ashover1.mid"
ASHOVER12 = DATASETS / "nottingham" / "MIDI" / "ashover12.mid"
POP909 = DATASETS / "pop909" / "POP909" / "001" / "001.mid"
BAR = 1920

needs_data = pytest.mark.skipif(not ASHOVER.is_file() or not POP909.is_file(), reason="no datasets in ../shared")
needs_weights = pytest.mark.skipif(not CONTINUATION_WEIGHTS.is_file() or not HARMONY_WEIGHTS.is_file(),
                                   reason="no trained weights in resources/models")


def transposed(song: Song, semitones: int) -> Song:
    tracks = tuple(replace(t, clips=tuple(replace(c, notes=tuple(replace(n, pitch=n.pitch + semitones)
                                                                    for n in c.notes)) for c in t.clips))
                   for t in song.tracks)
    return replace(song, tracks=tracks)


# ---------------------------------------------------------------- track


@needs_data
def test_suggest_and_harmonize_pick_the_melody_of_a_nottingham_tune() -> None:
    """ashover1: 'Track 1' is the tune (monophonic, high), 'Track 2' the chordal accompaniment with more notes."""
    song = open_song(ASHOVER)
    track = sa.pick_track(song)
    assert track.name == "Track 1"
    assert sa.infer_role(sa.track_notes(track)) == "melody"
    request, _ = sa.suggest_request(song, track)
    assert request.role == "melody" and len(request.context) == track.note_count
    harmony, _ = sa.harmony_request(song, track)
    assert len(harmony.melody) == track.note_count


@needs_data
def test_pop909_takes_the_track_named_melody_and_names_are_any_case() -> None:
    song = open_song(POP909)
    assert sa.pick_track(song).name == "MELODY"
    assert sa.pick_track(song, "piano").name == "PIANO"
    with pytest.raises(ValueError, match=r"no track named 'Lead' \(tracks: 1 'MELODY', 2 'BRIDGE', 3 'PIANO'\)"):
        sa.pick_track(song, "Lead")


def test_broken_chords_are_accompaniment_and_a_pedalled_melody_is_not() -> None:
    """Onsets alone called half of POP909's pianos melodies: their chords are broken over a held bass."""
    broken = tuple(n for b in range(4) for n in [(36, b * BAR, BAR, 70)] +
                   [(p, b * BAR + i * 240, 240, 70) for i, p in enumerate((48, 52, 55, 60, 55, 52, 48, 52))])
    assert sa.polyphony(broken) <= sa.POLYPHONY_SHARE  # one shared onset a bar: not chords by onsets
    assert sa.infer_role(broken) == "accompaniment"
    line = [67, 69, 71, 72, 74, 72, 71, 69] * 4
    pedalled = tuple((p, i * 240, 960, 80) for i, p in enumerate(line))  # each note rings on under the next three
    legato = tuple((p, i * 240, 270, 80) for i, p in enumerate(line))  # a little overlap, as a player's legato
    assert sa.held_share(pedalled) > sa.SOUNDING_SHARE and sa.infer_role(pedalled) == "melody"
    assert sa.held_share(legato) == 0 and sa.infer_role(legato) == "melody"
    block = tuple((p, b * 960, 960, 70) for b in range(8) for p in (48, 52, 55))
    assert sa.infer_role(block) == "accompaniment"


def test_a_note_left_droning_does_not_make_the_line_above_an_accompaniment() -> None:
    """One note held to the end of the file (a stray note-off in a music21 export) sounded under every later
    onset: a quartet's first violin counted as an accompaniment. Only notes struck within HELD_SINCE count."""
    line = [76, 74, 72, 71, 72, 74, 76, 79] * 8
    violin = tuple((p, i * 240, 240, 80) for i, p in enumerate(line))
    drone = ((61, 120, 64 * 240, 63),)  # a grace note left sounding for 16 bars, an octave and more below
    assert sa.infer_role(violin + drone) == "melody"
    assert sa.held_share(violin + drone) == pytest.approx(16 / 65)  # the onsets of its first two bars only
    # a bass struck again every bar still holds the broken chords above it
    broken = tuple(n for b in range(8) for n in [(36, b * BAR, BAR, 70)] +
                   [(p, b * BAR + i * 240, 240, 70) for i, p in enumerate((48, 52, 55, 60, 55, 52, 48, 52))])
    assert sa.infer_role(broken) == "accompaniment"


def test_the_melody_is_the_highest_line_that_plays_about_as_much_as_the_busiest() -> None:
    """A hymn's bass or a quartet's viola often has a few more notes than the tune above it."""
    def part(name: str, channel: int, base: int, count: int) -> Track:
        notes = tuple(Note(base + (i * 5) % 7, i * 240, 240) for i in range(count))
        return Track(name, channel=channel, clips=(Clip(0, 8 * BAR, notes),))

    soprano, bass = part("Soprano", 0, 67, 30), part("Bass", 1, 43, 32)
    assert sa.pick_track(Song(tracks=(bass, soprano))).name == "Soprano"
    descant = part("Descant", 2, 79, 12)  # higher, but plays far less: not the tune
    assert sa.pick_track(Song(tracks=(soprano, descant, bass))).name == "Soprano"
    walking = part("Track 2", 1, 36, 64)  # a busy bass line, unnamed: below C3, so not the tune
    assert sa.pick_track(Song(tracks=(soprano, walking))).name == "Soprano"
    named = part("Synth Bass", 1, 55, 64)  # higher, but named for the bass
    assert sa.pick_track(Song(tracks=(named, soprano))).name == "Soprano"
    assert sa.pick_track(Song(tracks=(walking,))).name == "Track 2"  # the only line there is
    vox, arp = part("Lead Vox", 0, 64, 30), part("Synth Arp", 3, 76, 64)  # a busy high arpeggio, named so
    assert sa.pick_track(Song(tracks=(arp, vox, walking))).name == "Lead Vox"
    rising = part("Rising Line", 3, 76, 64)  # "sing" inside a word says nothing
    assert sa.pick_track(Song(tracks=(rising, part("LeadVox_2", 0, 64, 60)))).name == "LeadVox_2"
    assert sa.pick_track(Song(tracks=(rising, part("Keys Line", 0, 64, 60)))).name == "Rising Line"
    continuo = part("Violone", 1, 48, 60)  # above C3, but an octave and a half under the tune, twice its notes
    assert sa.pick_track(Song(tracks=(continuo, soprano))).name == "Soprano"


@needs_data
def test_without_track_names_the_melody_of_a_pop909_song_is_not_its_piano() -> None:
    song = open_song(POP909)
    anonymous = replace(song, tracks=tuple(replace(t, name=f"Track {i + 1}") for i, t in enumerate(song.tracks)))
    assert sa.pick_track(anonymous).name in ("Track 1", "Track 2")  # MELODY or BRIDGE, not the PIANO (Track 3)
    piano = sa.track_notes(sa.pick_track(song, "PIANO"))
    first_bars = [n for n in piano if n[1] < piano[0][1] + 8 * song.meter_map.bar_start(1)]
    assert sa.infer_role(first_bars) == "accompaniment"


def test_a_track_is_named_by_its_number_when_names_repeat() -> None:
    """A score's two piano staves often come as two tracks both named 'Piano'."""
    right = Track("Piano", clips=(Clip(0, BAR, (Note(72, 0, 480),)),))
    left = Track("Piano", channel=1, clips=(Clip(0, BAR, (Note(48, 0, 480),)),))
    song = Song(tracks=(right, left))
    with pytest.raises(ValueError, match=r"2 tracks are named 'piano' \(numbers 1, 2\): give the track's number"):
        sa.pick_track(song, "piano")
    assert sa.pick_track(song, "2") is left and sa.pick_track(song, "1") is right
    with pytest.raises(ValueError, match=r"no track named '3' \(tracks: 1 'Piano', 2 'Piano'\)"):
        sa.pick_track(song, "3")
    numbered = Song(tracks=(Track("2", clips=right.clips), left))  # a track called "2" keeps its name
    assert sa.pick_track(numbered, "2").name == "2"


def test_nothing_to_work_on_is_a_clear_error() -> None:
    drums = Track("kit", channel=9, is_drum=True, clips=(Clip(0, BAR, (Note(36, 0, 120),)),))
    chords = Track("chords", channel=1, clips=(Clip(0, BAR, (Note(60, 0, BAR), Note(64, 0, BAR))),))
    with pytest.raises(ValueError, match="no pitched track with notes"):
        sa.pick_track(Song(tracks=(drums, chords, Track("empty"))))
    with pytest.raises(ValueError, match="has no notes to continue"):
        sa.suggest_request(Song(tracks=(Track("empty"),)), Track("empty"))


def test_only_chordal_tracks_take_the_fullest_and_ties_go_to_the_higher() -> None:
    low = Track("low", clips=(Clip(0, BAR, tuple(Note(40 + i % 3, i * 120, 120) for i in range(8))),))
    high = Track("high", channel=1, clips=(Clip(0, BAR, tuple(Note(70 + i % 3, i * 120, 120) for i in range(8))),))
    block = Track("pad", channel=2, clips=(Clip(0, BAR, tuple(Note(p, s, 480) for s in range(0, BAR, 480)
                                                              for p in (60, 64, 67))),))
    assert sa.pick_track(Song(tracks=(low, high, block))).name == "high"
    assert sa.pick_track(Song(tracks=(block,))).name == "pad"  # polyphonic, but the only part there is


# ---------------------------------------------------------------- key


@needs_data
def test_a_file_without_key_signature_uses_the_key_of_its_notes() -> None:
    """POP909 song 001 has no key signature; its own key file says Gb major."""
    song = open_song(POP909)
    assert not sa.has_key_signature(song)
    track = sa.pick_track(song)
    notes = sa.track_notes(track)[:40]
    request, choice = sa.suggest_request(song, track, notes=notes)
    assert (choice.key.tonic, choice.key.mode) == (6, "major")
    assert choice.reason == "detected from the notes, no key signature" and choice.detected == choice.key
    assert request.key == choice.key
    harmony, hchoice = sa.harmony_request(song, track, notes=notes)
    assert (hchoice.key.tonic, hchoice.key.mode) == (6, "major") and harmony.key == hchoice.key


AMBIGUOUS = [64, 60, 62, 64, 69, 67, 65, 64, 62, 64, 60, 62, 64, 65, 64, 62,
             60, 62, 64, 65, 67, 69, 67, 64, 62, 60, 62, 64, 65, 64, 62, 60]
"""C major's notes leaning on E and A: A minor by the notes alone."""


def _with_chords(labels: list[str]) -> Song:
    notes = tuple(Note(p, i * 480, 480, 90) for i, p in enumerate(AMBIGUOUS))
    chords = tuple(ChordSymbol(i * BAR, BAR, label) for i, label in enumerate(labels))
    return Song(tracks=(Track("melody", clips=(Clip(0, 8 * BAR, notes),)),), chords=chords)


def test_chord_symbols_count_in_the_key_the_models_see() -> None:
    """The same melody over C F G7 C ... is in C major, over F Bb C7 F ... in F major, over Am Dm E7 Am in A
    minor (a lead sheet's chords tell its key far better than its melody alone: model card); the reason says
    the chords counted, and ``info``, the window's sections and a harmonization agree."""
    alone = _with_chords([])
    track = alone.tracks[0]
    assert sa.choose_key(alone, sa.track_notes(track), 8 * BAR).key.name == "A minor"
    for labels, name in ((["C", "F", "G7", "C", "Am", "Dm", "G7", "C"], "C major"),
                         (["F", "Bb", "C7", "F", "Dm", "Gm", "C7", "F"], "F major"),
                         (["Am", "Dm", "E7", "Am"] * 2, "A minor")):
        song = _with_chords(labels)
        request, choice = sa.suggest_request(song, track, start_bar=8)
        assert choice.key.name == name and request.key == choice.key
        assert choice.reason == "detected from the notes and chord symbols, no key signature"
        assert sa.song_key_report(song)["detected"] == name
        assert [k.name for k in sa.detected_sections(song)] == [name]
        _, hchoice = sa.harmony_request(song, track)
        assert hchoice.key.name == name and hchoice.reason == choice.reason
    # chords before the melody (an intro) count for its harmonization
    late = tuple(Note(p, i * 480, 480, 90) for i, p in enumerate(AMBIGUOUS[:16]))
    intro = tuple(ChordSymbol(i * BAR, BAR, label) for i, label in enumerate(("C", "F", "G7", "C")))
    song = Song(tracks=(Track("melody", clips=(Clip(4 * BAR, 4 * BAR, late),)),), chords=intro)
    assert sa.harmony_request(song, song.tracks[0])[1].key.name == "C major"
    assert sa.harmony_request(replace(song, chords=()), song.tracks[0])[1].key.name == "A minor"


@pytest.mark.parametrize("name", ["bass", "chords"])
def test_the_other_parts_count_in_the_key(name: str) -> None:
    """The same melody over a bass line (or a track named 'chords' in a file without chord symbols) on C F G C:
    C major for a continuation and a harmonization, as the window detects it."""
    melody = _with_chords([]).tracks[0]
    roots = [48, 53, 55, 48, 45, 50, 55, 48]
    bass = Track(name, clips=(Clip(0, 8 * BAR, tuple(Note(r, i * BAR, BAR, 80) for i, r in enumerate(roots))),))
    song = Song(tracks=(melody, bass))
    _, choice = sa.suggest_request(song, melody, start_bar=8)
    assert choice.key.name == "C major" and choice.reason == "detected from the notes, no key signature"
    assert [k.name for k in sa.detected_sections(song)] == ["C major"]
    assert sa.harmony_request(song, melody)[1].key.name == "C major"


@needs_data
def test_a_melody_that_starts_after_the_intro_takes_the_key_of_the_other_parts() -> None:
    """POP909 001's melody has no notes in its first 8 bars: the key comes from the bridge and piano there."""
    song = open_song(POP909)
    track = sa.pick_track(song)
    request, choice = sa.suggest_request(song, track, start_bar=8)
    assert request.context == () and (choice.key.tonic, choice.key.mode) == (6, "major")
    assert choice.reason == "detected from the notes, no key signature"


@needs_data
def test_a_key_set_on_purpose_wins() -> None:
    song = open_song(POP909)
    track = sa.pick_track(song)
    request, choice = sa.suggest_request(song, track, notes=sa.track_notes(track)[:40], key_explicit=True)
    assert choice.key == KeySignature(0) and choice.reason == "set by you"
    assert (choice.detected.tonic, choice.detected.mode) == (6, "major")
    assert request.key == KeySignature(0)


@needs_data
@pytest.mark.parametrize("semitones", [3, -4])
def test_a_signature_the_notes_contradict_gives_way(semitones: int) -> None:
    """A G major Nottingham tune moved to another key while its signature still says G major."""
    song = open_song(ASHOVER12)
    track = sa.pick_track(song)
    _, kept = sa.suggest_request(song, track, notes=sa.track_notes(track)[:24])
    assert kept.reason == "key signature" and kept.key.name == "G major"
    moved = transposed(song, semitones)
    assert moved.keys[0].name == "G major"
    track = sa.pick_track(moved)
    _, choice = sa.suggest_request(moved, track, notes=sa.track_notes(track)[:24])
    assert choice.key.scale == KeySignature(0, (7 + semitones) % 12).scale
    assert choice.reason == "detected: the notes contradict the G major signature"


def test_the_key_in_force_where_the_new_bars_start_not_the_first() -> None:
    scale_c = [60, 62, 64, 65, 67, 69, 71, 72]
    scale_d = [62, 64, 66, 67, 69, 71, 73, 74]
    notes = tuple(Note(p, i * 240, 240) for i, p in enumerate(scale_c * 4)) + \
        tuple(Note(p, 4 * BAR + i * 240, 240) for i, p in enumerate(scale_d * 4))
    song = Song(tracks=(Track("melody", clips=(Clip(0, 8 * BAR, notes),)),),
                keys=(KeySignature(0, 0), KeySignature(4 * BAR, 2)))
    track = song.tracks[0]
    _, choice = sa.suggest_request(song, track)
    assert choice.key.name == "D major" and choice.reason == "key signature"
    _, early = sa.suggest_request(song, track, start_bar=2)
    assert early.key.name == "C major"


def test_without_a_signature_the_models_see_the_key_in_force_where_the_new_bars_start() -> None:
    """8 bars in C, then 8 in Ab, no key signature: a continuation after bar 16 is in Ab, one after bar 8 in C,
    as the window's "Detected" shows at those bars."""
    c_major, a_flat = [60, 62, 64, 65, 67, 69, 71, 72], [68, 70, 72, 73, 75, 77, 79, 80]
    notes = tuple(Note(p, b * BAR + i * 240, 240) for b in range(8) for i, p in enumerate(c_major)) + \
        tuple(Note(p, b * BAR + i * 240, 240) for b in range(8, 16) for i, p in enumerate(a_flat))
    song = Song(tracks=(Track("melody", clips=(Clip(0, 16 * BAR, notes),)),))
    track = song.tracks[0]
    _, late = sa.suggest_request(song, track)
    assert late.key.name == "Ab major" and late.reason == "detected from the notes, no key signature"
    _, early = sa.suggest_request(song, track, notes=sa.track_notes(track)[:64])
    assert early.key.name == "C major"


@needs_data
def test_notes_are_named_in_the_detected_key_when_there_is_no_signature() -> None:
    """POP909 song 001 has no key signature: its notes are named in Gb major (as the window's "Detected"
    says), one detection serving every view of the same song; a signature set on purpose wins."""
    song = open_song(POP909)
    assert sa.spelling_key(song, 0).name == "Gb major" and sa.spelling_key(song, 0).spell(66) == "Gb4"
    assert sa.detected_sections(song) is sa.detected_sections(song)
    signed = replace(song, keys=(KeySignature(0, 4),))
    assert sa.spelling_key(signed, 0).name == "E major"


def test_no_notes_and_no_signature_is_c_major_and_says_so() -> None:
    choice = sa.choose_key(Song(), (), 0)
    assert choice.key == KeySignature(0) and choice.detected is None and "no key signature" in choice.reason


@needs_data
def test_key_report_for_info() -> None:
    report = sa.song_key_report(open_song(POP909))
    assert report["signature"] is None and report["detected"] == "Gb major" and report["also_fits"] is None
    report = sa.song_key_report(open_song(ASHOVER))
    assert report["signature"] == "G major"
    assert [s["key"] for s in report["sections"]][:2] == ["G major", "F major"]  # the B part is in F


# ---------------------------------------------------------------- requests


@needs_data
def test_suggest_request_from_a_selection() -> None:
    song = open_song(ASHOVER)
    track = sa.pick_track(song)
    notes = tuple(n for n in sa.track_notes(track) if n[1] < 4 * 1440)  # the first 4 bars of 3/4
    request, _ = sa.suggest_request(song, track, notes=notes, bars=2, candidates=3, seed=5, key_lock=True,
                                    pitch_range=(60, 84), style="folk")
    defaults = ContinuationRequest()
    assert request.start_bar == 4 and request.bars == 2 and request.candidates == 3 and request.seed == 5
    assert request.context == notes and request.key_lock and request.pitch_range == (60, 84)
    assert request.temperature == defaults.temperature and request.top_p == defaults.top_p
    assert request.meters[0] == (0, 3, 4) and request.style == "folk"
    at_bar, _ = sa.suggest_request(song, track, start_bar=2)
    assert at_bar.start_bar == 2 and all(n[1] < 2 * 1440 for n in at_bar.context)


def test_harmony_request_options_and_existing_chords() -> None:
    mel = tuple(Note(p, i * 480, 480) for i, p in enumerate([72, 76, 79, 76] * 4))
    song = Song(tracks=(Track("melody", clips=(Clip(0, 4 * BAR, mel),)),), keys=(KeySignature(0, 7),),
                chords=(ChordSymbol(0, BAR, "C:maj"),), meters=(TimeSignature(0, 4, 4),))
    request, choice = sa.harmony_request(song, song.tracks[0], style="jazz", candidates=2, rhythm="half")
    assert request.style == "jazz" and request.candidates == 2 and request.rhythm == "half"
    assert request.existing == ((0, BAR, "C:maj"),) and request.end == 4 * BAR
    assert request.melody[0] == (72, 0, 480) and choice.reason == "key signature" and request.key.name == "G major"


def _sixteen_bars(chords: bool) -> Song:
    """16 bars of a C major tune (a bar of each chord's arpeggio), with the chord symbols or without."""
    roots = [0, 5, 7, 0, 9, 2, 7, 0] * 2
    thirds = [4, 4, 4, 4, 3, 3, 4, 4] * 2
    mel = tuple(Note(60 + r + (0, t, 7, 12)[i], b * BAR + i * 480, 480)
                for b, (r, t) in enumerate(zip(roots, thirds)) for i in range(4))
    names = {0: "C", 2: "D", 5: "F", 7: "G", 9: "A"}
    symbols = tuple(ChordSymbol(b * BAR, BAR, f"{names[r]}:{'maj' if t == 4 else 'min'}")
                    for b, (r, t) in enumerate(zip(roots, thirds))) if chords else ()
    return Song(tracks=(Track("melody", clips=(Clip(0, 16 * BAR, mel),)),), chords=symbols)


def test_a_harmonization_ends_the_music_only_where_its_notes_reach_the_tracks_last_note() -> None:
    """The whole track, or its last phrase, ends the music (a final tonic is harmonized at home); the first 8 bars of
    16 do not, with chord symbols around them or without."""
    for chords in (True, False):
        song = _sixteen_bars(chords)
        track = song.tracks[0]
        notes = sa.track_notes(track)
        whole, _ = sa.harmony_request(song, track)
        first, _ = sa.harmony_request(song, track, notes=[n for n in notes if n[1] < 8 * BAR])
        last, _ = sa.harmony_request(song, track, notes=[n for n in notes if n[1] >= 12 * BAR])
        assert whole.ends_music and last.ends_music and not first.ends_music


def test_a_phrase_later_in_a_song_is_harmonized_from_its_own_bar() -> None:
    """A selection in bars 9-12: no lead-in chords over bars 1-8. Where chords stand around it, the request also
    spans the 4 bars on each side (their melody and chords, clamped) and harmonizes bars 9-12 only."""
    for chords in (True, False):
        song = _sixteen_bars(chords)
        track = song.tracks[0]
        phrase = [n for n in sa.track_notes(track) if 8 * BAR <= n[1] < 12 * BAR]
        request, _ = sa.harmony_request(song, track, notes=phrase, rhythm="bar")
        assert sa.harmonized_span(request) == (8 * BAR, 12 * BAR)
        if chords:
            assert request.start == 4 * BAR and request.range_bars == (8, 11)
            assert request.melody[0][1] == 4 * BAR and request.end == 16 * BAR
        else:
            assert request.start == 8 * BAR and request.range_bars is None and request.melody[0][1] == 8 * BAR
    whole, _ = sa.harmony_request(song, track)
    assert whole.start == 0 and whole.range_bars is None and sa.harmonized_span(whole) == (0, 16 * BAR)
    blip, _ = sa.harmony_request(_sixteen_bars(True), track, notes=[(60, 8 * BAR, 0, 90)])  # a zero-length note
    assert blip.range_bars == (8, 8)


@needs_weights
def test_keeping_a_phrase_harmonization_leaves_the_chords_around_it() -> None:
    song = _sixteen_bars(True)
    track = song.tracks[0]
    phrase = [n for n in sa.track_notes(track) if 8 * BAR <= n[1] < 12 * BAR]
    request, _ = sa.harmony_request(song, track, notes=phrase, rhythm="bar", candidates=2)
    for result in sa.load_harmonizer().harmonize(request):
        mine = sa.in_span(request, result)
        assert mine.chords and all(8 * BAR <= s and s + d <= 12 * BAR for s, d, _ in mine.chords)
        kept = sa.add_harmonization(song, track.id, mine, sa.voice_harmonization(request, mine))
        outside = [(c.start, c.label) for c in kept.chords if not 8 * BAR <= c.start < 12 * BAR]
        assert outside == [(c.start, c.label) for c in song.chords if not 8 * BAR <= c.start < 12 * BAR]
        acc = [t for t in kept.tracks if t.name == "accompaniment"][0]
        assert all(8 * BAR <= n.start < 12 * BAR for n in acc.notes_absolute())


# ---------------------------------------------------------------- engines


def test_missing_or_broken_models_say_which_file_and_what_to_do(tmp_path) -> None:
    for load, what in ((sa.load_continuation_engine, "continuation"), (sa.load_harmonizer, "harmonizer")):
        with pytest.raises(SongFileError, match=f"missing.npz: no {what} model file; reinstall"):
            load(tmp_path / "missing.npz")
        bad = tmp_path / "bad.npz"
        bad.write_bytes(b"hello")
        with pytest.raises(SongFileError, match=f"bad.npz: not a usable {what} model"):
            load(bad)


# ---------------------------------------------------------------- results back into the song


@needs_data
@needs_weights
def test_accept_a_real_suggestion_as_a_clip() -> None:
    song = open_song(ASHOVER)
    track = sa.pick_track(song)
    notes = tuple(n for n in sa.track_notes(track) if n[1] < 4 * 1440)
    request, _ = sa.suggest_request(song, track, notes=notes, bars=2, candidates=2, seed=1)
    cand = sa.load_continuation_engine().suggest(request)[0]
    assert cand.notes and cand.start_tick == 4 * 1440 and cand.end_tick == 6 * 1440
    after = sa.add_candidate(song, track.id, cand)
    new = [c for c in after.track(track.id).clips if c.id not in {c.id for c in track.clips}]
    assert len(new) == 1 and new[0].start == cand.start_tick and new[0].length == cand.end_tick - cand.start_tick
    assert sorted((n.pitch, new[0].start + n.start, n.duration) for n in new[0].notes) == \
        sorted((p, s, d) for p, s, d, _ in cand.notes)
    assert after.track(track.id).note_count == track.note_count + len(cand.notes)
    # the candidate's own file starts at its first bar, in 3/4, with the key it was made in
    alone = sa.candidate_song(song, track, cand.notes, cand.start_tick, cand.end_tick, "c1", request.key)
    got = [n for t in alone.tracks for n in t.notes_absolute()]
    assert min(n.start for n in got) < 1440 and max(n.end for n in got) <= 2 * 1440
    assert alone.meters[0].numerator == 3 and alone.keys[0].tonic == request.key.tonic


@needs_data
@needs_weights
def test_accept_a_real_harmonization_brings_chords_and_accompaniment() -> None:
    song = open_song(ASHOVER)
    track = sa.pick_track(song)
    notes = tuple(n for n in sa.track_notes(track) if n[1] < 8 * 1440)
    old = (ChordSymbol(0, 1440, "A:min"), ChordSymbol(20 * 1440, 1440, "D:7"))
    song = replace(song, chords=old)
    request, _ = sa.harmony_request(song, track, notes=notes, candidates=2, existing=())
    result = sa.load_harmonizer().harmonize(request)[0]
    voiced = sa.voice_harmonization(request, result, "pop")
    assert voiced
    after = sa.add_harmonization(song, track.id, result, voiced)
    span_end = max(s + d for s, d, _ in result.chords)
    inside = [(c.start, c.label) for c in after.chords if c.start < span_end]
    assert inside == [(s, lab) for s, _, lab in result.chords if lab != "N"]
    assert (20 * 1440, "D:7") in [(c.start, c.label) for c in after.chords]  # outside the span: kept
    acc = [t for t in after.tracks if t.name == "accompaniment"]
    assert len(acc) == 1 and acc[0].note_count == len(voiced)
    assert [t.name for t in after.tracks].index("accompaniment") == [t.id for t in after.tracks].index(track.id) + 1
    again = sa.add_harmonization(after, track.id, result, voiced)  # accepting twice replaces, never doubles
    assert [t.note_count for t in again.tracks if t.name == "accompaniment"] == [len(voiced)]


def test_candidate_file_starts_at_its_first_bar_with_the_tempo_in_force() -> None:
    song = Song(tempos=(TempoChange.from_bpm(0, 90), TempoChange.from_bpm(8 * BAR, 120)),
                meters=(TimeSignature(0, 4, 4), TimeSignature(10 * BAR, 3, 4)), keys=(KeySignature(0, 2),))
    track = Track("melody")
    start = 10 * BAR + 2 * 1440  # the third bar of 3/4
    notes = ((60, start + 240, 240, 90), (62, start + 1440, 480, 200))
    out = sa.candidate_song(song, track, notes, start, start + 2 * 1440, "cand")
    got = out.tracks[0].notes_absolute()
    assert [(n.pitch, n.start, n.velocity) for n in got] == [(60, 240, 90), (62, 1440, 127)]
    assert round(out.tempos[0].bpm) == 120 and len(out.tempos) == 1
    assert [(m.tick, m.numerator) for m in out.meters] == [(0, 3)]
    assert out.keys == (KeySignature(0, 2),) and out.tracks[0].name == "cand"


def test_a_harmonization_of_music_that_modulates_works_section_by_section() -> None:
    from tests.model.test_harmony_sections import tune_that_moves_up_a_tone

    notes = tuple(Note(p, s, d) for p, s, d in tune_that_moves_up_a_tone())
    song = Song(tracks=(Track("melody", clips=(Clip(0, 16 * BAR, notes),)),))
    req, choice = sa.harmony_request(song, song.tracks[0])  # no signature: the detected sections
    assert (req.key.tonic, [(k.tick, k.tonic) for k in req.key_changes]) == (0, [(8 * BAR, 2)])
    assert choice.reason.endswith("it modulates: C major from bar 1, D major from bar 9")
    signed = replace(song, keys=(KeySignature(0, 0, "major"), KeySignature(8 * BAR, 2, "major")))
    req, _ = sa.harmony_request(signed, signed.tracks[0])  # the signatures, where the song has them
    assert [(k.tick, k.tonic) for k in req.key_changes] == [(8 * BAR, 2)]
    assert sa.harmony_request(signed, signed.tracks[0], key_explicit=True)[0].key_changes == ()  # set by you
    assert sa.harmony_request(signed, signed.tracks[0], range_bars=(0, 3))[0].key_changes == ()
    one_section = replace(song, tracks=(Track("melody", clips=(Clip(0, 8 * BAR, notes[:32]),)),))
    req, choice = sa.harmony_request(one_section, one_section.tracks[0])
    assert req.key_changes == () and "modulates" not in choice.reason


# ---------------------------------------------------------------- chords heard in the other parts


def _lead_and_piano(symbols: tuple[ChordSymbol, ...] = ()) -> tuple[Song, Track]:
    """A tune in Eb major (no key signature) over a piano part playing Eb, Ab, Bb7, Eb, one chord a bar."""
    tune = (70, 67, 63, 67, 68, 72, 75, 72, 70, 74, 77, 74, 75, 70, 67, 63)
    lead = Track("Lead", clips=(Clip(0, 4 * BAR, tuple(Note(p, i * 480, 480) for i, p in enumerate(tune))),))
    voicings = ((39, 55, 58, 63), (44, 56, 60, 63), (46, 56, 62, 65), (39, 55, 58, 63))
    piano = Track("Piano", channel=1, clips=(Clip(0, 4 * BAR, tuple(Note(p, b * BAR, BAR, 70)
                                                                   for b, v in enumerate(voicings) for p in v)),))
    return Song(tracks=(lead, piano), chords=symbols), lead


def test_without_chord_symbols_a_request_hears_the_chords_of_the_other_parts() -> None:
    """A DAW file gives its harmony as a piano part: the continuation is conditioned on the chords the piano
    plays, spelt in the key detected (Ab and Bb7, not G# and A#7), not on 'no chord'."""
    song, lead = _lead_and_piano()
    heard = ((0, BAR, "Eb:maj"), (BAR, BAR, "Ab:maj"), (2 * BAR, BAR, "Bb:7"), (3 * BAR, BAR, "Eb:maj"))
    assert sa.request_chords(song, lead) == heard and sa.chords_source(song, heard) == sa.CHORDS_HEARD
    request, key = sa.suggest_request(song, lead, start_bar=2)
    assert key.reason == "detected from the notes, no key signature" and request.chords == heard
    assert sa.chords_source(song, request.chords) == sa.CHORDS_HEARD
    fill, _ = sa.fill_request(song, lead, mode="fill", start_bar=1, bars=1)
    assert fill.chords == heard
    # the track asked about is never heard: the piano's own continuation hears no other part playing chords
    piano = song.tracks[1]
    assert sa.request_chords(song, piano) == () and sa.chords_source(song, ()) == sa.NO_CHORDS


def test_a_piano_playing_broken_chords_is_heard_as_its_chords() -> None:
    """The same piano part as an Alberti figure, one eighth note at a time (low, high, middle, high): before, no two
    notes sounded together, nothing was heard and the tune was continued over no chords at all."""
    song, lead = _lead_and_piano()
    figure = tuple(Note(v[(0, 3, 2, 3, 1, 3, 2, 3)[i]], b * BAR + i * 240, 240, 70)
                   for b, v in enumerate(((39, 55, 58, 63), (44, 56, 60, 63), (46, 56, 62, 65), (39, 55, 58, 63)))
                   for i in range(8))
    piano = replace(song.tracks[1], clips=(Clip(0, 4 * BAR, figure),))
    song = replace(song, tracks=(lead, piano))
    # the figure is an accompaniment (it goes under the harmonizer's chords of the tune, melody_chords); the tune,
    # though it leaps along its chords too, is the tune: a melody, heard as written
    assert sa.track_role(song, piano) == "accompaniment" and sa.track_role(song, lead) == "melody"
    assert sa.suggest_request(song, piano, start_bar=2)[0].role == "accompaniment"
    alone = replace(song, tracks=(piano, replace(lead, clips=())))  # sketched alone: a tune until a part joins it
    assert sa.track_role(alone, alone.tracks[0]) == "melody"
    assert sa.suggest_request(alone, alone.tracks[0], start_bar=2)[0].role == "melody"
    assert sa.fill_request(song, piano, mode="fill", start_bar=1, bars=1)[0].chords == ((BAR, BAR, "Ab:maj"),)
    request, _ = sa.suggest_request(song, lead, start_bar=2)
    assert [c[2] for c in request.chords] == ["Eb:maj", "Ab:maj", "Bb:7", "Eb:maj"]
    assert sa.chords_source(song, request.chords) == sa.CHORDS_HEARD
    # the figure an octave up, in sixteenths: busier and higher than the tune, it is still not the tune
    sixteenths = tuple(Note(n.pitch + 12, n.start - n.start % BAR // 2 + half, 120, 70)
                       for n in figure for half in (0, BAR // 2))
    high = replace(piano, clips=(Clip(0, 4 * BAR, sixteenths),))
    song = replace(song, tracks=(lead, high))
    assert sa.pick_track(song) is lead
    assert [c[2] for c in sa.heard_under(song, lead)] == ["Eb:maj", "Ab:maj", "Bb:7", "Eb:maj"]


def test_an_alberti_bass_under_the_pedal_is_still_an_accompaniment() -> None:
    """Mozart's kind of Alberti bass lies within a tenth, narrower than a pedalled chord's spread (CHORD_SPAN). Played
    with its notes held on (under the pedal, or the bass held under the figure, as a regenerated left hand often
    holds it), it was neither chords nor a figure: the part was read as a tune ("auto (Tune)") and continued as one.
    It is a figure, an accompaniment, whether its notes are held or not; the tune stays the tune."""
    song, lead = _lead_and_piano()
    shapes = ((51, 58, 55, 58), (51, 60, 56, 60), (50, 58, 56, 58), (51, 58, 55, 58))  # Eb, Ab/Eb, Bb7/D, Eb
    figure = [(v[(0, 1, 2, 1)[i % 4]], b * BAR + i * 240) for b, v in enumerate(shapes) for i in range(8)]
    lengths = {"no": lambda t: 240, "pedal": lambda t: 960 - t % 960,  # to the end of its half bar
               "bass": lambda t: 960 - t % 960 if t % 960 == 0 else 240}  # the half bar's first note
    for held, length in lengths.items():
        notes = tuple(Note(p, t, length(t), 70) for p, t in figure)
        piano = replace(song.tracks[1], clips=(Clip(0, 4 * BAR, notes),))
        band = replace(song, tracks=(lead, piano))
        assert sa.track_role(band, piano) == "accompaniment", held
        assert sa.pick_track(band) is lead and sa.track_role(band, lead) == "melody", held


def test_chord_symbols_win_over_what_the_parts_play() -> None:
    symbols = (ChordSymbol(0, 2 * BAR, "Eb:maj7"), ChordSymbol(2 * BAR, 2 * BAR, "C:min7"))  # every bar
    song, lead = _lead_and_piano(symbols)
    request, _ = sa.suggest_request(song, lead, start_bar=2)
    assert request.chords == ((0, 2 * BAR, "Eb:maj7"), (2 * BAR, 2 * BAR, "C:min7"))
    assert sa.chords_source(song, request.chords) == sa.CHORDS_FROM_SYMBOLS


def test_where_symbols_stop_the_chords_the_other_parts_play_go_on() -> None:
    """A symbol typed over bar 2 wins there; the other bars keep the chords the piano plays (typing one chord
    does not silence the rest)."""
    song, lead = _lead_and_piano((ChordSymbol(BAR + 960, 960, "F:min7"),))
    chords = sa.request_chords(song, lead)
    assert sa.chords_source(song, chords) == sa.CHORDS_BOTH
    assert chords == ((0, BAR, "Eb:maj"), (BAR, 960, "Ab:maj"), (BAR + 960, 960, "F:min7"), (2 * BAR, BAR, "Bb:7"),
                      (3 * BAR, BAR, "Eb:maj"))
    assert sa.heard_under(song, lead) == tuple(c for c in chords if c[2] != "F:min7")


def test_a_melody_is_written_over_a_piano_part_without_chord_symbols() -> None:
    song, lead = _lead_and_piano()
    empty = replace(song, tracks=(replace(lead, clips=(Clip(0, 4 * BAR, ()),)), song.tracks[1]))
    request, _ = sa.fill_request(empty, empty.tracks[0], mode="melody", start_bar=0, bars=4)
    assert [c[2] for c in request.chords] == ["Eb:maj", "Ab:maj", "Bb:7", "Eb:maj"] and request.role == "melody"
    alone = replace(song, tracks=(empty.tracks[0],))
    with pytest.raises(ValueError, match="no chord symbols, and no other part plays chords"):
        sa.fill_request(alone, alone.tracks[0], mode="melody", start_bar=0, bars=4)
    # asked on the piano itself (its clip open in the window): the message says where the melody goes instead
    piano = replace(song, tracks=(song.tracks[1],))
    with pytest.raises(ValueError, match="'Piano' plays the chords the melody would go over .*another track"):
        sa.fill_request(piano, piano.tracks[0], mode="melody", start_bar=0, bars=4)


def test_a_request_in_the_middle_of_a_song_works_in_the_key_the_window_shows() -> None:
    """A DAW file (no key signature) whose first 4 bars lean on A minor and whose 20 bars after them are in C
    major. Continuing the selected first 4 bars, filling bars 5-6 or varying them works in C major, the key the
    window shows there; an evaluation whose file holds the answer after the prompt (``ahead=False``) hears only
    what comes before (A minor), as does a continuation at the song's end."""
    notes = tuple(Note(p, s, d, 90) for p, s, d in relative_lean_then_c_major())
    track = Track("melody", clips=(Clip(0, 26 * BAR, notes),))
    song = Song(tracks=(track,))
    shown = key_detection.key_at(sa.detected_sections(song), 4 * BAR - 1)
    assert shown.name == "C major"
    selected = tuple((n.pitch, n.start, n.duration, n.velocity) for n in notes if n.start < 4 * BAR)
    request, choice = sa.suggest_request(song, track, notes=selected)
    assert choice.key == shown and request.key == shown and request.start_bar == 4
    for mode in ("fill", "vary"):
        _req, span_choice = sa.fill_request(song, track, mode=mode, start_bar=4, bars=2,
                                            keep="rhythm" if mode == "vary" else None)
        assert span_choice.key.name == "C major"
    assert sa.choose_key(song, selected, 4 * BAR, ahead=False).key.name == "A minor"
    first = Song(tracks=(replace(track, clips=(Clip(0, 4 * BAR, tuple(n for n in notes if n.start < 4 * BAR)),)),))
    assert sa.suggest_request(first, first.tracks[0])[1].key.name == "A minor"


def test_a_phrase_is_harmonized_in_the_key_the_window_shows_there() -> None:
    """The first 4 bars of a song (no signature) lean on A minor by their own notes, but the song, and the window's
    Detected key there, is C major: harmonizing those bars as a phrase works in C major. A key the user set still
    wins."""
    notes = tuple(Note(p, s, d, 90) for p, s, d in relative_lean_then_c_major())
    track = Track("melody", clips=(Clip(0, 26 * BAR, notes),))
    song = Song(tracks=(track,))
    phrase = tuple((n.pitch, n.start, n.duration, n.velocity) for n in notes if n.start < 4 * BAR)
    assert sa.choose_key(song, phrase, 4 * BAR, bars=8).key.name == "A minor"  # the phrase's bars alone
    request, choice = sa.harmony_request(song, track, notes=phrase)
    assert choice.key.name == "C major" and request.key == choice.key and not request.key_changes
    assert choice.reason == "detected from the notes, no key signature"
    a_minor = KeySignature(0, 9, "minor")
    set_song = replace(song, keys=(a_minor,), key_explicit=True)
    assert sa.harmony_request(set_song, track, notes=phrase)[1].key.name == "A minor"


def test_without_chords_leaves_the_melody_and_the_other_parts() -> None:
    melody = Track("melody", clips=(Clip(0, BAR, (Note(60, 0, 480),)),))
    piano = Track("Piano", clips=(Clip(0, BAR, (Note(48, 0, 480), Note(52, 0, 480))),))
    chords = Track(" Chords ", clips=(Clip(0, BAR, (Note(48, 0, BAR),)),))
    song = Song(tracks=(melody, piano, chords), chords=(ChordSymbol(0, BAR, "C"),))
    bare = sa.without_chords(song)
    assert bare.tracks == (melody, piano) and bare.chords == () and bare.meters == song.meters


def test_a_piano_span_regenerated_or_varied_is_written_over_the_chords_its_notes_play() -> None:
    """Regenerating or varying bars of the piano: its own notes there (with the tune) say the chords, spelt in the
    key (Ab and Bb7); a chord symbol there still wins; the chords outside the span stay what the request had; the
    melody's span and an empty gap are left to the other parts."""
    song, lead = _lead_and_piano()
    piano = song.tracks[1]
    for mode, keep in (("fill", None), ("vary", "rhythm")):
        request, _ = sa.fill_request(song, piano, mode=mode, keep=keep, start_bar=1, bars=2, seed=0)
        assert request.role == "accompaniment" and sa.hears_replaced(song, piano, request)
        assert request.chords == ((BAR, BAR, "Ab:maj"), (2 * BAR, BAR, "Bb:7"))
        assert sa.request_chords_source(song, piano, request) == sa.CHORDS_REPLACED
    stated = replace(song, chords=(ChordSymbol(2 * BAR, BAR, "G:min7"),))
    request, _ = sa.fill_request(stated, stated.tracks[1], mode="fill", start_bar=1, bars=2)
    assert request.chords == ((BAR, BAR, "Ab:maj"), (2 * BAR, BAR, "G:min7"))
    melody, _ = sa.fill_request(song, lead, mode="fill", start_bar=1, bars=2)
    assert not sa.hears_replaced(song, lead, melody) and melody.chords == sa.request_chords(song, lead)
    clip = piano.clips[0]
    gap = replace(song, tracks=(lead, replace(piano, clips=(replace(clip, notes=tuple(
        n for n in clip.notes if not BAR <= n.start < 3 * BAR)),))))
    request, _ = sa.fill_request(gap, gap.tracks[1], mode="fill", start_bar=1, bars=2)
    assert not sa.hears_replaced(gap, gap.tracks[1], request) and request.chords == ()


def test_a_bass_line_is_asked_for_as_a_bass() -> None:
    """A line named or sounding as a bass, or lying low, is continued as a bass line; chords low down stay an
    accompaniment and a tune stays a melody."""
    line = tuple(Note(p, i * 480, 480) for i, p in enumerate((36, 43, 45, 40, 41, 36, 43, 38) * 2))
    high = tuple(replace(n, pitch=n.pitch + 24) for n in line)
    for track, role in ((Track("Bass", clips=(Clip(0, 4 * BAR, high),)), "bass"),  # named (even up high)
                        (Track("Line", program=33, clips=(Clip(0, 4 * BAR, high),)), "bass"),  # a GM bass sound
                        (Track("Low strings", program=43, clips=(Clip(0, 4 * BAR, high),)), "bass"),  # contrabass
                        (Track("Cello", program=42, clips=(Clip(0, 4 * BAR, high),)), "melody"),  # a cello up high
                        (Track("Left hand", clips=(Clip(0, 4 * BAR, line),)), "bass"),  # below C3 on average
                        (Track("Tune", clips=(Clip(0, 4 * BAR, high),)), "melody")):
        assert sa.part_role(track, sa.track_notes(track)) == role, track.name
        song = Song(tracks=(track,))
        request, _ = sa.suggest_request(song, track, bars=2)
        assert request.role == role
    chords = Track("Low chords", clips=(Clip(0, 4 * BAR, tuple(Note(p, b * BAR, BAR) for b in range(4)
                                                                for p in (36, 43, 48))),))
    assert sa.part_role(chords, sa.track_notes(chords)) == "accompaniment"


def test_a_drum_track_gets_a_clear_answer_not_pitched_notes() -> None:
    """Its note numbers name drums: continuing, filling or harmonizing it would write or hear nonsense pitches."""
    song, lead = _lead_and_piano()
    drums = Track("Drums", channel=9, is_drum=True, clips=(Clip(0, 4 * BAR, tuple(
        Note(36 if i % 2 == 0 else 38, i * 480, 120) for i in range(16))),))
    song = replace(song, tracks=(*song.tracks, drums))
    for ask in (lambda: sa.suggest_request(song, drums, bars=2),
                lambda: sa.fill_request(song, drums, mode="fill", start_bar=1, bars=1),
                lambda: sa.harmony_request(song, drums)):
        with pytest.raises(ValueError, match="'Drums' is a drum track"):
            ask()
    assert sa.suggest_request(song, lead, start_bar=2)[0].role == "melody"  # the other parts go on as before


def test_a_harmonization_hears_the_bass_line_under_the_melody() -> None:
    """A band's file without a chord part: the melody's harmonization request carries the bass line's notes (not the
    drums', not a piano's), and a key section keeps its own part of them."""
    from composer_app.model.harmony_sections import section_request

    song, lead = _lead_and_piano()
    bass = Track("Bass", channel=2, program=33, clips=(Clip(0, 4 * BAR, tuple(
        Note(p, b * BAR, BAR) for b, p in enumerate((39, 44, 46, 39)))),))
    drums = Track("Drums", channel=9, is_drum=True, clips=(Clip(0, 4 * BAR, tuple(
        Note(36, i * 480, 120) for i in range(16))),))
    band = replace(song, tracks=(lead, song.tracks[1], bass, drums))
    request, _ = sa.harmony_request(band, lead)
    assert request.bass == ((39, 0, BAR), (44, BAR, BAR), (46, 2 * BAR, BAR), (39, 3 * BAR, BAR))
    assert sa.harmony_request(song, lead)[0].bass == ()  # the piano is a chord part, not a bass line
    later = section_request(request, BAR + 960, 3 * BAR, request.key)
    assert later.bass == ((44, 0, 960), (46, 960, BAR))
