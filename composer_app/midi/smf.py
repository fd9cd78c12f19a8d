"""Standard MIDI File decoding: header, chunks, events and note pairing, within hard size limits."""

from __future__ import annotations

from dataclasses import dataclass, field

from composer_app.core.song import PERFORMANCE_CONTROLS

MAX_FILE_BYTES = 64 * 1024 * 1024
"""Files larger than this are refused before parsing."""

MAX_TRACKS = 1024
"""Most MTrk chunks a file may declare."""

MAX_EVENTS = 2_000_000
"""Most events (all tracks together) a file may hold."""

_SMPTE_RATES = {0xE8: (24, 1), 0xE7: (25, 1), 0xE3: (2997, 100), 0xE2: (30, 1)}  # -24, -25, -29, -30
_SYSTEM_DATA_BYTES = {0xF1: 1, 0xF2: 2, 0xF3: 1}  # other 0xF1..0xFE statuses carry no data


class SmfError(Exception):
    """The bytes are not a MIDI file we can read; ``str()`` is one readable problem."""


@dataclass
class SmfTrack:
    """What one MTrk chunk holds, in the file's own ticks."""

    index: int
    name: str = ""
    end_tick: int = 0
    channels: dict[int, None] = field(default_factory=dict)  # channels with any message, in order
    notes: dict[int, list[list[int]]] = field(default_factory=dict)  # channel -> [start, end, pitch, vel]
    programs: dict[int, int] = field(default_factory=dict)  # first program per channel
    volumes: dict[int, int] = field(default_factory=dict)  # first CC7 per channel
    pans: dict[int, int] = field(default_factory=dict)  # first CC10 per channel
    controls: dict[int, list[tuple[int, int, int]]] = field(default_factory=dict)
    """channel -> (tick, controller, value) of the performance controllers (pedals, expression, modulation)"""
    texts: list[tuple[int, str]] = field(default_factory=list)  # text, lyrics and marker events
    tempos: list[tuple[int, int]] = field(default_factory=list)  # (tick, us per quarter)
    meters: list[tuple[int, int, int]] = field(default_factory=list)  # (tick, numerator, denominator)
    keys: list[tuple[int, int, int]] = field(default_factory=list)  # (tick, sharps(+)/flats(-), minor)
    ended: bool = False  # the last event read was an End-of-Track (the chunk said where it ends)
    cut_bytes: int = 0  # bytes missing at the end of the file before this chunk's End-of-Track (0: none)
    notes_after_eot: int = 0  # notes found after an End-of-Track event inside the chunk (read anyway)

    @property
    def has_notes(self) -> bool:
        return any(self.notes.values())


@dataclass
class SmfFile:
    """A decoded file: format, time base and tracks, plus tempo, meter and key events of all tracks."""

    format: int
    division: int
    smpte: bool
    scale_num: int  # a file tick times scale_num / scale_den is a tick at 480 per quarter
    scale_den: int
    tracks: list[SmfTrack] = field(default_factory=list)
    tempos: list[tuple[int, int]] = field(default_factory=list)  # (tick, us per quarter)
    meters: list[tuple[int, int, int]] = field(default_factory=list)  # (tick, numerator, denominator)
    keys: list[tuple[int, int, int]] = field(default_factory=list)  # (tick, sharps(+)/flats(-), minor)
    declared_tracks: int = 0  # MTrk chunks the header promises; more than len(tracks) when the file is cut

    @property
    def cut(self) -> bool:
        """True when the file ends before the end of what its header and chunks declare."""
        return len(self.tracks) < self.declared_tracks or any(t.cut_bytes for t in self.tracks)


def _decode_text(body: bytes) -> str:
    try:
        text = body.decode("utf-8")
    except UnicodeDecodeError:
        text = body.decode("latin-1")
    return text.replace("\x00", "").strip()


def _unwrap_riff(data: bytes) -> bytes:
    """RIFF RMID files wrap a Standard MIDI File in a 'data' chunk: return the MIDI part."""
    if data[:4] == b"RIFF" and data[8:12] == b"RMID":
        at = data.find(b"MThd", 12, 4096)
        if at >= 0:
            return data[at:]
    return data


