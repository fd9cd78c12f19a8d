"""The harmonizer engine on toy weights: pins, ranges, distinct alternatives, seeds, complexity, the HMM."""

import numpy as np
import pytest

from composer_app.core.chords import parse_chord
from composer_app.core.pitch import KeySignature
from composer_app.model.harmony import Harmonizer, HarmonyRequest, Pin
from composer_app.model.harmony_features import slot_grid
from composer_app.model.harmony_vocab import TRIADS, VOCAB_SIZE, class_label, class_quality, label_to_class
from composer_app.training.harmony.synthetic import toy_weights

BAR = 1920
TUNE = (60, 64, 67, 64, 65, 69, 72, 69, 67, 71, 74, 71, 72, 67, 64, 60)
MELODY = tuple((p, i * 480, 480) for i, p in enumerate(TUNE * 2))


@pytest.fixture(scope="module")
def engine() -> Harmonizer:
    return Harmonizer(toy_weights(0))


def _labels_at(chords, tick):
    return next(lab for s, d, lab in chords if s <= tick < s + d)


def test_alternatives_are_ranked_distinct_and_reproducible(engine):
    req = HarmonyRequest(MELODY, rhythm="half", candidates=4, seed=3)
    res = engine.harmonize(req)
    assert len(res) == 4
    assert [r.rank for r in res] == [1, 2, 3, 4]
    slots = len(res[0].slot_labels)
    for i, a in enumerate(res):
        for b in res[i + 1:]:
            assert sum(x != y for x, y in zip(a.slot_labels, b.slot_labels)) >= slots / 3
    assert res[0].log_prob >= max(r.log_prob for r in res[1:]) - 1e-6  # the first is the best path
    again = engine.harmonize(req)
    assert [r.chords for r in again] == [r.chords for r in res]


def test_pins_are_kept(engine):
    pins = (Pin(0, BAR, "C"), Pin(3 * BAR, 4 * BAR, "G7"))
    for seed in range(3):
        for r in engine.harmonize(HarmonyRequest(MELODY, rhythm="beat", candidates=3, pins=pins, seed=seed)):
            for tick in range(0, BAR, 480):
                assert _labels_at(r.chords, tick) == "C:maj"
            for tick in range(3 * BAR, 4 * BAR, 480):
                assert _labels_at(r.chords, tick) == "G:7"


def test_range_keeps_the_chords_outside(engine):
    existing = tuple((b * BAR, BAR, lab) for b, lab in enumerate(["C:maj", "F:maj", "G:7", "C:maj"] * 2))
    req = HarmonyRequest(MELODY, rhythm="half", candidates=3, existing=existing, range_bars=(2, 4), seed=1)
    for r in engine.harmonize(req):
        outside = [c for c in r.chords if c[0] < 2 * BAR or c[0] >= 5 * BAR]
        assert outside == [c for c in existing if c[0] < 2 * BAR or c[0] >= 5 * BAR]
        inside = [c for c in r.chords if 2 * BAR <= c[0] < 5 * BAR]
        assert inside and sum(d for _, d, _ in inside) == 3 * BAR


def test_complexity_triads_only(engine):
    for r in engine.harmonize(HarmonyRequest(MELODY, rhythm="beat", complexity="triads", candidates=4)):
        for _, _, lab in r.chords:
            assert class_quality(label_to_class(lab)[0]) in TRIADS


def test_results_are_in_the_song_key(engine):
    shifted = tuple((p + 2, s, d) for p, s, d in MELODY)
    req_c = HarmonyRequest(MELODY, candidates=2, seed=5)
    req_d = HarmonyRequest(shifted, key=KeySignature(0, 2, "major"), candidates=2, seed=5)
    for a, b in zip(engine.harmonize(req_c), engine.harmonize(req_d)):
        assert [parse_chord(x[2]).transposed(2) for x in a.chords] == [parse_chord(x[2]) for x in b.chords]


def test_hmm_baseline_follows_the_melody(engine):
    arpeggios = [(60, 64, 67), (65, 69, 72), (67, 71, 74), (60, 64, 67)]
    melody = tuple((p, b * BAR + i * 480, 480) for b, chord in enumerate(arpeggios) for i, p in
                   enumerate(chord + chord[:1]))
    best = engine.harmonize(HarmonyRequest(melody, method="hmm", candidates=1, style="folk"))[0]
    roots = [parse_chord(_labels_at(best.chords, b * BAR)).root for b in range(4)]
    assert roots == [0, 5, 7, 0]


def test_slot_grid_rhythms():
    assert [s.start for s in slot_grid(((0, 4, 4),), 2 * BAR, "half")] == [0, 960, 1920, 2880]
    assert len(slot_grid(((0, 6, 8),), 1440, "beat")) == 2  # compound: dotted quarters
    assert [s.pos for s in slot_grid(((0, 4, 4),), BAR, "beat")] == [0, 2, 1, 2]
    assert np.isclose(sum(s.end - s.start for s in slot_grid(((0, 3, 4),), 3 * 1440, "half")), 3 * 1440)


