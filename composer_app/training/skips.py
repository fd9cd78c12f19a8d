"""A tally of source files that readers skipped, with the reason for each."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field


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
