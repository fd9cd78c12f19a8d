"""Assistant controller with the real engines: suggest, stream, cycle, accept as one undo step, cancel."""

from __future__ import annotations

import threading

import pytest

from composer_app.ui.assistant.controller import Assistant
from composer_app.ui.assistant.session import Options
from composer_app.ui.assistant.targets import target_of
from composer_app.ui.document import SongDocument


def make(document: SongDocument, engines, **options) -> Assistant:
    clip_id = document.song.tracks[0].clips[0].id
    return Assistant(document, lambda song: target_of(song, clip_id), lambda: Options(**options), engines=engines)


def test_suggest_streams_candidates_and_accept_is_one_undo_step(qtbot, engines, motif):
    doc = SongDocument(motif)
    assistant = make(doc, engines, bars=2, candidates=3)
    added = []
    assistant.suggestion_added.connect(lambda batch, s: added.append(s))
    with qtbot.waitSignal(assistant.batch_finished, timeout=60_000):
        assert assistant.ask("continue") is not None
    batch = assistant.history.batch
    assert batch.state == "done" and len(batch.suggestions) == 3 == len(added)
    first = assistant.current
    assert first is not None and first.notes
    bar4 = motif.meter_map.bar_start(4)
    assert all(bar4 <= n[1] < motif.meter_map.bar_start(6) for s in batch.suggestions for n in s.notes)
    order = list(batch.suggestions)  # in the order they finished
    assert assistant.cycle() is order[(order.index(first) + 1) % 3]
    chosen = assistant.current
    before = doc.song
    assert assistant.accept()
    assert doc.undo_stack.count() == 1
    clip = doc.song.tracks[0].clips[0]
    got = {(n.pitch, clip.start + n.start) for n in clip.notes}
    assert {(p, s) for p, s, _d, _v in chosen.notes} <= got
    assert len(doc.song.tracks[0].clips) == 1  # joined into the clip it continues
    doc.undo_stack.undo()
    assert doc.song is before


def test_harmonize_with_a_pin_and_accept_brings_chords_and_accompaniment(qtbot, engines, motif):
    doc = SongDocument(motif)
    pins: list = []
    clip_id = motif.tracks[0].clips[0].id
    assistant = Assistant(doc, lambda song: target_of(song, clip_id),
                          lambda: Options(candidates=3, pins=tuple(pins)), engines=engines)
    with qtbot.waitSignal(assistant.batch_finished, timeout=60_000):
        assistant.ask("harmonize")
    first = assistant.history.batch.suggestions[0]
    assert first.chords and first.notes
    start, dur, label = first.chords[1]
    pins.append((start, start + dur, "A:min" if label != "A:min" else "D:7"))
    with qtbot.waitSignal(assistant.batch_finished, timeout=60_000):
        assistant.regenerate()
    again = assistant.history.batch
    assert len(assistant.history.batches) == 2 and again.suggestions
    pinned = pins[0][2]
    for s in again.suggestions:
        assert any(c[0] <= start < c[0] + c[1] and c[2] == pinned for c in s.chords)
    assert assistant.accept()
    song = doc.song
    assert any(c.label == pinned for c in song.chords)
    acc = [t for t in song.tracks if t.name == "accompaniment"]
    assert acc and acc[0].note_count == len(assistant.history.batch.suggestions[0].notes)
    assert doc.undo_stack.count() == 1


def test_cancel_really_stops_the_engine(qtbot, engines, motif):
    doc = SongDocument(motif)
    assistant = make(doc, engines, bars=16, candidates=8)
    engine = engines.get("continuation")
    entered, calls = threading.Event(), []
    original = engine.net.step

    def slow_step(*args, **kwargs):
        calls.append(1)
        entered.set()
        threading.Event().wait(0.01)
        return original(*args, **kwargs)

    engine.net.step = slow_step
    try:
        assistant.ask("continue")
        assert entered.wait(30)
        with qtbot.waitSignal(assistant.batch_finished, timeout=5000):
            assert assistant.cancel()
        assert assistant.worker.wait(30)
        stopped_at = len(calls)
        qtbot.wait(100)
        assert len(calls) == stopped_at
        assert assistant.history.batch.state == "cancelled"
        assert len(assistant.history.batch.suggestions) < 8
    finally:
        del engine.net.step
    assert not assistant.busy


