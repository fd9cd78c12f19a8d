"""StatusSink: how a part of the window reports one line to the user (the status bar in the real window)."""

from __future__ import annotations

from typing import Protocol


class StatusSink(Protocol):
    """``status(text, msecs)``: show ``text`` for ``msecs`` milliseconds (0: until the next message)."""

    def __call__(self, text: str, msecs: int = 0) -> None: ...