def parse_header(data: bytes) -> tuple[int, int, int, int]:
    """Check the MThd chunk; return (format, declared track count, division, offset of first chunk)."""
    if not data:
        raise SmfError("the file is empty")
    if data[:4] != b"MThd":
        raise SmfError("is not a MIDI file (it does not start with an MThd header)")
    if len(data) < 14:
        raise SmfError("the file is truncated inside its MIDI header")
    length = int.from_bytes(data[4:8], "big")
    if length < 6:
        raise SmfError(f"the MIDI header is {length} bytes long, 6 are needed")
    if 8 + length > len(data):
        raise SmfError("the file is truncated inside its MIDI header")
    fmt = int.from_bytes(data[8:10], "big")
    ntracks = int.from_bytes(data[10:12], "big")
    division = int.from_bytes(data[12:14], "big")
    if fmt > 2:
        raise SmfError(f"unknown MIDI file format {fmt} (only 0, 1 and 2 exist)")
    if ntracks == 0:
        raise SmfError("the MIDI file holds no tracks")
    if ntracks > MAX_TRACKS:
        raise SmfError(f"the file declares {ntracks} tracks; at most {MAX_TRACKS} are read")
    if division == 0:
        raise SmfError("the time division is 0 ticks per quarter note")
    return fmt, ntracks, division, 8 + length


def _scale(division: int) -> tuple[bool, int, int]:
    """(smpte, num, den) turning file ticks into ticks at 480 per quarter."""
    if not division & 0x8000:
        return False, 480, division
    rate = _SMPTE_RATES.get(division >> 8)
    ticks_per_frame = division & 0xFF
    if rate is None:
        raise SmfError(f"unknown SMPTE frame rate in the time division ({division:#06x})")
    if ticks_per_frame == 0:
        raise SmfError("the SMPTE time division has 0 ticks per frame")
    # SMPTE ticks are absolute time; place them at 120 BPM: 960 ticks of ours per second.
    fps_num, fps_den = rate
    return True, 960 * fps_den, fps_num * ticks_per_frame


class _Counter:
    def __init__(self) -> None:
        self.events = 0


class _Truncated(SmfError):
    """An event runs past the end of its chunk."""


def parse_smf(data: bytes) -> SmfFile:
    """Decode ``data``; raise SmfError with a readable problem for anything we cannot read.

    A file cut short (its last chunk runs past the end of the file, or chunks the header promises are
    missing) is read as far as it goes: check ``SmfFile.cut`` and each track's ``cut_bytes``. When
    nothing at all could be read from a cut file, SmfError is raised.
    """
    if len(data) > MAX_FILE_BYTES:
        raise SmfError(f"the file is {len(data) / 2**20:.0f} MB; MIDI files over "
                       f"{MAX_FILE_BYTES // 2**20} MB are not read")
    data = _unwrap_riff(data)
    fmt, ntracks, division, pos = parse_header(data)
    smpte, num, den = _scale(division)
    smf = SmfFile(fmt, division, smpte, num, den, declared_tracks=ntracks)
    counter = _Counter()
    size = len(data)
    while len(smf.tracks) < ntracks and pos + 8 <= size:
        kind = data[pos:pos + 4]
        length = int.from_bytes(data[pos + 4:pos + 8], "big")
        body_start = pos + 8
        if kind == b"MTrk":
            _add_track(smf, _read_chunk(data, body_start, length, len(smf.tracks), counter))
        elif not all(65 <= b <= 90 or 97 <= b <= 122 for b in kind):
            raise SmfError(f"unexpected bytes where track {len(smf.tracks) + 1} should start "
                           f"(offset {pos})")
        # other chunk types are skipped, as the standard asks
        pos = body_start + length
    if smf.cut and not any(t.has_notes for t in smf.tracks):
        raise SmfError(f"the file is truncated: the header promises {ntracks} tracks, {len(smf.tracks)} "
                       "were found" if len(smf.tracks) < ntracks else
                       "the file is truncated before its first note")
    return smf


def _add_track(smf: SmfFile, track: SmfTrack) -> None:
    smf.tracks.append(track)
    smf.tempos.extend(track.tempos)
    smf.meters.extend(track.meters)
    smf.keys.extend(track.keys)


def _read_chunk(data: bytes, start: int, length: int, index: int, counter: _Counter) -> SmfTrack:
    """One MTrk chunk, read on past an early End-of-Track where what follows is readable."""
    end = min(start + length, len(data))
    cut = start + length - end
    events_before = counter.events
    try:
        track = _parse_track(data, start, end, index, counter, stop_at_eot=False, cut=cut > 0)
    except SmfError:
        # unreadable bytes after an End-of-Track are junk: read exactly as far as the first one
        counter.events = events_before
        track = _parse_track(data, start, end, index, counter, stop_at_eot=True, cut=cut > 0)
    track.cut_bytes = 0 if track.ended else cut  # a chunk that says where it ends lost nothing
    return track


