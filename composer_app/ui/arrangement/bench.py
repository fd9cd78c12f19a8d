"""Arrangement benchmark: first paint and repaint times while scrolling and zooming a 20,000-note song."""

from __future__ import annotations

import os
import random
import statistics
import time

from composer_app.core.song import Clip, Note, Song, Track

TRACKS, CLIPS, NOTES_PER_CLIP = 8, 40, 63  # 20,160 notes
BAR = 1920


def bench_song(seed: int = 1) -> Song:
    """8 tracks x 40 four-bar clips x 63 notes: a dense, realistic-looking song."""
    rng = random.Random(seed)
    tracks = []
    for t in range(TRACKS):
        clips = []
        for c in range(CLIPS):
            base = 36 + t * 6
            notes = tuple(Note(base + rng.randrange(24), i * 120 + rng.randrange(30), rng.choice((120, 240, 480)),
                               rng.randrange(50, 120)) for i in range(NOTES_PER_CLIP))
            clips.append(Clip(c * 4 * BAR, 4 * BAR, notes, name=f"Part {c + 1}"))
        tracks.append(Track(f"Track {t + 1}", program=t * 8, channel=t if t < 9 else t + 1, clips=tuple(clips)))
    return Song(tracks=tuple(tracks), title="bench")


def _percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(q * (len(ordered) - 1)))]


def run_bench(steps: int = 60) -> dict:
    """Times in milliseconds: open (build + first paint); scrolling by 1/8 screen (event loop included),
    full-viewport repaints at scattered positions, and zoom steps (relayout + repaint): p50 and p95;
    then the catch-up once zooming stops (miniatures stretched while zooming are drawn crisp again)."""
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    from PySide6.QtWidgets import QApplication

    from composer_app.ui.arrangement.scene import SETTLE_MS
    from composer_app.ui.arrangement.view import ArrangementView
    from composer_app.ui.document import SongDocument
    from composer_app.ui.timeline.transport import TransportState

    app = QApplication.instance() or QApplication([])
    song = bench_song()
    t0 = time.perf_counter()
    view = ArrangementView(SongDocument(song), TransportState())
    view.resize(1300, 700)
    view.show()
    app.processEvents()
    view.grab()
    first_paint = (time.perf_counter() - t0) * 1000
    clip_view = view.clip_view
    bar = clip_view.horizontalScrollBar()
    scroll, scroll_full, zoom = [], [], []
    step = clip_view.viewport().width() // 8  # a scroll-bar drag or trackpad flick moves a fraction of a screen
    for _ in range(steps):
        t = time.perf_counter()
        bar.setValue((bar.value() + step) % max(1, bar.maximum()))
        app.processEvents()  # what the event loop does: blit, then paint only the uncovered strip
        scroll.append((time.perf_counter() - t) * 1000)
    for i in range(steps):
        bar.setValue(bar.maximum() * i // steps)
        t = time.perf_counter()
        clip_view.viewport().repaint()
        scroll_full.append((time.perf_counter() - t) * 1000)
    for i in range(steps):
        t = time.perf_counter()
        view.zoom(1.25 if (i // 8) % 2 == 0 else 0.8)
        clip_view.viewport().repaint()
        zoom.append((time.perf_counter() - t) * 1000)
    time.sleep(SETTLE_MS / 1000 + 0.05)
    t = time.perf_counter()
    app.processEvents()  # the settle timer fires: stretched miniatures are redrawn at their size
    clip_view.viewport().repaint()
    settle = (time.perf_counter() - t) * 1000
    view.scale.set_pixels_per_quarter(2.0)  # everything at once: the whole song on screen
    t = time.perf_counter()
    clip_view.viewport().repaint()
    whole = (time.perf_counter() - t) * 1000
    view.close()
    return {
        "notes": song.note_count,
        "clips": TRACKS * CLIPS,
        "first_paint_ms": round(first_paint, 1),
        "scroll_p50_ms": round(statistics.median(scroll), 2),
        "scroll_p95_ms": round(_percentile(scroll, 0.95), 2),
        "full_repaint_p50_ms": round(statistics.median(scroll_full), 2),
        "full_repaint_p95_ms": round(_percentile(scroll_full, 0.95), 2),
        "zoom_p50_ms": round(statistics.median(zoom), 2),
        "zoom_p95_ms": round(_percentile(zoom, 0.95), 2),
        "zoom_settle_ms": round(settle, 1),
        "whole_song_paint_ms": round(whole, 1),
    }


def main() -> None:
    for key, value in run_bench().items():
        print(f"{key:>22}: {value}")


if __name__ == "__main__":
    main()
