"""The harmonizer engine (numpy only): melody in, several ranked, distinct chord progressions out."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from composer_app.core.chords import label_in_key, normalize_label
from composer_app.core.pitch import KeySignature
from composer_app.model import harmony_crf as crf
from composer_app.model.continuation import Cancelled
from composer_app.model.harmony_features import (
    RHYTHMS,
    STYLES,
    MelodyNote,
    Slot,
    meter_kind,
    rhythm_name,
    slot_features,
    slot_grid,
    slot_labels,
)
from composer_app.model.harmony_hmm import hmm_unary
from composer_app.model.harmony_net import encode
from composer_app.model.harmony_rules import (
    bass_fit,
    home_classes,
    melody_fit,
    recolor,
    rule_chain,
    rule_roots,
    settle_home,
    style_quality_bonus,
    style_transitions,
)
from composer_app.model.harmony_sections import harmonize_sections, later_request, moved_back
from composer_app.model.harmony_vocab import (
    N_CLASS,
    class_label,
    complexity_bonus,
    complexity_mask,
    fold_scores,
    inversion_valid,
    label_to_class,
)
from composer_app.model.weights_check import harmony_weights

DEFAULT_WEIGHTS = Path(__file__).resolve().parents[2] / "resources" / "models" / "harmony.npz"
SAMPLES = 64
METHODS = ("model", "hmm", "rule")
FIT = 0.75
"""Default weight of the explicit melody/chord fit added to the model's scores (``HarmonyRequest.fit``)."""
STYLE_PRIOR = 1.0
"""Default scale of the style's transition prior (ii-V, dominants resolving) in the model's decoding."""
RULE_AGREE = 0.5
"""Default bonus for chords on the root the diatonic-triad rule picks in that slot (``HarmonyRequest.agree``)."""
END_HOME = 4.0
"""Bonus (nats) for the home chords (``harmony_rules.home_classes``) under and after the melody's last note where it
ends the music on the tonic (``HarmonyRequest.ends_music``). Jazz's chord-motion prior had minor tunes end on IV7
(i7-IV7 reads as a ii-V), and at one chord per bar the network put V7 under a last bar that resolves to the tonic
(Ode to Joy in folk). Set on the valid lead sheets (5 styles x 2 harmonic rhythms): the first candidate's last
chord has the real last chord's root 0.750 of the time without it, 0.771 at 1.5, 0.787 at 4, 0.795 at 8; ending on
the tonic chord under a tonic melody note 0.927, 0.965, 0.988, 1.000. 4 takes most of that and still lets a
strong contrary signal through."""
BASS_FIT = 4.0
"""Weight of the fit between the chords and a bass line already under the melody (``HarmonyRequest.bass``,
``harmony_rules.bass_fit``). A band's file with a melody and a bass line but no chord part had its chords chosen
from the melody alone. On the valid split's 8-bar phrases of songs made into such files (melody and bass line
only: the chorales' bass voice, POP909's piano's lowest note each beat; ``band_eval --only harmony``), the first
candidate had the annotated root on 0.511 of POP909's half bars and 0.513 of the chorales'; at 1, 2, 3, 4, 6 and 8:
0.658 / 0.595, 0.745 / 0.630, 0.789 / 0.640, 0.816 / 0.643, 0.838 / 0.642, 0.846 / 0.622. The chorales' bass,
a real line with inversions and passing notes, levels off from 3 to 6; POP909's, the piano's lowest notes, is
mostly roots and favours more."""
ChordSpan = tuple[int, int, str]
SEVENTH_SCALE = {"jazz": 1.0, "pop": 0.3, "folk": 0.1, "chorale": 0.2}
"""How much of the complexity's seventh/extension bonus each style takes."""


@dataclass(frozen=True)
class Pin:
    """A chord the result must have on every slot whose middle lies in [start, end) ticks."""

    start: int
    end: int
    label: str


