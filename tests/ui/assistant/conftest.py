"""Assistant fixtures: a motif cut from a real dataset file, the real engines loaded once per session."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import pytest

from composer_app.core.song import Clip, Song, Track
from composer_app.fileio import open_song
from composer_app.model import song_adapter as adapter
from composer_app.ui.assistant.engines import Engines

DATASETS = Path(__file__).resolve().parents[3].parent / "shared" / "datasets"
MOTIF_FILE = DATASETS / "nottingham" / "MIDI" / "ashover1.mid"


def motif_song(bars: int = 4) -> Song:
    """The first ``bars`` bars of a real tune's melody as one clip on a 'Lead' track (what a musician drew)."""
    if not MOTIF_FILE.is_file():
        pytest.skip(f"dataset file missing: {MOTIF_FILE}")
    song = open_song(MOTIF_FILE)
    melody = adapter.pick_track(song)
    end = song.meter_map.bar_start(bars)
    notes = tuple(replace(n, duration=min(n.duration, end - n.start)) for n in melody.notes_absolute()
                  if n.start < end)
    track = Track("Lead", program=0, channel=0, clips=(Clip(0, end, notes, name="motif"),))
    return Song(tracks=(track,), tempos=song.tempos, meters=song.meters, keys=song.keys, title="motif")


@pytest.fixture(scope="session")
def engines() -> Engines:
    found = Engines()
    for name in ("continuation", "harmony"):
        try:
            found.get(name)
        except Exception as error:  # noqa: BLE001
            pytest.skip(f"the {name} model is not usable here: {error}")
    return found


@pytest.fixture
def motif() -> Song:
    return motif_song()


def ask_and_listen(qtbot, doc, engines, clip_id: str, kind: str, selected=(), **options):
    """Ask ``kind`` with the clip ``clip_id`` open (and ``selected`` note ids) and wait for the batch: (assistant,
    batch, the status messages said)."""
    from composer_app.ui.assistant.controller import Assistant
    from composer_app.ui.assistant.session import Options
    from composer_app.ui.assistant.targets import target_of

    assistant = Assistant(doc, lambda s: target_of(s, clip_id, selected), lambda: Options(**options), engines=engines)
    said: list[str] = []
    assistant.message.connect(said.append)
    with qtbot.waitSignal(assistant.batch_finished, timeout=60_000):
        assert assistant.ask(kind) is not None
    return assistant, assistant.history.batch, said
