"""The project file's schema: Song <-> plain dict, with every field checked on the way in."""

from __future__ import annotations

import re
from dataclasses import replace
from typing import Any

from composer_app.core.chords import parse_chord
from composer_app.core.pitch import KeySignature
from composer_app.core.song import ChordSymbol, Clip, Control, Note, Song, Track
from composer_app.core.timing import PPQ, TempoChange, TimeSignature

FORMAT_NAME = "composer-project"
FORMAT_VERSION = 1
MAX_INT = 2**31 - 1  # ticks and other numbers beyond this are damage, not music
_SURROGATE = re.compile("[\ud800-\udfff]")  # in a str these are always lone: pairs arrive joined


class SchemaError(ValueError):
    """The document does not match the schema; the message says where (``tracks[1].clips[0]``)."""


def song_to_dict(song: Song) -> dict[str, Any]:
    return {
        "format": FORMAT_NAME,
        "version": FORMAT_VERSION,
        "ppq": PPQ,
        "title": song.title,
        "tempos": [[t.tick, t.us_per_quarter] for t in song.tempos],
        "meters": [[m.tick, m.numerator, m.denominator] for m in song.meters],
        "keys": [[k.tick, k.tonic, k.mode] + ([True] if k.sharps else []) for k in song.keys],
        "key_explicit": song.key_explicit,
        "chords": [{"id": c.id, "start": c.start, "duration": c.duration, "label": c.label}
                   for c in song.chords],
        "tracks": [_track_to_dict(t) for t in song.tracks],
    }


def _track_to_dict(t: Track) -> dict[str, Any]:
    return {
        "id": t.id, "name": t.name, "program": t.program, "channel": t.channel, "volume": t.volume,
        "pan": t.pan, "mute": t.mute, "solo": t.solo, "is_drum": t.is_drum,
        "clips": [{
            "id": c.id, "start": c.start, "length": c.length, "name": c.name, "color": c.color,
            # notes as compact rows: id, pitch, start, duration, velocity
            "notes": [[n.id, n.pitch, n.start, n.duration, n.velocity] for n in c.notes],
            # controller changes (pedal, ...) as rows: start, controller, value; absent when none
            **({"controls": [[k.start, k.number, k.value] for k in c.controls]} if c.controls else {}),
        } for c in t.clips],
    }


# ------------------------------------------------------------------ reading


def _expect(value: Any, kind: type | tuple[type, ...], where: str) -> Any:
    if isinstance(value, bool) and kind in (int, (int,)):
        raise SchemaError(f"{where}: expected an integer, found true/false")
    if kind in (int, (int,)) and isinstance(value, float) and value.is_integer():
        value = int(value)  # 480.0 is the tick 480 (files saved while the chord lane wrote float ticks)
    if not isinstance(value, kind):
        names = kind.__name__ if isinstance(kind, type) else " or ".join(k.__name__ for k in kind)
        raise SchemaError(f"{where}: expected {_plain(names)}, found {_describe(value)}")
    if isinstance(value, int) and not -MAX_INT <= value <= MAX_INT:
        raise SchemaError(f"{where}: number {_describe(value)} is out of range")
    if isinstance(value, str):
        return valid_text(value)
    return value


def valid_text(text: str) -> str:
    """``text`` with any lone surrogate (JSON allows ``\\ud800``, UTF-8 cannot hold it) replaced by U+FFFD."""
    return _SURROGATE.sub("\ufffd", text)


def _plain(names: str) -> str:
    return (names.replace("dict", "an object").replace("list", "a list").replace("str", "text")
            .replace("int", "an integer").replace("bool", "true/false"))


def _describe(value: Any) -> str:
    if value is None:
        return "null"
    text = repr(value)
    return text if len(text) <= 40 else text[:37] + "..."


def _field(obj: dict, key: str, kind, where: str, default: Any = ...) -> Any:
    if key not in obj:
        if default is ...:
            raise SchemaError(f"{where}: missing '{key}'")
        return default
    return _expect(obj[key], kind, f"{where}.{key}")


def _build(where: str, factory, *args, **kwargs):
    try:
        return factory(*args, **kwargs)
    except (ValueError, TypeError) as exc:
        raise SchemaError(f"{where}: {exc}") from None


def _key_row(value: Any, where: str) -> list:
    """A key row: tick, tonic, mode and, optionally, True when the key is spelt with sharps (F# major)."""
    long = isinstance(value, list) and len(value) == 4
    return _row(value, (int, int, str, bool) if long else (int, int, str), where)


