"""A MIDI file as the models read it, and as the window's hints would set it with a click each: a take played without
the click given a tempo map that follows it (``played_tempo``), music a fixed part of a beat off the grid put on the
beat (``beat_offset``), and bars of one beat read in the meter the notes are felt in (``felt_meter``). ``suggest``,
``fill``, ``harmonize`` and the evaluations read every file so, and say what they did."""

from __future__ import annotations

from dataclasses import dataclass

from composer_app.core.song import Song
from composer_app.core.timing import TimeSignature
from composer_app.model.beat_offset import BeatOffset, on_the_beat, song_offset
from composer_app.model.felt_meter import FeltMeter, in_meter, one_beat_meter
from composer_app.model.played_tempo import PlayedTempo, follow, played_tempo


@dataclass(frozen=True, slots=True)
class AsPlayed:
    """``song`` as the models read it: where its notes drifted across the file's beats, following the take's
    ``tempo``; where they lay ``offset`` from the grid, on the beat; where its bars were one beat long (``written``),
    in the ``meter`` its notes are felt in."""

    song: Song
    offset: BeatOffset | None = None
    meter: FeltMeter | None = None
    written: TimeSignature | None = None
    tempo: PlayedTempo | None = None

    def meter_said(self) -> str | None:
        """"4/4 from beat 2 (the file's bars are one beat: 1/4)", or None where the bars are the file's own."""
        return None if self.meter is None else f"{self.meter.describe()} (the file's bars are one beat: {self.written})"

    def said(self) -> dict:
        """What was done to the file, for the JSON of ``suggest``, ``fill`` and ``harmonize``."""
        return {"off_the_beat": self.offset.describe() if self.offset else None, "meter_found": self.meter_said(),
                "tempo_followed": self.tempo.describe() if self.tempo else None}


def off_the_beat(song: Song) -> BeatOffset | PlayedTempo | None:
    """How the song's notes keep off its beat grid: a fixed part of a beat (``beat_offset``), or drifting across it as
    a take played without the click (``played_tempo``, never where a fixed offset explains them); None where they keep
    to it. The window's "Off the beat" hint, the assistant's status line and ``as_played`` all ask."""
    return song_offset(song) or played_tempo(song)


def as_played(song: Song) -> AsPlayed:
    """The song as the models read a file. Music in three in a 2/4 or 4/4 file keeps the file's bars: those are a meter
    a musician writes, and the window only offers 3/4."""
    off = off_the_beat(song)
    if isinstance(off, PlayedTempo):
        return AsPlayed(follow(song, off), tempo=off)
    aligned = song if off is None else on_the_beat(song, off)
    found = one_beat_meter(song)
    if found is None:
        return AsPlayed(aligned, off)
    return AsPlayed(in_meter(aligned, found), off, found, song.meters[0])
