"""Regenerate selection, Vary and Suggest melody in the assistant, with the real engine: ghost notes for the span,
accept replaces exactly the span as one undo step, undo restores it."""

from __future__ import annotations

from dataclasses import replace

from composer_app.core.song import ChordSymbol, Clip, Note, Song, Track
from composer_app.ui.assistant.controller import Assistant
from composer_app.ui.assistant.session import Options
from composer_app.ui.assistant.targets import target_of
from composer_app.ui.document import SongDocument
from tests.ui.assistant.conftest import ask_and_listen, motif_song


def _assistant(doc: SongDocument, engines, selected=(), **options) -> Assistant:
    clip_id = doc.song.tracks[0].clips[0].id
    return Assistant(doc, lambda song: target_of(song, clip_id, selected), lambda: Options(**options),
                     engines=engines)


def _abs(song: Song) -> list[tuple[int, int, int]]:
    clip = song.tracks[0].clips[0]
    return sorted((clip.start + n.start, n.pitch, n.duration) for n in clip.notes)


def _bars_notes(song: Song, first: int, last: int) -> list[str]:
    mm = song.meter_map
    lo, hi = mm.bar_start(first), mm.bar_start(last + 1)
    clip = song.tracks[0].clips[0]
    return [n.id for n in clip.notes if lo <= clip.start + n.start < hi]


def test_regenerate_selection_replaces_only_the_selected_bars(qtbot, engines):
    song = motif_song(8)
    doc = SongDocument(song)
    assistant = _assistant(doc, engines, _bars_notes(song, 3, 4), candidates=3, key_lock=True)
    with qtbot.waitSignal(assistant.batch_finished, timeout=60_000):
        assert assistant.ask("fill") is not None
    batch = assistant.history.batch
    assert batch.state == "done" and len(batch.suggestions) == 3
    mm = song.meter_map
    lo, hi = mm.bar_start(3), mm.bar_start(5)
    for s in batch.suggestions:
        assert s.kind == "fill" and s.notes
        assert all(lo <= n[1] and n[1] + n[2] <= hi for n in s.notes)
    chosen = assistant.current
    before = doc.song
    assert assistant.accept()
    assert doc.undo_stack.count() == 1
    after = _abs(doc.song)
    assert [n for n in after if not lo <= n[0] < hi] == [n for n in _abs(before) if not lo <= n[0] < hi]
    assert sorted((s, p) for s, p, _ in after if lo <= s < hi) == sorted((n[1], n[0]) for n in chosen.notes)
    doc.undo_stack.undo()
    assert doc.song is before


def test_vary_keeping_rhythm_changes_pitches_only(qtbot, engines):
    song = motif_song(6)
    doc = SongDocument(song)
    assistant = _assistant(doc, engines, _bars_notes(song, 2, 3), candidates=4, keep="rhythm", amount=0.8)
    with qtbot.waitSignal(assistant.batch_finished, timeout=60_000):
        assistant.ask("vary")
    mm = song.meter_map
    lo, hi = mm.bar_start(2), mm.bar_start(4)
    original = [(s, d) for s, _p, d in _abs(song) if lo <= s < hi]
    pitches = [(s, p) for s, p, _d in _abs(song) if lo <= s < hi]
    changed = 0
    for s in assistant.history.batch.suggestions:
        assert s.kind == "vary"
        assert sorted((n[1], n[2]) for n in s.notes) == sorted(original)
        changed += sorted((n[1], n[0]) for n in s.notes) != sorted(pitches)
        assert s.changed == len({(n[1], n[0]) for n in s.notes} - set(pitches))  # the card's "N changed"
    assert changed >= 3
    assert assistant.accept()
    assert sorted((s, d) for s, _p, d in _abs(doc.song) if lo <= s < hi) == sorted(original)


