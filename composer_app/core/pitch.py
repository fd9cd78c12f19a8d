"""Pitch names, pitch classes and key signatures (tonic plus mode) with their scales."""

from __future__ import annotations

from dataclasses import dataclass, field

SHARP_NAMES = ("C", "C#", "D", "D#", "E", "F", "F#", "G", "G#", "A", "A#", "B")
FLAT_NAMES = ("C", "Db", "D", "Eb", "E", "F", "Gb", "G", "Ab", "A", "Bb", "B")
_LETTER_PC = {"C": 0, "D": 2, "E": 4, "F": 5, "G": 7, "A": 9, "B": 11}

MAJOR_SCALE = (0, 2, 4, 5, 7, 9, 11)
MINOR_SCALE = (0, 2, 3, 5, 7, 8, 10)  # natural minor
MODES = {"major": MAJOR_SCALE, "minor": MINOR_SCALE}


def parse_pitch_class(name: str) -> int:
    """'C' -> 0, 'F#' -> 6, 'Bb' -> 10, 'Cb' -> 11, 'E#' -> 5."""
    if not name or name[0].upper() not in _LETTER_PC:
        raise ValueError(f"not a note name: {name!r}")
    pc = _LETTER_PC[name[0].upper()]
    for ch in name[1:]:
        if ch in "#♯":
            pc += 1
        elif ch in "b♭":
            pc -= 1
        else:
            raise ValueError(f"not a note name: {name!r}")
    return pc % 12


def note_name(pitch: int, flats: bool = False) -> str:
    """MIDI pitch to a name with octave, middle C (60) being C4."""
    names = FLAT_NAMES if flats else SHARP_NAMES
    return f"{names[pitch % 12]}{pitch // 12 - 1}"


def fifths_to_tonic(fifths: int, minor: bool) -> int:
    """Sharps (+) or flats (-) in a key signature to its tonic pitch class."""
    return ((fifths * 7) + (9 if minor else 0)) % 12


_MAJOR_FIFTHS = {0: 0, 7: 1, 2: 2, 9: 3, 4: 4, 11: 5, 6: -6, 5: -1, 10: -2, 3: -3, 8: -4, 1: -5}
"""Signature per major tonic; the six-accidental key is Gb major by default (as POP909's key files and most pop
charts spell it), F# major when the key was given with sharps (``KeySignature.sharps``)."""


_LETTERS = "CDEFGAB"
_ODD_NAMES = frozenset({"Cb", "Fb", "B#", "E#"})
_ROOT_STEPS = (0, 1, 1, 2, 2, 3, 3, 4, 5, 5, 6, 6)
_LEADING_STEPS = (0, 0, 1, 1, 2, 3, 3, 4, 4, 5, 5, 6)
"""Semitones above the tonic -> letter steps above it, for chord roots: b2, 2, b3/3, 3, 4, #4, 5, b6, 6, b7, 7
(the same in minor, whose 3, 6 and 7 are the raised ones); for leading roots #1, #2, #4, #5 and #6."""


def letter_name(letter: str, steps: int, pitch_class: int) -> str | None:
    """The name of ``pitch_class`` on the letter ``steps`` letters above ``letter``: ('E', 4, 10) is 'Bb' (the
    fifth of Eb), ('A', 2, 1) is 'C#' (the third of A); None where that would take a double accidental."""
    name = _LETTERS[(_LETTERS.index(letter.upper()) + steps) % 7]
    alter = (pitch_class - _LETTER_PC[name] + 6) % 12 - 6
    if abs(alter) > 1:
        return None
    return name + ("#" if alter > 0 else "b" if alter < 0 else "")


