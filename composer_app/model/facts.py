"""Plain facts about a candidate continuation: in-key share, note count, range, motif reuse."""

from __future__ import annotations

import functools
from collections.abc import Sequence
from dataclasses import dataclass

from composer_app.core.pitch import KeySignature
from composer_app.core.song import NoteTuple as Note

MOTIF_N = 3
"""Interval n-gram length for motif reuse (3 intervals = 4 notes)."""


@dataclass(frozen=True)
class CandidateFacts:
    """What a musician can check at a glance; ``motif_reuse`` is the share of the candidate's interval
    trigrams (of its top line) that also occur in the prompt's top line."""

    note_count: int
    in_key: float
    lowest: int | None
    highest: int | None
    motif_reuse: float

    def summary(self) -> str:
        span = f"{self.lowest}-{self.highest}" if self.lowest is not None else "-"
        return (f"{self.note_count} notes, {self.in_key:.0%} in key, range {span}, "
                f"motif reuse {self.motif_reuse:.0%}")


def top_line(notes: Sequence[Note]) -> list[int]:
    """Highest pitch at each onset, in time order (the melody of a polyphonic part)."""
    best: dict[int, int] = {}
    for pitch, start, _, _ in notes:
        best[start] = max(pitch, best.get(start, -1))
    return [best[t] for t in sorted(best)]


def interval_ngrams(pitches: Sequence[int], n: int = MOTIF_N) -> list[tuple[int, ...]]:
    steps = [b - a for a, b in zip(pitches, pitches[1:])]
    return [tuple(steps[i:i + n]) for i in range(len(steps) - n + 1)]


def motif_reuse(candidate: Sequence[Note], prompt: Sequence[Note], n: int = MOTIF_N) -> float:
    grams = interval_ngrams(top_line(candidate), n)
    if not grams:
        return 0.0
    known = _known_grams(tuple(prompt), n)
    return sum(g in known for g in grams) / len(grams)


@functools.lru_cache(maxsize=8)
def _known_grams(prompt: tuple[Note, ...], n: int) -> frozenset[tuple[int, ...]]:
    """The prompt's interval n-grams (a request's candidates share its prompt: found once, not per candidate)."""
    return frozenset(interval_ngrams(top_line(prompt), n))


def candidate_facts(candidate: Sequence[Note], prompt: Sequence[Note], key: KeySignature) -> CandidateFacts:
    scale = key.lock_scale  # what key lock keeps to: a minor key's leading tone is in key
    pitches = [n[0] for n in candidate]
    in_key = sum(p % 12 in scale for p in pitches) / len(pitches) if pitches else 1.0
    return CandidateFacts(len(pitches), in_key, min(pitches, default=None), max(pitches, default=None),
                          motif_reuse(candidate, prompt))