@dataclass(frozen=True)
class HarmonyRequest:
    """What to harmonize and how; ticks at 480 per quarter, ``range_bars`` 0-based and inclusive."""

    melody: tuple[MelodyNote, ...]
    meters: tuple[tuple[int, int, int], ...] = ((0, 4, 4),)
    key: KeySignature = field(default_factory=lambda: KeySignature(0))
    end: int = 0
    rhythm: str = "bar"
    style: str = "pop"
    complexity: str = "sevenths"
    candidates: int = 4
    pins: tuple[Pin, ...] = ()
    existing: tuple[ChordSpan, ...] = ()
    range_bars: tuple[int, int] | None = None
    seed: int = 0
    temperature: float = 1.0
    method: str = "model"
    color: float = 1.0
    """Scale of the style's bonus for sevenths/extensions at the chosen complexity (0: the data's own frequencies)."""
    fit: float = FIT
    """Weight of the explicit melody/chord fit (chord tones, avoid notes) in the model's decoding (0: the net alone)."""
    style_prior: float = STYLE_PRIOR
    """Scale of the style's chord-motion prior (jazz: ii-V, secondary dominants) in the model's decoding."""
    agree: float = RULE_AGREE
    """Bonus for chords whose root is the diatonic-triad rule's choice in that slot: a music-theory second opinion
    that holds up on music unlike the training data (set on the valid split and leave-one-source-out)."""
    key_changes: tuple[KeySignature, ...] = ()
    """Keys taking over later in the music (each at its tick, on a barline): each key section is harmonized in
    its own key (``harmony_sections``); not with ``range_bars``."""
    start: int = 0
    """The barline where the music to harmonize begins (a phrase later in a song): no chord is written before it.
    Everything else stays in song ticks and bars; the harmonizer works on the request moved to start there
    (``harmony_sections.later_request``) and moves its chords back."""
    bass: tuple[MelodyNote, ...] = ()
    """A bass line already under the melody (pitch, start, duration; real pitches, song ticks): the model's chords
    lean on its notes (``BASS_FIT``: its note as the root, else as a chord tone, never outside the chord)."""
    bass_fit: float = BASS_FIT
    """Weight of the fit with ``bass`` in the model's decoding."""
    ends_music: bool = False
    """Whether the melody's last note ends the music (a whole tune, or its last phrase): where that note is the tonic,
    the harmonization ends at home (``END_HOME``), the cadence a musician expects there. False for a phrase that the
    music goes on after, and for excerpts."""


@dataclass(frozen=True)
class Harmonization:
    """One alternative: merged chord spans (song key), per-slot labels, log-probability, distinctness."""

    chords: tuple[ChordSpan, ...]
    slot_labels: tuple[str, ...]
    log_prob: float
    distinct: float
    rank: int


def reference_shift(key: KeySignature) -> int:
    """Semitones that move the key to C major / A minor (-5..6)."""
    shift = ((0 if key.mode == "major" else 9) - key.tonic) % 12
    return shift - 12 if shift > 6 else shift