def test_a_missing_model_is_a_message(qtbot, motif, tmp_path):
    from composer_app.ui.assistant.engines import Engines

    doc = SongDocument(motif)
    broken = Engines({"continuation": tmp_path / "missing.npz"})
    assistant = make(doc, broken)
    with qtbot.waitSignal(assistant.message, timeout=30_000,
                          check_params_cb=lambda text: "could not be loaded" in text) as blocker:
        assistant.ask("continue")
    assert "missing.npz" in blocker.args[0]
    assert assistant.history.batch.state == "failed"


def test_more_like_this_keeps_the_first_half_and_varies_the_rest(qtbot, engines, motif):
    doc = SongDocument(motif)
    assistant = make(doc, engines, bars=4, candidates=3)
    with qtbot.waitSignal(assistant.batch_finished, timeout=60_000):
        assistant.ask("continue")
    base = assistant.current
    half = motif.meter_map.bar_start(motif.meter_map.bar_of(base.start_tick) + 2)
    kept = sorted(n for n in base.notes if n[1] < half)
    with qtbot.waitSignal(assistant.batch_finished, timeout=60_000):
        assistant.more_like(base)
    batch = assistant.history.batch
    assert batch.title.startswith("More like") and batch.suggestions
    for s in batch.suggestions:
        assert sorted(n for n in s.notes if n[1] < half) == kept
        assert s.start_tick == base.start_tick and s.end_tick == base.end_tick


def test_the_current_candidate_stays_current_while_others_stream_in():
    from composer_app.ui.assistant.session import History, Suggestion, Target

    history = History()
    batch = history.start("continue", "Next", Target("t", None, ()), Options())
    third = Suggestion("continue", 2, ((60, 0, 480, 90),), 0, 480)
    history.add(batch, third)
    history.choose(0)
    history.add(batch, Suggestion("continue", 0, ((62, 0, 480, 90),), 0, 480))
    history.add(batch, Suggestion("continue", 1, ((64, 0, 480, 90),), 0, 480))
    assert history.suggestion is third
    assert [s.index for s in batch.suggestions] == [0, 1, 2]
    assert history.cycle().index == 0


def test_selected_notes_are_continued_after_the_selection(qtbot, engines, motif):
    doc = SongDocument(motif)
    clip = motif.tracks[0].clips[0]
    mm = motif.meter_map
    chosen = [n for n in clip.notes if clip.start + n.start < mm.bar_start(2)]
    end_bar = mm.bar_of(max(clip.start + n.end for n in chosen) - 1) + 1
    assistant = Assistant(doc, lambda song: target_of(song, clip.id, [n.id for n in chosen]),
                          lambda: Options(bars=1, candidates=2), engines=engines)
    with qtbot.waitSignal(assistant.batch_finished, timeout=60_000):
        assistant.ask("continue")
    batch = assistant.history.batch
    assert batch.target.selection and len(batch.target.notes) == len(chosen)
    assert all(s.start_tick == mm.bar_start(end_bar) for s in batch.suggestions)


def test_a_new_request_supersedes_the_running_one(qtbot, engines, motif):
    doc = SongDocument(motif)
    assistant = make(doc, engines, bars=8, candidates=8)
    seen = []
    assistant.suggestion_added.connect(lambda batch, s: seen.append(batch.number))
    assistant.ask("continue")
    with qtbot.waitSignal(assistant.batch_finished, timeout=60_000,
                          check_params_cb=lambda batch: batch.number == 2):
        assistant.ask("harmonize")
    first, second = assistant.history.batches
    assert first.state == "cancelled" and second.state == "done"
    assert assistant.worker.wait(30)
    qtbot.wait(50)
    assert set(seen[len(first.suggestions):]) == {2}
    assert all(s.is_harmony for s in second.suggestions)


def test_a_request_kind_is_a_table_entry(qtbot, engines, motif, monkeypatch):
    """A new kind (here a toy 'transpose' over the real continuation engine) needs only its table row."""
    from dataclasses import replace

    from composer_app.core import edits
    from composer_app.ui.assistant import kinds

    def keep(song, target, suggestion):
        return edits.add_notes(song, target.clip_id, [])  # a no-op edit that still counts as kept

    entry = kinds.RequestKind("octave", "Up an octave", "continuation", kinds.build_continuation,
                              kinds.run_continuation,
                              lambda result, ask, request: replace(kinds.continuation_suggestion(result, ask, request),
                                                                   kind="octave",
                                                                   notes=tuple((p + 12, s, d, v) for p, s, d, v in
                                                                               result.notes)),
                              keep)
    monkeypatch.setitem(kinds.KINDS, "octave", entry)
    doc = SongDocument(motif)
    assistant = make(doc, engines, bars=1, candidates=2)
    with qtbot.waitSignal(assistant.batch_finished, timeout=60_000):
        assistant.ask("octave")
    batch = assistant.history.batch
    assert batch.title == "Up an octave" and len(batch.suggestions) == 2
    assert all(s.kind == "octave" for s in batch.suggestions)
    assert assistant.accept()