def test_vary_without_a_selection_says_what_to_do(qtbot, engines, motif):
    doc = SongDocument(motif)
    assistant = _assistant(doc, engines)
    said = []
    assistant.message.connect(said.append)
    assert assistant.ask("vary") is None
    assert any("Select the notes" in m for m in said)


def test_suggest_melody_over_chords_into_an_empty_clip(qtbot, engines):
    bar = 1920
    labels = ["G:maj", "E:min", "C:maj", "D:7"]
    chords = tuple(ChordSymbol(b * bar, bar, labels[b % 4]) for b in range(8))
    song = Song(tracks=(Track("Lead", clips=(Clip(0, 8 * bar, (), name="empty"),)),), chords=chords)
    doc = SongDocument(song)
    assistant = _assistant(doc, engines, bars=4, candidates=2)
    with qtbot.waitSignal(assistant.batch_finished, timeout=60_000):
        assert assistant.ask("melody") is not None
    batch = assistant.history.batch
    assert batch.state == "done" and batch.suggestions
    for s in batch.suggestions:
        assert s.kind == "melody" and s.notes
        assert all(0 <= n[1] < 4 * bar for n in s.notes)
    assert assistant.accept()
    assert doc.song.tracks[0].note_count == len(assistant.history.suggestion.notes)
    doc.undo_stack.undo()
    assert doc.song.tracks[0].note_count == 0


def test_more_like_this_on_a_fill_regenerates_the_same_span(qtbot, engines):
    song = motif_song(8)
    doc = SongDocument(song)
    assistant = _assistant(doc, engines, _bars_notes(song, 3, 4), candidates=2)
    with qtbot.waitSignal(assistant.batch_finished, timeout=60_000):
        assistant.ask("fill")
    first = assistant.history.batch.suggestions[0]
    with qtbot.waitSignal(assistant.batch_finished, timeout=60_000):
        assistant.more_like(first)
    again = assistant.history.batch
    assert again.kind == "fill" and len(assistant.history.batches) == 2
    assert all(replace(s, source=None).start_tick == first.start_tick for s in again.suggestions)


def test_suggest_melody_over_a_piano_part_without_chord_symbols(qtbot, engines):
    """A MIDI file's harmony is often a piano part: the melody is written over the chords it plays, and the
    status line says so."""
    bar = 1920
    voicings = ((43, 59, 62, 67), (40, 55, 59, 64), (36, 55, 60, 64), (38, 54, 57, 62))  # G Em C D
    piano = Track("Piano", channel=1, clips=(Clip(0, 8 * bar, tuple(Note(p, b * bar, bar, 70) for b in range(8)
                                                                  for p in voicings[b % 4])),))
    song = Song(tracks=(Track("Lead", clips=(Clip(0, 8 * bar, (), name="empty"),)), piano))
    doc = SongDocument(song)
    assistant = _assistant(doc, engines, bars=4, candidates=2)
    said = []
    assistant.message.connect(said.append)
    with qtbot.waitSignal(assistant.batch_finished, timeout=60_000):
        assert assistant.ask("melody") is not None
    batch = assistant.history.batch
    assert [c[2] for c in batch.request.chords][:4] == ["G:maj", "E:min", "C:maj", "D:maj"]
    assert any("over the chords the other parts play" in m for m in said)
    assert said[-1].startswith("2 candidates in G major, over the chords the other parts play")
    assert batch.state == "done" and all(s.kind == "melody" and s.notes for s in batch.suggestions)
    assert batch.target.clip_id == song.tracks[0].clips[0].id  # the open clip, not the piano it passed over
    assert assistant.accept()
    lead, kept_piano = doc.song.tracks
    assert lead.note_count > 0 and kept_piano == piano
    # 4 bars more after the piano's last bar: no part plays there, and the status line does not say it does
    said.clear()
    doc.apply("Shorten the piano", replace(doc.song, tracks=(lead, replace(piano, clips=(replace(
        piano.clips[0], notes=tuple(n for n in piano.clips[0].notes if n.start < 4 * bar)),)))))
    with qtbot.waitSignal(assistant.batch_finished, timeout=60_000):
        assert assistant.ask("continue") is not None
    assert assistant.history.batch.request.start_bar >= 4
    assert said[-1].startswith("2 candidates in G major") and "other parts" not in said[-1]