class Harmonizer:
    """Loads the weights once; ``harmonize`` answers requests."""

    def __init__(self, weights: dict[str, np.ndarray]) -> None:
        self.weights = weights

    @classmethod
    def load(cls, path: str | Path | None = None) -> Harmonizer:
        return cls(harmony_weights(path or DEFAULT_WEIGHTS))

    # --- the pieces of a request ---------------------------------------------------------------
    def prepare(self, req: HarmonyRequest) -> tuple[list[Slot], np.ndarray, int]:
        """Slots, features (reference key) and the shift used."""
        if req.style not in STYLES:
            raise ValueError(f"style must be one of {STYLES}")
        if req.method not in METHODS:
            raise ValueError(f"method must be one of {METHODS}")
        shift = reference_shift(req.key)
        melody = tuple((p + shift, s, d) for p, s, d in req.melody)
        end = max([req.end] + [s + d for _, s, d in req.melody])
        slots = slot_grid(req.meters, end, req.rhythm)
        feats = slot_features(melody, slots, req.rhythm, req.key.mode == "minor", req.style,
                              meter_kind(req.meters))
        return slots, feats, shift

    def chain(self, req: HarmonyRequest, slots: list[Slot], feats: np.ndarray) -> tuple[crf.Chain, np.ndarray]:
        """The linear chain for the request and the inversion log-probabilities (T, 4)."""
        w = self.weights
        if req.method == "rule":
            chain = rule_chain(feats, req.key.mode == "minor")
            inv = np.full((len(slots), 4), -1e9)
            inv[:, 0] = 0.0
            return chain, inv
        if req.method == "hmm":
            beats = feats[:, :12] * np.array([(s.end - s.start) / 480 for s in slots], dtype=np.float32)[:, None]
            r = RHYTHMS.index(rhythm_name(req.rhythm))
            unary = hmm_unary(w, beats).astype(np.float64)
            chain = crf.Chain(unary, w["hmm.trans"][r].astype(np.float64), np.zeros(len(slots)),
                              w["hmm.start"][r].astype(np.float64), np.zeros(unary.shape[1]))
            inv = np.full((len(slots), 4), -1e9)
            inv[:, 0] = 0.0
            return chain, inv
        logits, inv_logits = encode(w, feats)
        st = STYLES.index(req.style)
        diag = w["crf.diag"][st][[s.pos for s in slots]].astype(np.float64)
        chain = crf.Chain(logits.astype(np.float64), w["crf.trans"][st].astype(np.float64), diag,
                          w["crf.start"][st].astype(np.float64), w["crf.end"][st].astype(np.float64))
        return chain, inv_logits.astype(np.float64)

    def constraints(self, req: HarmonyRequest, slots: list[Slot],
                    shift: int) -> tuple[np.ndarray, np.ndarray, dict[int, str]]:
        """Allowed classes (T, V), which slots are free, and the verbatim labels of pinned slots."""
        mask = complexity_mask(req.complexity).copy()
        mask[N_CLASS] = False  # a chord in every slot: also the bars before the melody's first note (a lead-in)
        allowed = np.tile(mask, (len(slots), 1))
        free = np.ones(len(slots), dtype=bool)
        fixed: dict[int, str] = {}
        if req.range_bars is not None:
            lo, hi = req.range_bars
            old = slot_labels(req.existing, slots)
            for i, s in enumerate(slots):
                if not lo <= s.bar <= hi:
                    allowed[i] = False
                    allowed[i, label_to_class(_moved(old[i], shift))[0]] = True
                    free[i] = False
        for pin in req.pins:
            label = normalize_label(pin.label)
            cls = label_to_class(_moved(label, shift))[0]
            for i, s in enumerate(slots):
                if pin.start <= (s.start + s.end) // 2 < pin.end and free[i]:
                    allowed[i] = False
                    allowed[i, cls] = True
                    free[i] = False
                    fixed[i] = label
        return allowed, free, fixed

    def scored(self, req: HarmonyRequest, chain: crf.Chain, feats: np.ndarray, free: np.ndarray,
               slots: list[Slot]) -> crf.Chain:
        """The chain the decoding searches: the complexity's folding, and for the model the explicit melody fit,
        the style's colour (sevenths, extensions), its chord-motion prior and the home chord under a final tonic;
        the baselines score as they are."""
        unary = fold_scores(chain.unary, req.complexity)
        trans = chain.trans
        if req.method == "model":
            scale = SEVENTH_SCALE.get(req.style, 1.0)
            bonus = complexity_bonus(req.complexity) * scale + style_quality_bonus(req.style)
            second_opinion = req.agree * rule_roots(feats, req.key.mode == "minor")
            if req.bass and req.bass_fit:
                second_opinion = second_opinion + req.bass_fit * bass_fit(req.bass, slots, reference_shift(req.key))
            unary = recolor(unary + req.fit * melody_fit(feats) + second_opinion, req.color * bonus)
            trans = trans + req.style_prior * style_transitions(req.style)
        clamped = np.nan_to_num(chain.unary, neginf=0.0)  # clamped slots keep their own (maybe richer) class,
        unary = np.where(free[:, None], unary, clamped)  # even one the rule would never choose
        if req.method == "model":
            unary = unary + np.outer(_final_tonic(req, slots), END_HOME * home_classes(req.key.mode == "minor"))
        return crf.Chain(unary, trans, chain.diag, chain.start, chain.end)

    def harmonize(self, req: HarmonyRequest, cancel: Callable[[], bool] | None = None) -> list[Harmonization]:
        """Up to ``req.candidates`` (1..8) ranked alternatives, distinct in >= 1/3 of their free slots.

        ``cancel`` is asked between steps (features, decoding, each alternative); when it answers True,
        ``Cancelled`` is raised."""
        def check() -> None:
            if cancel is not None and cancel():
                raise Cancelled("harmonize was cancelled")

        check()
        if req.start > 0:
            return [moved_back(h, req.start) for h in self.harmonize(later_request(req), cancel)]
        if req.key_changes and req.range_bars is None:
            return harmonize_sections(self, req, cancel)
        n_want = min(max(req.candidates, 1), 8)
        slots, feats, shift = self.prepare(req)
        if not slots:
            return []
        check()
        chain, inv_logits = self.chain(req, slots, feats)
        allowed, free, fixed = self.constraints(req, slots, shift)
        chain = self.scored(req, chain, feats, free, slots)
        sub, keep = chain.restricted(allowed)
        check()
        alphas, log_z = crf.forward(sub)
        rng = np.random.default_rng(req.seed)
        paths = [crf.viterbi(sub)[None, :]]
        picked = _pick(sub, log_z, np.concatenate(paths), free, n_want)
        temperature = req.temperature
        for _ in range(4):
            if len(picked) >= n_want:
                break
            check()
            paths.append(crf.sample(sub, SAMPLES, rng, temperature, alphas if temperature == 1.0 else None))
            picked = _pick(sub, log_z, np.concatenate(paths), free, n_want)
            temperature *= 1.5
        if len(picked) < n_want:
            picked = _pick(sub, log_z, np.concatenate(paths), free, n_want, relax=True)
        out = []
        bars = np.array([s.bar for s in slots])
        for rank, (path, lp, dist) in enumerate(picked, 1):
            check()
            classes = keep[path]
            if req.method == "model":
                classes = settle_home(classes, np.where(allowed, chain.unary, -np.inf), free, req.key.mode == "minor",
                                      bars)
            invs, inv_lp = _inversions(classes, inv_logits, rng if rank > 1 else None)
            out.append(self._result(req, slots, classes, invs, fixed, shift, lp + inv_lp, dist, rank))
        return out

    def _result(self, req: HarmonyRequest, slots: list[Slot], classes: np.ndarray, invs: np.ndarray,
                fixed: dict[int, str], shift: int, log_prob: float, distinct: float, rank: int) -> Harmonization:
        labels = [fixed.get(i) or label_in_key(class_label(int(c), int(v), -shift), req.key)
                  for i, (c, v) in enumerate(zip(classes, invs))]
        spans: list[list] = []
        for s, lab in zip(slots, labels):
            if req.range_bars is not None and not req.range_bars[0] <= s.bar <= req.range_bars[1]:
                continue
            if spans and spans[-1][2] == lab and spans[-1][0] + spans[-1][1] == s.start:
                spans[-1][1] += s.end - s.start
            else:
                spans.append([s.start, s.end - s.start, lab])
        chords = [tuple(x) for x in spans if x[2] != "N"]
        if req.range_bars is not None:
            lo = next((s.start for s in slots if s.bar >= req.range_bars[0]), 0)
            hi = next((s.start for s in slots if s.bar > req.range_bars[1]), slots[-1].end)
            for s0, d0, lab in req.existing:
                for a, b in ((s0, min(s0 + d0, lo)), (max(s0, hi), s0 + d0)):
                    if b > a:
                        chords.append((a, b - a, lab))
        chords.sort()
        return Harmonization(tuple(chords), tuple(labels), float(log_prob), distinct, rank)


