"""Read a Standard MIDI File with mido into per-track notes, tempos and meta events at PPQ 480."""

from __future__ import annotations

from collections import defaultdict, deque
from dataclasses import dataclass, field
from pathlib import Path

from composer_app.training.corpus import Note, make_notes, rescale


@dataclass
class MidiTrack:
    name: str
    notes: tuple[Note, ...]


@dataclass
class MidiData:
    """A MIDI file's contents, every tick rescaled to PPQ 480."""

    source_ppq: int
    tracks: list[MidiTrack]
    tempos: list[tuple[int, int]] = field(default_factory=list)
    meters: list[tuple[int, int, int]] = field(default_factory=list)
    keys: list[tuple[int, str]] = field(default_factory=list)

    def track(self, name: str) -> MidiTrack | None:
        wanted = name.strip().lower()
        return next((t for t in self.tracks if t.name.strip().lower() == wanted), None)


def read_midi(path: Path) -> MidiData:
    """Parse ``path``; raises on a file mido cannot read."""
    import mido

    mf = mido.MidiFile(str(path))
    ppq = mf.ticks_per_beat
    if ppq <= 0:
        raise ValueError("SMPTE time division is not supported")
    data = MidiData(ppq, [])
    for track in mf.tracks:
        tick = 0
        name = ""
        pending: dict[tuple[int, int], deque[tuple[int, int]]] = defaultdict(deque)
        raw: list[tuple[int, int, int, int]] = []
        for msg in track:
            tick += msg.time
            if msg.type == "track_name" and not name:
                name = msg.name
            elif msg.type == "set_tempo":
                data.tempos.append((rescale(tick, ppq), msg.tempo))
            elif msg.type == "time_signature":
                data.meters.append((rescale(tick, ppq), msg.numerator, msg.denominator))
            elif msg.type == "key_signature":
                data.keys.append((rescale(tick, ppq), msg.key))
            elif msg.type == "note_on" and msg.velocity > 0:
                pending[(msg.channel, msg.note)].append((tick, msg.velocity))
            elif msg.type in ("note_off", "note_on"):
                queue = pending.get((msg.channel, msg.note))
                if queue:
                    start, vel = queue.popleft()
                    s, e = rescale(start, ppq), rescale(tick, ppq)
                    raw.append((msg.note, s, e - s, vel))
        data.tracks.append(MidiTrack(name, make_notes(raw)))
    data.tempos.sort()
    return data
