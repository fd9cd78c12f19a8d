"""Pure edits: each takes a Song and returns a new Song; nothing is changed in place."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from dataclasses import replace

from composer_app.core.controls import acting, clip_events, window
from composer_app.core.ids import new_id
from composer_app.core.pitch import KeySignature
from composer_app.core.song import ChordSymbol, Clip, Control, Note, Song, Track
from composer_app.core.timing import TempoChange, TimeSignature

# ---------------------------------------------------------------- tracks


def add_track(song: Song, track: Track | None = None, index: int | None = None) -> Song:
    track = track or Track(name=f"Track {len(song.tracks) + 1}", channel=_free_channel(song))
    tracks = list(song.tracks)
    tracks.insert(len(tracks) if index is None else index, track)
    return replace(song, tracks=tuple(tracks))


def _free_channel(song: Song) -> int:
    used = {t.channel for t in song.tracks}
    for ch in range(16):
        if ch != 9 and ch not in used:
            return ch
    return 0


def delete_track(song: Song, track_id: str) -> Song:
    song.track(track_id)
    return replace(song, tracks=tuple(t for t in song.tracks if t.id != track_id))


def move_track(song: Song, track_id: str, index: int) -> Song:
    track = song.track(track_id)
    tracks = [t for t in song.tracks if t.id != track_id]
    tracks.insert(max(0, min(index, len(tracks))), track)
    return replace(song, tracks=tuple(tracks))


def update_track(song: Song, track_id: str, **changes) -> Song:
    """Change track fields (name, program, channel, volume, pan, mute, solo, is_drum)."""
    if "clips" in changes or "id" in changes:
        raise ValueError("use the clip edits to change clips")
    return _map_track(song, track_id, lambda t: replace(t, **changes))


def _map_track(song: Song, track_id: str, fn: Callable[[Track], Track]) -> Song:
    song.track(track_id)
    return replace(song, tracks=tuple(fn(t) if t.id == track_id else t for t in song.tracks))


# ---------------------------------------------------------------- clips


def add_clip(song: Song, track_id: str, clip: Clip) -> Song:
    return _map_track(song, track_id, lambda t: replace(t, clips=_sorted_clips(t.clips + (clip,))))


def _sorted_clips(clips: Iterable[Clip]) -> tuple[Clip, ...]:
    return tuple(sorted(clips, key=lambda c: c.start))


def _map_clip(song: Song, clip_id: str, fn: Callable[[Clip], Clip]) -> Song:
    owner = song.track_of_clip(clip_id)

    def on_track(t: Track) -> Track:
        return replace(t, clips=_sorted_clips(fn(c) if c.id == clip_id else c for c in t.clips))

    return _map_track(song, owner.id, on_track)


def delete_clips(song: Song, clip_ids: Iterable[str]) -> Song:
    gone = set(clip_ids)
    for cid in gone:
        song.clip(cid)
    return replace(song, tracks=tuple(
        replace(t, clips=tuple(c for c in t.clips if c.id not in gone)) for t in song.tracks))


def move_clip(song: Song, clip_id: str, start: int, track_id: str | None = None) -> Song:
    """Place a clip at ``start``, optionally on another track."""
    clip = replace(song.clip(clip_id), start=max(0, start))
    owner = song.track_of_clip(clip_id)
    if track_id is None or track_id == owner.id:
        return _map_clip(song, clip_id, lambda _c: clip)
    return add_clip(delete_clips(song, [clip_id]), track_id, clip)


def resize_clip(song: Song, clip_id: str, start: int, length: int) -> Song:
    """Set a clip's span. Moving the start keeps notes where they sound; notes left outside go."""
    old = song.clip(clip_id)
    start = max(0, start)
    shift = old.start - start
    kept = []
    for n in old.notes:
        s = n.start + shift
        if s < 0 or s >= length:
            continue
        kept.append(replace(n, start=s, duration=min(n.duration, length - s)))
    heard = tuple(Control(tick - old.start, number, value) for tick, number, value in clip_events(old))
    controls = window(heard, -shift, length + 1 - shift)  # a pedal let up at the old end still comes up there
    return _map_clip(song, clip_id, lambda c: replace(c, start=start, length=length, notes=tuple(kept),
                                                      controls=controls))


def update_clip(song: Song, clip_id: str, **changes) -> Song:
    """Change clip name or colour."""
    allowed = {"name", "color"}
    if not set(changes) <= allowed:
        raise ValueError(f"update_clip changes only {sorted(allowed)}")
    return _map_clip(song, clip_id, lambda c: replace(c, **changes))