def test_continuing_a_piano_part_under_a_tune_that_goes_on(qtbot, engines):
    """A DAW's file: the tune for 8 bars, the piano for its first 4 (no chord symbols). Continuing the piano, its
    new bars get the chords the harmonizer hears in the tune there (not those heard in the one line), and the
    status line says so."""
    from composer_app.model.melody_chords import UNDER_THE_TUNE

    tune = motif_song(8)  # a real tune in G major, 3/4
    mm = tune.meter_map
    voicings = ((43, 59, 62, 67), (40, 55, 59, 64), (36, 55, 60, 64), (38, 54, 57, 62))  # G Em C D
    piano = Track("Piano", channel=1, clips=(Clip(0, mm.bar_start(4), tuple(
        Note(p, mm.bar_start(b), mm.bar_start(b + 1) - mm.bar_start(b), 70) for b in range(4) for p in voicings[b]),
        name="piano"),))
    song = replace(tune, tracks=(*tune.tracks, piano), keys=())
    doc = SongDocument(song)
    assistant, batch, said = ask_and_listen(qtbot, doc, engines, piano.clips[0].id, "continue", bars=4, candidates=2)
    assert batch.request.role == "accompaniment" and batch.chords_from == UNDER_THE_TUNE
    assert said[-1].startswith("2 candidates in ") and f"over {UNDER_THE_TUNE}" in said[-1]
    assert batch.state == "done" and all(s.notes and s.start_tick == mm.bar_start(4) for s in batch.suggestions)
    # the chords it was written over show (dashed) with each candidate, inside its bars; keeping it keeps notes only
    for s in batch.suggestions:
        assert s.over and all(s.start_tick <= c[0] < s.end_tick for c in s.over) and not s.is_harmony
    assert assistant.accept()
    assert doc.song.chords == () and doc.song.tracks[1].note_count > piano.note_count


def test_regenerating_piano_bars_under_a_tune_keeps_the_chords_they_played(qtbot, engines):
    """The tune and a piano part for 8 bars (no chord symbols). Regenerating two of the piano's bars, the new notes
    are written over the chords the replaced notes played with the tune (not the harmonizer's guess from the tune),
    the status line says so and the chord lane shows them with each candidate."""
    from composer_app.model.song_adapter import CHORDS_REPLACED

    tune = motif_song(8)  # a real tune in G major, 3/4
    mm = tune.meter_map
    voicings = ((43, 59, 62, 67), (40, 55, 59, 64), (36, 55, 60, 64), (38, 54, 57, 62))  # G Em C D
    piano = Track("Piano", channel=1, clips=(Clip(0, mm.bar_start(8), tuple(
        Note(p, mm.bar_start(b), mm.bar_start(b + 1) - mm.bar_start(b), 70) for b in range(8)
        for p in voicings[b % 4]), name="piano"),))
    song = replace(tune, tracks=(*tune.tracks, piano), keys=())
    clip = piano.clips[0]
    selected = [n.id for n in clip.notes if mm.bar_start(2) <= n.start < mm.bar_start(4)]  # bars 3-4: C, D
    doc = SongDocument(song)
    assistant, batch, said = ask_and_listen(qtbot, doc, engines, clip.id, "fill", selected, candidates=2)
    assert batch.state == "done" and batch.chords_from == CHORDS_REPLACED and f"over {CHORDS_REPLACED}" in said[-1]
    for s in batch.suggestions:
        assert [c[2].split(":")[0] for c in s.over] == ["C", "D"] and s.notes  # C (maj7 with the tune's B), D
    assert assistant.accept()
    assert doc.song.chords == ()


