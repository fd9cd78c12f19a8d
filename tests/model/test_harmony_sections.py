"""Harmonizing music that modulates: each key section in its own key, the alternatives joined."""

from __future__ import annotations

from dataclasses import replace

import pytest

from composer_app.core.chords import parse_chord
from composer_app.core.pitch import KeySignature
from composer_app.model.harmony import DEFAULT_WEIGHTS, Harmonizer, HarmonyRequest, Pin
from composer_app.model.harmony_sections import section_bounds, section_request

BAR = 1920
TUNE = [60, 64, 67, 64, 65, 69, 67, 64, 62, 65, 71, 67, 60, 64, 72, 67]
needs_weights = pytest.mark.skipif(not DEFAULT_WEIGHTS.is_file(), reason="no harmony weights")


def tune_that_moves_up_a_tone() -> tuple:
    """Eight bars in C major, then the same eight a tone higher (D major), in quarter notes."""
    return tuple((TUNE[(b * 4 + i) % 16] + (2 if b >= 8 else 0), b * BAR + i * 480, 480)
                 for b in range(16) for i in range(4))


def request(**changes) -> HarmonyRequest:
    fields = dict(melody=tune_that_moves_up_a_tone(), key=KeySignature(0, 0, "major"), end=16 * BAR, candidates=3,
                  key_changes=(KeySignature(8 * BAR, 2, "major"),))
    fields.update(changes)
    return HarmonyRequest(**fields)


def test_a_section_is_its_own_request_from_tick_zero() -> None:
    req = request(meters=((0, 4, 4), (12 * BAR, 3, 4)), existing=((7 * BAR, 2 * BAR, "G:7"),),
                  pins=(Pin(9 * BAR, 10 * BAR, "A:7"),))
    (a, b, first), (c, d, second) = section_bounds(req)
    assert (a, b, c, d) == (0, 8 * BAR, 8 * BAR, 16 * BAR) and first.tonic == 0 and second.tonic == 2
    part = section_request(req, c, d, second)
    assert part.melody[0] == (62, 0, 480) and part.end == 8 * BAR and part.key == second and part.key_changes == ()
    assert part.meters == ((0, 4, 4), (4 * BAR, 3, 4))
    assert part.existing == ((0, BAR, "G:7"),) and part.pins == (Pin(BAR, 2 * BAR, "A:7"),)
    assert not part.ends_music  # a request that does not end the music has no section that does
    ends = request(ends_music=True)
    assert [section_request(ends, a, b, k).ends_music for a, b, k in section_bounds(ends)] == [False, True]


@needs_weights
def test_the_chords_after_a_modulation_are_in_the_new_key() -> None:
    harmonizer = Harmonizer.load()
    d_major = {2, 4, 6, 7, 9, 11, 1}  # the roots of D major's scale

    def roots_after_the_change(h) -> list[int]:
        return [parse_chord(lab).root for s, _, lab in h.chords if s >= 8 * BAR]

    joined = harmonizer.harmonize(request())
    assert len(joined) == 3 and [h.rank for h in joined] == [1, 2, 3]
    assert len(joined[0].slot_labels) == 16  # one chord per bar, both sections
    assert all(set(roots_after_the_change(h)) <= d_major for h in joined)
    assert joined[0].distinct == 1.0 and all(0 < h.distinct <= 1 for h in joined[1:])
    one_key = harmonizer.harmonize(replace(request(), key_changes=()))[0]
    assert not set(roots_after_the_change(one_key)) <= d_major  # read in C major, the D section got C chords


@needs_weights
def test_a_bar_range_keeps_to_one_key() -> None:
    harmonizer = Harmonizer.load()
    ranged = request(range_bars=(2, 5), candidates=1)
    assert harmonizer.harmonize(ranged)[0].chords == harmonizer.harmonize(replace(ranged, key_changes=()))[0].chords


def test_a_request_that_starts_later_is_moved_to_tick_zero_and_back() -> None:
    from composer_app.model.harmony_sections import later_request, moved_back

    req = request(meters=((0, 4, 4), (12 * BAR, 3, 4)), start=4 * BAR, range_bars=(5, 9),
                  existing=((3 * BAR, 2 * BAR, "G:7"),), pins=(Pin(9 * BAR, 10 * BAR, "A:7"),))
    moved = later_request(req)
    assert moved.start == 0 and moved.melody[0] == (60, 0, 480) and moved.end == 12 * BAR
    assert moved.range_bars == (1, 5) and moved.key_changes == (KeySignature(4 * BAR, 2, "major"),)
    assert moved.meters == ((0, 4, 4), (8 * BAR, 3, 4)) and moved.pins == (Pin(5 * BAR, 6 * BAR, "A:7"),)
    assert moved.existing == ((0, BAR, "G:7"),)  # what sounds from the start on
    from composer_app.model.harmony import Harmonization

    back = moved_back(Harmonization(((0, BAR, "C:maj"), (BAR, BAR, "G:maj")), ("C:maj", "G:maj"), 0.0, 1.0, 1), 4 * BAR)
    assert back.chords == ((4 * BAR, BAR, "C:maj"), (5 * BAR, BAR, "G:maj"))


@needs_weights
def test_a_later_start_writes_no_chord_before_it_and_keeps_the_sections() -> None:
    harmonizer = Harmonizer.load()
    later = harmonizer.harmonize(request(start=4 * BAR))
    assert later and all(s >= 4 * BAR for h in later for s, _, _ in h.chords)
    assert all(parse_chord(lab).root in {2, 4, 6, 7, 9, 11, 1} for s, _, lab in later[0].chords if s >= 8 * BAR)
    assert len(later[0].slot_labels) == 12  # bars 5-16, one chord each
