"""Song -> Type 1 Standard MIDI File at 480 PPQ (conductor track first), written atomically."""

from __future__ import annotations

from io import BytesIO
from pathlib import Path

import mido

from composer_app.core.atomic import atomic_write_bytes
from composer_app.core.controls import track_events
from composer_app.core.errors import SongFileError
from composer_app.core.song import DRUM_CHANNEL, Song, Track
from composer_app.core.timing import PPQ
from composer_app.midi.leadsheet import CHORDS_TRACK_NAME, chords_track, label_events
from composer_app.midi.reader import load_midi_bytes
from composer_app.midi.smf import MAX_TRACKS

MAX_DELTA = 0x0FFFFFFF
"""The largest delta time a MIDI file can hold (a 4-byte variable-length number)."""

NOTE_OFF_VELOCITY = 64
CONDUCTOR_NAME = "Conductor"  # track 0's name when the song has no title

# order of events that share a tick (a pedal let up with the notes it held, put down again before the next ones)
_FIRST, _SETUP, _OFF, _CONTROL, _TEXT, _ON = range(6)

_Event = tuple[int, int, mido.Message | mido.MetaMessage]  # (tick, order at that tick, message)


def _text(type_byte: int, text: str, tick: int, order: int) -> _Event:
    """A text-like meta event holding UTF-8 bytes (mido's own charset is a process-wide setting)."""
    return tick, order, mido.UnknownMetaMessage(type_byte, text.encode("utf-8", "replace"))


class _TooFar(Exception):
    """An event lies further after the one before it than a delta time can say."""

    def __init__(self, tick: int) -> None:
        super().__init__(tick)
        self.tick = tick


def _assemble(events: list[_Event], end: int = 0) -> mido.MidiTrack:
    """Sort (tick, order, message) events and turn them into a track with delta times."""
    events.sort(key=lambda e: (e[0], e[1]))  # stable: the caller's order holds within a slot
    track = mido.MidiTrack()
    now = 0
    for tick, _order, msg in events:
        if tick - now > MAX_DELTA:
            raise _TooFar(tick)
        msg.time = tick - now  # each message is made for this track alone
        track.append(msg)
        now = tick
    if end - now > MAX_DELTA:
        raise _TooFar(end)
    track.append(mido.MetaMessage("end_of_track", time=max(0, end - now)))
    return track


def _conductor(song: Song) -> mido.MidiTrack:
    events: list[_Event] = [_text(0x03, song.title or CONDUCTOR_NAME, 0, _FIRST)]
    for m in song.meters:
        events.append((m.tick, _SETUP, mido.MetaMessage("time_signature", numerator=m.numerator,
                                                         denominator=m.denominator)))
    for k in song.keys:
        events.append((k.tick, _SETUP, mido.MetaMessage("key_signature", key=k.midi_name)))
    for t in song.tempos:
        events.append((t.tick, _SETUP, mido.MetaMessage("set_tempo", tempo=t.us_per_quarter)))
    return _assemble(events, song.end_tick)


def _strikes(track: Track) -> list[tuple[int, int, int, int]]:
    """(start, end, pitch, velocity) of the track's notes as the app plays them, one key one note at a time.

    Notes of one key that overlap sound as the player sounds them: each strike lasts until the key is struck
    again, and the last one until the latest end among them; two notes struck together are one. Written so,
    a file plays the same in any synthesizer or DAW and reads back note for note (a note-off written at the
    first note's end would otherwise cut the second short)."""
    by_key: dict[int, list[tuple[int, int, int]]] = {}
    for note in track.notes_absolute():
        by_key.setdefault(note.pitch, []).append((note.start, note.end, note.velocity))
    out = []
    for pitch, notes in by_key.items():
        notes.sort()
        last = len(notes) - 1
        until = notes[0][1]  # how long the key sounds, over the notes that overlap so far
        for i, (start, stop, velocity) in enumerate(notes):
            until = max(until, stop) if i and start < until else stop
            if i < last and notes[i + 1][0] == start:
                until = max(until, notes[i + 1][1])  # struck together: the one note lasts as long as either
                continue
            following = notes[i + 1][0] if i < last else None
            if following is not None and following < until:
                out.append((start, following, pitch, velocity))
            else:
                out.append((start, until, pitch, velocity))
    out.sort(key=lambda n: (n[0], n[2]))
    return out


