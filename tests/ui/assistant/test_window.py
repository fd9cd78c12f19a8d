"""The assistant in the real main window with the real engines: ask through the actions, ghost notes, cycle,
Tab keeps (one undo step), pins, Esc cancels, audition on the real synth offline, drops and drag-out MIDI."""

from __future__ import annotations

import warnings

import pytest
from PySide6.QtCore import QPointF, Qt
from PySide6.QtGui import QDragEnterEvent, QDropEvent
from PySide6.QtWidgets import QApplication

from composer_app import fileio
from composer_app.midi import read_midi
from composer_app.ui.assistant.overlay import CandidateGhost
from composer_app.ui.document import SongDocument
from composer_app.ui.main_window import MainWindow
from composer_app.ui.settings import AUDIO_DRIVER
from tests.ui.sound_fakes import fake_service

WAIT = 60_000


@pytest.fixture
def window(qtbot, settings, engines, motif):
    document = SongDocument()
    win = MainWindow(document, settings, fileio, audio=fake_service(settings, document))
    win.assistant.assistant.engines = engines
    document.load(motif)
    win.editors.song_loaded(motif)
    win.assistant.controls.candidates.setValue(3)
    win.assistant.controls.bars.setValue(2)
    yield win
    win.assistant.assistant.worker.cancel()
    win.assistant.assistant.worker.wait(30)
    close(win)


def close(win) -> None:
    win.document.undo_stack.setClean()  # closing must not ask about saving
    win.close()
    win.deleteLater()


def suggest(qtbot, win, action=None) -> None:
    with qtbot.waitSignal(win.assistant.assistant.batch_finished, timeout=WAIT):
        (action or win.assistant.suggest_action).trigger()


def ghosts(win) -> list[tuple[int, int]]:
    items = [i for i in win.editors.roll.scene.items() if isinstance(i, CandidateGhost)]
    return sorted((127 - round(i.rect().top() - 0.1), round(i.rect().left())) for i in items)


def key(win, widget, code) -> None:
    from PySide6.QtTest import QTest

    QTest.keyClick(widget, code)


def test_suggest_draws_ghost_notes_cycles_and_tab_keeps_one_undo_step(qtbot, window):
    win = window
    roll_clip = win.editors.roll.clip_id
    assert roll_clip is not None
    drawn = []
    win.assistant.ghosts_drawn.connect(drawn.append)
    suggest(qtbot, win)
    a = win.assistant.assistant
    first = a.current
    assert [d for d in drawn if d][0] == len(first.notes) > 0
    assert ghosts(win) == sorted((p, s) for p, s, _d, _v in first.notes)
    assert len(win.assistant.panel.cards) == 3
    order = list(a.history.batch.suggestions)  # in the order they finished
    win.assistant.next_action.trigger()
    second = a.current
    assert second is order[(order.index(first) + 1) % 3]
    assert ghosts(win) == sorted((p, s) for p, s, _d, _v in second.notes)
    win.show()
    win.editors.roll.view.setFocus()
    key(win, win.editors.roll.view, Qt.Key.Key_Tab)
    assert win.document.undo_stack.count() == 1
    clip = win.document.song.clip(roll_clip)
    assert {(p, s) for p, s, _d, _v in second.notes} <= {(n.pitch, clip.start + n.start) for n in clip.notes}
    assert ghosts(win) == []
    win.document.undo_stack.undo()
    assert win.document.song.clip(roll_clip).notes == win.document.undo_stack.command(0).before.clip(roll_clip).notes


def test_harmonize_pin_a_chord_regenerate_and_keep(qtbot, window):
    win = window
    suggest(qtbot, win, win.assistant.harmonize_action)
    cards = win.assistant.panel.cards
    assert cards and cards[0].chord_buttons
    button = cards[0].chord_buttons[1]
    start, dur, label = cards[0].suggestion.chords[1]
    button.click()
    assert win.assistant.controls.pins == [(start, start + dur, label)]
    suggest(qtbot, win, win.assistant.regenerate_action)
    batch = win.assistant.assistant.history.batch
    assert batch.number == 2 and batch.suggestions
    assert all(any(c[0] <= start < c[0] + c[1] and c[2] == label for c in s.chords) for s in batch.suggestions)
    chosen = win.assistant.panel.cards[-1]
    chosen.keep_button.click()
    song = win.document.song
    assert [c.label for c in song.chords if c.start >= chosen.suggestion.start_tick] == \
        [c[2] for c in chosen.suggestion.chords if c[2] != "N"]
    acc = next(t for t in song.tracks if t.name == "accompaniment")
    assert acc.note_count == len(chosen.suggestion.notes)
    assert win.document.undo_stack.count() == 1
    assert win.assistant.panel.history.count() == 2  # the first batch is still in the history


