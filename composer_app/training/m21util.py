"""Shared music21 conversions (notes, measures, keys, chord symbols); music21 is imported by the caller."""

from __future__ import annotations

from fractions import Fraction
from typing import Any

from composer_app.core.chords import QUALITIES, Chord, parse_chord
from composer_app.core.pitch import KeySignature
from composer_app.core.timing import PPQ
from composer_app.training.chordname import chord_from_pitches
from composer_app.training.corpus import Meter, Note, make_notes
from composer_app.training.keyfind import find_key, key_scores, pitch_class_histogram

VELOCITY = 80


def ticks(quarter_length: Any) -> int:
    return round(Fraction(quarter_length).limit_denominator(10_000) * PPQ)


def part_notes(part: Any) -> tuple[Note, ...]:
    """Sounding notes of a music21 part (ties merged, grace notes dropped), in ticks."""
    raw = []
    for element in part.stripTies().flatten().notes:
        if element.duration.isGrace or element.quarterLength <= 0:
            continue
        start, duration = ticks(element.offset), ticks(element.quarterLength)
        pitches = element.pitches
        for pitch in pitches:
            if pitch.midi is not None:
                raw.append((int(pitch.midi), start, duration, VELOCITY))
    return make_notes(raw)


def measure_offsets(part: Any) -> dict[int, int]:
    """Measure number -> start tick (first occurrence)."""
    out: dict[int, int] = {}
    for m in part.getElementsByClass("Measure"):
        out.setdefault(m.number, ticks(m.offset))
    return out


def part_meters(part: Any) -> tuple[Meter, ...]:
    """Meters that reproduce every bar line of ``part``: the written time signature for full bars,
    and a bar of its actual length for a pickup or another short bar."""
    meters: list[Meter] = []
    ts = None
    for m in part.getElementsByClass("Measure"):
        if m.timeSignature is not None:
            ts = m.timeSignature
        if ts is None:
            ts = m.getContextByClass("TimeSignature")
        num, den = (ts.numerator, ts.denominator) if ts is not None else (4, 4)
        length = Fraction(m.duration.quarterLength).limit_denominator(10_000)
        full = Fraction(num * 4, den)
        if 0 < length < full:  # a pickup or another short bar: its own meter, in finer units if need be
            unit_den = den
            while (length * unit_den / 4).denominator != 1 and unit_den < 64:
                unit_den *= 2
            units = length * unit_den / 4
            if units.denominator == 1 and 1 <= units <= 64:
                num, den = int(units), unit_den
        if den not in (1, 2, 4, 8, 16, 32, 64) or not 1 <= num <= 64:
            continue
        if not meters or meters[-1][1:] != (num, den):
            meters.append((ticks(m.offset), num, den))
    if not meters or meters[0][0] != 0:
        meters.insert(0, (0, *(meters[0][1:] if meters else (4, 4))))
    return tuple(meters)


def score_keys(score: Any, notes: tuple[Note, ...],
               final_chord: str | None = None) -> tuple[KeySignature, ...]:
    """Key signatures of ``score``. The mode comes from the score when it says minor (lead sheets
    write 'major' on nearly every file); else a final chord on the relative minor tonic (or on the
    major tonic) decides; else a key-profile choice between the major key and its relative minor."""
    final = parse_chord(final_chord) if final_chord else None
    hist = pitch_class_histogram(notes)
    scores = key_scores(hist)
    keys: list[KeySignature] = []
    flat = score.parts[0].flatten() if score.parts else score.flatten()
    for ks in flat.getElementsByClass("KeySignature"):
        tick = ticks(ks.offset)
        major_tonic = (ks.sharps * 7) % 12
        mode = getattr(ks, "mode", None)
        if mode == "minor":
            key = KeySignature(tick, (major_tonic + 9) % 12, "minor")
        else:
            if final is not None and final.root == (major_tonic + 9) % 12 and 3 in final.intervals:
                minor = True
            elif final is not None and final.root == major_tonic and 4 in final.intervals:
                minor = False
            else:
                minor = scores[1, (major_tonic + 9) % 12] > scores[0, major_tonic]
            key = KeySignature(tick, (major_tonic + 9) % 12 if minor else major_tonic,
                               "minor" if minor else "major")
        if keys and keys[-1].tick == tick:
            keys[-1] = key
        elif not keys or (keys[-1].tonic, keys[-1].mode) != (key.tonic, key.mode):
            keys.append(key)
    if keys and keys[0].tick != 0:
        keys[0] = KeySignature(0, keys[0].tonic, keys[0].mode)
    if not keys:  # no key signature written: estimate one
        keys.append(find_key(notes))
    return tuple(keys)


