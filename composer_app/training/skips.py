"""A tally of source files that readers skipped, with the reason for each."""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TypeVar

from composer_app.training.corpus import SkipPiece

T = TypeVar("T")


@dataclass
class SkipLog:
    """Skipped files per source: ``entries`` holds (source, file, reason)."""

    entries: list[tuple[str, str, str]] = field(default_factory=list)

    def add(self, source: str, name: str, reason: str) -> None:
        self.entries.append((source, name, reason))

    def reasons(self, source: str | None = None) -> Counter[str]:
        return Counter(r for s, _, r in self.entries if source is None or s == source)

    def count(self, source: str | None = None) -> int:
        return sum(1 for s, _, _ in self.entries if source is None or s == source)


def read_or_reason(read: Callable[[T], object], source: T) -> object:
    """``read(source)``, or the reason as a string when it fails (a broken file is counted, not fatal).

    SkipPiece carries its own reason; any other exception is named with its type.
    """
    try:
        return read(source)
    except SkipPiece as exc:
        return str(exc)
    except Exception as exc:  # noqa: BLE001 - one bad file must not stop a corpus read
        return f"{type(exc).__name__}: {exc}"