def test_escape_cancels_a_running_request_and_the_engine_stops(qtbot, window, engines):
    import threading

    win = window
    win.assistant.controls.bars.setValue(16)
    win.assistant.controls.candidates.setValue(8)
    engine = engines.get("continuation")
    steps, entered = [], threading.Event()
    original = engine.net.step

    def slow(*args, **kwargs):
        steps.append(1)
        entered.set()
        threading.Event().wait(0.01)
        return original(*args, **kwargs)

    engine.net.step = slow
    try:
        win.show()
        win.assistant.suggest_action.trigger()
        assert entered.wait(30)
        win.editors.roll.view.setFocus()
        with qtbot.waitSignal(win.assistant.assistant.batch_finished, timeout=5000):
            key(win, win.editors.roll.view, Qt.Key.Key_Escape)
        assert win.assistant.assistant.worker.wait(30)
        count = len(steps)
        qtbot.wait(100)
        assert len(steps) == count
    finally:
        del engine.net.step
    assert win.assistant.assistant.history.batch.state == "cancelled"
    assert "Cancelled" in win.assistant.panel.message.text()


@pytest.mark.skipif(__import__("importlib").util.find_spec("fluidsynth") is None, reason="no pyfluidsynth")
def test_audition_reaches_the_real_synth_offline(qtbot, settings, engines, motif):
    from composer_app.ui.audio_service import AudioService
    from composer_app.ui.timeline.transport import TransportState

    settings.set(AUDIO_DRIVER, "coreaudio")  # no such driver here: a real synth with no device
    document = SongDocument()
    audio = AudioService(settings, document, TransportState(), background=False)
    if audio.output.synth is None:
        audio.shutdown()
        pytest.skip(f"no FluidSynth synth here: {audio.status}")
    win = MainWindow(document, settings, fileio, audio=audio)
    try:
        win.assistant.assistant.engines = engines
        document.load(motif)
        win.editors.song_loaded(motif)
        win.assistant.controls.bars.setValue(2)
        suggest(qtbot, win)
        win.assistant.audition_action.trigger()
        assert win.assistant.audition.playing == win.assistant.assistant.current
        qtbot.waitUntil(lambda: audio.output.synth.active_voices > 0, timeout=5000)
        card = win.assistant.panel.cards[0]
        assert card.audio_note.text()  # not audible here, and the card says so
        win.assistant.next_action.trigger()  # switching while playing: the new one plays at once
        assert win.assistant.audition.playing == win.assistant.assistant.current
        assert audio.auditioner.current is not None
        assert win.assistant.escape()
        assert win.assistant.audition.playing is None and not audio.playing
    finally:
        close(win)
        audio.shutdown()


def _drop(viewport, mime, pos: QPointF) -> None:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", DeprecationWarning)
        enter = QDragEnterEvent(pos.toPoint(), Qt.DropAction.CopyAction, mime, Qt.MouseButton.LeftButton,
                                Qt.KeyboardModifier.NoModifier)
    QApplication.sendEvent(viewport, enter)
    assert enter.isAccepted()
    drop = QDropEvent(pos, Qt.DropAction.CopyAction, mime, Qt.MouseButton.LeftButton, Qt.KeyboardModifier.NoModifier)
    QApplication.sendEvent(viewport, drop)


def _below_last_track(win, bar: int) -> QPointF:
    arr = win.editors.arrangement
    scene = arr.scene
    tick = win.document.song.meter_map.bar_start(bar) + 10
    point = arr.clip_view.mapFromScene(QPointF(scene.scale.x(tick), scene.row_y(len(win.document.song.tracks))
                                               + scene.row_height / 2))
    return QPointF(point)


