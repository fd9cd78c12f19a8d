"""SongDocument: one undo step per apply, modified state from the undo stack, load resets."""

from __future__ import annotations

from pathlib import Path

from composer_app.core import edits
from composer_app.core.song import Song


def test_apply_pushes_one_step_and_emits_old_and_new(document, song, qtbot):
    document.load(song, None)
    seen = []
    document.song_changed.connect(lambda old, new: seen.append((old, new)))
    renamed = edits.set_title(song, "Renamed")

    document.apply("Rename song", renamed)

    assert document.song is renamed
    assert seen == [(song, renamed)]
    assert document.undo_stack.count() == 1
    assert document.undo_stack.undoText() == "Rename song"
    assert document.modified


def test_undo_redo_restore_the_exact_songs(document, song):
    document.load(song, None)
    a = edits.set_title(song, "A")
    b = edits.add_track(a)
    document.apply("Title", a)
    document.apply("Add track", b)

    seen = []
    document.song_changed.connect(lambda old, new: seen.append((old, new)))
    document.undo_stack.undo()
    assert document.song is a
    document.undo_stack.undo()
    assert document.song is song
    assert not document.modified
    document.undo_stack.redo()
    assert document.song is a and document.modified
    assert seen == [(b, a), (a, song), (song, a)]


def test_applying_the_same_song_is_not_an_edit(document, song):
    document.load(song, None)
    document.apply("Nothing", document.song)
    assert document.undo_stack.count() == 0
    assert not document.modified


def test_modified_follows_the_clean_state(document, song, qtbot):
    document.load(song, Path("/tmp/x.composer"))
    with qtbot.waitSignal(document.modified_changed) as blocker:
        document.apply("Title", edits.set_title(song, "B"))
    assert blocker.args == [True]
    document.mark_saved(Path("/tmp/y.composer"))
    assert not document.modified
    assert document.path == Path("/tmp/y.composer")
    document.undo_stack.undo()  # back past the save point: differs from the file again
    assert document.modified


def test_load_resets_history_and_reports_path(document, song, qtbot):
    document.apply("Title", edits.set_title(document.song, "B"))
    paths = []
    document.path_changed.connect(paths.append)
    document.load(song, "/music/a.mid")
    assert document.song is song
    assert document.undo_stack.count() == 0
    assert not document.modified
    assert paths == [Path("/music/a.mid")]
    assert document.display_name == "a.mid"
    assert not document.is_project
    document.set_path("/music/a.composer")
    assert document.is_project


def test_new_document_is_empty_and_untitled(document):
    assert document.song == Song() or not document.song.tracks
    assert document.path is None
    assert document.display_name == "Untitled"
    assert not document.modified
