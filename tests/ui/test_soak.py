"""The soak's checks catch what they claim to: a broken undo history, a save that does not reload, an exception."""

from composer_app.core import edits
from composer_app.ui.soak import Soak


def _soak(tmp_path, qapp, seed=5):
    tmp_path.mkdir(parents=True, exist_ok=True)
    return Soak(seed, tmp_path, engines=False)


def test_an_edit_that_bypasses_undo_is_a_failure_with_its_replay_line(qtbot, qapp, tmp_path):
    soak = _soak(tmp_path, qapp)
    soak.ops = {"sneaky": (1, lambda: soak.document._set_song(edits.set_title(soak.song, "behind undo's back")))}
    soak.step(0)
    assert len(soak.failures) == 1
    failure = soak.failures[0]
    assert failure["op"] == "sneaky" and failure["step"] == 1
    assert failure["replay"] == "composer-cli soak --seed 5 --ops 1"
    soak.finish()


def test_an_exception_in_the_window_is_a_failure(qtbot, qapp, tmp_path):
    from PySide6.QtCore import QTimer

    soak = _soak(tmp_path, qapp)

    def boom():
        raise RuntimeError("slot broke")

    soak.ops = {"timer": (1, lambda: QTimer.singleShot(0, boom))}
    soak.step(0)
    assert "slot broke" in soak.failures[0]["error"]
    soak.finish()


def test_every_operation_runs_clean(qtbot, qapp, tmp_path):
    soak = _soak(tmp_path, qapp)
    for i, name in enumerate(list(soak.ops) * 3):
        op = soak.ops[name]
        soak.ops, all_ops = {name: op}, soak.ops
        soak.step(i)
        soak.ops = all_ops
    soak.full_undo_redo()
    assert soak.failures == []
    soak.finish()


def test_finish_gives_back_the_hooks_it_borrowed(qtbot, qapp, tmp_path):
    import sys
    import uuid

    from PySide6.QtWidgets import QMessageBox

    before = (sys.excepthook, QMessageBox.critical, QMessageBox.warning, QMessageBox.question, uuid.uuid4)
    soak = _soak(tmp_path, qapp)
    soak.finish()
    assert (sys.excepthook, QMessageBox.critical, QMessageBox.warning, QMessageBox.question, uuid.uuid4) == before


def test_a_seed_replays_the_same_run(qtbot, qapp, tmp_path):
    runs = []
    for n in range(2):
        soak = Soak(11, tmp_path / str(n), engines=False)
        names = [soak.step(i) for i in range(120)]
        runs.append((names, soak.song.note_count, [t.name for t in soak.song.tracks], soak.failures))
        soak.finish()
    assert runs[0] == runs[1] and runs[0][3] == []


def test_a_take_alone_is_put_on_the_beat_as_the_window_would(qtbot, qapp, tmp_path):
    """The soak's takes: one played without the click is followed, one a fixed part of a beat late is aligned."""
    done = set()
    for seed in range(4):
        soak = _soak(tmp_path / str(seed), qapp, seed=seed)
        soak.op_take()
        soak.op_align()
        done.add(soak.document.undo_stack.text(soak.document.undo_stack.count() - 1))
        assert soak.failures == [] and not soak.qt_errors
        soak.finish()
    assert done == {"Follow the playing's tempo", "Align notes to the beat"}