def test_dropping_a_card_on_the_arrangement_makes_a_clip(qtbot, window):
    win = window
    win.show()
    suggest(qtbot, win)
    cand = win.assistant.assistant.current
    mime = win.assistant.card_mime(cand)
    tracks = len(win.document.song.tracks)
    _drop(win.editors.arrangement.clip_view.viewport(), mime, _below_last_track(win, 8))
    song = win.document.song
    assert len(song.tracks) == tracks + 1
    clip = song.tracks[-1].clips[0]
    assert clip.start == song.meter_map.bar_start(8)
    origin = song.meter_map.bar_start(song.meter_map.bar_of(cand.start_tick))
    assert sorted((n.pitch, n.start) for n in clip.notes) == sorted((p, s - origin) for p, s, _d, _v in cand.notes)
    assert win.document.undo_stack.count() == 1


def test_dropping_a_harmonization_brings_its_chords(qtbot, window):
    win = window
    win.show()
    suggest(qtbot, win, win.assistant.harmonize_action)
    cand = win.assistant.assistant.current
    _drop(win.editors.arrangement.clip_view.viewport(), win.assistant.card_mime(cand), _below_last_track(win, 8))
    song = win.document.song
    mm = song.meter_map
    shift = mm.bar_start(8) - mm.bar_start(mm.bar_of(cand.start_tick))
    assert [(c.start, c.label) for c in song.chords] == [(s + shift, lab) for s, _d, lab in cand.chords if lab != "N"]
    assert song.tracks[-1].note_count == len(cand.notes)
    assert win.document.undo_stack.count() == 1


def test_drag_out_mime_is_a_midi_file_starting_at_its_first_bar(qtbot, window):
    win = window
    suggest(qtbot, win)
    cand = win.assistant.assistant.current
    mime = win.assistant.card_mime(cand)
    urls = mime.urls()
    assert urls and urls[0].toLocalFile().endswith(".mid")
    song = read_midi(urls[0].toLocalFile())
    notes = sorted((n.pitch, n.start) for t in song.tracks for n in t.notes_absolute())
    mm = win.document.song.meter_map
    origin = mm.bar_start(mm.bar_of(cand.start_tick))
    assert notes == sorted((p, s - origin) for p, s, _d, _v in cand.notes)
    assert min(s for _p, s in notes) < mm.meter_at(origin).bar_ticks  # no leading silent bars


def test_the_assistant_is_in_its_menu_the_toolbar_and_the_roll_context_menu(window):
    from composer_app.ui.shortcuts import shortcut_clashes

    win = window
    ui = win.assistant
    titles = [a.text() for a in win.menuBar().actions()]
    assert "A&ssistant" in titles
    assert ui.suggest_action in ui.menu.actions() and ui.harmonize_action in ui.menu.actions()
    assert ui.suggest_action in ui.toolbar.actions()
    assert ui.suggest_action in ui.context_menu().actions()
    assert all(a.toolTip() for a in (ui.suggest_action, ui.harmonize_action, ui.regenerate_action))
    assert ui.suggest_action.shortcut().toString() == "Ctrl+G"
    assert shortcut_clashes(win) == []
    controls = ui.controls
    assert all(w.toolTip() for w in (controls.bars, controls.candidates, controls.creativity, controls.key_lock,
                                     controls.phrase_end, controls.density, controls.style, controls.rhythm,
                                     controls.voicing))


def test_assistant_bench_keeps_a_suggestion(qtbot):
    from composer_app.ui.assistant import bench

    figures = bench.run_bench(runs=1)
    if "skipped" in figures:
        pytest.skip(figures["skipped"])
    assert figures["accepted_notes_in_song"] is True and figures["accepted_notes"] > 0
    assert figures["click_to_first_ghost_p50_ms"] <= figures["click_to_all_candidates_p50_ms"]


def test_dropping_a_card_into_the_piano_roll_adds_its_notes_to_the_open_clip(qtbot, window):
    win = window
    win.show()
    suggest(qtbot, win)
    cand = win.assistant.assistant.current
    roll = win.editors.roll
    clip_id = roll.clip_id
    song = win.document.song
    target_bar = song.meter_map.bar_start(song.meter_map.bar_of(cand.start_tick))
    roll.view.scroll_to(target_bar, 64)
    point = roll.view.mapFromScene(QPointF(target_bar + 5, 60))
    _drop(roll.view.viewport(), win.assistant.card_mime(cand), QPointF(point))
    clip = win.document.song.clip(clip_id)
    assert {(p, s) for p, s, _d, _v in cand.notes} <= {(n.pitch, clip.start + n.start) for n in clip.notes}
    assert win.document.undo_stack.count() == 1


