"""``composer-cli info`` and ``convert``: facts about a song file, and conversion between formats."""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

from composer_app.core.chords import lead_sheet_name
from composer_app.core.controls import pedal_spans
from composer_app.core.gm import program_name
from composer_app.core.song import Song
from composer_app.fileio import open_song_checked, save_song
from composer_app.model.beat_offset import song_offset
from composer_app.model.felt_meter import one_beat_bars, song_meter
from composer_app.model.played_tempo import played_tempo
from composer_app.model.song_adapter import PART_ROLES, heard_under, part_of, pick_track, song_key_report, spelling_key


def song_info(song: Song) -> dict:
    """Plain facts about a song, as a JSON-able dict."""
    tm, mm = song.tempo_map, song.meter_map
    key = spelling_key(song, 0)
    tracks = []
    for t in song.tracks:
        notes = [n for c in t.clips for n in c.notes]
        tracks.append({
            "name": t.name,
            "instrument": program_name(t.program, t.is_drum),
            "program": t.program,
            "channel": t.channel + 1,
            "drums": t.is_drum,
            "clips": len(t.clips),
            "notes": len(notes),
            "range": [key.spell(min(n.pitch for n in notes)), key.spell(max(n.pitch for n in notes))]
            if notes else None,
            "part": part_of(song, t),
            "pedal_presses": sum(len(pedal_spans(c)) for c in t.clips),
        })
    return {
        "title": song.title,
        "tracks": tracks,
        "notes": song.note_count,
        "length_bars": round(song.length_bars, 3),
        "length_seconds": round(song.length_seconds, 3),
        "tempos": [{"bar": str(mm.position(t.tick)), "bpm": round(t.bpm, 2)} for t in song.tempos],
        "meters": [{"bar": str(mm.position(m.tick)), "meter": str(m)} for m in song.meters],
        "keys": [{"bar": str(mm.position(k.tick)), "key": k.name} for k in song.keys],
        "chords": [{"bar": str(mm.position(c.start)), "label": c.label,
                    "name": lead_sheet_name(c.label, spelling_key(song, c.start))} for c in song.chords],
        "chords_heard": _heard(song),
        "seconds_per_bar_at_start": round(tm.seconds(mm.bar_start(1)), 4),
        "key_detected": song_key_report(song),
        "off_the_beat": _off_the_beat(song),
        "played_tempo": _played_tempo(song),
        "meter_felt": _meter_felt(song),
    }


def _meter_felt(song: Song) -> dict | None:
    """Where the notes are felt in another meter than the song's bars (music in three written in 2/4 or 4/4, bars
    of one beat): that meter, the beats before its first downbeat, how clearly, and whether the models read it so."""
    found = song_meter(song)
    if found is None:
        return None
    return {"meter": found.name, "pickup_beats": found.pickup, "lean": round(found.lean, 3),
            "bars_of_one_beat": one_beat_bars(song)}


def _off_the_beat(song: Song) -> dict | None:
    """Where the notes keep to beats of their own between the grid's: how far off, and which way."""
    offset = song_offset(song)
    if offset is None:
        return None
    return {"ticks": offset.ticks, "beat_ticks": offset.beat, "said": offset.describe()}


def _played_tempo(song: Song) -> dict | None:
    """Where the notes drift across the song's beats (a take played without the click): the take's tempo."""
    found = played_tempo(song)
    if found is None:
        return None
    low, high = found.span()
    return {"bpm": round(found.bpm, 1), "slowest": round(low, 1), "fastest": round(high, 1), "said": found.describe()}


def _heard(song: Song) -> list[dict]:
    """Where no chord symbol stands: the chords the parts other than the melody play, as suggest hears them."""
    try:
        chords = heard_under(song, pick_track(song))
    except ValueError:  # no pitched track
        return []
    mm = song.meter_map
    return [{"bar": str(mm.position(s)), "label": label, "name": lead_sheet_name(label, spelling_key(song, s))}
            for s, _d, label in chords]


def _fmt_time(seconds: float) -> str:
    m, s = divmod(seconds, 60)
    return f"{int(m)}:{s:06.3f}"


MANY_TEMPOS = 8
"""More tempo changes than this are summed up on ``info``'s tempo line (the JSON lists them all)."""