def _truncated(index: int) -> SmfError:
    return _Truncated(f"the file is truncated: track {index + 1} ends in the middle of an event")


def _parse_track(data: bytes, pos: int, end: int, index: int, counter: _Counter, stop_at_eot: bool,
                 cut: bool) -> SmfTrack:
    """Decode one chunk's events; with ``cut`` (the file ends inside the chunk) an event cut in half ends
    the track instead of failing."""
    track = SmfTrack(index)
    state = _TrackState()
    try:
        while pos < end:
            pos = _event(data, pos, end, index, track, state, counter)
            if state.eot and (stop_at_eot or pos >= end):
                break
    except _Truncated:
        if not cut:
            raise
    track.end_tick = state.tick
    track.ended = state.last_was_eot
    for key, note in state.open_notes.items():
        note[1] = note[0] if key in state.unreleased else state.tick  # never closed: ends where the track ends
    if state.eot_notes is not None:
        track.notes_after_eot = sum(len(n) for n in track.notes.values()) - state.eot_notes
    return track


class _TrackState:
    """What reading one chunk carries from event to event."""

    def __init__(self) -> None:
        self.tick = 0
        self.running = 0
        self.named = False
        self.eot = False
        self.last_was_eot = False  # the last event read was an End-of-Track
        self.eot_notes: int | None = None  # notes read when the first End-of-Track came
        self.open_notes: dict[tuple[int, int], list[int]] = {}
        """The note sounding on each (channel, key): one at most, as on a synthesizer."""
        self.restruck: dict[tuple[int, int], int] = {}
        """The tick at which each (channel, key) was last struck again while it sounded."""
        self.stray_offs: set[tuple[int, int, int]] = set()
        """(channel, key, tick) of the note-offs at the current tick that found nothing sounding."""
        self.unreleased: set[tuple[int, int]] = set()
        """Keys whose sounding note was struck at the tick of a stray note-off of that key (see ``_note_on``)."""


def _event(data: bytes, pos: int, end: int, index: int, track: SmfTrack, state: _TrackState,
           counter: _Counter) -> int:
    """Decode the event at ``pos`` (delta time first) into ``track``; return the position after it."""
    # delta time: a variable-length number of at most 4 bytes
    byte = data[pos]
    pos += 1
    delta = byte & 0x7F
    count = 1
    while byte & 0x80:
        if count == 4:
            raise SmfError(f"track {index + 1} has a delta time longer than 4 bytes (corrupt data)")
        if pos >= end:
            raise _truncated(index)
        byte = data[pos]
        pos += 1
        delta = (delta << 7) | (byte & 0x7F)
        count += 1
    state.tick += delta
    tick = state.tick
    if pos >= end:
        return pos  # a trailing delta with no event: treat as the end of the track
    counter.events += 1
    state.last_was_eot = False
    if counter.events > MAX_EVENTS:
        raise SmfError(f"the file holds more than {MAX_EVENTS:,} events; it is not read")
    status = data[pos]
    if status & 0x80:
        pos += 1
    elif state.running:
        status = state.running
    else:
        raise SmfError(f"track {index + 1} has a data byte without a status byte at tick {tick} "
                       "(broken running status)")
    if status < 0xF0:
        return _channel_event(data, pos, end, index, track, state, status)
    if status == 0xFF:
        # meta events keep running status, as many writers and readers assume
        if pos >= end:
            raise _truncated(index)
        meta_type = data[pos]
        length, pos = _read_length(data, pos + 1, end, index)
        body = data[pos:pos + length]
        pos += length
        if meta_type == 0x2F:
            state.last_was_eot = True
            if not state.eot:
                state.eot = True
                state.eot_notes = sum(len(n) for n in track.notes.values())
        else:
            _meta(track, meta_type, body, tick, state.named)
            state.named = state.named or meta_type == 0x03
    elif status in (0xF0, 0xF7):
        state.running = 0
        length, pos = _read_length(data, pos, end, index)
        pos += length
    else:
        if status < 0xF8:
            state.running = 0
        need = _SYSTEM_DATA_BYTES.get(status, 0)
        if pos + need > end:
            raise _truncated(index)
        pos += need
    return pos