def _row(value: Any, kinds: tuple, where: str) -> list:
    _expect(value, list, where)
    if len(value) != len(kinds):
        raise SchemaError(f"{where}: expected {len(kinds)} values, found {len(value)}")
    return [_expect(v, k, f"{where}[{i}]") for i, (v, k) in enumerate(zip(value, kinds))]


def song_from_dict(doc: Any) -> Song:
    """Build a Song from a parsed project document; raise SchemaError saying what is wrong."""
    _expect(doc, dict, "project")
    fmt = doc.get("format")
    if fmt != FORMAT_NAME:
        raise SchemaError(f"not a Composer project (format is {_describe(fmt)})")
    version = _field(doc, "version", int, "project")
    if version > FORMAT_VERSION:
        raise SchemaError(f"made by a newer Composer (format version {version}); "
                          f"this version reads up to {FORMAT_VERSION}")
    if version < 1:
        raise SchemaError(f"unknown format version {version}")
    if _field(doc, "ppq", int, "project", PPQ) != PPQ:
        raise SchemaError(f"project.ppq must be {PPQ}")

    tempos = [_build(f"tempos[{i}]", TempoChange, *_row(r, (int, int), f"tempos[{i}]"))
              for i, r in enumerate(_field(doc, "tempos", list, "project"))]
    meters = [_build(f"meters[{i}]", TimeSignature, *_row(r, (int, int, int), f"meters[{i}]"))
              for i, r in enumerate(_field(doc, "meters", list, "project"))]
    keys = [_build(f"keys[{i}]", KeySignature, *_key_row(r, f"keys[{i}]"))
            for i, r in enumerate(_field(doc, "keys", list, "project"))]
    chords = [_chord(c, f"chords[{i}]") for i, c in enumerate(_field(doc, "chords", list, "project", []))]
    tracks = [_track(t, f"tracks[{i}]") for i, t in enumerate(_field(doc, "tracks", list, "project"))]
    _check_unique_ids(tracks, chords)
    song = _build("project", Song, tuple(tracks), tuple(tempos), tuple(meters), tuple(keys),
                  tuple(chords), _field(doc, "title", str, "project", ""))
    if _field(doc, "key_explicit", bool, "project", False):  # the key was chosen on purpose (older files: no)
        song = replace(song, key_explicit=True)
    return song


def _chord(c: Any, where: str) -> ChordSymbol:
    _expect(c, dict, where)
    label = _field(c, "label", str, where)
    try:
        parse_chord(label)
    except ValueError as exc:
        raise SchemaError(f"{where}: {exc}") from None
    return _build(where, ChordSymbol, _field(c, "start", int, where), _field(c, "duration", int, where),
                  label, _field(c, "id", str, where))


def _track(t: Any, where: str) -> Track:
    _expect(t, dict, where)
    clips = tuple(_clip(c, f"{where}.clips[{i}]") for i, c in enumerate(_field(t, "clips", list, where)))
    return _build(
        where, Track,
        name=_field(t, "name", str, where),
        program=_field(t, "program", int, where),
        channel=_field(t, "channel", int, where),
        volume=_field(t, "volume", int, where, 100),
        pan=_field(t, "pan", int, where, 64),
        mute=_field(t, "mute", bool, where, False),
        solo=_field(t, "solo", bool, where, False),
        is_drum=_field(t, "is_drum", bool, where, False),
        clips=clips,
        id=_field(t, "id", str, where),
    )


def _clip(c: Any, where: str) -> Clip:
    _expect(c, dict, where)
    notes = []
    for i, row in enumerate(_field(c, "notes", list, where)):
        w = f"{where}.notes[{i}]"
        nid, pitch, start, duration, velocity = _row(row, (str, int, int, int, int), w)
        notes.append(_build(w, Note, pitch, start, duration, velocity, nid))
    controls = []
    for i, row in enumerate(_field(c, "controls", list, where, [])):
        w = f"{where}.controls[{i}]"
        controls.append(_build(w, Control, *_row(row, (int, int, int), w)))
    return _build(where, Clip, _field(c, "start", int, where), _field(c, "length", int, where),
                  tuple(sorted(notes, key=lambda n: (n.start, n.pitch))),
                  _field(c, "name", str, where, ""), _field(c, "color", str, where, ""),
                  _field(c, "id", str, where), tuple(controls))


def _check_unique_ids(tracks: list[Track], chords: list[ChordSymbol]) -> None:
    seen: set[str] = set()

    def claim(kind: str, ident: str) -> None:
        if ident in seen:
            raise SchemaError(f"{kind} id {ident!r} is used twice")
        seen.add(ident)

    for t in tracks:
        claim("track", t.id)
        for c in t.clips:
            claim("clip", c.id)
            for n in c.notes:
                claim("note", n.id)
    for ch in chords:
        claim("chord", ch.id)
