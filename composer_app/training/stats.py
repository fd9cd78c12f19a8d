"""Corpus statistics per source: ``python -m composer_app.training.stats [--limit N] [--source S ...]``."""

from __future__ import annotations

import argparse
import sys
import time
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

from composer_app.training.corpus import Piece
from composer_app.training.skips import SkipLog
from composer_app.training.sources import EVAL_ONLY, SOURCES, iter_source
from composer_app.training.split import assign_split


@dataclass
class SourceStats:
    source: str
    pieces: int = 0
    notes: int = 0
    seconds: float = 0.0
    meters: Counter[str] = field(default_factory=Counter)
    modes: Counter[str] = field(default_factory=Counter)
    keys: Counter[str] = field(default_factory=Counter)
    chords: Counter[str] = field(default_factory=Counter)
    pieces_with_chords: int = 0
    roles: Counter[str] = field(default_factory=Counter)
    splits: Counter[str] = field(default_factory=Counter)
    styles: Counter[str] = field(default_factory=Counter)

    def add(self, piece: Piece) -> None:
        self.pieces += 1
        self.notes += piece.note_count
        self.seconds += piece.seconds
        self.styles[piece.style] += 1
        _, num, den = max(piece.meters, key=lambda m: _meter_span(piece, m))
        self.meters[f"{num}/{den}"] += 1
        key = piece.key_at(0)
        if key is not None:
            self.modes[key.mode] += 1
            self.keys[key.name] += 1
        if piece.chords:
            self.pieces_with_chords += 1
        self.chords.update(label for _, _, label in piece.chords)
        self.roles.update(p.role for p in piece.parts)
        self.splits[assign_split(piece)] += 1


def _meter_span(piece: Piece, meter: tuple[int, int, int]) -> int:
    """Ticks that ``meter`` governs in ``piece`` (to name its main meter)."""
    later = [m[0] for m in piece.meters if m[0] > meter[0]]
    return (min(later) if later else piece.end) - meter[0]


def collect(sources: Iterable[str], limit: int | None, skips: SkipLog, datasets: Path | None = None,
            progress: bool = True) -> list[SourceStats]:
    out = []
    for source in sources:
        stats = SourceStats(source)
        started = time.monotonic()
        for piece in iter_source(source, limit, skips, datasets):
            stats.add(piece)
            if progress and stats.pieces % 100 == 0:
                print(f"  {source}: {stats.pieces} pieces ...", file=sys.stderr, flush=True)
        if progress:
            print(f"  {source}: {stats.pieces} pieces in {time.monotonic() - started:.1f} s",
                  file=sys.stderr, flush=True)
        out.append(stats)
    return out


def _top(counter: Counter[str], n: int) -> str:
    return ", ".join(f"{k} {v}" for k, v in counter.most_common(n)) or "-"


def report(all_stats: list[SourceStats], skips: SkipLog) -> str:
    lines = []
    for s in all_stats:
        lines.append(f"== {s.source}: {s.pieces} pieces, {s.notes} notes, {s.seconds / 3600:.2f} h"
                     f" (style {_top(s.styles, 4)})")
        lines.append(f"   parts: {_top(s.roles, 6)}")
        lines.append(f"   meters (main meter per piece): {_top(s.meters, 8)}")
        lines.append(f"   modes: {_top(s.modes, 2)}; keys: {_top(s.keys, 8)}")
        lines.append(f"   chords: {s.pieces_with_chords} pieces with chords, {sum(s.chords.values())} spans, "
                     f"vocabulary {len(s.chords)}; top: {_top(s.chords, 12)}")
        lines.append("   split: "
                     + ", ".join(f"{k} {s.splits.get(k, 0)}" for k in ("train", "valid", "test")))
        reasons = skips.reasons(s.source)
        lines.append(f"   skipped: {skips.count(s.source)}" + (f" ({_top(reasons, 6)})" if reasons else ""))
    total_pieces = sum(s.pieces for s in all_stats)
    total_notes = sum(s.notes for s in all_stats)
    total_hours = sum(s.seconds for s in all_stats) / 3600
    splits = Counter()
    for s in all_stats:
        splits.update(s.splits)
    lines.append(f"== total: {total_pieces} pieces, {total_notes} notes, {total_hours:.2f} h; split "
                 + ", ".join(f"{k} {splits.get(k, 0)}" for k in ("train", "valid", "test"))
                 + f"; skipped {skips.count()}")
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m composer_app.training.stats", description=__doc__)
    parser.add_argument("--limit", type=int, default=None, help="read at most N pieces per source")
    parser.add_argument("--source", action="append", choices=list(SOURCES),
                        help="only this source (repeatable)")
    parser.add_argument("--datasets", type=Path, default=None,
                        help="datasets root (default ../shared/datasets)")
    args = parser.parse_args(argv)
    skips = SkipLog()
    started = time.monotonic()
    all_stats = collect(args.source or [s for s in SOURCES if s not in EVAL_ONLY], args.limit, skips, args.datasets)
    print(report(all_stats, skips))
    print(f"(read in {time.monotonic() - started:.1f} s)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
