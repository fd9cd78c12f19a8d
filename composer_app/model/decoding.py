"""The sampling loop behind ContinuationEngine: KV-cached steps over a batch of candidates, constraint masks.

Every step works on the whole batch at once: the state of each candidate lives in arrays (``Batch``), the
bar tables (steps, meter, start tick) are computed once per request, and each constraint is a few array
operations, so the loop's cost stays the network's and not Python's.
"""

from __future__ import annotations

import functools
import math
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import numpy as np

from composer_app.core.pitch import KeySignature
from composer_app.core.timing import PPQ
from composer_app.model import tokens as tk
from composer_app.model.continuation_net import ContinuationNet
from composer_app.model.motif_bias import MotifBias
from composer_app.model.sampling import merge_into, sample

NOTES_PER_BAR_CAP = {"melody": 24, "accompaniment": 48}
CHORD_CAP = 8
"""Most notes an accompaniment candidate stacks on one onset. In the training split 99.85 % of an accompaniment's
onsets hold at most 6 notes and none more than 9; without a cap, a short prompt of whole-note chords let the
network stack 11 notes up to MIDI 127."""
REGISTER_MARGIN = {"melody": 19, "accompaniment": 12}
"""Semitones a candidate may go beyond the lowest and highest notes of the music it sees, when the request sets no
``pitch_range``: an octave and a fifth for a melody, an octave for an accompaniment. In the training split a
melody's next 4 bars went more than 19 beyond the bar before them in 0.06 % of cases (0.02 % beyond 2 bars). An
accompaniment's went more than 12 above the 8 bars before them in 2.1 % and below in 0.04 %; yet on parts unlike
its piano and chorale training (a left hand alone, right-hand chords, a lead-sheet piano) the network writes
both hands' texture, and with 19 a third of its candidates climbed to the limit."""
STACK_ROOM = 2
"""Notes an accompaniment candidate may stack on one onset beyond the fullest onset of the music it sees (and never
more than CHORD_CAP): in the training split the next 4 bars' fullest onset held more than 2 notes more than the
8 bars before them in 1.35 % of cases."""
ONE_AT_A_TIME = 1
"""The stack a part keeps to when the music it sees strikes one note at a time: an Alberti bass or an arpeggio stays
one. With STACK_ROOM there too, the accompaniments of 30 POP909 valid songs made into figures (``heard_eval.broken``)
were continued as figures in 0.39 of the candidates, with 1.23 times the real next bars' notes; kept to one, 0.88
and 0.97 times, their notes on the annotated chords' tones and their pitch classes unchanged (0.674 / 0.759 against
0.675 / 0.756); on the chorales' figures 0.29 to 0.67, 1.58 to 1.33 times (0.541 / 0.674 against 0.532 / 0.669).
Since session 23 also bar by bar: a bar that echoes (``ECHO_REUSE``) a figure (a bar struck one note at a time,
``motif_bias.FIGURE_ONSETS``) keeps to one where the music around has chords too (a gap in an Alberti bass
regenerated before bars of held chords, in a test: 2.8 notes an onset before the fill's echo, 1.0 now)."""
DENSITY_WEIGHT = 2.5
AUTO_DENSITY_BARS = 8
"""Bars before the span whose notes per bar an accompaniment aims at when the request sets no density. Left to
itself the network wrote about twice its part's density on parts unlike its training (1.9 times the notes per
bar of the 4 bars before, median of 26 unseen piano and ensemble parts) and 1.8 times the real next bars' notes
on POP909's valid pianos; aiming at the 8 bars before brought the latter to 1.4 with better overlaps."""
REGISTER_PULL = 4.0
"""Strength (nats) of the pull that keeps a candidate in the register of its part: once the mean
pitch of its notes so far (with REGISTER_PRIOR notes at the part's mean) lies ``m`` semitones above the mean of the
part's last AUTO_DENSITY_BARS bars, a pitch ``k`` semitones above that mean loses REGISTER_PULL * m * k / 144
nats (an octave above, after drifting an octave up: the full pull), and one below gains as much. Without it, the
candidates for POP909's valid-split pianos sat 6.7 semitones (median) above the real next 4 bars, which sit where
the part was; set on that split (4 nats: 2.9 above; 8 nats: 1.8, with a wider spread of pitches than the real
bars'), checked on its test split (4.8 to 2.8; mean distance 6.4 to 4.7 semitones). Melodies do not climb,
but a candidate strays below or above its tune: since session 12 the same pull brings a melody candidate's mean
pitch nearer the real next bars' (mean distance 2.65 to 2.30 semitones on the held-out lead sheets, 2.41 to 2.23 on
the unseen folk tunes) with the overlaps unchanged."""
REGISTER_PRIOR = 4.0
"""Notes at the part's mean register that a candidate's mean pitch starts from (``REGISTER_PULL``)."""
REGISTER_NOTES = 16
"""The part's last notes that give its register when it rests through the AUTO_DENSITY_BARS bars before the span."""
MELODY_REGISTER = (60, 86)
"""Pitches in the reference key (C major, A minor) a melody keeps to when its part has no notes to take a register
from (a melody written over chords into an empty track) and the request sets no range: about the middle 95 % of
the training melodies' notes (5th to 95th percentile 62-84 on 360 melodies of three sources)."""
MELODY_CENTRE = 72.0
"""The register (reference key) such a melody is pulled to (``REGISTER_PULL``): the training melodies' mean pitch
is 74 in the folk tunes and the pop songs, 68 in the lead sheets (medians over the tunes)."""
CONTOUR_START = 7
"""Semitones a contour-keeping variation's first note may lie from the original's first note. The contour rule
leaves the first note free, and a quarter of the candidates on the held-out and unseen tunes began more than a
fifth away (one in twelve an octave or more), so the whole line sat in another register."""
SIDE_BARS = 8
"""Bars of music before and after a gap that a fill sees (``eval infill``: 8 bars before did better than 16)."""
RHYTHM_REUSE = 0.7
"""Logit bonus (nats) of the prompt's onset positions in the bar, at ``request.reuse`` 1 (see motif_bias)."""
STEP_REUSE = 1.0
"""Logit bonus (nats) of the melodic steps that followed the same step in the prompt, at ``request.reuse`` 1."""
ECHO_REUSE = 1.5
"""Logit bonus (nats) of the onsets of the prompt bar a phrase earlier, at ``request.reuse`` 1. Since session 23 a
fill's too (the bar a phrase before its gap, or after it where nothing comes before; see ``MotifBias``), and an
accompaniment's onset gets it only until it holds as many notes as the echoed bar's did there."""
ECHO_OSTINATO = 4.0
"""Factor on the echo's bonuses (``ECHO_REUSE``, ``ECHO_DUR_REUSE``) for a line whose bars before the span repeat one
rhythm (``_rhythm_regularity`` 1; in between, in proportion): a riff keeps its rhythm. A syncopated one-bar riff in
sixteenths (onsets at 0, 3, 6, 10 and 12 sixteenths, 5 notes a bar), drawn for 4 bars and continued through the
adapter (seeds 0-3), came back with 10.3 notes a bar, its onsets 0.43 like the riff's; with the factor 4, 6.6 notes
and 0.79 (with ``ECHO_SHIFT`` too, 5.6 and 0.88). Set on the valid split's lead sheets (seeds 0-3): onsets against
the real next bars 0.812 to 0.819 (factor 3: 0.818), first card 0.821 to 0.826, pitch classes 0.711 to 0.710, notes
per bar 4.66 to 4.56 (real 4.39), copied bars 0.246 to 0.264 (real 0.221). Not for an accompaniment, whose patterns
nearly always repeat: there it moved its figures both ways (POP909 and the chorales' valid parts)."""
ECHO_SHIFT = 4.0
"""Logit bonus (nats, times ``_rhythm_regularity``) of a line staying in its bar while the bar it echoes has an
onset still to come after the candidate's last one, and of moving on to the next bar once it has none: the echo
favours the riff's onsets (``ECHO_OSTINATO``), this keeps a candidate from adding notes between and after them.
The syncopated sixteenth riff drawn for 2 bars kept 0.52 of its onsets with 8.9 notes a bar (it has 5); with this,
0.73 and 7.0 (drawn for 4 bars: 0.79 to 0.88, 6.6 to 5.6 notes). Neutral on the valid lead sheets (seeds 0-3:
onsets 0.819 both, first card 0.826 and 0.825, pitch classes 0.710 and 0.710, copied bars 0.264 to 0.271)."""
ECHO_DUR_REUSE = 2.0
"""Logit bonus (nats) of the duration the prompt bar a phrase earlier has at a candidate's onset, at
``request.reuse`` 1: the bar's rhythm comes back with new pitches. Until session 6 the echo favoured that bar's
pitches instead (1.5 nats); moving it to the durations brought the onsets closer to the real next bars' on both
tuning sets (valid 0.804 to 0.815, O'Neill's and Ryan's 0.808 to 0.825) with fewer copied bars."""
ECHO_CADENCE = 0.5
"""Share of a bar that the longest note of the bar a phrase's last bar echoes must fill for the duration echo to
stay on in that bar (``phrase_end``): a bar that holds a note so long is a cadence of the prompt's own, and the
new phrase ends as it did, with its pickup if it had one; otherwise the last bar's durations are left to the hold
(``PHRASE_END_HOLD``), since echoing a bar that runs on (even quarter notes) would leave the phrase unended. Lines
only: an accompaniment's last bar is left to the hold (its first card moved by -0.001 to -0.004 with it). Session
26, on the two tuning sets (seeds 0-3, the first card's onsets, the last bar's onsets and room, real in brackets):
valid 0.825 to 0.829, 3.90 / 0.47 to 3.97 / 0.42 (3.81 / 0.43); O'Neill's and Ryan's 0.841 to 0.848, 3.17 / 0.51
to 2.97 / 0.50 (3.22 / 0.50). The echo on in every last bar gained as much or more but ended a phrase of even
quarter notes with four more quarters (onsets 4.0, room 0.25, as without the ending); the plain echo there (without
``ECHO_OSTINATO``) gained about half as much, with 3.96 onsets on that phrase."""
PROFILE_REUSE = 8.0
"""Weight (nats per share) of the bonus that keeps a candidate's pitch classes in the prompt's proportions
(``MotifBias.profile_bonus``), at ``request.reuse`` 1. Since session 17 also an accompaniment's: a 12-bar blues
piano (F7, Bb7, C7) was continued with plain F major triads, none of the prompt's E-flats and A-flats; on the
valid splits' accompaniments the candidates' pitch classes came closer to the real next bars' (POP909 0.679 to
0.744, the chorales' lower voices 0.680 to 0.715; 4 nats: 0.720 on POP909, 12: 0.749)."""
SHADOW_FREE_BARS = 1
"""Bars a candidate may share with an earlier one (a common opening) before it samples hotter (``SHADOW_HEAT``).
From its first note such a candidate gets no echo bonus, so that not every candidate repeats the prompt."""
SHADOW_HEAT = 1.5
"""Temperature factor (on at least 1) for a candidate still repeating an earlier one after SHADOW_FREE_BARS."""
PHRASE_END_HOLD = 2.0
"""Logit bonus (nats) of the durations that hold a note of the last requested bar to its barline, in a
continuation that ends the phrase (``request.phrase_end``): the last bar gets fewer notes and a held one, as a
real tune's phrase does. Set on two tuning sets, bars counted from a tune's first full bar: the valid split
(3.90 notes in that bar and room 0.46 after its last onset, real 3.94 and 0.43; 4.5 and 0.31 without) and
O'Neill's and Ryan's tunes of the valid split, which no shipped model trained on (3.28 and 0.49, real 3.22 and
0.50). 3 nats, session 5's value from bars counted from the first note, left too few notes in both."""
END_TONIC = 3.0
"""Logit bonus (nats) of the tonic's pitches in the last bar of a fill that the music ends with (the tune's last
bars regenerated): that bar centres on the tonic, 0.70 of its notes in the valid split's lead sheets, and the last
note is the tonic in 0.87 of them, where the fills ended on it in 0.34 (2 nats: 0.54, 3: 0.65, 4: 0.79 with 0.77
of the bar's notes on the tonic, more than the real bars). An accompaniment's bonus goes to the tonic triad: on the
tonic alone its final chords came out as bare tonics."""
ANSWER_TONIC = 2.0
"""Logit bonus (nats) of the tonic's pitches in the last bar of a tune's continuation that ends the phrase, from the
onset position on where the bar it echoes (a phrase earlier) held its longest note, when that note is not the
tonic: a phrase that answers one that ended open (a half cadence) closes, as a period does. After such a prompt
phrase the real next phrases end on the tonic (their last bar's longest note) far more often than the first card
did: O'Neill's and Ryan's valid tunes 0.48 against 0.28, unseen folk tunes 0.34 against 0.20, the test split 0.39
against 0.21 (the valid split's lead sheets 0.17 against 0.11). Set on the two tuning sets: 2 nats gives 0.40 and
0.23 (3 nats 0.46 and 0.28, overshooting on the valid split; on the whole last bar 1.5 nats cost the wider unseen
set 0.007 of its pitch-class overlap), 0.44 and 0.26 with ``ANSWER_AWAY``. The overlaps with the real next bars
move by less than the seeds' spread."""
ANSWER_AWAY = 2.0
"""Logit cost (nats) of the pitch class of that held note, in the same notes: the first card ended its phrase on the
question's own closing note about twice as often as the real next phrases do (valid split 0.53 against 0.32,
O'Neill's and Ryan's 0.36 against 0.04, unseen folk tunes 0.28 against 0.13, the test split 0.42 against 0.20).
With 2 nats 0.38 and 0.19 on the two tuning sets (1 nat: 0.43 and 0.24), with ``ANSWER_TONIC``."""
JOIN_LEAP = 8.0
"""Logit cost (nats) of a melody fill's pitch, in the last JOIN_BEATS quarter notes of its gap, per octave that it
lies beyond a fifth (JOIN_WITHIN) from the first note after the gap: the fill leads into the music that follows. The
network sees that note, yet the fills' last notes leapt more than a fifth into it in 0.21 of the valid split's
lead sheets (``eval infill``: 2 bars in the middle of each, seeds 0-1; the real music 0.11). Set there: 2, 4 and 8
nats gave 0.16, 0.14 and 0.11 (8 over the last beat only 0.13); pitch classes and onsets against the hidden bars
unchanged (0.516 / 0.711, 0.514 / 0.711 at 8)."""
JOIN_BEATS = 2
JOIN_WITHIN = 7
SILENT_BARS = 1
"""Requested bars in a row a candidate may leave without a note where its part never did so (``_longest_rest``):
one bar's breath or held note, never most of the span. On music with more parts (quartets, songs) about one
candidate in 450 went from its prompt to the last requested bar in one leap, 3 of 4 bars empty, and ended. Since
session 25 a continuation keeps to it even where its part rested longer (a fill still may, as its part does): a
pop song's melody, continued after its end, rests for its interludes, and 2-4 % of the candidates (the first card
of 1-3 in 120) left 2 or 3 of the 4 bars asked for empty. Inside POP909 songs, at points whose melody had rested 2
bars or more (205 points of the held-out and valid lead sheets, seeds 0-1), the candidates came a little closer to
the real next bars with the limit than without (pitch classes 0.712 to 0.715, onsets 0.761 to 0.764; 1.6 % of
them had left 2 bars or more empty, the real bars 11 %)."""
BASS_ROOT = 6.0
"""Logit bonus (nats) of the chord's root for a bass line's note (``request.role`` "bass"), where a chord is known at
its onset. The network learnt lines as tunes: a bass line continued as a melody put 0.26 of its notes on the root
and 0.65 on chord tones, where real bass lines have 0.74 and 0.98 (POP909's valid songs, the piano's lowest note
each beat as the bass track) or 0.44 and 0.74 (the chorales' bass voices, functional analyses). Set with
``BASS_TONE`` on both valid splits by the overlap of the candidates' pitch classes with the real next bars' (0, 2
and 1, 4 and 2, 6 and 3, 8 and 4 nats: POP909 0.545, 0.574, 0.585, 0.599, 0.602; chorales 0.626, -, 0.649, 0.637,
0.628); at 6 and 3 the candidates' roots and chord tones come nearest the real lines' on both (0.56 / 0.89 and
0.43 / 0.79; measured before bass lines also aimed at their density, ``_part_density``)."""
BASS_TONE = 3.0
"""Logit bonus (nats) of the chord's other tones for a bass line's note."""
NO_CLUSTER = 1
"""Semitones above the last note of an onset that the next note struck with it may not take: a chord goes upwards,
without a minor second between neighbours. The accompaniment candidates had one in 1.5 % of their chords on
POP909's valid pianos and 1.3 % on the chorales' lower voices, where the real parts have 0.8 % and none (a B
major rag continued with G and G# struck together)."""
_DUR_STEPS = np.asarray(tk.DUR_STEPS)
_POSITIONS = np.arange(tk.NUM_POS)
_PITCHES = np.arange(128)
_STEPS_PER_BEAT = PPQ // tk.GRID
_HASH_MUL = np.uint64(1_000_003)
_FIELD_MIX = np.array([1, 257, 257 ** 2], np.int64)
"""Mixes a row's shift, position and pitch (each < 257) into one code for ``Batch.sig``."""
Finish = Callable[[int, np.ndarray, list[int], float], None]
"""Called once per candidate as it ends: index, its rows (notes, T x NUM_FIELDS), their bars, log-probability."""


