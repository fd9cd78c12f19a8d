"""MIDI file -> Song: rescale to 480 PPQ, one track per channel, tempo/meter/key, lead-sheet chords."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from fractions import Fraction
from pathlib import Path

from composer_app.core.errors import SongFileError
from composer_app.core.pitch import KeySignature, fifths_to_tonic
from composer_app.core.regular_file import read_regular
from composer_app.core.song import DRUM_CHANNEL, ChordSymbol, Clip, Control, Note, Song, Track
from composer_app.core.timing import MeterMap, TempoChange, TempoMap, TimeSignature
from composer_app.midi.leadsheet import chords_from_labels, is_chords_track_name
from composer_app.midi.smf import MAX_FILE_BYTES, SmfError, SmfFile, SmfTrack, parse_smf

MAX_TICK = 2**31 - 1
"""Nothing may lie later than this (at 480 ticks per quarter)."""

MAX_SECONDS = 24 * 3600
"""Nothing may lie later than 24 hours into the song."""

_GENERIC_CONDUCTOR_NAMES = ("", "conductor")


@dataclass(frozen=True)
class MidiRead:
    """A read MIDI file: the song, and what a person must be told about the reading (a cut file, ...)."""

    song: Song
    warnings: tuple[str, ...] = ()


def read_midi(path: str | Path) -> Song:
    """Read a Standard MIDI File (format 0, 1 or 2); raise SongFileError naming the file on any problem.

    Where a person can be told, use ``load_midi``: it also returns the warnings (e.g. a file cut short).
    """
    return load_midi(path).song


def read_midi_bytes(data: bytes, name: str | Path = "<bytes>") -> Song:
    """Read a Standard MIDI File from memory; errors name ``name`` (warnings: ``load_midi_bytes``)."""
    return load_midi_bytes(data, name).song


def load_midi(path: str | Path) -> MidiRead:
    """Read a MIDI file into a song plus warnings; only regular files, at most MAX_FILE_BYTES of them."""
    p = Path(path)
    return load_midi_bytes(read_regular(p, "MIDI file", MAX_FILE_BYTES), p)


def load_midi_bytes(data: bytes, name: str | Path = "<bytes>") -> MidiRead:
    """Read a Standard MIDI File from memory into a song plus warnings; errors name ``name``."""
    try:
        smf = parse_smf(bytes(data))
        return MidiRead(song_from_smf(smf), reading_warnings(smf))
    except SmfError as exc:
        raise SongFileError(name, str(exc)) from exc
    except MemoryError as exc:
        raise SongFileError(name, "is too large to read into memory") from exc


def reading_warnings(smf: SmfFile) -> tuple[str, ...]:
    """One line per thing a person must know about how the file was read (cut short, early track end)."""
    meter_map = MeterMap([TimeSignature(_at480(smf, t), n, d) for t, n, d in smf.meters])
    found: list[str] = []
    for trk in smf.tracks:
        label = f"track {trk.index + 1}" + (f" ({trk.name})" if trk.name else "")
        if trk.cut_bytes:
            where = meter_map.position(_at480(smf, trk.end_tick))
            found.append(f"the file is cut short: {label} stops at bar {where.bar + 1} beat {where.beat + 1}, "
                         f"{trk.cut_bytes:,} bytes before its declared end; the notes after that are missing")
        if trk.notes_after_eot:
            found.append(f"{label} has an End-of-Track marker before {trk.notes_after_eot:,} of its notes; "
                         "they were read anyway")
    missing = smf.declared_tracks - len(smf.tracks)
    if missing > 0:
        found.append(f"the file is cut short: its header promises {smf.declared_tracks} tracks, "
                     f"{len(smf.tracks)} were found; {missing} are missing")
    return tuple(found)


def _at480(smf: SmfFile, tick: int) -> int:
    return (2 * tick * smf.scale_num + smf.scale_den) // (2 * smf.scale_den)  # nearest tick, halves rounded up


def song_from_smf(smf: SmfFile) -> Song:
    """Build the Song from a decoded file (raises SmfError when it lies absurdly far in time)."""
    def at480(tick: int) -> int:
        return _at480(smf, tick)

    if smf.smpte:
        tempos = [TempoChange(0)]  # SMPTE time is absolute: ticks were placed at 120 BPM
    else:
        tempos = [TempoChange(at480(t), us) for t, us in smf.tempos]
    meters = [TimeSignature(at480(t), n, d) for t, n, d in smf.meters]
    keys = [KeySignature(at480(t), fifths_to_tonic(sf, bool(mi)), "minor" if mi else "major", sharps=sf > 0)
            for t, sf, mi in smf.keys]

    # notes at 480 PPQ, per (MTrk, channel); check how far the song reaches before building anything
    spans: dict[tuple[int, int], list[tuple[int, int, int, int]]] = {}
    controls: dict[tuple[int, int], list[Control]] = {}
    latest = max([0] + [c.tick for c in tempos] + [m.tick for m in meters] + [k.tick for k in keys])
    for trk in smf.tracks:
        for channel, raw in trk.notes.items():
            if not raw:
                continue
            notes = []
            for start, end, pitch, velocity in raw:
                s = at480(start)
                notes.append((s, max(1, at480(end) - s), pitch, velocity))
            spans[trk.index, channel] = notes
            latest = max(latest, max(s + d for s, d, _, _ in notes))
            changes = [Control(at480(t), number, value) for t, number, value in trk.controls.get(channel, ())]
            if changes:  # only where the channel plays notes: a pedal alone has nothing to hold
                controls[trk.index, channel] = changes
                latest = max(latest, max(c.start for c in changes))
    _check_reach(latest, tempos)

    meters = _meter_after_closing_bar(meters, [s + d for notes in spans.values() for s, d, _, _ in notes])
    meter_map = MeterMap(meters)
    tracks: list[Track] = []
    title = ""
    for trk in smf.tracks:
        note_channels = [ch for ch in trk.channels if (trk.index, ch) in spans]
        if smf.format == 0:
            title = title or trk.name
        if not note_channels:
            if not trk.channels and trk.index == 0 and smf.format != 0:
                name = trk.name.strip().lower()
                if name not in _GENERIC_CONDUCTOR_NAMES and not is_chords_track_name(name):
                    title = trk.name
            elif trk.channels and smf.format != 0:
                channel = next(iter(trk.channels))
                tracks.append(_track(trk, channel, trk.name or f"Track {len(tracks) + 1}", ()))
            continue
        for channel in note_channels:
            if smf.format != 0 and trk.name:
                name = trk.name if len(note_channels) == 1 else f"{trk.name} ({channel + 1})"
            elif len(note_channels) > 1 or smf.format == 0:
                name = "Drums" if channel == DRUM_CHANNEL else f"Channel {channel + 1}"
            else:
                name = f"Track {len(tracks) + 1}"
            clip = _clip(spans[trk.index, channel], controls.get((trk.index, channel), []), meter_map)
            tracks.append(_track(trk, channel, name, (clip,)))

    chords = _chords(smf, at480, meter_map)
    _check_reach(max([latest] + [c.end for c in chords]), tempos)
    return Song(tracks=tuple(tracks), tempos=tuple(tempos), meters=tuple(meters), keys=tuple(keys),
                chords=chords, title=title)


def _meter_after_closing_bar(meters: list[TimeSignature], note_ends: list[int]) -> list[TimeSignature]:
    """``meters`` and, where the music ends on the bar that completes its pickup, the meter before that bar again
    from the next bar.

    A notation program writes a tune's pickup as a short first bar with a meter of its own, and the bar that
    completes it at the end as another (a 6/8 tune: 1/8, 6/8, ..., 5/8). Read as written, every bar after the
    music would be 5/8, so the bars a musician adds there, or asks the assistant for, would be too. Where the
    first bar is such a pickup and the last note ends in a last bar whose meter, set there, adds up with the
    pickup's to the meter before it, that meter comes back at the next barline. The notes keep every bar and
    position they had; any other last meter (a change the music goes on in, however short) stays as written."""
    if len(meters) < 3 or not note_ends:
        return meters
    ordered = sorted(meters, key=lambda m: m.tick)
    pickup, after_pickup, before, last = ordered[0], ordered[1], ordered[-2], ordered[-1]
    mm = MeterMap(ordered)
    bar = mm.bar_of(last.tick)

    def length(m: TimeSignature) -> Fraction:
        return Fraction(m.numerator, m.denominator)

    if (pickup.tick != 0 or after_pickup.tick != mm.bar_start(1) or length(pickup) >= length(after_pickup)
            or length(pickup) + length(last) != length(before) or mm.bar_start(bar) != last.tick
            or mm.bar_of(max(note_ends) - 1) != bar):
        return meters
    return [*meters, TimeSignature(mm.bar_start(bar + 1), before.numerator, before.denominator)]


def _check_reach(tick: int, tempos: list[TempoChange]) -> None:
    if tick > MAX_TICK:
        raise SmfError(f"an event lies {tick:,} ticks into the song, beyond the limit of {MAX_TICK:,} "
                       "(a corrupt delta time?)")
    seconds = TempoMap(tempos).seconds(tick)
    if seconds > MAX_SECONDS:
        raise SmfError(f"an event lies {seconds / 3600:.0f} hours into the song; songs over 24 hours are "
                       "not read (a corrupt delta time?)")


def _clip(notes: list[tuple[int, int, int, int]], controls: list[Control], meter_map: MeterMap) -> Clip:
    """One clip from tick 0 holding all notes and controller changes, its length rounded up to a whole bar (a
    change on the barline after the last note, a pedal let up there, ends the clip rather than opening a bar)."""
    end = max([s + d for s, d, _, _ in notes] + [c.start for c in controls])
    length = meter_map.bar_start(meter_map.bar_of(end - 1) + 1) if end > 0 else 0
    length = max(length, meter_map.meter_at(0).bar_ticks)
    ordered = sorted(notes, key=lambda n: (n[0], n[2]))
    return Clip(0, length, tuple(Note(p, s, d, v) for s, d, p, v in ordered), controls=tuple(controls))


def _track(trk: SmfTrack, channel: int, name: str, clips: tuple[Clip, ...]) -> Track:
    return Track(name=name, program=trk.programs.get(channel, 0), channel=channel,
                 volume=trk.volumes.get(channel, 100), pan=trk.pans.get(channel, 64),
                 is_drum=channel == DRUM_CHANNEL, clips=clips)


def _chords(smf: SmfFile, at480: Callable[[int], int], meter_map: MeterMap) -> tuple[ChordSymbol, ...]:
    labels: list[tuple[int, str]] = []
    last_note_end = 0
    track_end = 0
    for trk in smf.tracks:
        if not is_chords_track_name(trk.name):
            continue
        labels.extend((at480(t), text) for t, text in trk.texts)
        for raw in trk.notes.values():
            for start, end, _pitch, _vel in raw:
                last_note_end = max(last_note_end, at480(end), at480(start) + 1)
        track_end = max(track_end, at480(trk.end_tick))
    if not labels:
        return ()
    labels.sort(key=lambda item: item[0])  # stable: file order kept within a tick
    first = labels[0][0]
    return chords_from_labels(labels, last_note_end, track_end, meter_map.meter_at(first).bar_ticks)
