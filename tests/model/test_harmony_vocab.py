"""The harmonizer's vocabulary: label <-> class mapping, inversions, complexity masks, reductions."""

from composer_app.core.chords import parse_chord
from composer_app.model.harmony_vocab import (
    N_CLASS,
    QUALITY_CLASSES,
    SEVENTHS,
    TRIADS,
    VOCAB_SIZE,
    class_label,
    class_quality,
    complexity_mask,
    inversion_valid,
    label_to_class,
    reduce_majmin,
)


def test_common_labels_map_to_their_class_and_back():
    for label in ("C:maj", "A:min", "G:7", "F#:hdim7", "Bb:maj7", "D:sus4", "E:dim7", "Ab:9"):
        cls, inv = label_to_class(label)
        assert cls != N_CLASS and inv == 0
        assert parse_chord(class_label(cls, flats="b" in label)) == parse_chord(label)


def test_every_class_round_trips():
    for cls in range(VOCAB_SIZE):
        for inv in range(4):
            if inversion_valid()[cls, inv]:
                assert label_to_class(class_label(cls, inv)) == (cls, inv)


def test_folding_of_rare_qualities_and_slash_bass():
    assert class_quality(label_to_class("D:sus4(b7)")[0]) == "7sus4"
    assert class_quality(label_to_class("C:min11")[0]) == "min9"
    assert class_quality(label_to_class("E:aug(b7)")[0]) == "7"
    assert label_to_class("C:maj/3")[1] == 1
    assert label_to_class("C:maj/5")[1] == 2
    assert label_to_class("G:7/b7")[1] == 3
    assert label_to_class("C:maj/2")[1] == 0  # a bass outside the chord is not an inversion class
    assert label_to_class("N") == (N_CLASS, 0)
    assert label_to_class("not a chord") == (N_CLASS, 0)
    assert label_to_class("G:7")[0] - 1 == 7 * len(QUALITY_CLASSES) + QUALITY_CLASSES.index("7")


def test_complexity_masks_nest():
    tri, sev, ext = (complexity_mask(c) for c in ("triads", "sevenths", "extended"))
    assert tri.sum() == 1 + 12 * len(TRIADS)
    assert sev.sum() == 1 + 12 * (len(TRIADS) + len(SEVENTHS))
    assert ext.all() and (tri <= sev).all() and (sev <= ext).all()


def test_complexity_bonus_favours_the_richer_qualities():
    from composer_app.model.harmony_vocab import complexity_bonus

    g7, g9, g = (label_to_class(x)[0] for x in ("G:7", "G:9", "G:maj"))
    assert not complexity_bonus("triads").any()
    assert complexity_bonus("sevenths")[g7] > 0 == complexity_bonus("sevenths")[g]
    assert complexity_bonus("extended")[g9] > complexity_bonus("extended")[g7] > 0


def test_majmin_reduction():
    assert reduce_majmin("C:maj7") == reduce_majmin("C:maj") == "0:maj"
    assert reduce_majmin("A:min7") == "9:min"
    assert reduce_majmin("G:sus4") == "7:other"
    assert reduce_majmin("N") == "N"
