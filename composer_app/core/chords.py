"""Chord symbols in Harte syntax (``C:maj7``, ``A:min/b3``, ``N``): parsing, spelling, pitch classes."""

from __future__ import annotations

from dataclasses import dataclass

from composer_app.core.pitch import FLAT_NAMES, SHARP_NAMES, KeySignature, letter_name, parse_pitch_class

# Harte shorthand -> intervals in semitones above the root
QUALITIES: dict[str, tuple[int, ...]] = {
    "maj": (0, 4, 7),
    "min": (0, 3, 7),
    "dim": (0, 3, 6),
    "aug": (0, 4, 8),
    "maj7": (0, 4, 7, 11),
    "min7": (0, 3, 7, 10),
    "7": (0, 4, 7, 10),
    "dim7": (0, 3, 6, 9),
    "hdim7": (0, 3, 6, 10),
    "minmaj7": (0, 3, 7, 11),
    "maj6": (0, 4, 7, 9),
    "min6": (0, 3, 7, 9),
    "9": (0, 4, 7, 10, 14),
    "maj9": (0, 4, 7, 11, 14),
    "min9": (0, 3, 7, 10, 14),
    "11": (0, 4, 7, 10, 14, 17),
    "min11": (0, 3, 7, 10, 14, 17),
    "13": (0, 4, 7, 10, 14, 21),
    "maj13": (0, 4, 7, 11, 14, 21),
    "min13": (0, 3, 7, 10, 14, 21),
    "sus2": (0, 2, 7),
    "sus4": (0, 5, 7),
    "7sus4": (0, 5, 7, 10),
    "5": (0, 7),
    "1": (0,),
}

LEADING_QUALITIES = frozenset({"dim", "dim7", "hdim7"})
"""Qualities whose chromatic root is a leading note, spelt as the raised degree below (C#dim7 in C, not Db)."""

# degree names in Harte syntax -> semitones
_DEGREES = {"1": 0, "2": 2, "3": 4, "4": 5, "5": 7, "6": 9, "7": 11, "9": 14, "11": 17, "13": 21}


def _degree_semitones(text: str) -> int:
    flats = len(text) - len(text.lstrip("b"))
    t = text[flats:]
    sharps = len(t) - len(t.lstrip("#"))
    t = t[sharps:]
    if t not in _DEGREES:
        raise ValueError(f"unknown chord degree {text!r}")
    return _DEGREES[t] - flats + sharps


def _semitones_to_degree(semis: int) -> str:
    s = semis % 12
    for name, value in (("1", 0), ("b2", 1), ("2", 2), ("b3", 3), ("3", 4), ("4", 5), ("b5", 6),
                        ("5", 7), ("b6", 8), ("6", 9), ("b7", 10), ("7", 11)):
        if value == s:
            return name
    raise AssertionError(s)


@dataclass(frozen=True, slots=True)
class Chord:
    """A parsed chord: root pitch class, quality shorthand, extra intervals and bass interval.

    ``root is None`` means no chord (``N``).
    """

    root: int | None
    quality: str = "maj"
    bass: int = 0  # semitones above the root of the bass note (0 = root position)
    added: tuple[int, ...] = ()
    omitted: tuple[int, ...] = ()

    @property
    def is_no_chord(self) -> bool:
        return self.root is None

    @property
    def intervals(self) -> tuple[int, ...]:
        base = [i for i in QUALITIES[self.quality] if i not in self.omitted]
        return tuple(sorted(set(base) | set(self.added)))

    @property
    def pitch_classes(self) -> frozenset[int]:
        if self.root is None:
            return frozenset()
        return frozenset((self.root + i) % 12 for i in self.intervals)

    @property
    def bass_pitch_class(self) -> int | None:
        return None if self.root is None else (self.root + self.bass) % 12

    def label(self, flats: bool = False) -> str:
        """Spell the chord in Harte syntax."""
        if self.root is None:
            return "N"
        names = FLAT_NAMES if flats else SHARP_NAMES
        text = f"{names[self.root]}:{self.quality}"
        mods = [_semitones_to_degree(i) if i < 12 else _mod_name(i) for i in self.added]
        mods += ["*" + (_semitones_to_degree(i) if i < 12 else _mod_name(i)) for i in self.omitted]
        if mods:
            text += "(" + ",".join(mods) + ")"
        if self.bass:
            text += "/" + _semitones_to_degree(self.bass)
        return text

    def transposed(self, semitones: int) -> Chord:
        if self.root is None:
            return self
        return Chord((self.root + semitones) % 12, self.quality, self.bass, self.added, self.omitted)

    def __str__(self) -> str:
        return self.label()