_KIND_TO_QUALITY = {
    "major": "maj", "minor": "min", "augmented": "aug", "diminished": "dim",
    "dominant-seventh": "7", "dominant": "7", "major-seventh": "maj7", "minor-seventh": "min7",
    "diminished-seventh": "dim7", "augmented-seventh": ("aug", (10,), ()), "half-diminished-seventh": "hdim7",
    "half-diminished": "hdim7", "major-minor": "minmaj7", "minor-major-seventh": "minmaj7",
    "major-sixth": "maj6", "minor-sixth": "min6", "dominant-ninth": "9", "major-ninth": "maj9",
    "minor-ninth": "min9", "dominant-11th": "11", "major-11th": ("maj9", (17,), ()), "minor-11th": "min11",
    "dominant-13th": "13", "major-13th": "maj13", "minor-13th": "min13", "suspended-second": "sus2",
    "suspended-fourth": "sus4", "seventh-flat-five": ("7", (6,), (7,)), "augmented-ninth": ("9", (8,), (7,)),
    "power": "5", "pedal": "1", "suspended-fourth-seventh": "7sus4",
}


def chord_symbol_label(cs: Any) -> str | None:
    """A music21 ChordSymbol (or NoChord) as a Harte label; None when it cannot be named."""
    if type(cs).__name__ == "NoChord" or getattr(cs, "chordKind", None) == "none":
        return "N"
    root = cs.root()
    if root is None:
        return None
    kind = _KIND_TO_QUALITY.get(cs.chordKind)
    if kind is None:
        chord = chord_from_pitches([p.midi for p in cs.pitches])
        return chord.label() if chord else None
    quality, added, omitted = (kind, (), ()) if isinstance(kind, str) else kind
    bass = cs.bass()
    bass_interval = (bass.pitchClass - root.pitchClass) % 12 if bass is not None else 0
    return _as_written(Chord(root.pitchClass, quality, bass_interval, added, omitted).label(), root)


def _as_written(label: str, root: Any) -> str:
    """``label`` (sharps) with its root spelt as the score writes it (music21's 'B-' is Bb: a musician reads
    Bb7, not A#7); a double accidental keeps the sharps' name."""
    name = str(root.name).replace("-", "b")
    if len(name) > 2:
        return label
    return name + label[label.index(":"):]


def roman_label(rn: Any) -> str | None:
    """A music21 RomanNumeral as a Harte label: quality from its pitch classes, bass as slash."""
    root = rn.root()
    if root is None:
        return None
    rel = frozenset((p.pitchClass - root.pitchClass) % 12 for p in rn.pitches)
    bass = (rn.bass().pitchClass - root.pitchClass) % 12
    for quality, intervals in QUALITIES.items():
        if frozenset(i % 12 for i in intervals) == rel and max(intervals) < 12:
            return _as_written(Chord(root.pitchClass, quality, bass).label(), root)
    chord = chord_from_pitches([p.midi for p in rn.pitches])
    if chord is None:
        return None
    lowest = rn.bass().pitchClass
    return Chord(chord.root, chord.quality, (lowest - chord.root) % 12).label()
