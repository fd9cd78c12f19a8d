"""Piano roll benchmark: open, scroll, zoom and edit a 20,000-note clip offscreen, and print the times."""

from __future__ import annotations

import os
import random
import statistics
import time

from composer_app.core.song import Clip, Note, Song, Track

NOTES = 20_000
REPAINTS = 60


def big_song(notes: int = NOTES, seed: int = 1) -> Song:
    """One dense piano clip: ~40 notes a bar of 4/4, pitches 36..96, plus a ghost track."""
    rng = random.Random(seed)
    out = []
    for i in range(notes):
        start = (i // 4) * 96 + rng.randrange(0, 24)
        out.append(Note(rng.randrange(36, 97), start, rng.choice((60, 120, 240, 480)), rng.randrange(30, 128)))
    clip = Clip(0, max(n.end for n in out), tuple(sorted(out, key=lambda n: (n.start, n.pitch))), id="big")
    ghost = Clip(0, clip.length, tuple(Note(40, t, 480) for t in range(0, clip.length, 1920)))
    return Song(tracks=(Track("Piano", clips=(clip,)), Track("Bass", channel=1, clips=(ghost,))))


def _ms(seconds: float) -> float:
    return round(seconds * 1000, 2)


def _stats(samples: list[float]) -> dict[str, float]:
    s = sorted(samples)
    return {"p50_ms": _ms(statistics.median(s)), "p95_ms": _ms(s[min(len(s) - 1, int(len(s) * 0.95))])}


def run_bench(notes: int = NOTES) -> dict:
    """Build an offscreen editor on a ``notes``-note clip and time first paint, repaints and a move."""
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    from PySide6.QtWidgets import QApplication

    from composer_app.ui.document import SongDocument
    from composer_app.ui.piano_roll import ops
    from composer_app.ui.piano_roll.editor import PianoRollEditor
    from composer_app.ui.timeline.transport import TransportState

    app = QApplication.instance() or QApplication([])
    song = big_song(notes)
    doc = SongDocument(song)
    editor = PianoRollEditor(doc, TransportState())
    editor.resize(1300, 800)
    editor.show()
    app.processEvents()
    vp = editor.view.viewport()

    t0 = time.perf_counter()
    editor.open_clip("big")
    vp.grab()
    first_paint = time.perf_counter() - t0
    t0 = time.perf_counter()
    while editor.scene.pending:
        app.processEvents()
    app.processEvents()
    vp.grab()
    full_build = time.perf_counter() - t0

    bar = editor.view.horizontalScrollBar()
    scroll = []
    for _ in range(REPAINTS):
        bar.setValue(bar.value() + 97)
        t = time.perf_counter()
        vp.grab()
        scroll.append(time.perf_counter() - t)
    zoom = []
    for i in range(REPAINTS):
        editor.view.zoom_time(0.9 if (i // 10) % 2 == 0 else 1 / 0.9)
        if i % 3 == 0:
            editor.view.set_row_px(editor.view.row_px * (0.95 if (i // 15) % 2 == 0 else 1 / 0.95))
        t = time.perf_counter()
        vp.grab()
        zoom.append(time.perf_counter() - t)

    clip = doc.song.clip("big")
    chosen = [n.id for n in clip.notes[5000:5500]]
    editor.scene.set_selection(chosen)
    t = time.perf_counter()
    editor.view.commit(ops.move(doc.song, "big", chosen, 120, 1))
    move = time.perf_counter() - t
    t = time.perf_counter()
    doc.undo_stack.undo()
    undo = time.perf_counter() - t
    result = {
        "notes": notes,
        "first_paint_ms": _ms(first_paint),
        "rest_built_ms": _ms(full_build),
        "scroll": _stats(scroll),
        "zoom": _stats(zoom),
        "move_500_ms": _ms(move),
        "undo_move_ms": _ms(undo),
        "items": len(editor.scene.items_by_id),
    }
    editor.close()
    editor.deleteLater()
    return result


def main() -> None:
    r = run_bench()
    print(f"piano roll, {r['notes']} notes ({r['items']} items)")
    print(f"  first paint        {r['first_paint_ms']:8.1f} ms   (other notes built in the background "
          f"{r['rest_built_ms']:.0f} ms)")
    print(f"  scroll repaint p50 {r['scroll']['p50_ms']:8.2f} ms   p95 {r['scroll']['p95_ms']:8.2f} ms")
    print(f"  zoom repaint   p50 {r['zoom']['p50_ms']:8.2f} ms   p95 {r['zoom']['p95_ms']:8.2f} ms")
    print(f"  move 500 notes     {r['move_500_ms']:8.1f} ms   (undo {r['undo_move_ms']:.1f} ms)")


if __name__ == "__main__":
    main()