def test_suggest_on_a_drum_clip_says_why_not(qtbot, engines):
    """The open clip is a drum part: the assistant says it writes pitched parts, and the song is untouched."""
    tune = motif_song(4)
    drums = Track("Drums", channel=9, is_drum=True, clips=(Clip(0, tune.meter_map.bar_start(4), tuple(
        Note(36, i * 480, 120) for i in range(12)), name="beat"),))
    song = replace(tune, tracks=(*tune.tracks, drums))
    doc = SongDocument(song)
    assistant = Assistant(doc, lambda s: target_of(s, drums.clips[0].id, ()), lambda: Options(candidates=2),
                          engines=engines)
    said = []
    assistant.message.connect(said.append)
    assistant.ask("continue")
    qtbot.waitUntil(lambda: any("drum track" in m for m in said), timeout=10_000)
    assert doc.song is song


def test_continuing_a_tune_over_a_bass_line_alone(qtbot, engines):
    """A tune and a bass line, no chord part: the tune's next bars are written over the chords the harmonizer hears
    over the bass line, and the status line says so."""
    from composer_app.model.melody_chords import OVER_THE_BASS

    tune = motif_song(8)  # a real tune in G major, 3/4
    mm = tune.meter_map
    bass = Track("Bass", channel=1, program=33, clips=(Clip(0, mm.bar_start(12), tuple(
        Note((43, 40, 36, 38)[b % 4], mm.bar_start(b), mm.bar_start(b + 1) - mm.bar_start(b), 80)
        for b in range(12))),))
    song = replace(tune, tracks=(*tune.tracks, bass), keys=())
    doc = SongDocument(song)
    _, batch, said = ask_and_listen(qtbot, doc, engines, song.tracks[0].clips[0].id, "continue", bars=4, candidates=2)
    assert batch.state == "done" and batch.chords_from == OVER_THE_BASS and f"over {OVER_THE_BASS}" in said[-1]
    assert all(s.notes and s.over for s in batch.suggestions)


def test_suggest_melody_into_an_empty_clip_drawn_later_over_a_bass_line(qtbot, engines):
    """A bass line and drums, and an empty clip drawn at bar 5 of a new lead track: the melody is written from that
    clip's bar (not from the song's first bar), over the chords the harmonizer hears over the bass line."""
    from composer_app.model.melody_chords import OVER_THE_BASS

    bar = 1920
    bass = Track("Bass", channel=1, program=33, clips=(Clip(0, 12 * bar, tuple(
        Note((43, 40, 36, 38)[b % 4], b * bar, bar, 80) for b in range(12))),))
    drums = Track("Drums", channel=9, is_drum=True, clips=(Clip(0, 12 * bar, tuple(
        Note(36, i * 960, 120) for i in range(24))),))
    song = Song(tracks=(Track("Lead", clips=(Clip(4 * bar, 4 * bar, (), name="empty"),)), bass, drums))
    _, batch, said = ask_and_listen(qtbot, SongDocument(song), engines, song.tracks[0].clips[0].id, "melody", bars=4,
                                    candidates=2)
    assert batch.state == "done" and batch.chords_from == OVER_THE_BASS and f"over {OVER_THE_BASS}" in said[-1]
    for s in batch.suggestions:
        assert s.notes and all(4 * bar <= n[1] < 8 * bar for n in s.notes)
        assert [c[2].split(":")[0] for c in s.over if c[0] % bar == 0] == ["G", "E", "C", "D"]


def test_regenerating_bars_of_a_tune_sketched_alone_hears_chords_in_it(qtbot, engines):
    """A tune alone (no chords, no other part): Regenerate Selection writes over the chords the harmonizer reads in
    the tune around and in the bars, says so, and shows them with each candidate."""
    from composer_app.model.melody_chords import UNDER_THE_TUNE

    song = motif_song(8)
    assert len(song.tracks) == 1 and not song.chords
    _, batch, said = ask_and_listen(qtbot, SongDocument(song), engines, song.tracks[0].clips[0].id, "fill",
                                    _bars_notes(song, 3, 4), candidates=2)
    assert batch.state == "done" and batch.chords_from == UNDER_THE_TUNE and f"over {UNDER_THE_TUNE}" in said[-1]
    assert all(s.notes and s.over for s in batch.suggestions)