def _part(track: Track, labels: list[tuple[int, str]]) -> mido.MidiTrack:
    channel = DRUM_CHANNEL if track.is_drum else track.channel
    events: list[_Event] = [
        _text(0x03, track.name, 0, _FIRST),
        (0, _SETUP, mido.Message("program_change", channel=channel, program=track.program)),
        (0, _SETUP, mido.Message("control_change", channel=channel, control=7, value=track.volume)),
        (0, _SETUP, mido.Message("control_change", channel=channel, control=10, value=track.pan)),
    ]
    end = 0
    for start, stop, pitch, velocity in _strikes(track):
        events.append((start, _ON, mido.Message("note_on", channel=channel, note=pitch, velocity=velocity)))
        events.append((stop, _OFF, mido.Message("note_off", channel=channel, note=pitch,
                                                velocity=NOTE_OFF_VELOCITY)))
        end = max(end, stop)
    for tick, number, value in track_events(track):
        events.append((tick, _CONTROL, mido.Message("control_change", channel=channel, control=number, value=value)))
        end = max(end, tick)
    for tick, label in labels:
        events.append(_text(0x01, label, tick, _TEXT))
    return _assemble(events, end)


def song_to_midifile(song: Song) -> mido.MidiFile:
    """The song as a mido Type 1 file: conductor track, one track per song track, lead-sheet chords.

    Raises ValueError with a readable reason when the song does not fit in a MIDI file that our reader
    reads back (too many tracks, an event too far out on the timeline).
    """
    labels = label_events(song)
    carrier = chords_track(song) if labels else None
    chunks = 1 + len(song.tracks) + (1 if labels and carrier is None else 0)
    if chunks > MAX_TRACKS:
        raise ValueError(f"the song has {len(song.tracks):,} tracks; a MIDI file holds at most "
                         f"{MAX_TRACKS - 1 - (chunks - 1 - len(song.tracks)):,} besides its conductor track")
    mf = mido.MidiFile(type=1, ticks_per_beat=PPQ)
    try:
        mf.tracks.append(_conductor(song))
        for track in song.tracks:
            mf.tracks.append(_part(track, labels if track is carrier else []))
        if labels and carrier is None:
            events: list[_Event] = [_text(0x03, CHORDS_TRACK_NAME, 0, _FIRST)]
            events.extend(_text(0x01, label, tick, _TEXT) for tick, label in labels)
            mf.tracks.append(_assemble(events, max(c.end for c in song.chords)))
    except _TooFar as far:
        where = song.meter_map.position(far.tick)
        raise ValueError(f"something at bar {where.bar + 1:,} lies too far out on the timeline for a MIDI file "
                         f"(more than {MAX_DELTA:,} ticks after the event before it)") from None
    return mf


def write_midi_bytes(song: Song, name: str | Path = "<bytes>") -> bytes:
    """The song as the bytes of a Type 1 Standard MIDI File (for drag and drop, clipboard, tests).

    Only what our own reader reads back is returned: otherwise SongFileError naming ``name`` says why.
    """
    try:
        buffer = BytesIO()
        song_to_midifile(song).save(file=buffer)
    except ValueError as exc:
        raise SongFileError(name, f"cannot be exported as MIDI: {exc}") from exc
    data = buffer.getvalue()
    try:
        load_midi_bytes(data, name)
    except SongFileError as exc:
        raise SongFileError(name, f"cannot be exported as MIDI: {exc.problem}") from exc
    return data


def write_midi(song: Song, path: str | Path) -> None:
    """Write the song as a Type 1 MIDI file, atomically; raise SongFileError when it cannot be written."""
    atomic_write_bytes(path, write_midi_bytes(song, path))
