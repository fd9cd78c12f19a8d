"""MIDI file -> Song: rescale to 480 PPQ, one track per channel, tempo/meter/key, lead-sheet chords."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from composer_app.core.errors import SongFileError
from composer_app.core.pitch import KeySignature, fifths_to_tonic
from composer_app.core.song import DRUM_CHANNEL, ChordSymbol, Clip, Note, Song, Track
from composer_app.core.timing import MeterMap, TempoChange, TempoMap, TimeSignature
from composer_app.midi.leadsheet import chords_from_labels, is_chords_track_name
from composer_app.midi.smf import MAX_FILE_BYTES, SmfError, SmfFile, SmfTrack, parse_smf

MAX_TICK = 2**31 - 1
"""Nothing may lie later than this (at 480 ticks per quarter)."""

MAX_SECONDS = 24 * 3600
"""Nothing may lie later than 24 hours into the song."""

_GENERIC_CONDUCTOR_NAMES = ("", "conductor")


def read_midi(path: str | Path) -> Song:
    """Read a Standard MIDI File (format 0, 1 or 2); raise SongFileError naming the file on any problem."""
    p = Path(path)
    try:
        size = p.stat().st_size
        if p.is_dir():
            raise SongFileError(p, "is a folder, not a MIDI file")
        if size > MAX_FILE_BYTES:
            raise SongFileError(p, f"is {size / 2**20:.0f} MB; MIDI files over "
                                   f"{MAX_FILE_BYTES // 2**20} MB are not read")
        with open(p, "rb") as f:
            data = f.read(MAX_FILE_BYTES + 1)
    except FileNotFoundError as exc:
        raise SongFileError(p, "no such file") from exc
    except PermissionError as exc:
        raise SongFileError(p, "permission denied") from exc
    except OSError as exc:
        raise SongFileError(p, f"could not be read ({exc.strerror or exc})") from exc
    return read_midi_bytes(data, p)


def read_midi_bytes(data: bytes, name: str | Path = "<bytes>") -> Song:
    """Read a Standard MIDI File from memory; errors name ``name``."""
    try:
        return song_from_smf(parse_smf(bytes(data)))
    except SongFileError:
        raise
    except SmfError as exc:
        raise SongFileError(name, str(exc)) from exc
    except MemoryError as exc:
        raise SongFileError(name, "is too large to read into memory") from exc
    except Exception as exc:  # the promise: nothing but SongFileError leaves the reader
        raise SongFileError(name, f"could not be read as MIDI ({type(exc).__name__}: {exc})") from exc


def song_from_smf(smf: SmfFile) -> Song:
    """Build the Song from a decoded file (raises SmfError when it lies absurdly far in time)."""
    num, den = smf.scale_num, smf.scale_den

    def at480(tick: int) -> int:
        return (2 * tick * num + den) // (2 * den)  # nearest tick, halves rounded up

    if smf.smpte:
        tempos = [TempoChange(0)]  # SMPTE time is absolute: ticks were placed at 120 BPM
    else:
        tempos = [TempoChange(at480(t), us) for t, us in smf.tempos]
    meters = [TimeSignature(at480(t), n, d) for t, n, d in smf.meters]
    keys = [KeySignature(at480(t), fifths_to_tonic(sf, bool(mi)), "minor" if mi else "major")
            for t, sf, mi in smf.keys]

    # notes at 480 PPQ, per (MTrk, channel); check how far the song reaches before building anything
    spans: dict[tuple[int, int], list[tuple[int, int, int, int]]] = {}
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
    _check_reach(latest, tempos)

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
            clip = _clip(spans[trk.index, channel], meter_map)
            tracks.append(_track(trk, channel, name, (clip,)))

    chords = _chords(smf, at480, meter_map)
    _check_reach(max([latest] + [c.end for c in chords]), tempos)
    return Song(tracks=tuple(tracks), tempos=tuple(tempos), meters=tuple(meters), keys=tuple(keys),
                chords=chords, title=title)


def _check_reach(tick: int, tempos: list[TempoChange]) -> None:
    if tick > MAX_TICK:
        raise SmfError(f"an event lies {tick:,} ticks into the song, beyond the limit of {MAX_TICK:,} "
                       "(a corrupt delta time?)")
    seconds = TempoMap(tempos).seconds(tick)
    if seconds > MAX_SECONDS:
        raise SmfError(f"an event lies {seconds / 3600:.0f} hours into the song; songs over 24 hours are "
                       "not read (a corrupt delta time?)")


def _clip(notes: list[tuple[int, int, int, int]], meter_map: MeterMap) -> Clip:
    """One clip from tick 0 holding all notes, its length rounded up to a whole bar."""
    end = max(s + d for s, d, _, _ in notes)
    length = meter_map.bar_start(meter_map.bar_of(end - 1) + 1) if end > 0 else 0
    length = max(length, meter_map.meter_at(0).bar_ticks)
    ordered = sorted(notes, key=lambda n: (n[0], n[2]))
    return Clip(0, length, tuple(Note(p, s, d, v) for s, d, p, v in ordered))


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