def _channel_event(data: bytes, pos: int, end: int, index: int, track: SmfTrack, state: _TrackState,
                   status: int) -> int:
    state.running = status
    kind = status & 0xF0
    channel = status & 0x0F
    need = 1 if kind in (0xC0, 0xD0) else 2
    if pos + need > end:
        raise _truncated(index)
    d1 = min(data[pos], 127)
    d2 = min(data[pos + 1], 127) if need == 2 else 0
    pos += need
    track.channels[channel] = None
    tick = state.tick
    if kind == 0x90 and d2 > 0:
        _note_on(track, state, channel, d1, d2, tick)
    elif kind == 0x80 or kind == 0x90:
        _note_off(state, channel, d1, tick)
    elif kind == 0xB0:
        if d1 == 7:
            track.volumes.setdefault(channel, d2)
        elif d1 == 10:
            track.pans.setdefault(channel, d2)
        elif d1 in PERFORMANCE_CONTROLS:
            track.controls.setdefault(channel, []).append((tick, d1, d2))
    elif kind == 0xC0:
        track.programs.setdefault(channel, d1)
    return pos


def _note_on(track: SmfTrack, state: _TrackState, channel: int, key: int, velocity: int, tick: int) -> None:
    """A key struck while it still sounds ends the note it was sounding there, as a synthesizer plays it
    (FluidSynth releases the key's voice), so one key never holds two notes. A second note-on at the very tick
    the key was struck is the same note.

    One exception: a note struck at the tick of a stray note-off of its key (one that found nothing sounding)
    and never released by a note-off of its own, only by the key's next strike or the end of the track, is a
    zero-length note written off first, as music21 writes grace notes. It is read as a note of no length (one
    tick), not as one droning on to the key's next strike (or, paired first in, first out, as a shift of every
    later note of the key, the last one held to the end of the file)."""
    if state.stray_offs and next(iter(state.stray_offs))[2] != tick:
        state.stray_offs.clear()
    sounding = state.open_notes.get((channel, key))
    if sounding is not None:
        if sounding[0] == tick:
            return
        sounding[1] = sounding[0] if (channel, key) in state.unreleased else tick
        state.restruck[channel, key] = tick
    note = [tick, -1, key, velocity]
    track.notes.setdefault(channel, []).append(note)
    state.open_notes[channel, key] = note
    if (channel, key, tick) in state.stray_offs:
        state.unreleased.add((channel, key))
    else:
        state.unreleased.discard((channel, key))


def _note_off(state: _TrackState, channel: int, key: int, tick: int) -> None:
    """A note-off ends the note sounding on its key; one with none sounding is ignored (and remembered for its
    tick, see ``_note_on``). A note-off written just after the note-on that struck its key again, at the same
    tick, belongs to the note that strike already ended."""
    if state.stray_offs and next(iter(state.stray_offs))[2] != tick:
        state.stray_offs.clear()
    sounding = state.open_notes.get((channel, key))
    if sounding is None:
        state.stray_offs.add((channel, key, tick))
        return
    if sounding[0] == tick and state.restruck.pop((channel, key), None) == tick:
        return
    sounding[1] = tick
    del state.open_notes[channel, key]
    state.unreleased.discard((channel, key))


def _read_length(data: bytes, pos: int, end: int, index: int) -> tuple[int, int]:
    """A variable-length byte count that must fit in the rest of the track; return it and the new pos."""
    value = 0
    for _ in range(4):
        if pos >= end:
            raise _truncated(index)
        byte = data[pos]
        pos += 1
        value = (value << 7) | (byte & 0x7F)
        if not byte & 0x80:
            break
    else:
        raise SmfError(f"track {index + 1} has an event length longer than 4 bytes (corrupt data)")
    if pos + value > end:
        raise SmfError(f"track {index + 1} has an event of {value} bytes that runs past the end of the "
                       "track (truncated or corrupt)")
    return value, pos


def _meta(track: SmfTrack, meta_type: int, body: bytes, tick: int, named: bool) -> None:
    if meta_type == 0x03:
        if not named:
            track.name = _decode_text(body)
    elif meta_type in (0x01, 0x05, 0x06):
        track.texts.append((tick, _decode_text(body)))
    elif meta_type == 0x51:
        if len(body) == 3:
            us = int.from_bytes(body, "big")
            if us > 0:
                track.tempos.append((tick, us))
    elif meta_type == 0x58:
        if len(body) >= 2 and 1 <= body[0] <= 64 and body[1] <= 6:
            track.meters.append((tick, body[0], 1 << body[1]))
    elif meta_type == 0x59:
        if len(body) >= 2:
            sharps = body[0] - 256 if body[0] > 127 else body[0]
            if -7 <= sharps <= 7 and body[1] in (0, 1):
                track.keys.append((tick, sharps, body[1]))