def test_opening_another_song_dismisses_the_ghost_notes(qtbot, window, make_song):
    win = window
    suggest(qtbot, win)
    assert ghosts(win)
    win.document.load(make_song())
    assert ghosts(win) == [] and win.assistant.assistant.current is None
    assert "History" in win.assistant.panel.message.text()  # not the last song's "Kept #n (Ctrl+Z undoes it)"


def test_right_click_on_empty_roll_space_offers_the_assistant(qtbot, window):
    from PySide6.QtGui import QContextMenuEvent
    from PySide6.QtWidgets import QMenu

    win = window
    win.show()
    viewport = win.editors.roll.view.viewport()
    pos = viewport.rect().bottomRight() - viewport.rect().center() / 4
    event = QContextMenuEvent(QContextMenuEvent.Reason.Mouse, pos, viewport.mapToGlobal(pos))
    QApplication.sendEvent(viewport, event)
    menus = [m for m in QApplication.topLevelWidgets() if isinstance(m, QMenu) and m.isVisible()]
    assert menus and win.assistant.suggest_action in menus[-1].actions()
    menus[-1].close()


def test_the_key_filter_is_only_on_while_there_is_something_to_accept(qtbot, window):
    win = window
    assert not win.assistant._filtering
    suggest(qtbot, win)
    assert win.assistant._filtering
    win.assistant.escape()
    assert not win.assistant._filtering


def test_the_controls_are_remembered_in_the_settings(qtbot, window, settings):
    from composer_app.ui.assistant.controls import RequestControls
    from composer_app.ui.settings import ASSISTANT_OPTIONS

    controls = window.assistant.controls
    controls.style.setCurrentIndex(controls.style.findData("jazz"))
    controls.key_lock.setChecked(True)
    assert controls.options().phrase_end, "a suggestion ends the phrase unless the musician says otherwise"
    controls.phrase_end.setChecked(False)
    again = RequestControls()
    again.restore(settings.get(ASSISTANT_OPTIONS))
    options = again.options()
    assert (options.bars, options.candidates, options.style, options.key_lock) == (2, 3, "jazz", True)
    assert not options.phrase_end
    again.restore("not json")  # a damaged setting keeps the defaults
    assert again.options().style == "jazz"


def test_a_card_dropped_into_the_song_takes_its_ghost_notes_away_and_a_drag_out_does_not(qtbot, window, monkeypatch):
    from composer_app.ui.assistant import cards

    win = window
    win.show()
    suggest(qtbot, win)
    ui = win.assistant
    target = {"drop": True}

    class DropOnArrangement:
        """Stands in for QDrag: exec() drops the card's data below the last track (or nowhere: a drag out)."""

        def __init__(self, _source) -> None:
            self.mime = None

        def setMimeData(self, mime) -> None:  # noqa: N802 (Qt spelling)
            self.mime = mime

        def setPixmap(self, _pixmap) -> None:  # noqa: N802
            pass

        def exec(self, action):
            if target["drop"]:
                _drop(win.editors.arrangement.clip_view.viewport(), self.mime, _below_last_track(win, 8))
            return action

    monkeypatch.setattr(cards, "QDrag", DropOnArrangement)
    target["drop"] = False  # out of the window: the song is as it was, the ghost notes stay
    ui.panel.cards[0].start_drag()
    assert ghosts(win) and ui.assistant.showing and win.document.undo_stack.count() == 0
    target["drop"] = True
    ui.panel.cards[0].start_drag()
    assert win.document.undo_stack.count() == 1
    assert ghosts(win) == [] and not ui.assistant.showing
    assert "Ctrl+Z" in ui.panel.message.text()


