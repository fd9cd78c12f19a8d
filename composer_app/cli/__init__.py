"""The command-line face of the engine: ``composer-cli info|convert|render|...``.

Each command lives in a module of this package with an ``add_commands(subparsers)`` function.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence

from composer_app import __version__
from composer_app.cli import bench, evaluate, files, fill, harmonize, render, soak, suggest
from composer_app.core.errors import SongFileError

COMMAND_MODULES = [files, render, suggest, fill, harmonize, evaluate, bench, soak]


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="composer-cli", description="Composer from the command line.")
    parser.add_argument("--version", action="version", version=f"composer-cli {__version__}")
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    for module in COMMAND_MODULES:
        module.add_commands(sub)
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