@dataclass(frozen=True, slots=True)
class KeySignature:
    """A key that holds from ``tick`` on: tonic pitch class and mode.

    ``sharps`` keeps the spelling of the one key with two signatures of six accidentals each: F# major and
    D# minor (six sharps) instead of Gb major and Eb minor (six flats, the default). It is a spelling, not another
    key: keys that differ only in it are equal."""

    tick: int
    tonic: int = 0
    mode: str = "major"
    sharps: bool = field(default=False, compare=False)

    def __post_init__(self) -> None:
        if self.tick < 0:
            raise ValueError(f"key change at negative tick {self.tick}")
        if not 0 <= self.tonic <= 11:
            raise ValueError(f"tonic {self.tonic} is not a pitch class")
        if self.mode not in MODES:
            raise ValueError(f"mode {self.mode!r} is not major or minor")

    @property
    def scale(self) -> frozenset[int]:
        return frozenset((self.tonic + step) % 12 for step in MODES[self.mode])

    @property
    def lock_scale(self) -> frozenset[int]:
        """The pitch classes key lock keeps to: the scale, in minor with its raised seventh too (the leading tone
        that the dominant chord of a minor key and its cadences need)."""
        return self.scale | {(self.tonic + 11) % 12} if self.mode == "minor" else self.scale

    @property
    def fifths(self) -> int:
        """Sharps (+) or flats (-) of the signature."""
        major = self.tonic if self.mode == "major" else (self.tonic + 3) % 12
        fifths = _MAJOR_FIFTHS[major]
        return -fifths if fifths == -6 and self.sharps else fifths

    @property
    def tonic_name(self) -> str:
        """The tonic as the signature spells it: 'Gb', 'F#', 'Eb'."""
        return (FLAT_NAMES if self.flats else SHARP_NAMES)[self.tonic]

    @property
    def name(self) -> str:
        return f"{self.tonic_name} {self.mode}"

    @property
    def flats(self) -> bool:
        """Whether the key's notes are spelt with flats (Bb, Eb) rather than sharps."""
        return self.fifths < 0

    def spell(self, pitch: int) -> str:
        """A MIDI pitch named as this key spells it, by its degree (``root_name``): the scale's own notes by their
        letters (70 is 'Bb4' in F major and 'A#4' in B major, 71 'Cb5' in Gb major, 65 'E#4' in F# major), the
        others as the altered degree: 'C#5' for the raised seventh of D minor, 'Bb4' for the flat seventh and
        'Eb4' for the blue third of C major, 'F#4' for its raised fourth."""
        name = self.root_name(pitch % 12)
        alter = name.count("#") - name.count("b")
        return f"{name}{(pitch - alter) // 12 - 1}"  # Cb5 is B4 by sound, E#4 is F4

    def root_name(self, pitch_class: int, leading: bool = False) -> str:
        """A chord root named by its degree in this key: the scale's own by their letters (Cb in Gb major, E# in
        F# major), chromatic ones as the altered degree, flat below and sharp above (Db, Eb, F#, Ab, Bb in C
        major; C#, the raised seventh, in D minor; F#, the raised fourth, in C minor). A ``leading`` root (of a
        diminished chord) outside the scale is the raised degree below: C#dim7 leading to Dm in C major, not Db.
        Cb, Fb, B# and E# only where the scale has them, as a minor key's raised sixth or seventh (E# in F#
        minor) or as a leading note, and never a double accidental: B, not Cb, for the flat sixth of Eb major."""
        rel = (pitch_class - self.tonic) % 12
        outside = pitch_class % 12 not in self.scale
        step = (_LEADING_STEPS if leading and outside else _ROOT_STEPS)[rel]
        name = letter_name(self.tonic_name[0], step, pitch_class)
        raised = self.mode == "minor" and rel in (9, 11)  # E# in F# minor, B# in C# minor
        if name is None or (name in _ODD_NAMES and outside and not raised and not leading):
            return (FLAT_NAMES if self.flats else SHARP_NAMES)[pitch_class % 12]
        return name

    @property
    def midi_name(self) -> str:
        """The key as mido spells it: 'C', 'F#m', 'Bb'."""
        return self.tonic_name + ("m" if self.mode == "minor" else "")

    @staticmethod
    def parse(tick: int, text: str) -> KeySignature:
        """'C', 'Am', 'F# minor', 'Bb major', 'D:min' -> KeySignature (spelt with sharps when written so)."""
        t = text.strip().replace(":", " ")
        mode = "major"
        lowered = t.lower()
        for suffix, m in ((" minor", "minor"), (" major", "major"), (" min", "minor"),
                          (" maj", "major"), ("m", "minor")):
            if lowered.endswith(suffix):
                mode = m
                t = t[: len(t) - len(suffix)].strip()
                break
        return KeySignature(tick, parse_pitch_class(t), mode, sharps="#" in t)