def test_a_piano_part_that_plays_its_tune_is_continued_as_tune_and_accompaniment(qtbot, engines):
    """A piano solo in one track (the tune over left-hand chords, nothing else): the new bars have a tune on top and
    chords under it, and the status line says so. Before, they were an accompaniment with no tune."""
    from composer_app.model.two_hands import BOTH, split
    from composer_app.ui.assistant.controller import TUNE_AND_ACCOMPANIMENT

    tune = motif_song(4)  # a real tune in G major, 3/4
    mm = tune.meter_map
    melody = tune.tracks[0].clips[0]
    voicings = ((43, 47, 50), (40, 43, 47), (36, 40, 43), (38, 42, 45))  # G Em C D, below the tune
    left = tuple(Note(p, mm.bar_start(b) - melody.start, mm.bar_start(b + 1) - mm.bar_start(b), 60)
                 for b in range(4) for p in voicings[b])
    piano = replace(melody, notes=melody.notes + left)
    song = replace(tune, tracks=(replace(tune.tracks[0], name="Piano", clips=(piano,)),), keys=())
    doc = SongDocument(song)
    assistant, batch, said = ask_and_listen(qtbot, doc, engines, piano.id, "continue", bars=4, candidates=2)
    assert batch.request.role == BOTH
    assert said[-1].startswith("2 candidates in ") and TUNE_AND_ACCOMPANIMENT in said[-1]
    assert batch.state == "done" and len(batch.suggestions) == 2
    lowest_tune = min(n.pitch for n in melody.notes)
    for s in batch.suggestions:
        top, rest = split(s.notes)
        assert top and rest and s.start_tick == mm.bar_start(4)
        assert sum(n[0] for n in top) / len(top) > lowest_tune > max(n[0] for n in rest)
        assert s.over and all(s.start_tick <= c[0] < s.end_tick for c in s.over)  # its left hand's chords, dashed
    assert assistant.accept()
    assert doc.song.tracks[0].note_count > piano.notes.__len__()


def test_regenerating_bars_of_a_piano_solo_writes_tune_and_chords_over_the_chords_they_played(qtbot, engines):
    """A piano solo in one track (the tune over left-hand chords): Regenerate Selection on two of its bars writes a
    new tune fragment over a new left hand, both over the chords the replaced notes played (dashed in the chord lane),
    and keeping it replaces those bars' notes, tune and left hand."""
    from composer_app.model.song_adapter import CHORDS_REPLACED
    from composer_app.model.two_hands import BOTH, split

    tune = motif_song(8)  # a real tune in G major, 3/4
    mm = tune.meter_map
    melody = tune.tracks[0].clips[0]
    voicings = ((43, 47, 50), (40, 43, 47), (36, 40, 43), (38, 42, 45))  # G Em C D, below the tune
    left = tuple(Note(p, mm.bar_start(b) - melody.start, mm.bar_start(b + 1) - mm.bar_start(b), 60)
                 for b in range(8) for p in voicings[b % 4])
    piano = replace(melody, notes=melody.notes + left)
    song = replace(tune, tracks=(replace(tune.tracks[0], name="Piano", clips=(piano,)),), keys=())
    selected = [n.id for n in piano.notes if mm.bar_start(2) <= piano.start + n.start < mm.bar_start(4)]
    doc = SongDocument(song)
    assistant, batch, said = ask_and_listen(qtbot, doc, engines, piano.id, "fill", selected, candidates=2)
    assert batch.request.role == BOTH and batch.chords_from == CHORDS_REPLACED and batch.state == "done"
    for s in batch.suggestions:
        top, rest = split(s.notes)
        assert top and rest and all(mm.bar_start(2) <= n[1] < mm.bar_start(4) for n in s.notes)
        assert [c[2].split(":")[0] for c in s.over][:1] == ["C"] and s.over  # the chords the bars played
    assert assistant.accept()
    kept = [n for n in doc.song.tracks[0].notes_absolute() if mm.bar_start(2) <= n.start < mm.bar_start(4)]
    assert sorted((n.pitch, n.start) for n in kept) == sorted((n[0], n[1]) for n in batch.suggestions[0].notes)