def _print_info(path: str, info: dict) -> None:
    print(f"{path}" + (f"  ({info['title']})" if info["title"] else ""))
    print(f"  length   {info['length_bars']:g} bars, {_fmt_time(info['length_seconds'])} "
          f"({info['length_seconds']:g} s), {info['notes']} notes")
    tempos = info["tempos"]
    if len(tempos) > MANY_TEMPOS:  # a tempo map that follows a take or a recording: its range, not every change
        bpms = [t["bpm"] for t in tempos]
        print(f"  tempo    {len(tempos)} changes, {min(bpms):g} to {max(bpms):g} BPM: "
              + ", ".join(f"{t['bpm']:g} BPM at {t['bar']}" for t in tempos[:3]) + " ...")
    else:
        print("  tempo    " + ", ".join(f"{t['bpm']:g} BPM at {t['bar']}" for t in tempos))
    print("  meter    " + ", ".join(f"{m['meter']} at {m['bar']}" for m in info["meters"]))
    felt = info.get("meter_felt")
    if felt:
        pickup = f", after a pickup of {felt['pickup_beats']} beat(s)" if felt["pickup_beats"] else ""
        click = f"(in the window: click 'Detected: {felt['meter']}')"
        if felt["bars_of_one_beat"]:
            print(f"           bars of one beat: the notes move in {felt['meter']}{pickup}; suggest, fill and "
                  f"harmonize read it so, and count its bars so {click}")
        else:
            print(f"           the notes move in three: detected 3/4{pickup} {click}")
    detected = info["key_detected"]
    if detected["signature"] is None:
        print("  key      no key signature")
    else:
        print("  key      " + ", ".join(f"{k['key']} at {k['bar']}" for k in info["keys"]))
    if detected["detected"]:
        line = f"  detected {detected['detected']} (confidence {detected['confidence']:.2f})"
        if detected.get("also_fits"):
            line += f", {detected['also_fits']} fits about as well"
        if detected["sections"]:
            line += "; by section: " + ", ".join(f"{s['key']} from bar {s['bar']}" for s in detected["sections"])
        print(line)
    played = info.get("played_tempo")
    if played:
        print(f"  beat     the notes drift across the bar lines: a take played without the click, {played['said']}; "
              "suggest, fill and harmonize follow its tempo first and count its bars in its own beats (in the window: "
              "Arrangement > Align Notes to the Beat)")
    off = info.get("off_the_beat")
    if off:
        print(f"  beat     the notes keep to beats {off['said']} against the bar lines; suggest, fill and harmonize "
              "move them onto the beat first (in the window: Arrangement > Align Notes to the Beat)")
    chords = info["chords"]
    if chords:
        shown = " ".join(c["name"] for c in chords[:16]) + (" ..." if len(chords) > 16 else "")
        print(f"  chords   {len(chords)}: {shown}")
    else:
        print("  chords   none")
    heard = info["chords_heard"]
    if heard:
        shown = " ".join(c["name"] for c in heard[:16]) + (" ..." if len(heard) > 16 else "")
        where = "where there are no chord symbols, " if chords else ""
        print(f"  heard    {where}the other parts play {len(heard)}: {shown}")
    print(f"  tracks   {len(info['tracks'])}")
    for i, t in enumerate(info["tracks"], 1):
        rng = f"{t['range'][0]}-{t['range'][1]}" if t["range"] else "-"
        part = f"  {PART_ROLES[t['part']].lower()}" if t.get("part") in PART_ROLES else ""
        pedal = f"  sustain pedal x{t['pedal_presses']}" if t.get("pedal_presses") else ""
        print(f"    {i:>2}. {t['name'] or '(unnamed)':<20} {t['instrument']:<28} ch {t['channel']:>2}  "
              f"{t['notes']:>6} notes  {rng:<8}{part}{pedal}")


def _open(path: str) -> tuple[Song, tuple[str, ...]]:
    """Open a song file; what a person must know about the reading (a file cut short) also goes to stderr."""
    song, warnings = open_song_checked(path)
    for warning in warnings:
        print(f"composer-cli: warning: {Path(path).name}: {warning}", file=sys.stderr)
    return song, warnings


def cmd_info(args: argparse.Namespace) -> int:
    song, warnings = _open(args.file)
    info = song_info(song)
    info["warnings"] = list(warnings)
    if args.json:
        print(json.dumps(info, indent=2))
    else:
        _print_info(args.file, info)
    return 0


def cmd_convert(args: argparse.Namespace) -> int:
    song, _warnings = _open(args.input)
    save_song(song, args.output)
    print(f"wrote {args.output}: {len(song.tracks)} tracks, {song.note_count} notes")
    return 0


def add_commands(sub) -> None:
    p = sub.add_parser("info", help="show tracks, notes, length, tempo, meter, key and chords of a file")
    p.add_argument("file", help="a MIDI file or .composer project")
    p.add_argument("--json", action="store_true", help="print JSON")
    p.set_defaults(func=cmd_info)

    p = sub.add_parser("convert", help="convert between MIDI and project files (or normalise MIDI)")
    p.add_argument("input", help="a MIDI file or .composer project")
    p.add_argument("output", help="OUT.mid or OUT.composer")
    p.set_defaults(func=cmd_convert)