def test_one_selected_note_is_no_phrase_so_the_whole_clip_is_continued(qtbot, engines, motif):
    """Drawing a note leaves it selected: Ctrl+G right after drawing a motif continues the motif, not that note."""
    doc = SongDocument(motif)
    clip = motif.tracks[0].clips[0]
    last = max(clip.notes, key=lambda n: n.start)
    assistant = Assistant(doc, lambda song: target_of(song, clip.id, [last.id]),
                          lambda: Options(bars=1, candidates=2), engines=engines)
    with qtbot.waitSignal(assistant.batch_finished, timeout=60_000):
        assistant.ask("continue")
    batch = assistant.history.batch
    assert batch.target.selection and len(batch.target.notes) == 1
    assert len(batch.request.context) == len(clip.notes)
    assert all(s.start_tick == motif.meter_map.bar_start(4) for s in batch.suggestions)
    with qtbot.waitSignal(assistant.batch_finished, timeout=60_000):
        assistant.ask("harmonize")
    assert len(assistant.history.batch.request.melody) == len(clip.notes)


def test_harmonizing_a_selected_phrase_keeps_the_chords_around_it(qtbot, engines):
    """Harmonize with bars 5-6 selected in a tune with chord symbols: the candidates' chords and voicing lie in
    those bars (led from and into the chords around them), and keeping one leaves every other chord as it was."""
    from dataclasses import replace

    from composer_app.core.song import ChordSymbol
    from tests.ui.assistant.conftest import motif_song

    song = motif_song(8)
    mm = song.meter_map
    labels = ["D:maj", "G:maj", "A:7", "D:maj"] * 2
    song = replace(song, chords=tuple(ChordSymbol(mm.bar_start(b), mm.bar_start(b + 1) - mm.bar_start(b), lab)
                                      for b, lab in enumerate(labels)))
    doc = SongDocument(song)
    clip = song.tracks[0].clips[0]
    lo, hi = mm.bar_start(4), mm.bar_start(6)
    selected = [n.id for n in clip.notes if lo <= clip.start + n.start < hi]
    assistant = Assistant(doc, lambda s: target_of(s, clip.id, selected), lambda: Options(candidates=2),
                          engines=engines)
    with qtbot.waitSignal(assistant.batch_finished, timeout=60_000):
        assistant.ask("harmonize")
    batch = assistant.history.batch
    assert batch.state == "done" and batch.suggestions
    for s in batch.suggestions:
        assert s.chords and all(lo <= c[0] and c[0] + c[1] <= hi for c in s.chords)
        assert all(lo <= n[1] < hi for n in s.notes) and (s.start_tick, s.end_tick) == (lo, hi)
    assert assistant.accept()
    outside = [(c.start, c.label) for c in doc.song.chords if not lo <= c.start < hi]
    assert outside == [(c.start, c.label) for c in song.chords if not lo <= c.start < hi]


def test_candidates_are_numbered_as_they_arrive(qtbot, engines, motif):
    """The engine finishes the candidates with the fewest steps first: the first to arrive is shown as #1 and
    becomes current, and each later one is appended below it, so no card moves once it is there."""
    from composer_app.ui.assistant.controller import _Running
    from composer_app.ui.assistant.session import Suggestion, Target

    assistant = make(SongDocument(motif), engines)
    batch = assistant.history.start("continue", "Next", Target("t", None, ()), Options())
    assistant._running = _Running(7, batch, None, None)
    shown = []
    assistant.suggestion_added.connect(lambda _b, s: shown.append(s.index))
    for engine_index in (2, 0, 1):
        assistant._on_partial(7, Suggestion("continue", engine_index, ((60 + engine_index, 0, 480, 90),), 0, 480))
    assert shown == [0, 1, 2] and [s.index for s in batch.suggestions] == [0, 1, 2]
    assert [s.notes[0][0] for s in batch.suggestions] == [62, 60, 61]
    assert assistant.current is batch.suggestions[0]


