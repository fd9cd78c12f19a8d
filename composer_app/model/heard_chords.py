"""The chords the other parts play, heard from their notes: what a continuation is conditioned on where no chord
symbol stands (a MIDI file from a DAW with a piano part, a string quartet), as a musician hears the harmony
under a melody.

Per beat, the notes sounding there (weighted by how long they sound in it, the lowest one once more as the
bass) are matched against chord templates: triads, sevenths, diminished and suspended chords on every root.
A chord scores +1 for each chord tone heard and -``OUTSIDE`` for each other pitch class, plus ``BASS`` when the
bass is its root; a four-note chord pays ``RICHER`` for each of its tones not heard (a B major triad is not G#m7
without its root). A Viterbi pass over the beats
keeps a chord until the evidence for another outweighs ``CHANGE``, so a passing note does not make a chord of
its own. Beats where (almost) nothing sounds, or one note at a time, have no chord. Labels are Harte with sharps
(``C#:min7``); the caller spells them in the song's key. ``python -m composer_app.training.continuation.heard_eval``
measures it against annotated chords.

A broken-chord figure (an Alberti bass, an arpeggio played without the pedal) strikes one note at a time, yet a
musician hears its chord: a line that leaps more than it steps and touches several pitch classes a bar
(``is_broken_chords``) is heard as if each half bar's notes were struck together (``gathered``); ``heard_eval
--figures`` measures it.
"""

from __future__ import annotations

from collections.abc import Sequence
from functools import lru_cache

import numpy as np

from composer_app.core.chords import QUALITIES
from composer_app.core.song import NoteTuple
from composer_app.core.timing import meter_map_of
from composer_app.model.harmony_features import Slot, slot_grid

ChordSpan = tuple[int, int, str]
HEARD_QUALITIES = ("maj", "min", "7", "maj7", "min7", "dim", "hdim7", "sus4")
NAMES = ("C", "C#", "D", "D#", "E", "F", "F#", "G", "G#", "A", "A#", "B")
OUTSIDE = 0.6
"""What a heard pitch class outside the chord costs, against +1 for a chord tone."""
BASS = 1.5
"""Bonus (times the bass note's share of the beat) for a chord whose root is in the bass."""
RICHER = 0.15
"""What a four-note chord costs for each of its tones not heard (the triad among the tones heard is the simpler
reading). Until session 19 only an unheard seventh cost it, so B, D# and F# read as G#m7 as often as B major (the
Maple Leaf Rag's tonic chords in B)."""
CHANGE = 0.6
"""What changing chord costs, in beats of full evidence: a passing note or two does not change the chord."""
MIN_SOUND = 0.25
"""Share of a beat that must sound (summed over notes) for the beat to have a chord ..."""
MIN_VOICES = 2
"""... and how many notes must sound together at its start or its middle: one line alone (a tune, a bass line)
outlines no chord a musician would name from it."""


FIGURE_LEAPS = 0.7
"""A line is a broken-chord figure when more than this share of its steps from note to note leap (3 semitones or
more) ...  On 40 valid pieces of each source, tunes leap at most 0.66 of the time (POP909; Nottingham 0.55,
OpenEWLD 0.60, the chorales' voices 0.53), while nine in ten of their accompaniments made into Alberti figures or
arpeggios leap more than 0.79 of the time, and Mozart's K545 left hand 0.92 ..."""
FIGURE_PCS = 3.0
"""... and it touches at least this many pitch classes a bar on average (the leaping root-and-fifth bass of a pop
song touches 1.6: it outlines the chord's root, not the chord)."""


FIGURE_TOGETHER = 0.25
"""... and at most this share of its onsets strike several notes or sound over a note still held (by more than
LEGATO): a part whose notes sound together already gives its chords as written. POP909's arpeggiated pianos leap as
much, but 0.88-0.98 of their onsets sound over held notes, and gathering them lost agreement with the annotations
(roots 0.887 against 0.904 on the test split, where 9 of 40 pianos were taken for figures)."""
LEGATO = 60
"""Ticks (a 32nd note) a note may ring into the next one's onset, played legato, without sounding with it."""


def is_broken_chords(notes: Sequence[NoteTuple], meters: Sequence[tuple[int, int, int]], held: bool = False) -> bool:
    """Whether ``notes`` (one part) play a broken-chord figure: one note at a time (FIGURE_TOGETHER), leaping
    (FIGURE_LEAPS) across several pitch classes a bar (FIGURE_PCS). With ``held``, notes that ring on over the next
    ones still count as struck one at a time: an arpeggio under the pedal, a figure over a held bass. Such a part plays
    a figure (its role) but sounds its chords as written (no gathering, ``as_heard``)."""
    if len(notes) < 3:
        return False
    order = sorted(notes, key=lambda n: (n[1], n[0]))
    onsets = np.array([n[1] for n in order])
    rings = np.maximum.accumulate(onsets + np.array([n[2] for n in order]))
    first = np.flatnonzero(np.diff(onsets, prepend=-1))  # the first note at each onset
    together = np.diff(first, append=len(order)) > 1
    if not held:
        together |= (first > 0) & (rings[np.maximum(first - 1, 0)] > onsets[first] + LEGATO)
    if np.count_nonzero(together) > FIGURE_TOGETHER * len(first):
        return False
    pitch = np.array([n[0] for n in order])
    if np.mean(np.abs(np.diff(pitch)) >= 3) <= FIGURE_LEAPS:
        return False
    mm = meter_map_of(meters)
    per_bar: dict[int, set[int]] = {}
    for p, start, _, _ in order:
        per_bar.setdefault(mm.bar_of(start), set()).add(p % 12)
    return sum(len(pcs) for pcs in per_bar.values()) / len(per_bar) >= FIGURE_PCS


