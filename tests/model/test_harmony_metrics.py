"""Melody/chord fit metrics (Yeh et al. 2021) and per-beat accuracy on hand-made cases."""

import numpy as np

from composer_app.model.harmony_features import slot_grid
from composer_app.model.harmony_metrics import beat_accuracy, distinctness, fit_metrics, tonal_centroid

BAR = 1920
BEATS = slot_grid(((0, 4, 4),), 2 * BAR, "beat")


def test_chord_tone_melody_scores_well():
    chords = [(0, BAR, "C:maj"), (BAR, BAR, "G:maj")]
    melody = [(60, 0, 960), (64, 960, 960), (67, BAR, 960), (71, BAR + 960, 960)]
    m = fit_metrics(melody, chords, BEATS)
    assert m["CTnCTR"] == 1.0
    assert m["CC"] == 2 and np.isclose(m["CHE"], np.log(2))
    assert m["PCS"] > 0.3 and m["CTD"] > 0
    bad = fit_metrics([(61, 0, 960), (66, 960, 960)], chords, BEATS)
    assert bad["CTnCTR"] < 0.5 and bad["PCS"] < m["PCS"] and bad["MCTD"] > m["MCTD"]


def test_proper_non_chord_tones_count():
    chords = [(0, BAR, "C:maj")]
    passing = [(60, 0, 480), (62, 480, 480), (64, 960, 960)]  # D moves by step: a proper non-chord tone
    assert fit_metrics(passing, chords, BEATS)["CTnCTR"] == 1.0
    leap = [(60, 0, 480), (62, 480, 480), (67, 960, 960)]
    assert fit_metrics(leap, chords, BEATS)["CTnCTR"] == 2 / 3


def test_beat_accuracy_levels():
    ref = [(0, BAR, "C:maj7"), (BAR, BAR, "A:min")]
    pred = [(0, BAR, "C:maj7"), (BAR, 960, "A:min7"), (BAR + 960, 960, "C:maj")]
    acc = beat_accuracy(pred, ref, BEATS)
    assert acc["exact"] == 4 / 8 and acc["root"] == 6 / 8 and acc["majmin"] == 6 / 8


def test_tonal_centroid_and_distinctness():
    assert np.allclose(tonal_centroid([]), 0)
    assert np.linalg.norm(tonal_centroid([0, 4, 7]) - tonal_centroid([7, 11, 2])) < \
        np.linalg.norm(tonal_centroid([0, 4, 7]) - tonal_centroid([6, 10, 1]))
    assert distinctness([["C", "F"], ["C", "G"]]) == 0.5


def test_secondary_dominants_are_the_resolving_dominants_off_the_fifth_degree():
    from composer_app.model.harmony_rules import dominant_resolutions, secondary_dominants, two_five_count

    # C major: V7 of ii, then ii-V-I; a held chord over two slots counts once
    labels = ["C:maj", "A:7", "A:7", "D:min7", "G:7", "C:maj7", "E:7", "A:min"]
    assert dominant_resolutions(labels) == 3  # A7-Dm7, G7-Cmaj7, E7-Am
    assert secondary_dominants(labels, tonic=0) == 2  # V7/ii and V7/vi; G7-C is V7-I
    assert two_five_count(labels) == 1
    # the same chords heard in F major: G7-C is now V7 of V and C-F would be V7-I (a triad here: not counted)
    assert secondary_dominants(labels, tonic=5) == 3
    # A minor: E7-Am is its V7-i, A7-Dm7 and G7-C are secondary
    assert secondary_dominants(labels, tonic=9) == 2
    # a dominant that does not resolve down a fifth, and a triad that does, are neither
    assert secondary_dominants(["D:7", "C:maj", "D:maj", "G:maj"], tonic=0) == 0