def _mod_name(semis: int) -> str:
    for name, value in (("9", 14), ("b9", 13), ("#9", 15), ("11", 17), ("#11", 18),
                        ("13", 21), ("b13", 20)):
        if value == semis:
            return name
    return _semitones_to_degree(semis)


NO_CHORD = Chord(None)


def parse_chord(label: str) -> Chord:
    """Parse a Harte label. Also accepts common lead-sheet spellings ('Am7', 'G7', 'F#dim', 'C/E')."""
    text = label.strip()
    if text in ("N", "X", "N.C.", "NC", ""):
        return NO_CHORD
    if ":" in text or text[1:2] in ("",) or text[1:3] in ("#:", "b:"):
        return _parse_harte(text)
    return _parse_lead_sheet(text)


def _split_root(text: str) -> tuple[int, str]:
    n = 1
    while n < len(text) and text[n] in "#b♯♭":
        n += 1
    return parse_pitch_class(text[:n]), text[n:]


def _parse_harte(text: str) -> Chord:
    try:
        root_part, _, rest = text.partition(":")
        root, leftover = _split_root(root_part)
        if leftover:
            raise ValueError
        bass = 0
        if "/" in rest:
            rest, _, bass_text = rest.rpartition("/")
            bass = _degree_semitones(bass_text) % 12
        elif "/" in root_part:
            raise ValueError
        added: list[int] = []
        omitted: list[int] = []
        if "(" in rest:
            rest, _, mods = rest.partition("(")
            if not mods.endswith(")"):
                raise ValueError
            for m in mods[:-1].split(","):
                m = m.strip()
                if not m:
                    continue
                if m.startswith("*"):
                    omitted.append(_degree_semitones(m[1:]))
                else:
                    added.append(_degree_semitones(m))
        quality = rest or "maj"
        if quality not in QUALITIES:
            raise ValueError
        return Chord(root, quality, bass, tuple(added), tuple(omitted))
    except ValueError:
        raise ValueError(f"not a chord label: {text!r}") from None


_LEAD_SHEET_QUALITIES = [
    ("maj7", "maj7"), ("M7", "maj7"), ("mmaj7", "minmaj7"), ("m7b5", "hdim7"), ("ø", "hdim7"),
    ("min7", "min7"), ("m7", "min7"), ("dim7", "dim7"), ("°7", "dim7"), ("7sus4", "7sus4"),
    ("sus4", "sus4"), ("sus2", "sus2"), ("sus", "sus4"), ("maj9", "maj9"), ("m9", "min9"),
    ("m6", "min6"), ("min", "min"), ("dim", "dim"), ("°", "dim"), ("aug", "aug"), ("+", "aug"),
    ("maj", "maj"), ("m", "min"), ("13", "13"), ("11", "11"), ("9", "9"), ("7", "7"),
    ("6", "maj6"), ("5", "5"), ("", "maj"),
]


_LEAD_SHEET_ADDED = {"add9": ("maj", 14), "madd9": ("min", 14), "m(add9)": ("min", 14), "add2": ("maj", 2),
                     "madd2": ("min", 2), "m(add2)": ("min", 2), "69": ("maj6", 14), "9sus4": ("7sus4", 14)}
"""Lead-sheet names of chords that Harte writes with an added degree ('Cadd9' is C:maj(9), 'C6/9' C:maj6(9))."""


def _parse_lead_sheet(text: str) -> Chord:
    try:
        body, _, bass_name = text.replace("6/9", "69", 1).partition("/")
        root, rest = _split_root(body)
        quality, added = dict(_LEAD_SHEET_QUALITIES).get(rest), ()
        if quality is None and rest in _LEAD_SHEET_ADDED:
            quality, degree = _LEAD_SHEET_ADDED[rest]
            added = (degree,)
        if quality is None:
            raise ValueError
        bass = (parse_pitch_class(bass_name) - root) % 12 if bass_name else 0
        return Chord(root, quality, bass, added)
    except ValueError:
        raise ValueError(f"not a chord label: {text!r}") from None


def normalize_label(label: str) -> str:
    """Parse any accepted spelling and return canonical Harte syntax."""
    return parse_chord(label).label()


