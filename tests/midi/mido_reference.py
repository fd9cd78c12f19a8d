"""An independent reading of a MIDI file for the tests: mido decodes the events, and notes are paired here as a
synthesizer plays them (the rule ``composer_app.midi.smf`` follows), so the tests compare our event decoding
with mido's and our pairing with this separate implementation of the same rule.

The rule: one key sounds at most one note per channel. A key struck again while it sounds ends the note it was
sounding (a second strike at the very same tick is the same note); a note-off ends the sounding note; a note-off
written just after the re-strike, at its tick, belongs to the note the strike ended; notes never released end
where the track ends. One exception for a zero-length note written off first (music21's grace notes): a note
struck at the tick of a note-off of its key that found nothing sounding, and never released by a note-off of its
own (only by the next strike or the end of the track), has no length.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator

import mido


def paired_notes(track: Iterable[mido.Message]) -> Iterator[tuple[int, int, int, int, int]]:
    """(channel, pitch, start, end, velocity) of every note of one mido track, in file ticks."""
    now = 0
    sounding: dict[tuple[int, int], list[int]] = {}
    struck_again: dict[tuple[int, int], int] = {}
    stray_at: dict[tuple[int, int], int] = {}  # the tick of each key's last note-off that found nothing
    unreleased: set[tuple[int, int]] = set()

    def end_of(key: tuple[int, int], held: list[int], tick: int) -> int:
        return held[0] if key in unreleased else tick

    for msg in track:
        now += msg.time
        if msg.type not in ("note_on", "note_off"):
            continue
        key = (msg.channel, msg.note)
        held = sounding.get(key)
        if msg.type == "note_on" and msg.velocity > 0:
            if held is not None and held[0] == now:
                continue
            if held is not None:
                yield (*key, held[0], end_of(key, held, now), held[1])
                struck_again[key] = now
            sounding[key] = [now, msg.velocity]
            if stray_at.get(key) == now:
                unreleased.add(key)
            else:
                unreleased.discard(key)
        elif held is None:
            stray_at[key] = now
        elif held[0] == now and struck_again.get(key) == now:
            del struck_again[key]
        else:
            yield (*key, held[0], now, held[1])
            del sounding[key]
            unreleased.discard(key)
    for key, held in sounding.items():
        yield (*key, held[0], end_of(key, held, now), held[1])
