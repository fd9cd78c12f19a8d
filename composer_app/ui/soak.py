"""The soak run behind ``composer-cli soak``: N random operations on the real document, window and engines.

Run as ``python -m composer_app.ui.soak --ops N [--seed S] [--json]`` (the CLI starts it offscreen in a child
process, since the CLI never imports Qt). After every operation it checks: no exception (in the operation or
anywhere in Qt), the undo history leads back from the current song to the start, a save reloads to the same
song and a recovery copy restores it. Every ``FULL_CHECK_EVERY`` steps it really undoes everything and
redoes it. A failure names the seed and step, so ``--seed S --ops STEP`` replays up to it.
"""

from __future__ import annotations

import argparse
import json
import math
import os
import random
import sys
import tempfile
import time
import traceback
import uuid
from collections.abc import Callable
from pathlib import Path

FULL_CHECK_EVERY = 250
MEMORY_EVERY = 1000  # resident memory is sampled this often: the trend shows whether it is bounded
MAX_UNDO = 400  # a long soak trims its history like a long session would (the start moves forward)


def rss_mb() -> float:
    """Resident memory of this process in MB (Linux), else the peak."""
    try:
        pages = int(Path("/proc/self/statm").read_text().split()[1])
        return pages * os.sysconf("SC_PAGE_SIZE") / 2**20
    except (OSError, ValueError, IndexError):
        import resource

        return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