def gathered(notes: Sequence[NoteTuple], meters: Sequence[tuple[int, int, int]]) -> tuple[NoteTuple, ...]:
    """``notes`` each sounding through the whole half bar it starts in: the notes of a broken chord taken together,
    as the ear gathers them into the chord they spell.

    An Alberti bass spreads its chord over two beats (Mozart's K545: C G E G in eighths), so holding each note only to
    the end of its beat hears C-G then E-G (E minor); and held from its own onset, a first inversion's bass note B
    sounds alone before its G and D come in (B minor for G/B). Measured against the annotated chords (valid split,
    the accompaniments of 40 POP909 songs and 40 chorales made into Alberti figures a beat and arpeggios a half bar,
    ``heard_eval --figures``): roots 0.49-0.85 where nothing was heard before; holding each note from its onset to
    the end of its beat or of its half bar did about as well (0.003 worse to 0.02 better on POP909, 0.03 worse to 0.10
    better on the chorales, best on the figures that change chord every beat), to the end of the next beat or of the
    bar worse on both: the chord before lingers into the next."""
    if not notes:
        return ()
    slots = slot_grid(meters, max(s + d for _, s, d, _ in notes), "half")
    starts = np.array([s.start for s in slots])
    ends = np.array([s.end for s in slots])
    at = np.maximum(np.searchsorted(starts, [n[1] for n in notes], side="right") - 1, 0)
    return tuple((p, int(starts[i]), int(ends[i] - starts[i]), v) if d > 0 else (p, s, d, v)
                 for (p, s, d, v), i in zip(notes, at))  # a zero-length note (a grace as a file gives it) adds nothing


def as_heard(notes: Sequence[NoteTuple], meters: Sequence[tuple[int, int, int]]) -> tuple[NoteTuple, ...]:
    """One part's notes as the ear takes them for its chords: ``gathered`` when they play a broken-chord figure."""
    return gathered(notes, meters) if is_broken_chords(notes, meters) else tuple(notes)


@lru_cache(maxsize=1)
def templates() -> tuple[np.ndarray, np.ndarray, tuple[str, ...]]:
    """(C, 12) +1/-OUTSIDE templates, (C, 12) root indicators, labels: every root x HEARD_QUALITIES."""
    rows, roots, labels = [], [], []
    for root in range(12):
        for quality in HEARD_QUALITIES:
            row = np.full(12, -OUTSIDE)
            for interval in QUALITIES[quality]:
                row[(root + interval) % 12] = 1.0
            rows.append(row)
            roots.append(np.eye(12)[root])
            labels.append(f"{NAMES[root]}:{quality}")
    return np.array(rows), np.array(roots), tuple(labels)


@lru_cache(maxsize=1)
def _four_note_tones() -> np.ndarray:
    """(C, 12) indicator of each four-note chord's tones (zero rows for triads)."""
    out = np.zeros((12 * len(HEARD_QUALITIES), 12))
    for root in range(12):
        for q, quality in enumerate(HEARD_QUALITIES):
            intervals = QUALITIES[quality]
            if len(intervals) > 3:
                for interval in intervals:
                    out[root * len(HEARD_QUALITIES) + q, (root + interval) % 12] = 1.0
    return out


def evidence(notes: Sequence[NoteTuple], slots: Sequence[Slot]) -> tuple[np.ndarray, np.ndarray]:
    """Per slot: (T, 12) pitch classes weighted by the share of the slot they sound in, and (T, 12) the bass
    (the lowest note sounding in the slot, by its share)."""
    pcs = np.zeros((len(slots), 12))
    bass = np.zeros((len(slots), 12))
    if not slots or not notes:
        return pcs, bass
    starts = np.array([s.start for s in slots])
    ends = np.array([s.end for s in slots])
    pitch = np.array([n[0] for n in notes])
    on = np.array([n[1] for n in notes])
    off = on + np.array([n[2] for n in notes])
    first = np.searchsorted(ends, on, side="right")  # the slots each note sounds in: first .. last - 1
    last = np.maximum(np.searchsorted(starts, off, side="left"), first)
    count = last - first
    note = np.repeat(np.arange(len(notes)), count)  # one row per (note, slot) it sounds in
    slot = np.arange(count.sum()) - np.repeat(np.cumsum(count) - count, count) + np.repeat(first, count)
    share = (np.minimum(ends[slot], off[note]) - np.maximum(starts[slot], on[note])) / (ends[slot] - starts[slot])
    keep = share > 0
    note, slot, share = note[keep], slot[keep], share[keep]
    pc = pitch[note] % 12
    np.add.at(pcs, (slot, pc), share)
    lowest = np.full(len(slots), 128)
    np.minimum.at(lowest, slot, pitch[note])
    low = pitch[note] == lowest[slot]
    np.maximum.at(bass, (slot[low], pc[low]), share[low])
    return pcs, bass