@dataclass
class Batch:
    """Per-candidate decoding state: the last note (bar, grid position, pitch; -1 before any note), notes in
    the current bar, whether the last requested bar has a note, the score and the sampled rows so far.

    Finished candidates stay in the batch (the network runs on all of them) but their rows stop growing;
    ``rows`` has one spare slot per candidate that their later, discarded rows are written to."""

    bar: np.ndarray
    pos: np.ndarray
    pitch: np.ndarray
    count: np.ndarray
    has_last: np.ndarray
    active: np.ndarray
    logp: np.ndarray
    rows: np.ndarray
    bars: np.ndarray
    length: np.ndarray
    sig: np.ndarray
    """A running hash of each candidate's notes so far (onsets and pitches): equal hashes, equal notes."""
    pcs: np.ndarray
    """(B, 12) each candidate's notes so far by pitch class."""
    stack: np.ndarray
    """(B,) how many notes each candidate has on its last onset."""
    pitch_sum: np.ndarray
    """(B,) the sum of each candidate's pitches so far (its mean pitch for the register pull)."""

    @classmethod
    def start(cls, n: int, last_row: np.ndarray, bar: int, max_notes: int) -> Batch:
        """``n`` candidates that follow ``last_row`` (a note or BOS) in ``bar``."""
        bos = last_row[tk.SHIFT] >= tk.BOS  # BOS or the MIDDLE marker of a fill: no note before
        return cls(np.full(n, bar), np.full(n, -1 if bos else int(last_row[tk.POS])),
                   np.full(n, -1 if bos else int(last_row[tk.PITCH])), np.zeros(n, np.int64), np.zeros(n, bool),
                   np.ones(n, bool), np.zeros(n), np.zeros((n, max_notes + 1, tk.NUM_FIELDS), np.int64),
                   np.zeros((n, max_notes + 1), np.int64), np.zeros(n, np.int64), np.zeros(n, np.uint64),
                   np.zeros((n, 12)), np.full(n, 0 if bos else 1), np.zeros(n, np.int64))

    def append(self, new: np.ndarray, bar: np.ndarray, last_bar: int, sign: bool = True) -> None:
        """Add the rows ``new`` (in bars ``bar``) and move every candidate's state on (a finished candidate's
        state no longer matters: its samples are discarded). ``sign`` False leaves ``sig`` as it is (once no
        candidate repeats another, nobody asks for twins again)."""
        every = np.arange(len(new))
        self.rows[every, self.length] = new
        self.bars[every, self.length] = bar
        self.pcs[every, new[:, tk.PITCH] % 12] += 1
        self.pitch_sum += new[:, tk.PITCH]
        if sign:
            code = (new[:, :tk.DUR] * _FIELD_MIX).sum(axis=1).astype(np.uint64)
            self.sig = np.where(self.active, self.sig * _HASH_MUL + code, self.sig)
        self.length += self.active
        self.count = np.where(new[:, tk.SHIFT] > 0, 1, self.count + 1)
        self.stack = np.where((new[:, tk.SHIFT] == 0) & (new[:, tk.POS] == self.pos), self.stack + 1, 1)
        self.bar, self.pos, self.pitch = bar, new[:, tk.POS], new[:, tk.PITCH]
        self.has_last |= bar == last_bar

    def twins(self) -> np.ndarray:
        """(B,) for each candidate the first earlier candidate with the same notes so far, else -1."""
        same = self.sig[:, None] == self.sig[None, :]
        same &= _earlier(len(self.sig))
        return np.where(np.logical_or.reduce(same, axis=1), same.argmax(axis=1), -1)

    def notes(self, i: int) -> tuple[np.ndarray, list[int]]:
        """Candidate ``i``'s rows and their bars."""
        k = int(self.length[i])
        return self.rows[i, :k], self.bars[i, :k].tolist()


