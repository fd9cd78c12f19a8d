"""``composer-cli soak --ops N [--seed S] [--json]``: random operations on the real window, checked after each.

The work runs in ``composer_app.ui.soak`` in a child process on Qt's offscreen platform (the CLI never imports
Qt); this command passes the options on and relays its output and exit status (1 when anything failed)."""

from __future__ import annotations

import argparse
import os
import subprocess
import sys


def add_commands(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("soak", help="drive the real document and editors through N random operations",
                       description=__doc__.splitlines()[0])
    p.add_argument("--ops", type=int, default=500, help="number of operations (default 500)")
    p.add_argument("--seed", type=int, default=None, help="random seed; a failure names the seed and step to replay")
    p.add_argument("--json", action="store_true", help="print one JSON object instead of the report")
    p.add_argument("--no-engines", action="store_true", help="leave out suggest and harmonize")
    p.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    if args.ops < 0:
        print("composer-cli: error: --ops must be 0 or more", file=sys.stderr)
        return 2
    command = [sys.executable, "-m", "composer_app.ui.soak", "--ops", str(args.ops)]
    if args.seed is not None:
        command += ["--seed", str(args.seed)]
    if args.json:
        command.append("--json")
    if args.no_engines:
        command.append("--no-engines")
    env = dict(os.environ, QT_QPA_PLATFORM="offscreen")
    done = subprocess.run(command, env=env, stderr=subprocess.PIPE, text=True)
    noise = ("propagateSizeHints",)  # the offscreen platform's chatter
    for line in done.stderr.splitlines():
        if not any(n in line for n in noise):
            print(line, file=sys.stderr)
    return done.returncode