def test_harmonizing_over_a_bass_line_follows_it_and_says_so(qtbot, engines):
    """A melody on C and E with a bass line on A (no chord part): the chords lean on the bass (A minor, not the C
    major the melody alone gets), and the status line says what they lean on."""
    from composer_app.core.song import Clip, Note, Song, Track
    from composer_app.model.song_adapter import OVER_THE_BASS

    tune = Track("Melody", clips=(Clip(0, 4 * 1920, tuple(
        Note(p, i * 480, 480) for i, p in enumerate((64, 60, 64, 72) * 4)), name="tune"),))
    bass = Track("Bass", channel=1, program=33, clips=(Clip(0, 4 * 1920, tuple(
        Note(45, b * 1920, 1920) for b in range(4))),))
    from tests.ui.assistant.conftest import ask_and_listen

    _, batch, said = ask_and_listen(qtbot, SongDocument(Song(tracks=(tune, bass))), engines, tune.clips[0].id,
                                    "harmonize", candidates=2)
    assert batch.state == "done" and batch.chords_from == OVER_THE_BASS and f"over {OVER_THE_BASS}" in said[-1]
    assert {c[2].split(":")[0] for c in batch.suggestions[0].chords} == {"A"}


def test_the_continuation_engine_gets_its_harmonizer_from_the_same_engines(tmp_path):
    """A part that plays its tune over its accompaniment needs the harmonizer too: the continuation engine asks the
    assistant's engines for it (the file the musician chose), loaded once, and a harmonizer that fails to load leaves
    the continuation working."""
    from composer_app.model.continuation import DEFAULT_WEIGHTS
    from composer_app.model.song_adapter import load_continuation_engine
    from composer_app.ui.assistant.engines import Engines

    if not DEFAULT_WEIGHTS.is_file():
        pytest.skip("no shipped continuation weights")
    loads = []

    def harmony(path):
        loads.append(path)
        return "the harmonizer"

    engines = Engines({"harmony": tmp_path / "mine.npz"},
                      loaders={"continuation": load_continuation_engine, "harmony": harmony})
    engine = engines.get("continuation")
    assert engine.harmonizer() == "the harmonizer" and engine.harmonizer() == "the harmonizer"
    assert loads == [tmp_path / "mine.npz"]
    broken = Engines({"harmony": tmp_path / "missing.npz"}).get("continuation")
    assert broken._harmonizer() is None


def test_bars_after_a_closing_bar_are_in_the_tunes_meter_through_more_like_this_and_keep(qtbot, engines):
    """A 6/8 tune from a MIDI file with a 1/8 pickup and a 5/8 closing bar, continued past its end: the candidates
    are in 6/8 bars, "More like this" keeps them, and the kept bars are 6/8 bars (undo takes them away)."""
    from composer_app.midi import read_midi_bytes
    from tests.midi.test_midi_reader import BAR_68, pickup_tune_bytes

    doc = SongDocument(read_midi_bytes(pickup_tune_bytes()))
    end = doc.song.end_tick
    assistant = make(doc, engines, bars=2, candidates=2)
    with qtbot.waitSignal(assistant.batch_finished, timeout=60_000):
        assistant.ask("continue")
    base = assistant.current
    assert (base.start_tick, base.end_tick) == (end, end + 2 * BAR_68)
    with qtbot.waitSignal(assistant.batch_finished, timeout=60_000):
        assistant.more_like(base)
    for s in assistant.history.batch.suggestions:
        assert (s.start_tick, s.end_tick) == (end, end + 2 * BAR_68)
        assert sorted(n for n in s.notes if n[1] < end + BAR_68) == sorted(n for n in base.notes
                                                                            if n[1] < end + BAR_68)
    before = doc.song
    assert assistant.accept(base)
    assert doc.undo_stack.count() == 1
    mm = doc.song.meter_map
    assert str(mm.meter_at(end)) == "6/8" and mm.bar_start(mm.bar_of(end) + 2) == end + 2 * BAR_68
    clip = doc.song.tracks[0].clips[0]
    assert {(p, s) for p, s, _d, _v in base.notes} <= {(n.pitch, clip.start + n.start) for n in clip.notes}
    doc.undo_stack.undo()
    assert doc.song is before
