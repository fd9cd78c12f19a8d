"""``composer-cli render``: a song file to a WAV file through FluidSynth."""

from __future__ import annotations

import argparse
import sys

from composer_app.fileio import open_song


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


def add_commands(sub) -> None:
    p = sub.add_parser("render", help="render a MIDI file or project to a WAV file through FluidSynth")
    p.add_argument("input", help="a MIDI file or .composer project")
    p.add_argument("output", help="OUT.wav")
    p.add_argument("--soundfont", help="a .sf2/.sf3 file (default: soundfonts/, then the system's)")
    p.add_argument("--sample-rate", type=_sample_rate, default=44100, help="samples per second (default 44100)")
    p.add_argument("--normalize", action=argparse.BooleanOptionalAction, default=True,
                   help="scale the result to a -1 dBFS peak (default); --no-normalize keeps the synth's level")
    p.add_argument("--quiet", action="store_true", help="no progress display")
    p.set_defaults(func=cmd_render)
