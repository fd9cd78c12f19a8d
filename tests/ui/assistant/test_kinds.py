"""The request kinds' small pure parts: which notes a request is about and how a span candidate is summed up."""

from __future__ import annotations

from composer_app.core.pitch import KeySignature
from composer_app.core.song import Clip, Note, Song, Track
from composer_app.model.continuation import Candidate
from composer_app.model.facts import candidate_facts
from composer_app.ui.assistant.cards import card_title
from composer_app.ui.assistant.kinds import Ask, build_continuation, changed_notes, phrase_notes, span_suggestion
from composer_app.ui.assistant.session import Options, Suggestion
from composer_app.ui.assistant.targets import target_of

BAR = 1920


def _song() -> Song:
    notes = tuple(Note(60 + 2 * i, i * 480, 480) for i in range(8))  # two bars of quarters
    return Song(tracks=(Track("Lead", clips=(Clip(0, 2 * BAR, notes),)),))


def test_one_selected_note_stands_for_the_whole_clip_and_more_notes_for_themselves():
    song = _song()
    clip = song.tracks[0].clips[0]
    one = target_of(song, clip.id, [clip.notes[-1].id])
    assert one.selection and len(phrase_notes(Ask(song, one, Options()))) == 8
    two = target_of(song, clip.id, [n.id for n in clip.notes[:2]])
    assert phrase_notes(Ask(song, two, Options())) == two.notes and len(two.notes) == 2


def test_the_phrase_ending_option_reaches_the_request():
    song = _song()
    clip = song.tracks[0].clips[0]
    target = target_of(song, clip.id, [])
    assert build_continuation(Ask(song, target, Options()))[0].phrase_end
    assert not build_continuation(Ask(song, target, Options(phrase_end=False)))[0].phrase_end


def test_more_like_this_asks_for_anything_but_the_candidate_itself():
    """"More like this" keeps the first half of a candidate and asks for the rest: never that rest again."""
    from composer_app.ui.assistant.session import Suggestion

    song = _song()
    clip = song.tracks[0].clips[0]
    target = target_of(song, clip.id, [])
    start = song.meter_map.bar_start(2)
    notes = tuple((60 + i % 5, start + i * 480, 480, 90) for i in range(16))
    base = Suggestion("continue", 0, notes, start, start + 4 * 1920)
    request, _ = build_continuation(Ask(song, target, Options(bars=4), base=base))
    cut = song.meter_map.bar_start(4)
    assert request.start_bar == 4 and request.avoid == tuple(n for n in notes if n[1] >= cut)
    assert build_continuation(Ask(song, target, Options(bars=4)))[0].avoid == ()


def test_a_span_candidate_counts_the_notes_it_changes_and_the_card_says_so():
    song = _song()
    clip = song.tracks[0].clips[0]
    target = target_of(song, clip.id, [n.id for n in clip.notes[4:]])
    kept = tuple((n.pitch, n.start, n.duration, 90) for n in clip.notes[4:6])
    new = ((61, 6 * 480, 480, 90), (62, 7 * 480, 480, 90))
    notes = kept + new
    cand = Candidate(0, notes, -3.0, candidate_facts(notes, (), KeySignature(0)), BAR, 2 * BAR)
    assert changed_notes(song, target.track_id, cand) == 2
    vary = span_suggestion("vary")(cand, Ask(song, target, Options()), None)
    assert vary.changed == 2 and card_title(vary) == "4 notes, 2 changed"
    melody = span_suggestion("melody")(cand, Ask(song, target, Options()), None)
    assert melody.changed is None and card_title(melody) == "4 notes"
    assert card_title(Suggestion("continue", 0, notes, BAR, 2 * BAR)) == "4 notes"


def test_a_played_take_is_selected_and_compared_as_written():
    """A note played just before bar 2's line belongs to bar 2, and the notes of a variation that keeps them count
    as unchanged though the take is a few ticks off the grid."""
    from composer_app.ui.assistant.kinds import selected_span

    played = [(60 + 2 * i, i * 480 + off, 400, 80) for i, off in enumerate((9, -12, 15, 4, -14, 11, -7, 13))]
    song = Song(tracks=(Track("Keys", clips=(Clip(0, 2 * BAR, tuple(Note(*n) for n in played)),)),))
    clip = song.tracks[0].clips[0]
    bar_two = target_of(song, clip.id, [n.id for n in clip.notes if n.pitch >= 68])  # the first starts at 1906
    assert min(n[1] for n in bar_two.notes) < BAR
    assert selected_span(Ask(song, bar_two, Options())) == (1, 1)
    same = tuple((60 + 2 * i, i * 480, 480, 80) for i in range(4, 8))
    cand = Candidate(0, same, -3.0, candidate_facts(same, (), KeySignature(0)), BAR, 2 * BAR)
    assert changed_notes(song, bar_two.track_id, cand) == 0


def test_a_kept_continuation_of_a_pedalled_part_goes_on_pedalling_as_it_did():
    """A piano part pedalled bar by bar (down just after the bar line, up before the next): its kept continuation,
    joined to the clip, is pedalled so too, and so is what the card auditions (Keep's own song)."""
    from composer_app.core.controls import pedal_spans
    from composer_app.core.song import Control
    from composer_app.ui.assistant.audition import heard_song
    from composer_app.ui.assistant.controller import accepted_song

    pedal = tuple(Control(b * BAR + t, 64, v) for b in range(2) for t, v in ((60, 127), (1800, 0)))
    notes = tuple(Note(48 + (i % 3) * 4, i * 480, 480) for i in range(8))
    song = Song(tracks=(Track("Piano", clips=(Clip(0, 2 * BAR, notes, controls=pedal),)),))
    clip = song.tracks[0].clips[0]
    target = target_of(song, clip.id, [])
    new = ((60, 2 * BAR, 960, 80), (64, 2 * BAR + 960, 960, 80), (62, 3 * BAR, 1920, 80))
    cand = Candidate(0, new, -3.0, candidate_facts(new, (), KeySignature(0)), 2 * BAR, 4 * BAR)
    suggestion = Suggestion("continue", 0, new, 2 * BAR, 4 * BAR, source=cand)
    kept = accepted_song(song, target, suggestion)
    (joined,) = kept.tracks[0].clips
    assert pedal_spans(joined) == [(b * BAR + 60, b * BAR + 1800) for b in range(4)]
    dry = Song(tracks=(Track("Piano", clips=(Clip(0, 2 * BAR, notes),)),))
    (plain,) = accepted_song(dry, target_of(dry, dry.tracks[0].clips[0].id, []), suggestion).tracks[0].clips
    assert plain.controls == ()
    heard = heard_song(song, target, suggestion)
    assert [pedal_spans(c) for c in heard.tracks[0].clips] == [pedal_spans(joined)]
