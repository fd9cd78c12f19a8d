"""Track and song-header edits asked for by the arrangement, each one named undo step."""

from __future__ import annotations

from composer_app.core import edits
from composer_app.core.gm import program_name
from composer_app.core.song import DRUM_CHANNEL, Song, Track
from composer_app.ui.arrangement.clip_commands import free_channel
from composer_app.ui.document import SongDocument

DRUM_KITS: tuple[tuple[int, str], ...] = (
    (0, "Standard Kit"), (8, "Room Kit"), (16, "Power Kit"), (24, "Electronic Kit"),
    (25, "TR-808 Kit"), (32, "Jazz Kit"), (40, "Brush Kit"), (48, "Orchestra Kit"),
)


def instrument_name(program: int, is_drum: bool) -> str:
    if is_drum:
        return dict(DRUM_KITS).get(program, program_name(program, True))
    return program_name(program)


class TrackCommands:
    """Add, delete, move, rename and set up tracks; edit tempo, meter and key."""

    def __init__(self, document: SongDocument) -> None:
        self.document = document

    @property
    def song(self) -> Song:
        return self.document.song

    def _track(self, track_id: str) -> Track:
        return self.song.track(track_id)

    def _update(self, text: str, track_id: str, **changes) -> None:
        track = self._track(track_id)
        if any(getattr(track, k) != v for k, v in changes.items()):
            self.document.apply(text, edits.update_track(self.song, track_id, **changes))

    # ------------------------------------------------------------ tracks
    def add(self, index: int | None = None) -> str:
        song = self.song
        track = Track(name=f"Track {len(song.tracks) + 1}", channel=free_channel(song))
        self.document.apply("Add track", edits.add_track(song, track, index))
        return track.id

    def delete(self, track_id: str) -> None:
        self.document.apply("Delete track", edits.delete_track(self.song, track_id))

    def move(self, track_id: str, index: int) -> None:
        current = [t.id for t in self.song.tracks].index(track_id)
        index = max(0, min(index, len(self.song.tracks) - 1))
        if index != current:
            self.document.apply("Move track", edits.move_track(self.song, track_id, index))

    def rename(self, track_id: str, name: str) -> None:
        name = name.strip()
        if name:
            self._update("Rename track", track_id, name=name)

    def set_program(self, track_id: str, program: int) -> None:
        track = self._track(track_id)
        self._update(f"Set instrument {instrument_name(program, track.is_drum)}", track_id, program=program)

    def set_drum(self, track_id: str, is_drum: bool) -> None:
        track = self._track(track_id)
        if is_drum == track.is_drum:
            return
        if is_drum:
            self._update(f"Drums {track.name}", track_id, is_drum=True, channel=DRUM_CHANNEL, program=0)
        else:
            self._update(f"No drums {track.name}", track_id, is_drum=False,
                         channel=free_channel(self.song, exclude=track_id))

    def set_mute(self, track_id: str, mute: bool) -> None:
        name = self._track(track_id).name
        self._update(f"{'Mute' if mute else 'Unmute'} {name}", track_id, mute=mute)

    def set_solo(self, track_id: str, solo: bool) -> None:
        name = self._track(track_id).name
        self._update(f"{'Solo' if solo else 'Unsolo'} {name}", track_id, solo=solo)

    def set_volume(self, track_id: str, volume: int) -> None:
        self._update(f"Volume {self._track(track_id).name}", track_id, volume=max(0, min(127, volume)))

    def set_pan(self, track_id: str, pan: int) -> None:
        self._update(f"Pan {self._track(track_id).name}", track_id, pan=max(0, min(127, pan)))

    # ------------------------------------------------------------ tempo, meter, key
    def set_tempo(self, tick: int, bpm: float) -> None:
        song = self.song
        current = song.tempo_map.tempo_at(tick)
        new = edits.set_tempo(song, current.tick, bpm)
        if new.tempo_map.tempo_at(tick) != current:
            self.document.apply(f"Set tempo {bpm:g} BPM", new)

    def set_meter(self, tick: int, numerator: int, denominator: int) -> None:
        current = self.song.meter_map.meter_at(tick)
        if (current.numerator, current.denominator) != (numerator, denominator):
            self.document.apply(f"Set time signature {numerator}/{denominator}",
                                edits.set_meter(self.song, current.tick, numerator, denominator))

    def set_key(self, tick: int, tonic: int, mode: str) -> None:
        """The key at ``tick``, chosen on purpose (choosing the key already shown still marks it as chosen)."""
        current = self.song.key_at(tick)
        if (current.tonic, current.mode) != (tonic, mode) or not self.song.key_explicit:
            new = edits.set_key(self.song, current.tick, tonic, mode, explicit=True)
            self.document.apply(f"Set key {new.key_at(tick).name}", new)
