"""``composer-cli eval KIND DIR ...``: quality figures of the embedded models on a folder of lead-sheet MIDI files.

The kinds are registered through hooks, so each model's evaluation lives in its own module:

- ``EVAL_KINDS`` is a list of functions ``register_eval(kinds)``; each receives the ``eval`` parser's
  sub-subparsers and adds one kind (``kinds.add_parser("harmonization", ...)``, with ``set_defaults(func=...)``).
- A command module that brings a kind appends its function at import time
  (``evaluate.EVAL_KINDS.append(register_eval)``) and is listed in ``COMMAND_MODULES`` as usual; every module
  is imported before the parser is built, so the order of that list does not matter.
- ``continuation`` (composer_app.cli.eval_continuation) and ``infill`` (composer_app.cli.eval_infill) are
  registered here.
"""

from __future__ import annotations

import argparse
from collections.abc import Callable

from composer_app.cli import eval_continuation, eval_infill

EVAL_KINDS: list[Callable[[argparse._SubParsersAction], None]] = [eval_continuation.register_eval,
                                                                  eval_infill.register_eval]


def add_commands(sub) -> None:
    p = sub.add_parser("eval", help="evaluate a model on a folder of lead-sheet MIDI files",
                       description="Evaluate an embedded model on a folder of lead-sheet MIDI files.")
    kinds = p.add_subparsers(dest="kind", required=True, metavar="KIND")
    seen: set[Callable] = set()
    for register in EVAL_KINDS:
        if register not in seen:
            seen.add(register)
            register(kinds)
