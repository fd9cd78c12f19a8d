"""Naming chords: lead-sheet spellings to Harte labels and sounding pitches to the best Harte label."""

from __future__ import annotations

from collections.abc import Iterable, Sequence

from composer_app.core.chords import QUALITIES, Chord, parse_chord
from composer_app.core.pitch import parse_pitch_class

# qualities tried when naming a pitch set with no candidate label, simplest first
_TEMPLATE_ORDER = ("maj", "min", "7", "min7", "maj7", "dim", "dim7", "hdim7", "aug", "sus4", "sus2",
                   "maj6", "min6", "7sus4", "minmaj7", "9", "maj9", "min9", "5")


def chord_from_pitches(pitches: Iterable[int], candidates: Sequence[Chord] = ()) -> Chord | None:
    """The chord sounding as ``pitches``: the first candidate with the same pitch classes (bass too if
    one matches), else a template over core's qualities, else None."""
    ps = sorted(set(pitches))
    if not ps:
        return None
    pcs = frozenset(p % 12 for p in ps)
    bass_pc = ps[0] % 12
    same = [c for c in candidates if c.pitch_classes == pcs]
    if same:
        with_bass = [c for c in same if c.bass_pitch_class == bass_pc]
        return (with_bass or same)[0]
    for quality in _TEMPLATE_ORDER:
        intervals = QUALITIES[quality]
        for root in range(12):
            if frozenset((root + i) % 12 for i in intervals) == pcs:
                return Chord(root, quality, (bass_pc - root) % 12)
    return None


# Nottingham Music Database (abc2midi) chord spellings: 'D/f+' (bass F#), 'Gd' (dim), 'Ea' (aug),
# 'Fa7', 'E7b9', '(A7)' (optional chord), 'D m'.
_NMD_QUALITIES = {
    "": ("maj", ()), "m": ("min", ()), "7": ("7", ()), "m7": ("min7", ()), "6": ("maj6", ()),
    "m6": ("min6", ()), "d": ("dim", ()), "a": ("aug", ()), "a7": ("aug", (10,)), "7b9": ("7", (13,)),
    "maj7": ("maj7", ()), "9": ("9", ()), "dim": ("dim", ()), "aug": ("aug", ()), "m7b5": ("hdim7", ()),
    "dim7": ("dim7", ()), "sus4": ("sus4", ()), "sus": ("sus4", ()),
}


def parse_nmd_chord(text: str) -> Chord:
    """A Nottingham/abc2midi chord symbol as a core Chord; raises ValueError if unreadable."""
    t = text.strip().strip("()").replace(" ", "")
    if not t or t[0] not in "ABCDEFG":
        raise ValueError(f"not a chord symbol: {text!r}")
    body, _, bass_text = t.partition("/")
    n = 1 + (len(body) > 1 and body[1] in "#b")
    root = parse_pitch_class(body[:n])
    quality, added = _NMD_QUALITIES.get(body[n:], (None, ()))
    if quality is None:
        raise ValueError(f"unknown chord quality in {text!r}")
    bass = 0
    if bass_text:
        name = bass_text[0].upper() + bass_text[1:].replace("+", "#").replace("-", "b")
        bass = (parse_pitch_class(name) - root) % 12
    return Chord(root, quality, bass, tuple(added))


def harte_from_lead_sheet(text: str) -> str:
    """Any spelling core or NMD accepts, as canonical Harte (raises ValueError)."""
    try:
        return parse_chord(text).label()
    except ValueError:
        return parse_nmd_chord(text).label()