def test_key_estimate_for_songs_without_a_key():
    from composer_app.model.keys import estimate_key as estimate

    def estimate_key(melody):
        return estimate(melody).key

    d_major = tuple((p, i * 480, 480 * (2 if p % 12 in (2, 9) else 1)) for i, p in
                    enumerate([62, 64, 66, 67, 69, 71, 73, 74, 69, 66, 62]))
    assert estimate_key(d_major) == KeySignature(0, 2, "major")
    a_minor = tuple((p, i * 480, 960 if p % 12 in (9, 4) else 480) for i, p in
                    enumerate([69, 72, 76, 74, 72, 71, 69, 68, 69, 64, 69]))
    assert estimate_key(a_minor) == KeySignature(0, 9, "minor")
    assert estimate_key(()) == KeySignature(0)


def test_the_diatonic_rule_baseline(engine):
    res = engine.harmonize(HarmonyRequest(MELODY, rhythm="bar", method="rule", candidates=1))[0]
    # arpeggios of C, F, G, C in every bar (with C major's tie-break order): the rule's triads
    assert [_labels_at(res.chords, b * BAR) for b in range(4)] == ["C:maj", "F:maj", "G:maj", "C:maj"]
    assert all(lab.endswith(("maj", "min", "dim")) for _, _, lab in res.chords)
    pinned = engine.harmonize(HarmonyRequest(MELODY, rhythm="bar", method="rule", candidates=1,
                                             pins=(Pin(BAR, 2 * BAR, "D:7"),)))[0]
    assert _labels_at(pinned.chords, BAR) == "D:7"  # a pin holds even where the rule would never go


def test_the_rules_second_opinion_moves_roots_toward_it(engine):
    """``agree`` adds a bonus to chords on the rule's root in each slot: large, it decides every root; off, the
    model's own scores do; the default sits between."""
    from composer_app.model.harmony_rules import rule_roots

    def roots(res):
        return [None if lab == "N" else parse_chord(lab).root for lab in res.slot_labels]

    # a melody the toy model harmonizes its own way: one note per half bar over two octaves
    melody = tuple((60 + (i * 5) % 14, i * 960, 960) for i in range(16))
    rule = roots(engine.harmonize(HarmonyRequest(melody, rhythm="half", method="rule", candidates=1))[0])
    agreement = {}
    for agree in (0.0, 0.5, 50.0):
        first = engine.harmonize(HarmonyRequest(melody, rhythm="half", candidates=1, agree=agree))[0]
        agreement[agree] = sum(a == b for a, b in zip(roots(first), rule))
    assert agreement[50.0] == len(rule)
    assert agreement[0.0] <= agreement[0.5] <= agreement[50.0]
    assert agreement[0.0] < len(rule), "the toy model on its own disagrees somewhere (else the test proves nothing)"

    slots = slot_grid(((0, 4, 4),), 16 * 960, "half")
    req = HarmonyRequest(melody, rhythm="half")
    _, feats, _ = engine.prepare(req)
    marks = rule_roots(feats, minor=False)
    assert marks.shape[0] == len(slots) and set(np.unique(marks)) == {0.0, 1.0}
    assert (marks[:, 0] == 0).all(), "never 'no chord'"
    assert (marks.reshape(len(slots), -1)[:, 1:].sum(axis=1) == 18).all(), "every quality of one root per slot"


@pytest.mark.parametrize(("key", "four", "seven"), [(KeySignature(0, 6), "Cb:maj", "F:dim"),
                                                   (KeySignature(0, 6, sharps=True), "B:maj", "E#:dim")])
def test_six_accidental_keys_spell_their_chords_as_the_key_does(engine, key, four, seven):
    """In Gb major the IV chord is Cb, not B; in F# major the leading-tone chord is E#dim, not Fdim."""
    melody = tuple((p + 6, s, d) for p, s, d in MELODY)  # MELODY's C, F, G, C bars moved to Gb (or F#)
    res = engine.harmonize(HarmonyRequest(melody, key=key, rhythm="bar", method="rule", candidates=1))[0]
    names = [_labels_at(res.chords, b * BAR) for b in range(4)]
    assert names[1] == four and names[0] == ("Gb:maj" if key.fifths < 0 else "F#:maj")
    from composer_app.core.chords import label_in_key

    assert label_in_key("F:dim", key) == seven and label_in_key("N", key) == "N"
    assert label_in_key("B:maj", KeySignature(0, 11)) == "B:maj"  # B major is B major