def _final_tonic(req: HarmonyRequest, slots: list[Slot]) -> np.ndarray:
    """(T,) 1 for the slots under and after the melody's last note (the latest onset; the highest of those) where
    ``req`` ends the music on the key's tonic, else 0: the slots that get ``END_HOME``."""
    out = np.zeros(len(slots))
    if req.ends_music and req.melody:
        pitch, start, _ = max(req.melody, key=lambda n: (n[1], n[0]))
        if (pitch - req.key.tonic) % 12 == 0:
            out[[s.end > start for s in slots]] = 1.0
    return out


def _moved(label: str, shift: int) -> str:
    from composer_app.core.chords import parse_chord

    try:
        return parse_chord(label).transposed(shift).label()
    except ValueError:
        return "N"


def _pick(chain: crf.Chain, log_z: float, paths: np.ndarray, free: np.ndarray, n: int,
          relax: bool = False) -> list[tuple[np.ndarray, float, float]]:
    """Greedy ranked choice: best first, then each that differs from all chosen in >= 1/3 of free slots."""
    uniq = np.array(list({p.tobytes(): p for p in paths}.values()))
    lps = crf.path_scores(chain, uniq) - log_z
    order = np.argsort(-lps, kind="stable")
    n_free = max(1, int(free.sum()))
    need = n_free / 3
    chosen: list[tuple[np.ndarray, float, float]] = []
    for k in order:
        p = uniq[k]
        diffs = [float(((p != q) & free).sum()) for q, _, _ in chosen]
        if not chosen or min(diffs) >= need - 1e-9:
            chosen.append((p, float(lps[k]), min(diffs) / n_free if diffs else 1.0))
        if len(chosen) == n:
            return chosen
    if relax:
        rest = [k for k in order if not any(np.array_equal(uniq[k], q) for q, _, _ in chosen)]
        while rest and len(chosen) < n:
            dist = [min(float(((uniq[k] != q) & free).sum()) for q, _, _ in chosen) for k in rest]
            j = int(np.argmax(dist))
            k = rest.pop(j)
            chosen.append((uniq[k], float(lps[k]), dist[j] / n_free))
    return chosen


def _inversions(classes: np.ndarray, inv_logits: np.ndarray,
                rng: np.random.Generator | None) -> tuple[np.ndarray, float]:
    """One inversion per run of equal classes (argmax, or sampled with ``rng``) and its log-probability."""
    starts = np.flatnonzero(np.r_[True, classes[1:] != classes[:-1]])
    ends = np.r_[starts[1:], len(classes)]
    cums = np.vstack([np.zeros((1, inv_logits.shape[1])), np.cumsum(inv_logits, axis=0)])
    logit = np.where(inversion_valid()[classes[starts]], cums[ends] - cums[starts], -np.inf)
    logp = logit - np.logaddexp.reduce(logit, axis=1, keepdims=True)
    noise = rng.gumbel(size=logp.shape) if rng is not None else 0.0
    pick = np.argmax(logp + noise, axis=1)
    chosen = logp[np.arange(len(pick)), pick]
    return np.repeat(pick, ends - starts), float(chosen[np.isfinite(chosen)].sum())
