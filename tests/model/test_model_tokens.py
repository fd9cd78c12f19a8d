"""The continuation note encoding: round trip, transposition, conditioning fields."""

import numpy as np

from composer_app.core.pitch import KeySignature
from composer_app.model import tokens as tk

METERS = ((0, 4, 4), (4 * 1920, 3, 4), (4 * 1920 + 2 * 1440, 6, 8))


def grid_notes(rng: np.random.Generator, count: int = 200) -> list[tuple[int, int, int, int]]:
    notes, tick = set(), 0
    while len(notes) < count:
        tick += int(rng.choice([0, 0, 1, 2, 3, 4, 6, 12, 24, 60])) * tk.GRID
        pitch = int(rng.integers(30, 100))
        dur = tk.DUR_STEPS[int(rng.integers(len(tk.DUR_STEPS)))] * tk.GRID
        notes.add((pitch, tick, dur, int(rng.choice(tk.VEL_VALUES))))
    return sorted(notes, key=lambda n: (n[1], n[0], n[2]))


def test_round_trip_is_exact_on_grid_aligned_notes():
    rng = np.random.default_rng(0)
    notes = grid_notes(rng)
    uniq = {}
    for n in notes:
        uniq.setdefault((n[1], n[0]), n)
    notes = sorted(uniq.values(), key=lambda n: (n[1], n[0]))
    for key in (KeySignature(0), KeySignature(0, 7), KeySignature(0, 2, "minor"), None):
        rows = tk.encode_part(notes, METERS, [], key, "pop", "accompaniment")
        assert rows.shape == (len(notes) + 2, tk.NUM_FIELDS)
        assert rows[0, tk.SHIFT] == tk.BOS and rows[-1, tk.SHIFT] == tk.EOS
        origin = tk.first_bar(notes, METERS)
        assert tk.decode_part(rows, METERS, key, origin) == notes


def test_rows_hold_reference_key_pitches_and_fields_in_range():
    notes = [(67, 0, 480, 80), (71, 480, 480, 80), (74, 960, 960, 80)]
    rows = tk.encode_part(notes, ((0, 4, 4),), [(0, 1920, "G:maj")], KeySignature(0, 7), "folk", "melody")
    assert list(rows[1:-1, tk.PITCH]) == [72, 76, 79]  # G major -> C major: up a fourth
    assert all(rows[1:-1, tk.CHORD] == tk.chord_class("C:maj"))
    assert list(rows[1:-1, tk.POS]) == [0, 12, 24]
    for i, f in enumerate(tk.FIELDS):
        assert rows[:, i].min() >= 0 and rows[:, i].max() < tk.INPUT_SIZES[f]
    a_minor = tk.encode_part([(64, 0, 480, 80)], ((0, 4, 4),), [], KeySignature(0, 4, "minor"), "pop", "melody")
    assert a_minor[1, tk.PITCH] == 69 and a_minor[1, tk.MODE] == 1


def test_off_grid_values_round_to_nearest_class():
    rows = tk.encode_part([(60, 1901, 500, 70)], ((0, 4, 4),), [], None, "pop", "melody")
    assert rows[1, tk.SHIFT] == 0 and rows[1, tk.POS] == 0  # rolled into the next bar (its origin)
    assert tk.DUR_STEPS[rows[1, tk.DUR]] * tk.GRID == 480
    assert tk.VEL_VALUES[rows[1, tk.VEL]] == 76


def test_bar_shifts_and_long_gaps():
    notes = [(60, 0, 480, 80), (62, 1920 * 2 + 480, 480, 80), (64, 1920 * 20, 480, 80)]
    rows = tk.encode_part(notes, ((0, 4, 4),), [], None, "pop", "melody")
    assert list(rows[1:-1, tk.SHIFT]) == [0, 2, tk.MAX_SHIFT]
    with_origin = tk.encode_part(notes[:1], ((0, 4, 4),), [], None, "pop", "melody", origin_bar=0, eos=False)
    assert len(with_origin) == 2 and with_origin[-1, tk.SHIFT] == 0
    # the bar of each row is the note's own, also after a gap the shift had to shorten (summing shifts gives 9)
    same, bars = tk.encode_part_with_bars(notes, ((0, 4, 4),), [], None, "pop", "melody")
    assert np.array_equal(same, rows) and bars == [0, 0, 2, 20, 20]


def test_chord_lookup_by_array_matches_tick_by_tick():
    track = tk.ChordTrack([(0, 960, "C:maj"), (960, 480, "A:min"), (1920, 1920, "G:7"), (1920, 960, "F:maj")], 2)
    ticks = np.array([[0, 959, 960, 1439], [1440, 1919, 1920, 2879], [2880, 3839, 3840, 99999]])
    assert tk.ChordTrack([], 0).at_ticks(ticks).tolist() == [[tk.NO_CHORD] * 4] * 3
    assert track.at_ticks(ticks).tolist() == [[track.at(int(t)) for t in row] for row in ticks]
    assert tk.NO_CHORD in track.at_ticks(ticks)  # the gap at 1440 and after the end


def test_chord_classes():
    assert tk.chord_class("N") == tk.chord_class(None) == tk.NO_CHORD
    assert tk.chord_class("G:7") == 7 * 7 + 2
    assert tk.chord_class("G:7", transpose=5) == 0 * 7 + 2
    assert tk.chord_class("A:min7") == 9 * 7 + 1
    assert tk.chord_class("nonsense") == tk.NO_CHORD
    assert tk.meter_class(6, 8) == tk.METERS.index((6, 8)) and tk.meter_class(7, 8) == tk.METER_OTHER