class Soak:
    """Holds the window under test, the random source, the checks and what went wrong."""

    def __init__(self, seed: int, folder: Path, engines: bool = True) -> None:
        from PySide6.QtWidgets import QApplication

        from composer_app import fileio
        from composer_app.ui.document import SongDocument
        from composer_app.ui.main_window import MainWindow
        from composer_app.ui.recovery import install_recovery
        from composer_app.ui.settings import AUTOSAVE_SECONDS, Settings

        self.app = QApplication.instance() or QApplication(["composer-soak"])
        self.rng = random.Random(seed)
        self.seed = seed
        self.folder = folder
        self.settings = Settings.from_ini(folder / "settings.ini")
        self.settings.set(AUTOSAVE_SECONDS, 0)  # the soak's own 'autosave' operation writes the copies
        self.document = SongDocument()
        self.window = MainWindow(self.document, self.settings, fileio)
        self.recovery = install_recovery(self.window, self.document, self.settings, folder / "recovery")
        self.window.show()
        self.files = fileio
        self.path = folder / "soak.composer"
        self.qt_errors: list[str] = []
        self.failures: list[dict] = []
        self.counts: dict[str, int] = {}
        self.skipped: dict[str, str] = {}
        self.start_song = self.document.song
        self._engine = self._harmonizer = None
        self.engines = engines
        from PySide6.QtWidgets import QMessageBox

        self._restore = (sys.excepthook, QMessageBox.critical, QMessageBox.warning, QMessageBox.question, uuid.uuid4)
        ids = random.Random(seed ^ 0x5EED)  # ids decide tie orders: drawn from the seed, a run replays exactly
        uuid.uuid4 = lambda: uuid.UUID(int=ids.getrandbits(128), version=4)  # type: ignore[assignment]
        sys.excepthook = lambda kind, error, tb: self.qt_errors.append(
            "".join(traceback.format_exception(kind, error, tb)))
        self._silence_dialogs()
        self.ops: dict[str, tuple[float, Callable[[], None]]] = {
            "draw": (12, self.op_draw), "move": (6, self.op_move), "resize": (5, self.op_resize),
            "delete": (4, self.op_delete), "quantize": (3, self.op_quantize), "transpose": (4, self.op_transpose),
            "velocity": (2, self.op_velocity), "add_clip": (3, self.op_add_clip), "move_clip": (3, self.op_move_clip),
            "resize_clip": (2, self.op_resize_clip), "split_clip": (2, self.op_split_clip),
            "delete_clip": (1, self.op_delete_clip), "add_track": (2, self.op_add_track),
            "track_edit": (3, self.op_track_edit), "delete_track": (0.5, self.op_delete_track),
            "chord": (2, self.op_chord), "tempo": (1, self.op_tempo), "undo": (10, self.op_undo),
            "redo": (6, self.op_redo), "play_stop": (3, self.op_play_stop), "save": (2, self.op_save),
            "load": (0.5, self.op_load), "autosave": (2, self.op_autosave), "recover": (0.5, self.op_recover),
            "suggest": (0.4, self.op_suggest), "harmonize": (0.4, self.op_harmonize),
            "take": (0.4, self.op_take), "align": (0.6, self.op_align),
        }

    def _silence_dialogs(self) -> None:
        """A soak has no one to answer: errors are recorded, questions answer Discard/No."""
        from PySide6.QtWidgets import QMessageBox

        def critical(_parent, title, text, *_a, **_k):
            self.qt_errors.append(f"{title}: {text}")
            return QMessageBox.StandardButton.Ok

        QMessageBox.critical = critical  # type: ignore[method-assign]
        QMessageBox.warning = lambda *_a, **_k: QMessageBox.StandardButton.Discard  # type: ignore[method-assign]
        QMessageBox.question = lambda *_a, **_k: QMessageBox.StandardButton.No  # type: ignore[method-assign]

    # ------------------------------------------------------------------ helpers

    @property
    def song(self):
        return self.document.song

    def apply(self, text: str, song) -> None:
        self.document.apply(text, song)

    def _clips(self):
        return [c for t in self.song.tracks for c in t.clips]

    def _clip(self):
        clips = self._clips()
        if not clips:
            self.op_add_clip()
            clips = self._clips()
        return self.rng.choice(clips)

    def _some_notes(self, clip) -> list[str]:
        if not clip.notes:
            return []
        k = self.rng.randint(1, min(4, len(clip.notes)))
        return [n.id for n in self.rng.sample(list(clip.notes), k)]

    def _open(self, clip_id: str) -> None:
        """Show the edited clip in the piano roll, as a user working on it would."""
        if self.window.editors.roll.clip_id != clip_id:
            self.window.editors.roll.open_clip(clip_id)

    # ------------------------------------------------------------------ operations

    def op_draw(self) -> None:
        from composer_app.core import edits
        from composer_app.core.song import Note

        clip = self._clip()
        self._open(clip.id)
        start = self.rng.randrange(0, clip.length)
        note = Note(self.rng.randint(36, 96), start, self.rng.choice((60, 120, 240, 480)), self.rng.randint(40, 127))
        self.apply("Draw Note", edits.add_notes(self.song, clip.id, [note]))

    def op_move(self) -> None:
        from composer_app.core import edits

        clip = self._clip()
        ids = self._some_notes(clip)
        if ids:
            self._open(clip.id)
            self.apply("Move Notes", edits.move_notes(self.song, clip.id, ids, self.rng.choice((-240, -120, 120, 480)),
                                                      self.rng.randint(-5, 5)))

    def op_resize(self) -> None:
        from composer_app.core import edits

        clip = self._clip()
        ids = self._some_notes(clip)
        if ids:
            self.apply("Resize Notes", edits.resize_notes(self.song, clip.id, ids, self.rng.choice((0, 0, 60, -60)),
                                                          self.rng.choice((-120, 120, 240))))

    def op_delete(self) -> None:
        from composer_app.core import edits

        clip = self._clip()
        ids = self._some_notes(clip)
        if ids:
            self.apply("Delete Notes", edits.delete_notes(self.song, clip.id, ids))

    def op_quantize(self) -> None:
        from composer_app.core import edits

        clip = self._clip()
        ids = [n.id for n in clip.notes]
        if ids:
            self.apply("Quantize", edits.quantize_notes(self.song, clip.id, ids, self.rng.choice((60, 120, 240)),
                                                        self.rng.choice((0.5, 1.0))))

    def op_transpose(self) -> None:
        from composer_app.core import edits

        clip = self._clip()
        ids = [n.id for n in clip.notes]
        if ids:
            self.apply("Transpose", edits.transpose_notes(self.song, clip.id, ids, self.rng.choice((-12, -1, 1, 12))))

    def op_velocity(self) -> None:
        from composer_app.core import edits

        clip = self._clip()
        ids = self._some_notes(clip)
        if ids:
            self.apply("Velocity", edits.set_velocity(self.song, clip.id, {i: self.rng.randint(1, 127) for i in ids}))

    def op_add_clip(self) -> None:
        from composer_app.core import edits
        from composer_app.core.song import Clip, Control

        if not self.song.tracks:
            self.op_add_track()
        track = self.rng.choice(self.song.tracks)
        start = self.rng.randrange(0, 32) * 480
        length = self.rng.choice((960, 1920, 3840))
        pedal = ()
        if self.rng.random() < 0.5:  # a clip from a pianist's file: the sustain pedal down and up, and left down
            ticks = sorted(self.rng.sample(range(0, length + 1, 60), self.rng.randint(1, 6)))
            pedal = tuple(Control(t, 64, 127 if i % 2 == 0 else 0) for i, t in enumerate(ticks))
        self.apply("Add Clip", edits.add_clip(self.song, track.id, Clip(start, length, controls=pedal)))

    def op_take(self) -> None:
        """A track of a take played without the click: quarter notes whose beat swells and sways, each a little early or
        late, at the file's fixed tempo (or, half the time, a fixed part of a beat late: a file aligned to a
        recording)."""
        from composer_app.core import edits
        from composer_app.core.song import Clip, Note, Track

        drift = self.rng.random() < 0.5
        phase, t, notes = self.rng.uniform(0, 6.3), 0.0, []
        for beat in range(64):
            jitter = self.rng.gauss(0, 12) if drift else 0
            notes.append(Note(self.rng.choice((60, 62, 64, 67, 69)), max(0, round(t + jitter)), 400, 90))
            t += 480 * (1 + 0.06 * math.sin(beat / 5 + phase)) if drift else 480
        if not drift:
            notes = [Note(n.pitch, n.start + 160, n.duration, n.velocity) for n in notes]
        clip = Clip(0, max(n.end for n in notes), tuple(notes))
        self.apply("Add Track", edits.add_track(self.song, Track("Take", clips=(clip,))))

    def op_align(self) -> None:
        """Arrangement > Align Notes to the Beat: the music put on the beat or the take followed (or nothing)."""
        self.window.editors.arrangement.align_to_beat()

    def op_move_clip(self) -> None:
        from composer_app.core import edits

        clip = self._clip()
        other = self.rng.choice(self.song.tracks).id if self.rng.random() < 0.3 else None
        self.apply("Move Clip", edits.move_clip(self.song, clip.id, clip.start + self.rng.choice((-960, 480, 1920)),
                                                other))

    def op_resize_clip(self) -> None:
        from composer_app.core import edits

        clip = self._clip()
        self.apply("Resize Clip", edits.resize_clip(self.song, clip.id, clip.start + self.rng.choice((0, 0, 240, -240)),
                                                    max(120, clip.length + self.rng.choice((-480, 480, 960)))))

    def op_split_clip(self) -> None:
        from composer_app.core import edits

        clip = self._clip()
        if clip.length > 1:
            cut = clip.start + self.rng.randrange(1, clip.length)
            self.apply("Split Clip", edits.split_clip(self.song, clip.id, cut))

    def op_delete_clip(self) -> None:
        from composer_app.core import edits

        if self._clips():
            self.apply("Delete Clip", edits.delete_clips(self.song, [self._clip().id]))

    def op_add_track(self) -> None:
        from composer_app.core import edits

        if len(self.song.tracks) < 12:
            self.apply("Add Track", edits.add_track(self.song))

    def op_track_edit(self) -> None:
        from composer_app.core import edits

        if not self.song.tracks:
            return self.op_add_track()
        track = self.rng.choice(self.song.tracks)
        change = self.rng.choice(("name", "mute", "solo", "volume", "program"))
        value = {"name": f"Part {self.rng.randint(1, 99)}", "mute": not track.mute, "solo": not track.solo,
                 "volume": self.rng.randint(0, 127), "program": self.rng.randint(0, 127)}[change]
        self.apply("Track", edits.update_track(self.song, track.id, **{change: value}))

    def op_delete_track(self) -> None:
        from composer_app.core import edits

        if len(self.song.tracks) > 1:
            self.apply("Delete Track", edits.delete_track(self.song, self.rng.choice(self.song.tracks).id))

    def op_chord(self) -> None:
        from composer_app.core import edits

        label = self.rng.choice(("C:maj", "A:min", "F:maj7", "G:7", "D:min7"))
        self.apply("Chord", edits.set_chord(self.song, self.rng.randrange(0, 16) * 960, 960, label))

    def op_tempo(self) -> None:
        from composer_app.core import edits

        self.apply("Tempo", edits.set_tempo(self.song, self.rng.randrange(0, 8) * 1920, self.rng.randint(60, 180)))

    def op_undo(self) -> None:
        self.document.undo_stack.undo()

    def op_redo(self) -> None:
        self.document.undo_stack.redo()

    def op_play_stop(self) -> None:
        transport = self.window.transport
        transport.set_playhead(self.rng.randrange(0, 16) * 480)
        transport.set_playing(not transport.playing)

    def op_save(self) -> None:
        if not self.window.save_to(self.path):
            raise AssertionError("save failed: " + (self.qt_errors[-1] if self.qt_errors else "no message"))
        again = self.files.open_song(self.path)
        if again != self.song:
            raise AssertionError("the saved file does not reload to the same song")
        if self.document.modified:
            raise AssertionError("still marked unsaved after a save")

    def op_load(self) -> None:
        if not self.path.exists():
            return self.op_save()
        self.document.undo_stack.setClean()  # as if the user answered Discard
        expected = self.files.open_song(self.path)
        loader = self.window.loader
        request = self.window.open_path(self.path, ask=False)
        deadline = time.monotonic() + 30
        while loader.busy and time.monotonic() < deadline:
            self.app.processEvents()
            time.sleep(0.002)
        if loader.busy or request != loader.latest_request:
            raise AssertionError("the file did not load within 30 s")
        if self.song != expected:
            raise AssertionError("the loaded song differs from the file")
        self.start_song = self.song

    def op_autosave(self) -> None:
        from composer_app.project.recovery import read_info

        if not self.document.modified:
            return
        self.recovery.save_now()
        if read_info(self.recovery.autosave.slot.path).load() != self.song:
            raise AssertionError("the recovery copy does not restore the same song")

    def op_recover(self) -> None:
        """As after a crash: the copy is left by a dead process and offered back at the next start."""
        from composer_app.project.recovery import RecoverySlot, lock_path
        from composer_app.ui.recovery import RESTORE

        if not self.document.modified:
            return
        expected = self.song
        crashed = RecoverySlot(self.folder / "recovery")
        crashed.write(expected, self.document.path, self.document.display_name)
        lock_path(crashed.path).write_text(json.dumps({"pid": 2**22 + 1, "start": "0", "host": os.uname().nodename}))
        if not self.recovery.offer(lambda _w, _info: RESTORE):
            raise AssertionError("the crashed copy was not offered")
        if self.song != expected or not self.document.modified:
            raise AssertionError("the restored song differs from the copy")
        if crashed.path.exists():
            raise AssertionError("the restored copy was not cleaned up")
        self.start_song = self.document.undo_stack.command(0).before

    def _melody(self):
        return next((t for t in self.song.tracks if t.note_count >= 4 and not t.is_drum), None)

    def op_suggest(self) -> None:
        from composer_app.core.errors import SongFileError
        from composer_app.model import song_adapter as sa

        if not self.engines or "suggest" in self.skipped:
            return
        track = self._melody()
        if track is None:
            return
        if self._engine is None:
            try:
                self._engine = sa.load_continuation_engine()
            except SongFileError as exc:
                self.skipped["suggest"] = str(exc)
                return
        request, _key = sa.suggest_request(self.song, track, bars=1, candidates=2, seed=self.rng.randint(0, 999))
        candidates = self._engine.suggest(request)
        if candidates:
            self.counts["suggest accepted"] = self.counts.get("suggest accepted", 0) + 1
            self.apply("Accept Suggestion", sa.add_candidate(self.song, track.id, self.rng.choice(candidates)))

    def op_harmonize(self) -> None:
        from composer_app.core.errors import SongFileError
        from composer_app.model import song_adapter as sa

        if not self.engines or "harmonize" in self.skipped:
            return
        track = self._melody()
        if track is None:
            return
        if self._harmonizer is None:
            try:
                self._harmonizer = sa.load_harmonizer()
            except SongFileError as exc:
                self.skipped["harmonize"] = str(exc)
                return
        request, _key = sa.harmony_request(self.song, track, candidates=2, seed=self.rng.randint(0, 999))
        results = self._harmonizer.harmonize(request)
        if results:
            chosen = results[0]
            self.counts["harmonize accepted"] = self.counts.get("harmonize accepted", 0) + 1
            self.apply("Accept Harmonization", sa.add_harmonization(
                self.song, track.id, chosen, sa.voice_harmonization(request, chosen, "pop")))

    # ------------------------------------------------------------------ checks

    def check_history(self) -> None:
        """Each undo step starts where the one before ended, from the start song to the current one."""
        stack = self.document.undo_stack
        song = self.start_song
        for i in range(stack.index()):
            command = stack.command(i)
            if command.before != song:
                raise AssertionError(f"undo step {i} ({command.text()}) does not start where the one before ended")
            song = command.after
        if song != self.song:
            raise AssertionError("undoing everything would not lead back from the current song to the start")

    def full_undo_redo(self) -> None:
        stack = self.document.undo_stack
        current, index = self.song, stack.index()
        stack.setIndex(0)
        self.app.processEvents()
        if self.song != self.start_song:
            raise AssertionError("undoing everything did not return the starting song")
        stack.setIndex(index)
        self.app.processEvents()
        if self.song != current:
            raise AssertionError("redoing everything did not return the current song")

    def trim_history(self) -> None:
        stack = self.document.undo_stack
        if stack.count() > MAX_UNDO and stack.index() == stack.count():
            clean = not self.document.modified
            self.start_song = self.song
            stack.clear()
            if clean:
                stack.setClean()

    # ------------------------------------------------------------------ the run

    def step(self, i: int) -> str:
        names = list(self.ops)
        name = self.rng.choices(names, weights=[self.ops[n][0] for n in names])[0]
        self.counts[name] = self.counts.get(name, 0) + 1
        before = len(self.qt_errors)
        try:
            self.ops[name][1]()
            self.app.processEvents()
            if len(self.qt_errors) > before:
                raise AssertionError("exception in the window: " + self.qt_errors[-1].strip().splitlines()[-1])
            self.check_history()
            if (i + 1) % FULL_CHECK_EVERY == 0:
                self.full_undo_redo()
            self.trim_history()
        except Exception as exc:  # noqa: BLE001 - every failure is recorded with its replay line
            detail = "".join(traceback.format_exception(exc)).strip().splitlines()
            self.failures.append({"step": i + 1, "op": name, "error": f"{type(exc).__name__}: {exc}"[:300],
                                  "where": detail[-3:] if len(detail) > 2 else detail,
                                  "replay": f"composer-cli soak --seed {self.seed} --ops {i + 1}"})
            self.start_song = self.song
            self.document.undo_stack.clear()
        return name

    def finish(self) -> None:
        """The end: a last save/reload and recovery round trip, then everything undone back to the start."""
        for name, check in (("final save", self.op_save), ("final undo/redo", self.full_undo_redo)):
            try:
                check()
            except Exception as exc:  # noqa: BLE001
                self.failures.append({"step": "end", "op": name, "error": f"{type(exc).__name__}: {exc}"[:300],
                                      "replay": f"composer-cli soak --seed {self.seed} --ops N"})
        self.window.loader.wait()
        self.document.undo_stack.setClean()
        self.window.close()
        from PySide6.QtWidgets import QMessageBox

        sys.excepthook, QMessageBox.critical, QMessageBox.warning, QMessageBox.question, uuid.uuid4 = self._restore