def split_clip(song: Song, clip_id: str, tick: int) -> Song:
    """Split a clip at song tick ``tick``; notes crossing the cut are shortened to it."""
    clip = song.clip(clip_id)
    cut = tick - clip.start
    if not 0 < cut < clip.length:
        raise ValueError("the split point is not inside the clip")
    left = [replace(n, duration=min(n.duration, cut - n.start)) for n in clip.notes if n.start < cut]
    right = [replace(n, start=n.start - cut) for n in clip.notes if n.start >= cut]
    first = replace(clip, length=cut, notes=tuple(left), controls=window(clip.controls, 0, cut + 1))
    second = Clip(tick, clip.length - cut, tuple(right), clip.name, clip.color,
                  controls=window(clip.controls, cut, None))
    owner = song.track_of_clip(clip_id)
    song = _map_clip(song, clip_id, lambda _c: first)
    return add_clip(song, owner.id, second)


def join_clips(song: Song, clip_ids: Iterable[str]) -> Song:
    """Join clips of one track into one clip spanning them all (the earliest clip's id stays)."""
    ids = list(clip_ids)
    if len(ids) < 2:
        raise ValueError("join needs at least two clips")
    owners = {song.track_of_clip(c).id for c in ids}
    if len(owners) != 1:
        raise ValueError("only clips on the same track can be joined")
    clips = sorted((song.clip(c) for c in ids), key=lambda c: c.start)
    start = clips[0].start
    end = max(c.end for c in clips)
    notes = tuple(replace(n, start=n.start + c.start - start) for c in clips for n in c.notes)
    controls = tuple(Control(tick - start, number, value) for tick, number, value in acting(clips))
    joined = replace(clips[0], length=end - start, notes=_sorted_notes(notes), controls=controls)
    song = delete_clips(song, [c.id for c in clips[1:]])
    return _map_clip(song, clips[0].id, lambda _c: joined)


def duplicate_clips(song: Song, clip_ids: Iterable[str]) -> tuple[Song, list[str]]:
    """Copy clips after the selection's end, same tracks, at the first place where no copy lands on another clip
    (on a bar line when the selection starts on one); returns the song and new ids."""
    clips = [song.clip(c) for c in clip_ids]
    if not clips:
        return song, []
    offset = _free_offset(song, clips, max(c.end for c in clips) - min(c.start for c in clips))
    new_ids = []
    for c in clips:
        copy = Clip(c.start + offset, c.length, tuple(_fresh(n) for n in c.notes), c.name, c.color,
                    controls=c.controls)
        new_ids.append(copy.id)
        song = add_clip(song, song.track_of_clip(c.id).id, copy)
    return song, new_ids


def _free_offset(song: Song, clips: list[Clip], offset: int) -> int:
    """The smallest shift >= ``offset`` that puts copies of ``clips`` where no clip of their tracks is."""
    mm = song.meter_map
    first = min(c.start for c in clips)
    on_bar = mm.bar_start(mm.bar_of(first)) == first
    tracks = {c.id: song.track_of_clip(c.id) for c in clips}
    while True:
        blocked = [o.end - c.start for c in clips for o in tracks[c.id].clips
                   if o.start < c.end + offset and c.start + offset < o.end]
        if not blocked:
            return offset
        offset = min(blocked)  # past the nearest clip in the way, then look again
        if on_bar:  # keep the copy on the bar grid: the next bar line after the blocking clip
            target = first + offset
            bar = mm.bar_of(target)
            offset = (target if mm.bar_start(bar) == target else mm.bar_start(bar + 1)) - first


# ---------------------------------------------------------------- notes


def _sorted_notes(notes: Iterable[Note]) -> tuple[Note, ...]:
    return tuple(sorted(notes, key=lambda n: (n.start, n.pitch)))


def _fresh(note: Note) -> Note:
    return replace(note, id=new_id())


def _with_notes(clip: Clip, notes: Iterable[Note]) -> Clip:
    notes = _sorted_notes(notes)
    end = max((n.end for n in notes), default=0)
    return replace(clip, notes=notes, length=max(clip.length, end))


def set_notes(song: Song, clip_id: str, notes: Iterable[Note]) -> Song:
    """Replace all notes of a clip (the clip grows to hold them)."""
    return _map_clip(song, clip_id, lambda c: _with_notes(c, notes))


def add_notes(song: Song, clip_id: str, notes: Iterable[Note]) -> Song:
    new = list(notes)
    return _map_clip(song, clip_id, lambda c: _with_notes(c, c.notes + tuple(new)))


def delete_notes(song: Song, clip_id: str, note_ids: Iterable[str]) -> Song:
    gone = set(note_ids)
    return _map_clip(song, clip_id, lambda c: replace(c, notes=tuple(n for n in c.notes if n.id not in gone)))


