"""Voicings of real progressions: ranges, slash basses, no m9 clash with the melody, no parallel 5ths/8ves
in SATB, small motion, broken chords on the meter's grid."""

from itertools import combinations

import pytest

from composer_app.core.chords import parse_chord
from composer_app.model.voicing import VOICINGS, voice_chords
from composer_app.model.voicing_render import accompany, clashes

BAR = 1920
PROGRESSIONS = {
    "pop": ["C:maj", "G:maj/3", "A:min", "F:maj", "D:min7", "G:7", "C:maj/5", "G:sus4", "C:maj"],
    "jazz": ["D:min7", "G:7", "C:maj7", "A:7", "D:min9", "G:13", "C:maj6", "E:hdim7", "A:7", "D:min"],
    "folk": ["G:maj", "C:maj", "D:7", "G:maj", "E:min", "A:7", "D:maj", "D:7/b7", "G:maj/3"],
    "chorale": ["F:maj", "C:maj/3", "D:min", "Bb:maj", "C:7", "F:maj", "G:min/b3", "C:7", "F:maj"],
}
MELODIES = {
    "pop": [67, 71, 72, 72, 74, 74, 72, 72, 72],
    "jazz": [72, 71, 71, 73, 74, 74, 72, 70, 73, 74],
    "folk": [71, 72, 72, 71, 71, 73, 78, 72, 74],
    "chorale": [72, 72, 74, 74, 72, 72, 70, 70, 69],
}


def _song(name):
    chords = [(i * BAR, BAR, lab) for i, lab in enumerate(PROGRESSIONS[name])]
    # the melody holds a chord tone for two beats, then moves by step (a passing note)
    melody = []
    for i, p in enumerate(MELODIES[name]):
        melody.append((p, i * BAR, 960))
        melody.append((p + 2, i * BAR + 960, 480))
        melody.append((p, i * BAR + 1440, 480))
    return chords, melody


@pytest.mark.parametrize("style", VOICINGS)
@pytest.mark.parametrize("name", list(PROGRESSIONS))
def test_voicing_properties(style, name):
    chords, melody = _song(name)
    voicing, notes = accompany(chords, melody, ((0, 4, 4),), style)
    assert len(voicing.pitches) == len(chords)
    for (_, _, label), pitches in zip(voicing.spans, voicing.pitches):
        chord = parse_chord(label)
        assert pitches[0] % 12 == chord.bass_pitch_class  # the bass is the slash / inversion bass
        assert pitches[0] == min(pitches)
        assert 28 <= pitches[0] <= 60 and max(pitches) <= 84
        assert {p % 12 for p in pitches} <= chord.pitch_classes | ({pitches[-1] % 12} if style == "satb" else set())
        if style != "satb":
            assert chord.pitch_classes & {p % 12 for p in pitches[1:]}
        upper = pitches[1:]
        if style in ("close", "pop"):
            assert upper[-1] - upper[0] <= 12
        if style in ("open", "broken"):
            assert upper[-1] - upper[0] >= 12
        if style == "drop2":
            assert len(upper) == 4 and upper[2] < upper[0] + 12 < upper[3]  # close voicing, 2nd from top dropped
    for p, s, d, _ in notes:  # no note sounds a minor second/ninth against a melody note
        for mp, ms, md in melody:
            if ms < s + d and s < ms + md:
                assert not clashes(p, mp), (style, name, p, mp, s)
    if style == "broken":
        assert all(s % 240 == 0 for _, s, _, _ in notes)


@pytest.mark.parametrize("name", list(PROGRESSIONS))
def test_satb_has_no_parallel_fifths_or_octaves(name):
    chords, melody = _song(name)
    voicing = voice_chords(chords, melody, "satb")
    for a, b in zip(voicing.pitches, voicing.pitches[1:]):
        assert all(x <= y for x, y in zip(a, a[1:]))  # no crossing: bass, tenor, alto, soprano
        assert a[3] - a[2] <= 12 and a[2] - a[1] <= 12
        for i, j in combinations(range(4), 2):
            ia, ib = (a[j] - a[i]) % 12, (b[j] - b[i]) % 12
            moved = a[i] != b[i] or a[j] != b[j]
            assert not (moved and ia == ib and ia in (0, 7)), (a, b, i, j)
    onsets = {s: p for p, s, _ in melody}
    for (s, _, _), pitches in zip(voicing.spans, voicing.pitches):
        assert pitches[3] == onsets[s]  # the soprano is the melody


def test_voice_leading_moves_little():
    chords = [(i * BAR, BAR, lab) for i, lab in enumerate(["C:maj", "A:min", "F:maj", "G:7", "C:maj"])]
    voicing = voice_chords(chords, [], "close")
    for a, b in zip(voicing.pitches, voicing.pitches[1:]):
        assert sum(abs(x - y) for x, y in zip(a[1:], b[1:])) <= 7


def test_compound_meter_arpeggio_in_threes():
    chords = [(0, 1440, "D:maj"), (1440, 1440, "A:7")]
    _, notes = accompany(chords, [], ((0, 6, 8),), "broken")
    assert [s for _, s, _, _ in notes][:6] == [0, 240, 480, 720, 960, 1200]