def test_the_status_line_says_when_the_song_is_off_the_beat(qtbot, engines):
    """Suggestions keep to the grid; where the song's notes keep to beats of their own between the grid's, the status
    line says so and where to put them on the beat. Once aligned, it says nothing of it."""
    from composer_app.model.beat_offset import on_the_beat

    rhythm = [480, 240, 240, 480, 480, 240, 240, 240, 240, 960]
    notes, t = [], 160  # every note a third of a beat late
    for bar in range(4):
        for i, d in enumerate(rhythm):
            notes.append(Note(60 + (0, 2, 4, 5, 7)[(i + bar) % 5], t, d))
            t += d
    doc = SongDocument(Song(tracks=(Track("Lead", clips=(Clip(0, 5 * 1920, tuple(notes)),)),)))
    clip_id = doc.song.tracks[0].clips[0].id
    _, _, said = ask_and_listen(qtbot, doc, engines, clip_id, "continue", bars=2, candidates=2)
    assert "160 ticks (0.33 beat) late" in said[-1] and "Align Notes to the Beat" in said[-1]
    doc.apply("Align notes to the beat", on_the_beat(doc.song))
    _, _, said = ask_and_listen(qtbot, doc, engines, clip_id, "continue", bars=2, candidates=2)
    assert said[-1].startswith("2 candidates in ") and "beat" not in said[-1]


def test_the_status_line_says_when_the_songs_bars_are_one_beat_long(qtbot, engines):
    """In a song written in bars of one beat (1/4, as most of POP909's files), 'Next 2 bars' are two beats: the status
    line says so and what to click; once the meter found is set, it says nothing of it."""
    from composer_app.model.felt_meter import in_meter, song_meter
    from tests.model.meter_tunes import in_four, song_of

    doc = SongDocument(song_of(in_four(pickup=1), meter=(1, 4)))
    clip_id = doc.song.tracks[0].clips[0].id
    _, _, said = ask_and_listen(qtbot, doc, engines, clip_id, "continue", bars=2, candidates=2)
    assert "bars are one beat long" in said[-1] and "'Detected: 4/4'" in said[-1]
    doc.apply("Set time signature 4/4", in_meter(doc.song, song_meter(doc.song)))
    _, _, said = ask_and_listen(qtbot, doc, engines, clip_id, "continue", bars=2, candidates=2)
    assert said[-1].startswith("2 candidates in ") and "one beat" not in said[-1]


def test_the_status_line_says_when_the_song_is_a_take_played_without_the_click(qtbot, engines):
    from composer_app.model.played_tempo import follow, played_tempo
    from tests.model.meter_tunes import in_four, song_of
    from tests.model.played_takes import played_take

    take, _ = played_take(song_of(in_four(bars=24, pickup=1)), bpm=96, seed=3)
    doc = SongDocument(take)
    clip_id = doc.song.tracks[0].clips[0].id
    _, _, said = ask_and_listen(qtbot, doc, engines, clip_id, "continue", bars=2, candidates=2)
    assert "drift across its beat grid (a take played without the click, about" in said[-1]
    doc.apply("Follow the playing's tempo", follow(doc.song, played_tempo(doc.song)))
    _, _, said = ask_and_listen(qtbot, doc, engines, clip_id, "continue", bars=2, candidates=2)
    assert said[-1].startswith("2 candidates in ") and "drift" not in said[-1]
