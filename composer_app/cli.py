"""The command-line face of the engine: ``composer-cli info|convert|...``."""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Sequence

from composer_app import __version__
from composer_app.core.errors import SongFileError
from composer_app.core.gm import program_name
from composer_app.core.pitch import note_name
from composer_app.core.song import Song
from composer_app.fileio import open_song, save_song


def song_info(song: Song) -> dict:
    """Plain facts about a song, as a JSON-able dict."""
    tm, mm = song.tempo_map, song.meter_map
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
            "range": [note_name(min(n.pitch for n in notes)), note_name(max(n.pitch for n in notes))]
            if notes else None,
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
        "chords": [{"bar": str(mm.position(c.start)), "label": c.label} for c in song.chords],
        "seconds_per_bar_at_start": round(tm.seconds(mm.bar_start(1)), 4),
    }


def _fmt_time(seconds: float) -> str:
    m, s = divmod(seconds, 60)
    return f"{int(m)}:{s:06.3f}"


def _print_info(path: str, info: dict) -> None:
    print(f"{path}" + (f"  ({info['title']})" if info["title"] else ""))
    print(f"  length   {info['length_bars']:g} bars, {_fmt_time(info['length_seconds'])} "
          f"({info['length_seconds']:g} s), {info['notes']} notes")
    print("  tempo    " + ", ".join(f"{t['bpm']:g} BPM at {t['bar']}" for t in info["tempos"]))
    print("  meter    " + ", ".join(f"{m['meter']} at {m['bar']}" for m in info["meters"]))
    print("  key      " + ", ".join(f"{k['key']} at {k['bar']}" for k in info["keys"]))
    chords = info["chords"]
    if chords:
        shown = " ".join(c["label"] for c in chords[:16]) + (" ..." if len(chords) > 16 else "")
        print(f"  chords   {len(chords)}: {shown}")
    else:
        print("  chords   none")
    print(f"  tracks   {len(info['tracks'])}")
    for i, t in enumerate(info["tracks"], 1):
        rng = f"{t['range'][0]}-{t['range'][1]}" if t["range"] else "-"
        print(f"    {i:>2}. {t['name'] or '(unnamed)':<20} {t['instrument']:<28} ch {t['channel']:>2}  "
              f"{t['notes']:>6} notes  {rng}")


def cmd_info(args: argparse.Namespace) -> int:
    song = open_song(args.file)
    info = song_info(song)
    if args.json:
        print(json.dumps(info, indent=2))
    else:
        _print_info(args.file, info)
    return 0


def cmd_convert(args: argparse.Namespace) -> int:
    song = open_song(args.input)
    save_song(song, args.output)
    print(f"wrote {args.output}: {len(song.tracks)} tracks, {song.note_count} notes")
    return 0


def cmd_render(args: argparse.Namespace) -> int:
    from composer_app.audio import AudioUnavailableError, peak_dbfs, render_song, rms_dbfs, write_wav

    song = open_song(args.input)
    last = [-1]

    def progress(fraction: float) -> None:
        step = int(fraction * 10)
        if step != last[0] and not args.quiet and sys.stderr.isatty():
            last[0] = step
            print(f"\rrendering {fraction:4.0%}", end="", file=sys.stderr, flush=True)

    try:
        samples = render_song(song, args.soundfont, args.sample_rate, progress=progress,
                              normalize=args.normalize)
    except AudioUnavailableError as exc:
        print(f"composer-cli: error: {exc}", file=sys.stderr)
        return 1
    if not args.quiet and sys.stderr.isatty():
        print(file=sys.stderr)
    write_wav(args.output, samples, args.sample_rate)
    print(f"wrote {args.output}: {len(samples) / args.sample_rate:.2f} s at {args.sample_rate} Hz, "
          f"peak {peak_dbfs(samples):.1f} dBFS, rms {rms_dbfs(samples):.1f} dBFS")
    return 0


def _sample_rate(text: str) -> int:
    rate = int(text)
    if not 8000 <= rate <= 192_000:
        raise argparse.ArgumentTypeError("sample rate must be between 8000 and 192000")
    return rate


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="composer-cli", description="Composer from the command line.")
    parser.add_argument("--version", action="version", version=f"composer-cli {__version__}")
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    p = sub.add_parser("info", help="show tracks, notes, length, tempo, meter, key and chords of a file")
    p.add_argument("file", help="a MIDI file or .composer project")
    p.add_argument("--json", action="store_true", help="print JSON")
    p.set_defaults(func=cmd_info)

    p = sub.add_parser("convert", help="convert between MIDI and project files (or normalise MIDI)")
    p.add_argument("input", help="a MIDI file or .composer project")
    p.add_argument("output", help="OUT.mid or OUT.composer")
    p.set_defaults(func=cmd_convert)

    p = sub.add_parser("render", help="render a MIDI file or project to a WAV file through FluidSynth")
    p.add_argument("input", help="a MIDI file or .composer project")
    p.add_argument("output", help="OUT.wav")
    p.add_argument("--soundfont", help="a .sf2/.sf3 file (default: soundfonts/, then the system's)")
    p.add_argument("--sample-rate", type=_sample_rate, default=44100, help="samples per second (default 44100)")
    p.add_argument("--normalize", action=argparse.BooleanOptionalAction, default=True,
                   help="scale the result to a -1 dBFS peak (default); --no-normalize keeps the synth's level")
    p.add_argument("--quiet", action="store_true", help="no progress display")
    p.set_defaults(func=cmd_render)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    try:
        return args.func(args)
    except SongFileError as exc:
        print(f"composer-cli: error: {exc}", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        print("composer-cli: interrupted", file=sys.stderr)
        return 130
    except BrokenPipeError:
        return 0


if __name__ == "__main__":
    sys.exit(main())