def voices(notes: Sequence[NoteTuple], slots: Sequence[Slot]) -> np.ndarray:
    """Per slot, the most notes sounding together at its start or its middle."""
    starts = np.array([n[1] for n in notes])
    ends = starts + np.array([n[2] for n in notes])
    out = np.zeros(len(slots), dtype=np.int64)
    for probe in (np.array([s.start for s in slots]), np.array([(s.start + s.end) // 2 for s in slots])):
        lo = np.searchsorted(np.sort(starts), probe, side="right")  # notes begun by then ...
        gone = np.searchsorted(np.sort(ends), probe, side="right")  # ... less those ended by then
        out = np.maximum(out, lo - gone)
    return out


def slot_scores(pcs: np.ndarray, bass: np.ndarray) -> np.ndarray:
    """(T, C) how well each chord explains each slot: chord tones heard (each pitch class's weight capped at 1,
    so a doubled note is one tone), other pitch classes, the bass on the root, a four-note chord's unheard tones."""
    heard = np.minimum(pcs, 1.0)
    table, roots, _ = templates()
    four = _four_note_tones()
    unheard = four.sum(axis=1)[None, :] - heard @ four.T
    return heard @ table.T + BASS * (bass @ roots.T) - RICHER * unheard


def decode(scores: np.ndarray) -> np.ndarray:
    """The chord per slot that maximises the summed scores minus CHANGE per change of chord (Viterbi)."""
    t_len, n = scores.shape
    back = np.zeros((t_len, n), dtype=np.int64)
    best = scores[0].copy()
    for t in range(1, t_len):
        stay = best
        leader = int(np.argmax(best))
        move = best[leader] - CHANGE
        back[t] = np.where(stay >= move, np.arange(n), leader)
        best = np.maximum(stay, move) + scores[t]
    path = np.zeros(t_len, dtype=np.int64)
    path[-1] = int(np.argmax(best))
    for t in range(t_len - 1, 0, -1):
        path[t - 1] = back[t, path[t]]
    return path


def heard_chords(notes: Sequence[NoteTuple], meters: Sequence[tuple[int, int, int]],
                 end: int | None = None) -> tuple[ChordSpan, ...]:
    """Chord spans (start, duration, Harte label with sharps) heard in ``notes`` (pitch, start, duration, velocity),
    beat by beat under ``meters`` up to ``end`` (default: where the last note ends); spans of one chord merged,
    none where (almost) nothing sounds."""
    if not notes:
        return ()
    stop = max(s + d for _, s, d, _ in notes) if end is None else end
    slots = slot_grid(meters, stop, "beat")
    pcs, bass = evidence(notes, slots)
    sounding = (pcs.sum(axis=1) >= MIN_SOUND) & (voices(notes, slots) >= MIN_VOICES)
    if not sounding.any():
        return ()
    labels = templates()[2]
    out: list[list] = []
    # each stretch of sounding beats is decoded on its own: a chord does not carry across a silence
    t = 0
    while t < len(slots):
        if not sounding[t]:
            t += 1
            continue
        u = t
        while u < len(slots) and sounding[u]:
            u += 1
        path = decode(slot_scores(pcs[t:u], bass[t:u]))
        for slot, c in zip(slots[t:u], path):
            label = labels[int(c)]
            if out and out[-1][2] == label and out[-1][0] + out[-1][1] == slot.start:
                out[-1][1] += slot.end - slot.start
            else:
                out.append([slot.start, slot.end - slot.start, label])
        t = u
    return tuple((s, d, lab) for s, d, lab in out)


def uncovered(start: int, end: int, spans: Sequence[tuple[int, int]]) -> list[tuple[int, int]]:
    """The parts of [start, end) outside every span (start, end) of the sorted ``spans``."""
    out, at = [], start
    for a, b in spans:
        if b <= at or a >= end:
            continue
        if a > at:
            out.append((at, a))
        at = max(at, b)
    if at < end:
        out.append((at, end))
    return out


def chords_outside(chords: Sequence[tuple[int, int, str]], spans: Sequence[tuple[int, int]]
                   ) -> tuple[tuple[int, int, str], ...]:
    """The parts of ``chords`` (start, duration, label) outside every span (start, end) of the sorted ``spans``: what
    stays of a request's chords where others are put in."""
    return tuple((lo, hi - lo, label) for s, d, label in chords for lo, hi in uncovered(s, s + d, spans))
