"""The shipped harmonizer on tunes it was not trained on (held-out split, transposed, key signatures removed):
its first candidate against the diatonic-triad rule and the real chords, distinct alternatives, style, cancel."""

import pytest

from composer_app.core.pitch import KeySignature
from composer_app.model.continuation import Cancelled
from composer_app.model.harmony import DEFAULT_WEIGHTS, Harmonizer, HarmonyRequest
from composer_app.model.harmony_rules import dominant_resolutions, secondary_dominants, seventh_share, two_five_count

pytestmark = pytest.mark.skipif(not DEFAULT_WEIGHTS.is_file(), reason=f"no shipped weights at {DEFAULT_WEIGHTS}")
BAR = 1920
PIECES = 8
"""Held-out pieces per source in the sample (two 8-bar excerpts each)."""


@pytest.fixture(scope="module")
def engine() -> Harmonizer:
    return Harmonizer.load()


@pytest.fixture(scope="module")
def excerpts():
    from composer_app.training.harmony.crosseval import iter_excerpts
    from composer_app.training.sources import music21_available, source_root

    found = []
    for source in ("openewld", "pop909", "nottingham"):
        root = source_root(source)
        if root is None or not root.is_dir() or (source == "openewld" and not music21_available()):
            continue
        found += list(iter_excerpts([source], split="test", pieces=PIECES, transpose=True, strip_key=True))
    if len(found) < 10:
        pytest.skip("the datasets are not here (../shared/datasets)")
    return found


@pytest.fixture(scope="module")
def report(engine, excerpts):
    from composer_app.training.harmony.crosseval import evaluate_excerpts

    return evaluate_excerpts(excerpts, engine)


def test_first_candidate_beats_the_rule_and_the_hmm(report):
    root = report["root"]
    assert root["model"] >= root["rule"] + 0.05, root
    assert root["model"] >= root["hmm"] + 0.05, root
    assert root["best_of_4"] >= root["model"]


def test_strong_beats_fit_at_least_as_well_as_the_real_chords(report):
    ct = report["strong_beat_chord_tones"]
    assert ct["model"] >= ct["real"], ct


def test_alternatives_are_distinct(engine, excerpts):
    for ex in excerpts[:6]:
        alts = engine.harmonize(HarmonyRequest(ex.melody, meters=ex.meters, key=ex.key, end=ex.end, rhythm="half",
                                               candidates=4, style=ex.style))
        assert len(alts) == 4
        assert len({a.slot_labels for a in alts}) == 4
        assert all(a.distinct >= 1 / 3 - 1e-9 for a in alts[1:])


def test_jazz_style_brings_sevenths_two_fives_and_secondary_dominants(engine, excerpts):
    stats = {}
    for style in ("pop", "jazz"):
        sevenths = two_fives = resolutions = secondary = 0.0
        for ex in excerpts:
            first = engine.harmonize(HarmonyRequest(ex.melody, meters=ex.meters, key=ex.key, end=ex.end,
                                                    rhythm="half", candidates=1, style=style))[0]
            labels = list(first.slot_labels)
            sevenths += seventh_share(labels)
            two_fives += two_five_count(labels)
            resolutions += dominant_resolutions(labels)
            secondary += secondary_dominants(labels, ex.key.tonic)
        stats[style] = (sevenths / len(excerpts), two_fives, resolutions, secondary)
    assert stats["jazz"][0] >= stats["pop"][0] + 0.2, stats
    assert stats["jazz"][1] > stats["pop"][1], stats
    assert stats["jazz"][2] >= stats["pop"][2], stats
    assert stats["jazz"][3] >= stats["pop"][3] + len(excerpts) / 4, stats  # V7 of ii, of V, ...: jazz has them


def test_cancel_stops_between_steps(engine):
    melody = tuple((67 + (i * 5) % 12, i * 480, 480) for i in range(32))
    req = HarmonyRequest(melody, key=KeySignature(0, 7, "major"), rhythm="half", candidates=4)
    asked = []

    def cancel_after(n):
        def cancel() -> bool:
            asked.append(1)
            return len(asked) > n
        return cancel

    assert len(engine.harmonize(req, cancel=cancel_after(10**6))) == 4
    steps = len(asked)
    assert steps >= 5  # features, decoding, alternatives: each one a chance to stop
    for n in range(steps):
        asked.clear()
        with pytest.raises(Cancelled):
            engine.harmonize(req, cancel=cancel_after(n))
        assert len(asked) == n + 1  # stopped at the first 'yes'


def test_cancel_stops_the_voicing(engine):
    from composer_app.model.voicing_render import accompany

    melody = tuple((67 + (i * 5) % 12, i * 480, 480) for i in range(32))
    res = engine.harmonize(HarmonyRequest(melody, key=KeySignature(0, 7, "major"), rhythm="half", candidates=1))[0]
    calls = []
    with pytest.raises(Cancelled):
        accompany(res.chords, melody, ((0, 4, 4),), "pop", cancel=lambda: calls.append(1) or len(calls) > 1)
    assert len(calls) == 2  # asked before the search (no) and before rendering (yes)
    _, notes = accompany(res.chords, melody, ((0, 4, 4),), "pop", cancel=lambda: False)
    assert notes