def map_notes(song: Song, clip_id: str, note_ids: Iterable[str], fn: Callable[[Note], Note]) -> Song:
    """Apply ``fn`` to the chosen notes of a clip."""
    chosen = set(note_ids)
    return _map_clip(song, clip_id,
                     lambda c: _with_notes(c, (fn(n) if n.id in chosen else n for n in c.notes)))


def _clamp(v: int, lo: int, hi: int) -> int:
    return max(lo, min(hi, v))


def move_notes(song: Song, clip_id: str, note_ids: Iterable[str], dt: int = 0, dpitch: int = 0) -> Song:
    """Shift notes in time and pitch. The group keeps its shape: the shift is limited so that
    no note leaves the clip's start or the 0..127 pitch range."""
    ids = set(note_ids)
    chosen = [n for n in song.clip(clip_id).notes if n.id in ids]
    if not chosen:
        return song
    dt = max(dt, -min(n.start for n in chosen))
    dpitch = _clamp(dpitch, -min(n.pitch for n in chosen), 127 - max(n.pitch for n in chosen))
    return map_notes(song, clip_id, ids, lambda n: replace(n, start=n.start + dt, pitch=n.pitch + dpitch))


def transpose_notes(song: Song, clip_id: str, note_ids: Iterable[str], semitones: int) -> Song:
    return move_notes(song, clip_id, note_ids, 0, semitones)


def resize_notes(song: Song, clip_id: str, note_ids: Iterable[str], d_start: int = 0,
                 d_end: int = 0, min_duration: int = 1) -> Song:
    """Move note starts by ``d_start`` and ends by ``d_end`` (each note keeps at least ``min_duration``)."""

    def resize(n: Note) -> Note:
        start = _clamp(n.start + d_start, 0, n.end - min_duration)
        end = max(n.end + d_end, start + min_duration)
        return replace(n, start=start, duration=end - start)

    return map_notes(song, clip_id, note_ids, resize)


def set_velocity(song: Song, clip_id: str, velocities: Mapping[str, int]) -> Song:
    """Set each chosen note's velocity (clamped to 1..127)."""
    return map_notes(song, clip_id, velocities,
                     lambda n: replace(n, velocity=_clamp(int(velocities[n.id]), 1, 127)))


def quantize_notes(song: Song, clip_id: str, note_ids: Iterable[str], grid: int, strength: float = 1.0,
                   starts: bool = True, ends: bool = False, clip_relative: bool = False) -> Song:
    """Pull starts and/or ends toward the nearest grid line (song grid unless ``clip_relative``)."""
    if grid < 1:
        raise ValueError("grid must be at least one tick")
    origin = 0 if clip_relative else song.clip(clip_id).start

    def snap(t: int) -> int:
        target = round((t + origin) / grid) * grid - origin
        return round(t + (target - t) * strength)

    def q(n: Note) -> Note:
        start = max(0, snap(n.start)) if starts else n.start
        end = snap(n.end) if ends else n.end + (start - n.start)
        if end <= start:  # a note quantized to nothing lasts one grid step
            end = start + grid
        return replace(n, start=start, duration=end - start)

    return map_notes(song, clip_id, note_ids, q)


def legato(song: Song, clip_id: str, note_ids: Iterable[str]) -> Song:
    """Extend each chosen note to the next later start among the chosen notes."""
    ids = set(note_ids)
    chosen = sorted((n for n in song.clip(clip_id).notes if n.id in ids), key=lambda n: n.start)
    starts = sorted({n.start for n in chosen})
    nxt = {}
    for n in chosen:
        later = [s for s in starts if s > n.start]
        if later:
            nxt[n.id] = later[0] - n.start
    return map_notes(song, clip_id, nxt, lambda n: replace(n, duration=nxt[n.id]))


def copy_notes(notes: Iterable[Note], dt: int = 0) -> list[Note]:
    """Fresh copies (new ids) shifted by ``dt``, for paste and duplicate."""
    return [replace(n, start=n.start + dt, id=new_id()) for n in notes]


# ---------------------------------------------------------------- tempo, meter, key, chords


def set_tempo(song: Song, tick: int, bpm: float) -> Song:
    change = TempoChange.from_bpm(tick, bpm)
    return replace(song, tempos=tuple(t for t in song.tempos if t.tick != tick) + (change,))


def remove_tempo(song: Song, tick: int) -> Song:
    return replace(song, tempos=tuple(t for t in song.tempos if t.tick != tick or tick == 0))


def set_meter(song: Song, tick: int, numerator: int, denominator: int) -> Song:
    meter = TimeSignature(tick, numerator, denominator)
    return replace(song, meters=tuple(m for m in song.meters if m.tick != tick) + (meter,))


def remove_meter(song: Song, tick: int) -> Song:
    return replace(song, meters=tuple(m for m in song.meters if m.tick != tick or tick == 0))


