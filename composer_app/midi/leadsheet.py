"""Lead-sheet MIDI chords: text events of the track named `chords` <-> Song.chords (Harte labels)."""

from __future__ import annotations

from collections.abc import Iterable

from composer_app.core.chords import spelled_label
from composer_app.core.song import ChordSymbol, Song, Track

CHORDS_TRACK_NAME = "chords"


def is_chords_track_name(name: str) -> bool:
    """True for the name of a lead-sheet chord track (`chords`, any case, spaces ignored)."""
    return name.strip().lower() == CHORDS_TRACK_NAME


def parse_label(text: str) -> str | None:
    """The Harte label for ``text`` in canonical syntax with its root spelt as written (Eb stays Eb), or
    None when it is not a chord label."""
    text = text.strip()
    if not text:
        return None
    try:
        return spelled_label(text)
    except ValueError:  # a text that is not a chord label is skipped, never fatal
        return None


def chords_from_labels(labels: Iterable[tuple[int, str]], last_note_end: int, track_end: int,
                       fallback_length: int) -> tuple[ChordSymbol, ...]:
    """Chord symbols from (tick, text) events; each lasts until the next label.

    The last one lasts until the chord track's last note ends, else until the track ends, else
    ``fallback_length`` ticks. Texts that are not chord labels are skipped; of several labels at
    one tick the first valid one wins.
    """
    by_tick: dict[int, str] = {}
    for tick, text in labels:
        if tick in by_tick:
            continue
        label = parse_label(text)
        if label is not None:
            by_tick[tick] = label
    ticks = sorted(by_tick)
    chords = []
    for i, tick in enumerate(ticks):
        if i + 1 < len(ticks):
            end = ticks[i + 1]
        elif last_note_end > tick:
            end = last_note_end
        elif track_end > tick:
            end = track_end
        else:
            end = tick + max(1, fallback_length)
        chords.append(ChordSymbol(tick, end - tick, by_tick[tick]))
    return tuple(chords)


def chords_track(song: Song) -> Track | None:
    """The song's own track that should carry the chord labels on export (the first named `chords`)."""
    for track in song.tracks:
        if is_chords_track_name(track.name):
            return track
    return None


def label_events(song: Song) -> list[tuple[int, str]]:
    """(tick, Harte label) for every chord symbol of the song, in time order (canonical syntax, root spelt
    as the song spells it)."""
    return [(c.start, parse_label(c.label) or c.label) for c in song.chords]