def test_a_harmonization_shows_its_chords_in_the_chord_lane_until_kept(qtbot, window):
    win = window
    win.show()
    lane = win.editors.roll.chord_lane
    suggest(qtbot, win, win.assistant.harmonize_action)
    first = win.assistant.assistant.current
    assert first.chords and lane.ghost_chords == first.chords
    win.assistant.next_action.trigger()
    assert lane.ghost_chords == win.assistant.assistant.current.chords != ()
    lane.grab()  # paints the candidate's chords over the song's
    win.assistant.accept_action.trigger()
    assert lane.ghost_chords == ()
    assert [c.label for c in win.document.song.chords]  # the kept ones are the song's now
    suggest(qtbot, win)  # a continuation has no chords to show
    assert lane.ghost_chords == ()


def test_the_range_names_its_pitches_as_the_key_spells_them(window):
    from composer_app.core import edits

    controls, document = window.assistant.controls, window.document
    controls.low.setValue(58)
    controls.high.setValue(73)
    document.apply("Set key", edits.set_key(document.song, 0, 5, "major"))  # F major
    assert (controls.low.suffix(), controls.high.suffix()) == (" Bb3", " Db5")
    document.apply("Set key", edits.set_key(document.song, 0, 11, "major"))  # B major
    assert (controls.low.suffix(), controls.high.suffix()) == (" A#3", " C#5")
    document.undo_stack.undo()
    assert controls.low.suffix() == " Bb3"
    controls.low.setValue(56)
    assert controls.low.suffix() == " Ab3"


def test_after_a_harmonization_the_roll_goes_back_to_where_it_was(qtbot, window):
    """The voicing lies below the melody, so the roll scrolls down to show it; kept or dismissed, the roll comes
    back to where the musician was, the melody in sight."""
    win = window
    win.resize(1200, 800)
    win.show()
    bar = win.editors.roll.view.verticalScrollBar()
    bar.setValue(bar.minimum())  # the top: high notes; the voicing is far below
    suggest(qtbot, win, win.assistant.harmonize_action)
    assert bar.value() != bar.minimum()  # scrolled to the ghost voicing
    win.assistant.assistant.dismiss()
    assert bar.value() == bar.minimum()
    win.assistant.panel.history.setCurrentIndex(0)  # the batch again from the History
    win.assistant.assistant.show_batch(0)
    assert bar.value() != bar.minimum()
    win.assistant.assistant.accept()
    assert bar.value() == bar.minimum()


def test_the_range_names_follow_a_change_of_mode_under_the_same_signature(window):
    from composer_app.core import edits

    controls, document = window.assistant.controls, window.document
    controls.low.setValue(61)
    document.apply("Set key", edits.set_key(document.song, 0, 5, "major"))  # F major: Db4
    assert controls.low.suffix() == " Db4"
    document.apply("Set key", edits.set_key(document.song, 0, 2, "minor"))  # D minor: its leading note C#4
    assert controls.low.suffix() == " C#4"


def test_the_part_control_says_what_the_part_is_and_a_choice_holds_for_its_track(qtbot, window):
    """"Part" names the role the assistant hears in the open clip's track (auto); a musician's choice is what the
    request asks for, and goes back to auto when another track's clip is opened."""
    from composer_app.core import edits
    from composer_app.core.song import Clip, Note, Track

    win, controls, document = window, window.assistant.controls, window.document
    assert controls.part.currentText() == "auto (Tune)"
    clip = document.song.tracks[0].clips[0]
    mm = document.song.meter_map
    left = [Note(p, mm.bar_start(b) - clip.start, mm.bar_start(b + 1) - mm.bar_start(b), 60)
            for b in range(mm.bar_of(clip.end - 1) + 1) for p in (43, 47, 50)]
    document.apply("Left hand", edits.add_notes(document.song, clip.id, left))
    assert controls.part.currentText() == "auto (Tune + chords)"  # the tune over its own chords
    controls.part.setCurrentIndex(controls.part.findData("accompaniment"))
    suggest(qtbot, win)
    assert win.assistant.assistant.history.batch.request.role == "accompaniment"
    other = Track("Strings", channel=2, clips=(Clip(0, 1920, (Note(60, 0, 1920),)),))
    document.apply("Add track", edits.add_track(document.song, other))
    win.editors.edit_clip(document.song.tracks[-1].clips[0].id)
    assert controls.part.currentIndex() == 0 and controls.options().role == ""