def spelled_label(label: str) -> str:
    """Canonical Harte syntax like ``normalize_label``, but the root keeps the spelling it was written in.

    'Eb:min7' stays 'Eb:min7' and 'Ebm7' becomes 'Eb:min7' (a musician reads Eb, not D#); 'Cb', 'E#' and
    the Unicode signs are kept too ('B♭7' -> 'Bb:7'). Raises ValueError on a label that cannot be parsed.
    """
    chord = parse_chord(label)
    if chord.root is None:
        return "N"
    canonical = chord.label()
    return _written_root(label) + canonical[canonical.index(":"):]


def _written_root(label: str) -> str:
    """The root of a chord label as it is written: 'Eb' of 'Eb:min7' and of 'ebm7', 'Bb' of 'B♭7'."""
    text = label.strip()
    n = 1
    while n < len(text) and text[n] in "#b♯♭":
        n += 1
    return text[0].upper() + text[1:n].replace("♯", "#").replace("♭", "b")


def label_in_key(label: str, key: KeySignature) -> str:
    """A Harte ``label`` with its root spelt by its degree in ``key`` (``KeySignature.root_name``): Cb:maj in Gb
    major, C#:dim7 in D minor, Db:7 in C major; a diminished chord's chromatic root as a leading note (C#:dim7
    in C). "N" and labels without a root stay as they are."""
    root, sep, rest = label.partition(":")
    if not sep:
        return label
    quality = rest.split("/")[0].split("(")[0]
    return f"{key.root_name(parse_pitch_class(root), quality in LEADING_QUALITIES)}:{rest}"


_SHORT = {"maj": "", "min": "m", "min7": "m7", "min6": "m6", "min9": "m9", "min11": "m11", "min13": "m13",
          "minmaj7": "m(maj7)", "hdim7": "m7b5", "dim7": "°7", "dim": "°", "maj6": "6"}
_NAMED_SETS = {**{ivs: q for q, ivs in QUALITIES.items()},
               (0, 4, 7, 14): "add9", (0, 3, 7, 14): "m(add9)", (0, 4, 7, 9, 14): "6/9", (0, 2, 4, 7): "add2",
               (0, 2, 3, 7): "m(add2)", (0, 5, 7, 10, 14): "9sus4"}
"""Harte chords with added or omitted degrees named as a lead sheet names them (by their intervals): 'A:sus4(b7)'
is A7sus4 (as POP909 writes it) and 'C:maj(9)' Cadd9; the chord editor reads these names back."""


def lead_sheet_name(label: str, key: KeySignature | None = None) -> str:
    """'A:min7' -> 'Am7', 'C:maj/3' -> 'C/E', 'G:7' -> 'G7' (as a lead sheet spells it).

    A root written flat keeps its spelling in any key ('Eb:min7' -> 'Ebm7'); one written sharp is named by its
    degree in ``key`` when one is given (labels saved before spellings were kept are all sharps: 'D#:min7' in Bb
    major shows 'Ebm7', while 'C#:dim7' stays C#dim7 in D minor). A slash chord's bass is named by its interval
    above the root: 'A:maj/3' is 'A/C#' and 'Eb:maj/5' is 'Eb/Bb' in any key.
    """
    try:
        chord = parse_chord(label)
    except ValueError:
        return label
    if chord.root is None:
        return "N.C."
    root = _written_root(label)
    if "#" in root and key is not None:
        root = key.root_name(chord.root, chord.quality in LEADING_QUALITIES)
    quality, written = chord.quality, ""
    if chord.added or chord.omitted:
        quality = _NAMED_SETS.get(chord.intervals, quality)
        if quality == chord.quality and "(" in label:
            written = label[label.index("("):label.index(")") + 1]
    text = root + _SHORT.get(quality, quality) + written
    if chord.bass and chord.bass_pitch_class is not None:
        text += "/" + _bass_name(root, label.rpartition("/")[2], chord.bass_pitch_class, key)
    return text


def _bass_name(root: str, written: str, pitch_class: int, key: KeySignature | None) -> str:
    """A slash chord's bass: a degree ('3', 'b7') named from the root's letter, a written note name kept."""
    digits = written.lstrip("b#")
    if not digits.isdigit():
        return written
    name = letter_name(root[0], (int(digits) - 1) % 7, pitch_class)
    flats = "b" in root or (key is not None and key.flats)
    return name or (FLAT_NAMES if flats else SHARP_NAMES)[pitch_class]