@pytest.mark.parametrize(("label", "key", "spelt"), [
    ("C#:dim7", KeySignature(0, 2, "minor"), "C#:dim7"), ("Db:dim7", KeySignature(0, 2, "minor"), "C#:dim7"),
    ("F#:dim7/b3", KeySignature(0, 7, "minor"), "F#:dim7/b3"), ("A#:7", KeySignature(0, 0), "Bb:7"),
    ("C#:7", KeySignature(0, 0), "Db:7"), ("C#:dim7", KeySignature(0, 0), "C#:dim7"),
    ("D#:maj", KeySignature(0, 10), "Eb:maj"), ("G#:hdim7", KeySignature(0, 9, "minor"), "G#:hdim7"),
])
def test_roots_are_spelt_by_their_degree_in_the_key(label, key, spelt):
    """The leading note of D minor is C#, not Db (the chord lane and cards showed Db:dim7); bVII of C is Bb."""
    from composer_app.core.chords import label_in_key

    assert label_in_key(label, key) == spelt


def test_a_dominant_seventh_on_the_tonic_stays_only_where_it_resolves_to_iv():
    from composer_app.model.harmony_rules import settle_home

    def names(classes):
        return [class_label(int(c), 0, 0, False) for c in classes]

    def path(labels):
        return np.array([label_to_class(lab)[0] for lab in labels])

    unary = np.zeros((6, VOCAB_SIZE))
    for label, score in (("C:maj7", 0.5), ("C:maj6", 0.7), ("A:min7", 0.6)):
        unary[:, label_to_class(label)[0]] = score
    unary[4, label_to_class("C:maj6")[0]] = -np.inf  # not allowed there: the next best home quality
    free = np.ones(6, dtype=bool)
    free[5] = False  # a pinned C7 stays
    bars = np.array([0, 0, 1, 1, 2, 2])  # two slots a bar
    out = settle_home(path(["C:7", "C:7", "F:maj", "C:7", "C:7", "C:7"]), unary, free, minor=False, bars=bars)
    assert names(out) == ["C:7", "C:7", "F:maj", "C:maj6", "C:maj7", "C:7"]
    out = settle_home(path(["A:7", "D:min", "A:7"]), unary[:3], np.ones(3, dtype=bool), minor=True)
    assert names(out) == ["A:7", "D:min", "A:min7"]
    # a run of I7 bars before IV (Ode to Joy in jazz had six) keeps its last bar only
    long_run = path(["C:7", "C:7", "C:7", "C:7", "C:7", "F:maj"])
    out = settle_home(long_run, unary, np.ones(6, dtype=bool), minor=False, bars=np.arange(6))
    assert names(out) == ["C:maj6", "C:maj6", "C:maj6", "C:maj6", "C:7", "F:maj"]
    out = settle_home(long_run, unary, np.ones(6, dtype=bool), minor=False, bars=np.array([0, 0, 0, 1, 1, 1]))
    assert names(out) == ["C:maj6", "C:maj6", "C:maj6", "C:7", "C:7", "F:maj"]  # the whole bar before IV


@pytest.mark.parametrize("mode, tonic", [("major", 0), ("minor", 9)])
def test_a_melody_that_ends_the_music_on_its_tonic_leans_home_under_its_last_note(engine, mode, tonic):
    """END_HOME goes to the home chords (tonic root, not a dominant seventh) of the slots under and after the last
    note, only where the request ends the music and that note is the tonic, and only for the model."""
    from composer_app.model import harmony as hm
    from composer_app.model.harmony_rules import home_classes

    melody = MELODY[:-1] + ((60 + tonic % 12 - (12 if tonic else 0), 31 * 480, 3 * 480),)  # 1.75 bars past bar 8
    key = KeySignature(0, tonic, mode)

    def added(**changes):
        """What the request's options add to the scores of every (slot, class) the decoding may choose."""
        req = HarmonyRequest(melody, key=key, rhythm="half", end=9 * BAR, **changes)
        slots, feats, _ = engine.prepare(req)
        chain, _ = engine.chain(req, slots, feats)
        free = np.ones(len(slots), bool)
        plain = engine.scored(HarmonyRequest(melody, key=key, rhythm="half", end=9 * BAR, method=req.method),
                              chain, feats, free, slots).unary
        after = engine.scored(req, chain, feats, free, slots).unary
        assert np.array_equal(np.isfinite(after), np.isfinite(plain))
        return np.where(np.isfinite(plain), after - np.where(np.isfinite(plain), plain, 0.0), 0.0), slots

    diff, slots = added(ends_music=True)
    home = home_classes(mode == "minor")
    under = np.array([s.end > 31 * 480 for s in slots])
    assert under.sum() == 3 and under[-3:].all()  # the slot the note starts in, the next, and the empty last half bar
    raised = (diff != 0).any(axis=0)
    assert raised.sum() >= 4 and not (raised & ~home).any()
    assert np.allclose(diff[under][:, raised], hm.END_HOME) and np.allclose(diff[~under], 0.0)
    assert not home[label_to_class("C:7" if mode == "major" else "A:7")[0]]
    assert np.allclose(added(ends_music=False)[0], 0.0)
    assert np.allclose(added(ends_music=True, method="hmm")[0], 0.0)
    other = HarmonyRequest(melody[:-1] + ((62, 31 * 480, 3 * 480),), key=key, rhythm="half", ends_music=True)
    assert not hm._final_tonic(other, engine.prepare(other)[0]).any()