@functools.lru_cache(maxsize=16)
def _earlier(n: int) -> np.ndarray:
    """(n, n) True where the column is an earlier candidate than the row."""
    return np.tri(n, k=-1, dtype=bool)


class Decoder:
    """Samples ``request.candidates`` note-row sequences that fill bars start_bar..start_bar+bars-1.

    A continuation sees the ``prompt`` (notes before the span); a fill (``after`` given) also sees the music
    after the span, ordered before, FILL, after, MIDDLE as in training; ``original`` (the span's own notes) makes
    a variation that keeps their rhythm (``request.keep == "rhythm"``) or their contour ("contour")."""

    def __init__(self, net: ContinuationNet, request: Any, key: KeySignature, grid: tk.BarGrid, start_bar: int,
                 prompt: tuple, bars: int | None = None, after: tuple = (), original: tuple = ()) -> None:
        self.net, self.req, self.grid = net, request, grid
        self.n = request.candidates
        self._no_twins = np.full(self.n, -1)
        bars = bars or request.bars
        self.first_bar, self.last_bar = start_bar, start_bar + bars - 1
        self.fill = getattr(request, "mode", "continue") != "continue"
        self.keep = getattr(request, "keep", None) if original else None
        ends = not self.fill or not (after or self.keep)  # a continuation, or a fill that the music ends with
        self.hold = PHRASE_END_HOLD if ends and getattr(request, "phrase_end", False) else 0.0
        self.role = "accompaniment" if request.role == "accompaniment" else "melody"
        """The network's role: a bass line is sampled as a line (the melody role), leaning on the chords' roots."""
        self.key = key
        self.t = tk.reference_shift(key)
        self.reference = KeySignature(0, 9 if key.mode == "minor" else 0, key.mode)
        """The key as the rows have it, moved to C major or A minor."""
        self.track = tk.ChordTrack(request.chords, self.t)
        self.ids = (tk.MODES.index(key.mode), tk.STYLES.index(request.style), tk.ROLES.index(self.role))
        self.id_columns = [np.full(self.n, x) for x in self.ids]
        heard = self._heard(prompt)
        around = heard + tuple(after) + tuple(original)
        self.pitch_ok = self._pitch_mask(around)
        fullest = _fullest_onset(around)
        self.stack_cap = ONE_AT_A_TIME if fullest == 1 else min(CHORD_CAP, fullest + STACK_ROOM)
        """Notes a candidate may stack on one onset: STACK_ROOM more than the music it sees, but a part that strikes one
        note at a time (a broken-chord figure) keeps to one (``ONE_AT_A_TIME``)."""
        self.density = request.density if request.density is not None else self._part_density(heard, start_bar)
        self.higher_ok = np.append(np.logical_or.accumulate(self.pitch_ok[::-1])[::-1], [False, False])
        """``higher_ok[p + 1]``: some allowed pitch lies above ``p`` (p = -1 before any note); ``higher_ok[p + 2]``:
        one lies above ``p + 1`` (a chord's next note, a semitone's room left: ``NO_CLUSTER``)."""
        self.rng = np.random.default_rng(request.seed)
        self.max_notes = NOTES_PER_BAR_CAP[self.role] * bars
        self.rows, self.bars = self._fill_context(prompt, after) if self.fill and after else self._context(heard)
        if self.fill:
            self.max_notes = max(1, min(self.max_notes, net.max_len - len(self.rows) - 1))
        rest = max(self._longest_rest(heard), self._longest_rest(tuple(after)))  # a fill's gap is not a rest
        self.silent_bars = max(SILENT_BARS, rest) if self.fill and not self.keep else SILENT_BARS
        """Requested bars in a row a candidate may leave without a note: a fill as many as its part rests (a variation
        follows its original; a continuation, since session 25, SILENT_BARS however long its part rested)."""
        self.may_fade = rest > 0
        """Whether a fill may leave its last bar silent: only where its part itself rests a whole bar between notes.
        In a tune that never does, a fill that stopped a bar early left a bar of silence before the music after the
        gap came back (one Greensleeves fill of bars 13-14 in two)."""
        self.resume = max(self.bars[-1], self.first_bar - tk.MAX_SHIFT)
        """The bar the first sampled shift counts from: the context's last bar, or MAX_SHIFT bars before the span
        where the part rests longer (a melody coming back after an interlude: training shortens such rests to
        MAX_SHIFT bars too, so the network hears the music before the rest and its first note in the span's first
        bar). Until session 12 such a context was dropped and the candidates knew nothing of the part."""
        self._bar_tables()
        self._keep_off_the_barline(heard)
        self.original = self._original_rows(original)
        self.room = self._contour_room(original) if self.keep == "contour" else None
        """A contour-keeping variation's shortest gap between the original's onsets (its last note's to the span's
        end included), the span's end tick and the original's onsets left after each note: each onset still to
        come keeps that much room (``_latest``)."""
        self.step = 0
        self.buffers: Any = None
        """The network's cache buffers while ``run`` holds them."""
        self.apart = False
        """Whether every candidate already differs from every other: notes that differ once always differ (the
        active candidates all have the same length), so the repeat checks stop there."""
        self.must_change = self._changes(request)
        reuse = float(getattr(request, "reuse", 1.0))
        regular = self._rhythm_regularity() if self.role != "accompaniment" else 0.0
        echo = reuse * (1.0 + (ECHO_OSTINATO - 1.0) * regular)
        self.shift_echo = 0.0 if self.keep else ECHO_SHIFT * regular * reuse
        """Logit bonus of staying in the bar while the echoed bar has an onset still to come, and of moving on once
        it has none (``ECHO_SHIFT``)."""
        self.bias = MotifBias(self.rows, self.bars, RHYTHM_REUSE * reuse, STEP_REUSE * reuse, self.role == "melody",
                              0.0 if self.keep else ECHO_REUSE * echo, PROFILE_REUSE * reuse, ECHO_DUR_REUSE * echo,
                              gap=(self.first_bar, self.last_bar) if self.fill else None)
        self.bias.prepare(self.first_bar, self.last_bar)
        self.echo_row_of = self.bias.echo_rows(np.arange(self.bar0, self.last_bar + 1))
        """The echo tables' row for each bar a candidate can be in (row ``bar - bar0``); None without an echo."""
        self.cadence_echo = self._echoes_a_cadence()
        """Whether the phrase's last bar keeps the duration echo (``ECHO_CADENCE``)."""
        self.ending = (0, self._end_tonic()) if self.fill and self.hold else self._answer()
        """The pitch bonuses of the last bar's notes from a grid position on: the whole bar of a fill that the music
        ends with (``END_TONIC``), or a tune's phrase answering one of the prompt's that ended away from the tonic
        (``_answer``); None otherwise."""
        notes = [int(r[tk.PITCH]) for r in self.rows if int(r[tk.SHIFT]) <= tk.MAX_SHIFT]
        recent = [int(r[tk.PITCH]) for r, bar in zip(self.rows, self.bars)
                  if int(r[tk.SHIFT]) <= tk.MAX_SHIFT and bar >= self.first_bar - AUTO_DENSITY_BARS]
        recent = recent or notes[-REGISTER_NOTES:]
        pulled = recent and not self.keep and request.pitch_range is None
        contour = self.keep == "contour" and request.pitch_range is None
        alone = request.role == "melody" and not notes and not self.keep and request.pitch_range is None
        self.centre = (float(np.mean(self.original[0][:, tk.PITCH])) if contour
                       else float(np.mean(recent)) if pulled else MELODY_CENTRE if alone else None)
        """The part's mean pitch (reference key) over the bars before the span (a fill's both sides; its last
        REGISTER_NOTES notes when it rests there): the register ``_register_pull`` keeps the candidates in. For a
        contour-keeping variation, whose intervals are free and drift, the original's mean pitch; for a melody whose
        part has no notes yet, MELODY_CENTRE; None for the other variations and a request with a pitch range (the
        musician chose the register)."""
        self._from_centre = None if self.centre is None else _PITCHES - self.centre
        self.bass = _bass_bonus() if request.role == "bass" else None
        """(chord ids, 128) the pitch bonus of a bass line's notes on the chord sounding at their onset (``BASS_ROOT``,
        ``BASS_TONE``); None for other parts."""
        self.before = np.full(self.n, notes[-2] if len(notes) > 1 else -1)
        """Each candidate's pitch before its last one (-1 when there is none): the step the pitch bonus follows."""
        self.join = self._join(after) if self.fill and after and not self.keep and request.role == "melody" else None
        """(128,) the JOIN_LEAP cost of each pitch in a melody fill's last beats; None for other requests."""

    # --- setup -------------------------------------------------------------------------------
    def _join(self, after: tuple) -> np.ndarray | None:
        """JOIN_LEAP's cost of each pitch (reference key) against the first note after a fill's gap (its lowest
        where several start together); None when that note lies outside the key's pitch range."""
        first = min(after, key=lambda n: (n[1], n[0]))[0] + self.t
        if not 0 <= first < 128:
            return None
        return -JOIN_LEAP / 12.0 * np.maximum(np.abs(_PITCHES - first) - JOIN_WITHIN, 0)

    def _heard(self, prompt: tuple) -> tuple:
        """The prompt's notes the network sees, in time order: the last of them when there are too many."""
        return tuple(sorted(prompt, key=lambda n: (n[1], n[0]))[-int(self.net.max_len * 3 // 4):])

    def _part_density(self, heard: tuple, start_bar: int) -> float | None:
        """An accompaniment's or a bass line's notes per bar over the AUTO_DENSITY_BARS bars before the span (from its
        first note when it starts later; up to its last note's bar when it rests through them): its density when the
        request sets none. None for a melody, whose density the network already keeps (5.15 notes per bar against the
        real 5.00 held-out), and for a variation. A bass line sampled as a line had more than twice the real next
        bars' notes in 0.10 of the candidates on POP909's valid songs, with it 0.05."""
        if self.req.role == "melody" or self.keep or not heard:  # a variation follows its original instead
            return None
        first = self.grid.locate(int(min(n[1] for n in heard)))[0]
        for end in (start_bar, self.grid.locate(int(max(n[1] for n in heard)))[0] + 1):
            lo = max(end - AUTO_DENSITY_BARS, first)
            a, b = self.grid.start(lo), self.grid.start(end)
            count = sum(1 for n in heard if a <= n[1] < b)
            if count and end > lo:
                return max(1.0, count / (end - lo))
        return None

    def _keep_off_the_barline(self, heard: tuple) -> None:
        """In a bar of a meter the network has no token for (``tk.METER_OTHER``: a strain's pickup written as a bar of
        1/8, a bar of 7/8), a line's notes start at least the part's shortest gap between onsets before the barline.
        The network does not know how short such a bar is: in a 1/8 pickup bar it stayed after the bar's first note
        and, with only the bar's last steps left, squeezed in a note of a 32nd-note triplet. Not for a variation, whose
        notes follow its original's."""
        other = self.meter_of == tk.METER_OTHER
        if self.role == "accompaniment" or self.keep or not other.any():
            return
        onsets = np.unique([n[1] for n in heard])
        if len(onsets) < 2:
            return
        gap = max(1, int(np.diff(onsets).min()) // tk.GRID)
        self.last_pos_of = np.where(other, np.maximum(self.steps_of - gap, 0), self.last_pos_of)
        self.in_bar_of = _POSITIONS <= self.last_pos_of[:, None]

    def _echoes_a_cadence(self) -> bool:
        """Whether the bar that a line's last bar echoes, where the phrase ends there, holds a note for ECHO_CADENCE
        of a bar or more."""
        if not self.hold or self.role == "accompaniment":
            return False
        held = self.bias.longest_echoed(self.last_bar)
        return held is not None and held[0] >= ECHO_CADENCE * int(self.steps_of[self.last_bar - self.bar0])

    def _answer(self) -> tuple[int, np.ndarray] | None:
        """For a tune's continuation that ends the phrase, where the bar its last bar echoes (a phrase earlier) held
        its longest note away from the tonic (a phrase that ended open): that note's onset position and the pitch
        bonuses from there on, the tonic's (``ANSWER_TONIC``) and the cost of that note's pitch class
        (``ANSWER_AWAY``); else None."""
        if not (ANSWER_TONIC or ANSWER_AWAY) or self.fill or not self.hold or self.req.role != "melody":
            return None
        held = self.bias.longest_echoed(self.last_bar)
        if held is None or held[1] % 12 == self.reference.tonic % 12:
            return None
        bonus = self._end_tonic(ANSWER_TONIC)
        bonus[np.arange(128) % 12 == held[1] % 12] -= ANSWER_AWAY
        return held[2], bonus

    def _rhythm_regularity(self) -> float:
        """How much the bars before the span repeat one rhythm: the mean Jaccard likeness of the onset positions of
        each of the last 4 bars with a note to those of the bar with a note before it (1: a riff, an ostinato)."""
        onsets: dict[int, set] = {}
        for r, bar in zip(self.rows, self.bars):
            if int(r[tk.SHIFT]) <= tk.MAX_SHIFT and bar < self.first_bar:
                onsets.setdefault(bar, set()).add(int(r[tk.POS]))
        bars = sorted(onsets)[-5:]
        pairs = [(onsets[a], onsets[b]) for a, b in zip(bars, bars[1:])]
        return float(np.mean([len(x & y) / len(x | y) for x, y in pairs])) if pairs else 0.0

    def _longest_rest(self, notes: tuple) -> int:
        """The most bars in a row without an onset between the first and the last of ``notes`` (the rests before
        or after them do not count)."""
        bars = sorted({self.grid.locate(int(n[1]))[0] for n in notes})
        return max((b - a - 1 for a, b in zip(bars, bars[1:])), default=0)

    def _pitch_mask(self, around: tuple) -> np.ndarray:
        """Allowed pitches in the reference key: the request's range, else REGISTER_MARGIN around the pitches of
        the notes ``around`` (no limit without any), and key lock (dropped if it leaves nothing)."""
        real = np.arange(128) - self.t
        ok = (real >= 0) & (real <= 127)
        if self.req.pitch_range is not None:
            lo, hi = self.req.pitch_range
            ok &= (real >= lo) & (real <= hi)
        elif around:
            pitches = [int(n[0]) for n in around]
            margin = REGISTER_MARGIN[self.role]
            ok &= (real >= min(pitches) - margin) & (real <= max(pitches) + margin)
        elif self.role == "melody":
            ok &= (_PITCHES >= MELODY_REGISTER[0]) & (_PITCHES <= MELODY_REGISTER[1])
        if self.req.key_lock:
            locked = ok & np.isin(np.arange(128) % 12, list(self.reference.lock_scale))
            ok = locked if locked.any() else ok
        return ok

    def _end_tonic(self, weight: float = END_TONIC) -> np.ndarray:
        """(128,) ``END_TONIC`` on a melody's tonic, on an accompaniment's tonic triad (the tonic alone gave bare
        octaves), in the reference key."""
        tonic = self.reference.tonic
        home = [tonic] if self.role == "melody" else [tonic, tonic + (3 if self.key.mode == "minor" else 4), tonic + 7]
        return np.where(np.isin(np.arange(128) % 12, np.asarray(home) % 12), weight, 0.0)

    def _context(self, heard: tuple) -> tuple[list[np.ndarray], list[int]]:
        """Context rows (BOS plus notes, reference key) and the bar of each row, from notes already in time order
        and trimmed to fit the window (``_heard``, or a fill's side)."""
        req = self.req
        notes = list(heard)
        if notes:
            rows, bars = tk.encode_part_with_bars(notes, req.meters, req.chords, self.key, req.style, self.role,
                                                  origin_bar=tk.first_bar(notes, req.meters), eos=False)
            return list(rows), bars
        bos = tk.special_row(tk.BOS, self.grid.meter(self.first_bar), *self.ids,
                             chord=self.track.at(self.grid.start(self.first_bar)))
        return [bos], [self.first_bar]

    def _fill_context(self, prompt: tuple, after: tuple) -> tuple[list[np.ndarray], list[int]]:
        """A fill's context: up to SIDE_BARS bars before the span (BOS, notes), FILL in the bar after the span,
        up to SIDE_BARS bars after it, then MIDDLE in the span's first bar; both markers carry the span's length
        in bars. Each side keeps at most a quarter (after) or three eighths (before) of the window, so the span's
        own notes always have room."""
        req, grid = self.req, self.grid
        end_bar = self.last_bar + 1
        lo, hi = grid.start(max(self.first_bar - SIDE_BARS, 0)), grid.start(end_bar + SIDE_BARS)
        before = sorted((n for n in prompt if n[1] >= lo), key=lambda n: (n[1], n[0]))[-(self.net.max_len * 3 // 8):]
        later = sorted((n for n in after if n[1] < hi), key=lambda n: (n[1], n[0]))[:self.net.max_len // 4]
        rows, bars = self._context(tuple(before))
        gap = min(self.last_bar + 1 - self.first_bar, tk.MAX_GAP_BARS)
        fill = tk.special_row(tk.FILL, grid.meter(end_bar), *self.ids, chord=self.track.at(grid.start(end_bar)))
        fill[tk.POS] = gap
        rows.append(fill)
        bars.append(end_bar)
        if later:
            after_rows, after_bars = tk.encode_part_with_bars(later, req.meters, req.chords, self.key, req.style,
                                                              self.role, origin_bar=end_bar, eos=False)
            rows.extend(after_rows[1:])
            bars.extend(after_bars[1:])
        middle = tk.special_row(tk.MIDDLE, grid.meter(self.first_bar), *self.ids,
                                chord=self.track.at(grid.start(self.first_bar)))
        middle[tk.POS] = gap
        rows.append(middle)
        return rows, [*bars, self.first_bar]

    def _original_rows(self, original: tuple) -> tuple[np.ndarray, np.ndarray] | None:
        """The span's own notes as rows (reference key) and their bars, for a variation; None otherwise."""
        if not self.keep:
            return None
        rows = tk.encode_part(original, self.req.meters, self.req.chords, self.key, self.req.style, self.role,
                              origin_bar=self.first_bar, eos=False)[1:]
        bars = self.first_bar + np.cumsum(rows[:, tk.SHIFT])
        starts = [n[1] for n in sorted(original, key=lambda n: (n[1], n[0]))]
        true_bars = np.array([self.grid.locate(t)[0] for t in starts][:len(rows)])
        bars = true_bars if len(true_bars) == len(bars) else bars
        # a note a few ticks before the span's end is rounded onto the next barline: it keeps to the span's last
        # grid step (a rhythm-keeping variation failed on it)
        over = bars > self.last_bar
        rows[over, tk.POS] = self.grid.steps(self.last_bar) - 1
        return rows, np.minimum(bars, self.last_bar)

    def _changes(self, request: Any) -> np.ndarray | None:
        """For a rhythm-keeping variation, which notes of each candidate get a new pitch (n, notes): each with
        probability ``amount`` (how far), and at least one per candidate, so that no candidate is the original."""
        if self.keep != "rhythm":
            return None
        k = len(self.original[0])
        out = self.rng.random((self.n, k)) < request.amount
        none = ~out.any(axis=1)
        out[np.flatnonzero(none), self.rng.integers(0, k, int(none.sum()))] = True
        return out

    def _bar_tables(self) -> None:
        """Per bar a candidate can be in (the context's last bar on, row ``bar - bar0``): grid steps, meter id,
        start tick, the shifts that land in the requested bars without leaving more than ``silent_bars`` of them
        empty, and those that land past them (EOS included)."""
        self.bar0 = min(self.resume, self.first_bar)
        bars = np.arange(self.bar0, self.last_bar + 1)
        self.steps_of = np.array([self.grid.steps(int(b)) for b in bars])
        self.meter_of = np.array([self.grid.meter(int(b)) for b in bars])
        self.start_of = np.array([self.grid.start(int(b)) for b in bars])
        target = bars[:, None] + np.arange(tk.EOS + 1)
        skipped = target - np.maximum(bars, self.first_bar - 1)[:, None] - 1  # requested bars left empty
        self.shift_ok_of = (target >= self.first_bar) & (target <= self.last_bar) & (skipped <= self.silent_bars)
        self.shift_ok_of[:, tk.EOS] = False
        self.beyond_of = target > self.last_bar
        self.beyond_of[:, tk.EOS] = True
        self.last_pos_of = self.steps_of - 1
        """(bars,) the last grid position a note may start on in each bar (``_keep_off_the_barline``)."""
        self.in_bar_of = _POSITIONS < self.steps_of[:, None]
        """(bars, NUM_POS) whether a note may start on each grid position: inside the bar, up to ``last_pos_of``."""
        ticks = self.start_of[:, None] + _POSITIONS * tk.GRID
        each = getattr(self.req, "chords_each", ())
        self.chord_of = (np.stack([tk.ChordTrack(chords, self.t).at_ticks(ticks) for chords in each]) if each
                         else self.track.at_ticks(ticks))
        """(bars, NUM_POS) the chord id sounding at each grid position of each bar (row ``bar - bar0``); with a chord
        list per candidate (``chords_each``), (candidates, bars, NUM_POS)."""
        self.each = np.arange(len(each)) if each else None
        """Each candidate's row of ``chord_of`` where every candidate has its own chords (None: one table for all)."""

    # --- the loop ----------------------------------------------------------------------------
    def run(self, finish: Finish, cancel: Callable[[], bool] | None = None) -> bool:
        """Sample every candidate (``finish`` as each ends); False when ``cancel()`` said stop between steps."""
        self.buffers = self.net.borrow_buffers()
        try:
            return self._run(finish, cancel)
        finally:
            self.net.return_buffers(self.buffers)

    def _run(self, finish: Finish, cancel: Callable[[], bool] | None) -> bool:
        net, n = self.net, self.n
        cache, h = net.prompt_state(np.stack(self.rows), self.buffers)
        cache = cache.repeat(n, slot="candidates")
        h = np.repeat(h, n, axis=0)
        st = Batch.start(n, self.rows[-1], self.resume, self.max_notes)
        while True:
            if cancel is not None and cancel():
                return False
            last = st.pitch.copy()
            new, nb = self._sample_note(h, st, finish)
            if new is None:
                break
            self.before = last
            st.append(new, nb, self.last_bar, sign=not self.apart)
            done = st.active & ((st.length >= self.max_notes) | self._held_to_the_end(new, st))
            if done.any():
                for i in np.flatnonzero(done):
                    self._end(st, int(i), finish)
            if not np.count_nonzero(st.active):
                break
            if cache.length >= net.max_len:
                cache, h = self._refill(st)
            else:
                h = net.step(new[:, None, :], cache)[:, -1]
        return True

    def _held_to_the_end(self, new: np.ndarray, st: Batch) -> np.ndarray | bool:
        """Melody candidates whose new note, in the last requested bar, sounds to the end of the span: a later
        note could only overlap it, so they end here, without a network step that would only sample their end
        (on the lead sheets no candidate ever placed a note after such a note). Not in a contour-keeping
        variation, which places exactly the original's number of notes."""
        if self.role != "melody" or self.keep:
            return False
        end = new[:, tk.POS] + _DUR_STEPS[new[:, tk.DUR]]
        return st.has_last & (st.bar == self.last_bar) & (end >= self.steps_of[st.bar - self.bar0])

    @staticmethod
    def _end(st: Batch, i: int, finish: Finish) -> None:
        """Finish candidate ``i``."""
        st.active[i] = False
        finish(i, *st.notes(i), float(st.logp[i]))

    def _sample_note(self, h: np.ndarray, st: Batch, finish: Finish) -> tuple[Any, np.ndarray]:
        """Sample one row per candidate, field by field, each head seeing the fields chosen before it.

        Candidates that sample EOS are finished first; returns (None, None) when none is left, else the new
        rows (n, NUM_FIELDS) and their bars."""
        if self.keep == "rhythm":
            return self._sample_pitches(h, st, finish)
        net, req, rng = self.net, self.req, self.rng
        temp, top_p = req.temperature, req.top_p
        if self.keep == "contour":
            temp *= 0.5 + req.amount
        # a candidate whose notes so far are an earlier candidate's (a shadow, of its twin) is pushed apart
        twin = self._no_twins if self.apart else st.twins()
        shadow = twin >= 0
        any_shadow = not self.apart and bool(shadow.any())
        self.apart = not any_shadow
        lead = ~shadow[:, None] if any_shadow else None
        if any_shadow:
            hot = shadow & (st.bar >= self.first_bar + SHADOW_FREE_BARS)
            if hot.any():
                temp = np.where(hot, max(temp, 1.0) * SHADOW_HEAT, temp)
        allowed, logits = self._shift_mask(net.head("shift", h), st)
        later = self._echo_ahead(st) if self.shift_echo else None  # like the echo, not for a shadow
        if later is not None:
            bonus = np.where(later, self.shift_echo, -self.shift_echo)
            logits[:, 0] += bonus * ~shadow if any_shadow else bonus
        s, lp = sample(logits, allowed, rng, temp, top_p)
        if any_shadow:
            self._part_at_the_end(s, lp, twin, st, logits, allowed, temp)
        st.logp += lp * st.active
        eos = s == tk.EOS
        if eos.any():
            for i in np.flatnonzero(st.active & eos):
                self._end(st, int(i), finish)
            if not np.count_nonzero(st.active):
                return None, None
            s[eos] = 0
        nb = st.bar + s
        at = nb - self.bar0
        meter = self.meter_of[at]
        u = h + net.cond("shift", s)
        u += net.cond("meter", meter)
        pos_logits = net.head("pos", u) + self.bias.pos_bonus
        echo_rows = None if self.echo_row_of is None else self.echo_row_of[at]
        echo = self.bias.echo_pos(echo_rows)
        if echo is not None and self.role == "accompaniment":  # the echoed bar's onset takes as many notes as it had
            full = (s == 0) & (st.pos >= 0)
            full &= st.stack >= self.bias.echo_count(echo_rows, np.maximum(st.pos, 0))
            if full.any():
                echo[full, st.pos[full]] = 0.0
        if echo is not None:
            pos_logits += echo * lead if any_shadow else echo
        p, lp = sample(pos_logits, self._pos_mask(s, at, st), rng, temp, top_p)
        chord = self.chord_of[at, p] if self.each is None else self.chord_of[self.each, at, p]
        u += net.cond("pos", p)
        u += net.cond("chord", chord)
        pitch_logits = net.head("pitch", u)
        self.bias.add_pitch_bonus(pitch_logits, st.pitch, self.before)
        profile = self.bias.profile_bonus(st.pcs, st.length)
        if profile is not None:
            pitch_logits += profile
        if self.centre is not None and REGISTER_PULL:
            pitch_logits += self._register_pull(st)
        if self.bass is not None:
            pitch_logits += self.bass[chord]
        in_last = nb.max() == self.last_bar  # some candidate is in the last bar
        if self.ending is not None and in_last:
            closing = (nb == self.last_bar) & (p >= self.ending[0])
            if closing.any():
                pitch_logits += self.ending[1] * closing[:, None]
        if self.join is not None and in_last:
            late = (nb == self.last_bar) & (p >= self.steps_of[at] - JOIN_BEATS * _STEPS_PER_BEAT)
            if late.any():
                pitch_logits += self.join * late[:, None]
        allowed_q = self._pitch_allowed(s, p, st)
        q, lp_q = sample(pitch_logits, allowed_q, rng, temp, top_p)
        if any_shadow:
            tw = np.maximum(twin, 0)
            clash = shadow & st.active[tw] & (nb == self.last_bar) & (s == s[tw]) & (p == p[tw]) & (q == q[tw])
            if clash.any():
                allowed_q[np.arange(self.n), q[tw]] = False
                self._resample(clash & allowed_q.any(axis=1), q, lp_q, pitch_logits, allowed_q, temp)
        u += net.cond("pitch", q)
        dur_logits = net.head("dur", u)
        echo = self.bias.echo_dur(echo_rows, p)
        if echo is not None:
            if self.hold and not self.cadence_echo:  # the phrase's last bar ends with the held note, not with
                echo = echo * (nb != self.last_bar)[:, None]  # the rhythm of a bar that runs on
            dur_logits += echo * lead if any_shadow else echo
        if self.hold and in_last:
            dur_logits += self._hold_bonus(nb, p, at)
        d, lp_d = sample(dur_logits, None, rng, temp, top_p)
        u += net.cond("dur", d)
        v, lp_v = sample(net.head("vel", u), None, rng, temp, top_p)
        st.logp += (lp + lp_q + lp_d + lp_v) * st.active
        return np.array([s, p, q, d, v, chord, meter, *self.id_columns]).T, nb

    def _echo_ahead(self, st: Batch) -> np.ndarray | None:
        """(B,) whether the bar each candidate is in echoes a bar with an onset after the candidate's last one and
        still inside this bar (a short bar, such as a strain's pickup bar, ends before the bar it echoes does); None
        without an echo."""
        if self.echo_row_of is None:
            return None
        at = st.bar - self.bar0
        here = self.bias.echo_pos(self.echo_row_of[at])  # not None where there are echo rows
        return ((here > 0) & (_POSITIONS > st.pos[:, None]) & self.in_bar_of[at]).any(axis=1)

    def _part_at_the_end(self, s: np.ndarray, lp: np.ndarray, twin: np.ndarray, st: Batch, logits: np.ndarray,
                         allowed: np.ndarray, temp: float | np.ndarray) -> None:
        """A shadow may not end with its twin (that would be the same candidate, sampled again later): where
        both chose to end, or the twin already has, the shadow's shift is drawn again without the end, when
        another note still fits. Changes ``s`` and ``lp``."""
        tw = np.maximum(twin, 0)
        clash = (twin >= 0) & st.active & (s == tk.EOS) & (~st.active[tw] | (s[tw] == tk.EOS))
        if clash.any():
            allowed = allowed.copy()
            allowed[:, tk.EOS] = False
            self._resample(clash & allowed.any(axis=1), s, lp, logits, allowed, temp)

    def _resample(self, rows: np.ndarray, idx: np.ndarray, lp: np.ndarray, logits: np.ndarray, allowed: np.ndarray,
                  temp: float | np.ndarray) -> None:
        """Draw ``idx`` and ``lp`` again for the ``rows`` (bool) among ``allowed``, in place."""
        if not rows.any():
            return
        t = temp[rows] if isinstance(temp, np.ndarray) else temp
        idx[rows], lp[rows] = sample(logits[rows], allowed[rows], self.rng, t, self.req.top_p)

    def _shift_mask(self, logits: np.ndarray, st: Batch) -> tuple[np.ndarray, np.ndarray]:
        """Allowed shifts: land inside the requested bars, leaving at most ``silent_bars`` of them empty; 'done'
        (EOS, or any shift past the end, merged into EOS) only once the last bar has a note (a fill: within
        ``silent_bars`` of it, and once its last bar sounds unless ``may_fade``); density bias and cap on staying in
        the bar. Changes ``logits``."""
        at = st.bar - self.bar0
        allowed = self.shift_ok_of[at]
        allowed[:, 0] &= self._room_in_bar(st, at)
        if self.keep == "contour":
            placed = st.length >= len(self.original[0])
            allowed[placed] = False
            target = self.start_of[np.minimum(at[:, None] + np.arange(tk.EOS + 1), len(self.start_of) - 1)]
            target[:, 0] += (st.pos + (self.role == "melody")) * tk.GRID  # the next free onset in the same bar
            in_time = allowed & (target <= self._latest(st)[:, None])
            allowed = np.where(in_time.any(axis=1)[:, None], in_time, allowed)
            allowed[:, tk.EOS] = placed | ~allowed.any(axis=1)
        elif self.fill:  # a fill may end early, leaving no more bars empty than a leap may, and none silent at
            allowed[:, tk.EOS] = (st.length > 0) & (self.last_bar - st.bar <= self.silent_bars)  # its end where its
            if not self.may_fade:  # part never rests a whole bar
                allowed[:, tk.EOS] &= self._sounds_in_last_bar(st)
        else:
            allowed[:, tk.EOS] = st.has_last
        dens = self.density
        if dens is not None:
            allowed[:, 0] &= st.count < math.ceil(1.5 * dens + 1)
            logits[:, 0] += DENSITY_WEIGHT * np.maximum(np.minimum((dens - st.count) / dens, 1.0), -1.0)
            logits[:, 2:tk.EOS] -= DENSITY_WEIGHT / 2
        return allowed, merge_into(logits, tk.EOS, self.beyond_of[at])

    def _sounds_in_last_bar(self, st: Batch) -> np.ndarray:
        """Whether each candidate has a note in the last requested bar, or its last note is held into it."""
        last = st.rows[np.arange(self.n), np.maximum(st.length - 1, 0), tk.DUR]
        end = self.start_of[st.bar - self.bar0] + (st.pos + _DUR_STEPS[last]) * tk.GRID
        return st.has_last | (end > self.start_of[self.last_bar - self.bar0])

    def _register_pull(self, st: Batch) -> np.ndarray:
        """(B, 128) the REGISTER_PULL bonus: a tilt towards the part's register (``centre``), as strong as each
        candidate's mean pitch so far has drifted from it (a finished candidate's sums run on; its samples are
        discarded)."""
        drift = (st.pitch_sum + REGISTER_PRIOR * self.centre) / (st.length + REGISTER_PRIOR) - self.centre
        return (drift * (-REGISTER_PULL / 144.0))[:, None] * self._from_centre

    def _hold_bonus(self, nb: np.ndarray, p: np.ndarray, at: np.ndarray) -> np.ndarray:
        """Duration bonus (n, durations) of a phrase ending: for notes in the last bar, every duration that
        reaches its barline from the note's position ``p``."""
        reach = (p[:, None] + _DUR_STEPS[None, :]) >= self.steps_of[at][:, None]
        return self.hold * (reach & (nb == self.last_bar)[:, None])

    def _room_in_bar(self, st: Batch, at: np.ndarray) -> np.ndarray:
        """Whether another note fits after each candidate's last one in the same bar (table rows ``at``; for an
        accompaniment, a higher pitch at the same onset counts)."""
        later = st.pos < self.last_pos_of[at]
        if self.role == "accompaniment":
            later |= self._may_stack(st)
        return (st.bar >= self.first_bar) & later

    def _may_stack(self, st: Batch) -> np.ndarray:
        """Whether an accompaniment candidate may add a note on its last onset: a higher pitch is allowed and the
        onset holds fewer notes than ``stack_cap`` (STACK_ROOM more than the context's fullest, at most CHORD_CAP)."""
        ok = self.higher_ok[st.pitch + 1 + NO_CLUSTER] & (st.stack < self.stack_cap)
        if self.echo_row_of is not None:  # a bar that echoes a figure struck one note at a time keeps to one
            ok &= ~self.bias.echoes_figure(self.echo_row_of[st.bar - self.bar0])
        return ok

    def _pos_mask(self, s: np.ndarray, at: np.ndarray, st: Batch) -> np.ndarray:
        """Grid positions inside the new bar (table index ``at``), after the last note when it stays in its
        bar (the same onset only for an accompaniment with a higher pitch left and room on it, see ``_may_stack``)."""
        same_bar = (s == 0) & (st.pos >= 0)
        strict = 1 if self.role == "melody" else ~self._may_stack(st)
        lo = np.where(same_bar, st.pos + strict, 0)
        ok = self.in_bar_of[at]
        ok &= _POSITIONS >= lo[:, None]
        if self.room is None:
            return ok
        in_time = ok & (self.start_of[at][:, None] + _POSITIONS * tk.GRID <= self._latest(st)[:, None])
        return np.where(in_time.any(axis=1)[:, None], in_time, ok)

    def _contour_room(self, original: tuple) -> tuple[int, int, np.ndarray]:
        """The shortest gap between the ``original`` notes' onsets (its last one's to the span's end included) and the
        span's end, in ticks, and for each count of notes placed the original's onsets from that note on: see
        ``room``."""
        end = int(self.start_of[-1] + self.steps_of[-1] * tk.GRID)
        ticks = np.minimum(sorted(int(n[1]) for n in original)[:len(self.original[0])], end - tk.GRID)
        onsets = np.unique(ticks)
        left = np.array([len(np.unique(ticks[j:])) for j in range(len(ticks) + 1)])
        return max(int(np.diff(np.append(onsets, end)).min()), tk.GRID), end, left

    def _latest(self, st: Batch) -> np.ndarray:
        """(B,) the latest tick a contour-keeping candidate's next note may start on and still leave each onset after
        it ``room``: without this, a candidate behind the original's pace crammed its last notes into the span's
        final grid steps (40-tick notes, in a quarter of the candidates on the held-out and unseen tunes)."""
        gap, end, left = self.room  # type: ignore[misc]
        return end - left[np.minimum(st.length, len(left) - 1)] * gap

    def _pitch_allowed(self, s: np.ndarray, p: np.ndarray, st: Batch) -> np.ndarray:
        """The request's pitches; at the onset of the last note, only pitches above it (chords go upwards); in a
        contour-keeping variation, only pitches that move the way the original's note did (where any is left)."""
        same = (s == 0) & (p == st.pos)
        ok = self.pitch_ok & ~(same[:, None] & (_PITCHES <= st.pitch[:, None] + NO_CLUSTER))
        if self.keep == "contour":
            rows = self.original[0]
            j = np.minimum(st.length, len(rows) - 1)
            step = np.sign(rows[j, tk.PITCH] - rows[np.maximum(j - 1, 0), tk.PITCH])
            rel = np.sign(_PITCHES[None, :] - st.pitch[:, None])
            first = (j == 0)[:, None] & (np.abs(_PITCHES - rows[0, tk.PITCH]) > CONTOUR_START)[None, :]
            shaped = ok & ~first & ((rel == step[:, None]) | (st.pitch[:, None] < 0) | (j[:, None] == 0))
            ok = np.where(shaped.any(axis=1)[:, None], shaped, ok)
        return ok

    def _sample_pitches(self, h: np.ndarray, st: Batch, finish: Finish) -> tuple[Any, np.ndarray]:
        """A rhythm-keeping variation's step: the original note's timing, duration and velocity forced, its
        pitch sampled anew where ``must_change`` says so (never the original), else kept; EOS after the last
        one."""
        rows, bars = self.original
        j = self.step
        self.step += 1
        if j >= len(rows):
            for i in np.flatnonzero(st.active):
                self._end(st, int(i), finish)
            return None, None
        net, req, o = self.net, self.req, rows[j]
        nb = np.full(self.n, int(bars[j]))
        s = np.minimum(np.maximum(nb - st.bar, 0), tk.MAX_SHIFT)
        at = nb - self.bar0
        meter = self.meter_of[at]
        p = np.full(self.n, int(o[tk.POS]))
        chord = self.chord_of[at, p] if self.each is None else self.chord_of[self.each, at, p]
        u = h + net.cond("shift", s)
        u += net.cond("meter", meter)
        u += net.cond("pos", p)
        u += net.cond("chord", chord)
        logits = net.head("pitch", u)
        if self.bass is not None:
            logits += self.bass[chord]
        orig = int(o[tk.PITCH])
        allowed = self.pitch_ok[None, :].repeat(self.n, 0)
        change = self.must_change[:, j]
        allowed[change, orig] = False
        if self.pitch_ok[orig]:  # the other notes keep their pitch (unless key lock or range exclude it)
            allowed[~change] = np.arange(128) == orig
        q, lp = sample(logits, allowed, self.rng, req.temperature, req.top_p)
        st.logp += lp * st.active
        d, v = np.full(self.n, int(o[tk.DUR])), np.full(self.n, int(o[tk.VEL]))
        return np.array([s, p, q, d, v, chord, meter, *self.id_columns]).T, nb

    def _refill(self, st: Batch) -> tuple[Any, np.ndarray]:
        """A fresh cache over the last half window of each candidate (context plus its notes), as in training;
        finished candidates (whose rows no longer matter) borrow an active one's window."""
        keep = self.net.max_len // 2
        context = np.stack(self.rows[1:]) if len(self.rows) > 1 else np.zeros((0, tk.NUM_FIELDS), np.int64)
        windows: dict[int, np.ndarray] = {}
        for i in np.flatnonzero(st.active):
            tail = np.concatenate([context, st.notes(int(i))[0]])[-keep:]
            first = tail[0].copy()
            first[tk.SHIFT] = 0
            bos = tk.special_row(tk.BOS, first[tk.METER], *self.ids, chord=first[tk.CHORD])
            windows[int(i)] = np.concatenate([bos[None], first[None], tail[1:]])
        spare = next(iter(windows.values()))
        cache = self.net.new_cache(self.n, self.net.max_len, "candidates", self.buffers)  # the old one is done with
        h = self.net.step(np.stack([windows.get(i, spare) for i in range(self.n)]), cache, last_only=True)[:, -1]
        return cache, h


@functools.lru_cache(maxsize=1)
def _bass_bonus() -> np.ndarray:
    """(chord ids, 128) ``BASS_ROOT`` on each chord id's root, ``BASS_TONE`` on its other tones (``tokens.chord_tones``;
    nothing for no chord)."""
    out = np.zeros((tk.NO_CHORD + 1, 128))
    pcs = _PITCHES % 12
    for chord in range(tk.NO_CHORD):
        root = chord // len(tk.QUALITY_CLASSES)
        tones = np.isin(pcs, list(tk.chord_tones(chord)))
        out[chord] = np.where(pcs == root, BASS_ROOT, np.where(tones, BASS_TONE, 0.0))
    return out


def _fullest_onset(notes: tuple) -> int:
    """The most notes that start together among ``notes`` (pitch, start, ...); CHORD_CAP without any notes."""
    if not notes:
        return CHORD_CAP
    return max(Counter(int(n[1]) for n in notes).values())