def set_key(song: Song, tick: int, tonic: int, mode: str, explicit: bool | None = None) -> Song:
    """The key from ``tick`` on; ``explicit`` (when given) marks whether the musician chose it on purpose."""
    key = KeySignature(tick, tonic, mode)
    song = replace(song, keys=tuple(k for k in song.keys if k.tick != tick) + (key,))
    return song if explicit is None else replace(song, key_explicit=explicit)


def remove_key(song: Song, tick: int) -> Song:
    return replace(song, keys=tuple(k for k in song.keys if k.tick != tick or tick == 0))


def set_chord(song: Song, start: int, duration: int, label: str) -> Song:
    """Put a chord over ``[start, start+duration)``, trimming or removing chords it overlaps.

    The label is stored in Harte syntax with the root spelled as written ('Ebm7' -> 'Eb:min7', never 'D#:min7').
    """
    from composer_app.core.chords import spelled_label

    new = ChordSymbol(start, duration, spelled_label(label))
    kept: list[ChordSymbol] = []
    for c in song.chords:
        if c.end <= new.start or c.start >= new.end:
            kept.append(c)
            continue
        if c.start < new.start:
            kept.append(replace(c, duration=new.start - c.start))
        if c.end > new.end:
            kept.append(ChordSymbol(new.end, c.end - new.end, c.label))
    return replace(song, chords=tuple(kept) + (new,))


def delete_chords(song: Song, chord_ids: Iterable[str]) -> Song:
    gone = set(chord_ids)
    return replace(song, chords=tuple(c for c in song.chords if c.id not in gone))


def set_title(song: Song, title: str) -> Song:
    return replace(song, title=title)


# ---------------------------------------------------------------- the whole song in time


def shift_music(song: Song, dt: int) -> Song:
    """Every note, controller change and chord symbol ``dt`` ticks later (earlier when negative), the tempo, meter and
    key changes where they are: music moved against the bar lines, as when it is put on the beat (``beat_offset``).

    A clip that can move does (its notes keep their places in it); one that would start before tick 0 stays and its
    notes and changes move inside it (the clip grows where they would leave it). ValueError when something would
    start before tick 0."""
    if dt == 0:
        return song
    tracks = tuple(replace(t, clips=_sorted_clips(_shifted_clip(c, dt) for c in t.clips)) for t in song.tracks)
    chords = []
    for c in song.chords:
        if c.start + dt < 0:
            raise ValueError(f"the chord at tick {c.start} would start before the song")
        chords.append(replace(c, start=c.start + dt))
    return replace(song, tracks=tracks, chords=tuple(chords))


def _shifted_clip(clip: Clip, dt: int) -> Clip:
    if clip.start + dt >= 0:
        return replace(clip, start=clip.start + dt)
    if any(n.start + dt < 0 for n in clip.notes):
        raise ValueError(f"a note at tick {clip.start + min(n.start for n in clip.notes)} would start before the song")
    notes = tuple(replace(n, start=n.start + dt) for n in clip.notes)
    controls = window(clip.controls, -dt, None)
    length = max([clip.length] + [n.end for n in notes])
    return replace(clip, notes=notes, controls=controls, length=length)


def retime(song: Song, tick_of: Callable[[int], int], tempos: tuple[TempoChange, ...],
           meters: tuple[TimeSignature, ...]) -> Song:
    """The song on another time line: every note's start and end, every controller change, chord symbol and key change
    at ``tick_of`` its old tick (``tick_of`` rising), with ``tempos`` and ``meters`` in place of its own; as when a take
    played without the click is given a tempo map that follows it. Each clip keeps its notes; a note keeps at least a
    tick, a clip at least its notes."""
    def clip_of(clip: Clip) -> Clip:
        start = tick_of(clip.start)
        notes = []
        for n in clip.notes:
            a = tick_of(clip.start + n.start)
            notes.append(replace(n, start=a - start, duration=max(1, tick_of(clip.start + n.end) - a)))
        controls = tuple(replace(c, start=tick_of(clip.start + c.start) - start) for c in clip.controls)
        length = max([tick_of(clip.end) - start, 1] + [n.end for n in notes])
        return replace(clip, start=start, length=length, notes=tuple(notes), controls=controls)

    tracks = tuple(replace(t, clips=_sorted_clips(clip_of(c) for c in t.clips)) for t in song.tracks)
    chords = tuple(replace(c, start=tick_of(c.start), duration=max(1, tick_of(c.start + c.duration) - tick_of(c.start)))
                   for c in song.chords)
    keys = tuple(replace(k, tick=tick_of(k.tick)) for k in song.keys)
    return replace(song, tracks=tracks, chords=chords, keys=keys, tempos=tempos, meters=meters)