def run(ops: int, seed: int, engines: bool = True, progress: Callable[[int, str], None] | None = None) -> dict:
    """Run the soak in a temporary folder; returns the figures (what ``--json`` prints)."""
    with tempfile.TemporaryDirectory(prefix="composer-soak-") as tmp:
        t0 = time.monotonic()
        soak = Soak(seed, Path(tmp), engines)
        mem_start = rss_mb()
        series = []
        for i in range(ops):
            name = soak.step(i)
            if progress is not None:
                progress(i + 1, name)
            if (i + 1) % MEMORY_EVERY == 0:
                series.append(round(rss_mb(), 1))
        mem_end_ops = rss_mb()
        soak.finish()
        return {"ops": ops, "seed": seed, "failures": soak.failures, "counts": dict(sorted(soak.counts.items())),
                "skipped": soak.skipped, "seconds": round(time.monotonic() - t0, 1),
                "memory_mb": {"start": round(mem_start, 1), "end": round(mem_end_ops, 1),
                              f"every_{MEMORY_EVERY}_ops": series},
                "notes_at_end": soak.song.note_count, "tracks_at_end": len(soak.song.tracks)}


def print_report(result: dict) -> None:
    print(f"soak: {result['ops']} operations, seed {result['seed']}, {result['seconds']} s")
    print("operations: " + ", ".join(f"{k} {v}" for k, v in result["counts"].items()))
    for name, why in result["skipped"].items():
        print(f"skipped {name}: {why}")
    mem = result["memory_mb"]
    trend = mem.get(f"every_{MEMORY_EVERY}_ops") or []
    print(f"memory: {mem['start']} MB at start, {mem['end']} MB at the end"
          + (f" (every {MEMORY_EVERY} operations: {', '.join(map(str, trend))})" if trend else ""))
    print(f"failures: {len(result['failures'])}")
    for f in result["failures"]:
        print(f"  step {f['step']} ({f['op']}): {f['error']}\n    replay: {f['replay']}")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="composer-soak", description=__doc__.splitlines()[0])
    parser.add_argument("--ops", type=int, default=500)
    parser.add_argument("--seed", type=int, default=None)
    parser.add_argument("--json", action="store_true")
    parser.add_argument("--no-engines", action="store_true", help="leave out suggest and harmonize")
    args = parser.parse_args(argv)
    seed = args.seed if args.seed is not None else random.SystemRandom().randrange(1 << 31)
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    result = run(max(0, args.ops), seed, not args.no_engines)
    if args.json:
        print(json.dumps(result))
    else:
        print_report(result)
    return 1 if result["failures"] else 0


if __name__ == "__main__":
    sys.exit(main())
