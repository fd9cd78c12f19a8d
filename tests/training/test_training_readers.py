"""Each dataset reader on a few files: sane notes, chords that fit the melody, plausible keys."""

from pathlib import Path

import pytest

from composer_app.core.chords import parse_chord
from composer_app.core.pitch import KeySignature
from composer_app.training.keyfind import find_key
from composer_app.training.skips import SkipLog
from composer_app.training.sources import iter_source

DATASETS = Path(__file__).resolve().parents[2].parent / "shared" / "datasets"


@pytest.fixture(autouse=True)
def _no_cache(monkeypatch):
    """Read the files themselves, and leave the user's cache alone."""
    monkeypatch.setenv("COMPOSER_TRAINING_CACHE", "")


def _need(folder: str) -> Path:
    path = DATASETS / folder
    if not path.is_dir():
        pytest.skip(f"dataset folder {path} is missing")
    return path


def _read(source: str, folder: str | None, limit: int):
    if folder is not None:
        _need(folder)
    skips = SkipLog()
    pieces = list(iter_source(source, limit=limit, skips=skips, datasets=DATASETS))
    assert pieces, f"no pieces from {source}: {skips.entries}"
    return pieces


def _check_sane(piece, low=21, high=108):
    assert piece.parts
    for part in piece.parts:
        assert part.notes, f"{piece.id}: empty {part.role}"
        starts = [n[1] for n in part.notes]
        assert starts == sorted(starts)
        for pitch, start, duration, velocity in part.notes:
            assert low <= pitch <= high and start >= 0 and duration > 0 and 1 <= velocity <= 127
    assert piece.meters[0][0] == 0
    assert piece.keys and piece.keys[0].tick == 0
    for _, duration, label in piece.chords:
        assert duration > 0
        parse_chord(label)  # every label is valid Harte
    assert piece.seconds > 0


def _chord_tone_rate(pieces):
    """Melody notes that are chord tones of the chord sounding at their onset, and the rate a random
    pitch class would reach (the chords' mean size / 12)."""
    hits = total = 0
    chance = 0.0
    for piece in pieces:
        for pitch, start, _, _ in piece.melody.notes:
            label = piece.chord_at(start)
            if label and label != "N":
                pcs = parse_chord(label).pitch_classes
                total += 1
                hits += pitch % 12 in pcs
                chance += len(pcs) / 12
    assert total > 50
    return hits / total, chance / total


def test_nottingham():
    pieces = _read("nottingham", "nottingham", 20)
    for p in pieces:
        _check_sane(p)
        assert p.style == "folk" and p.melody is not None and p.chords
    rate, chance = _chord_tone_rate(pieces)
    assert rate > 0.6 and rate > 2 * chance, (rate, chance)


def test_nottingham_key_finder_agrees_with_abc():
    pieces = _read("nottingham", "nottingham", 20)
    agree = sum((find_key(p.melody.notes).tonic, find_key(p.melody.notes).mode) == (p.keys[0].tonic,
                p.keys[0].mode) for p in pieces)
    assert agree / len(pieces) > 0.7, agree


def test_nottingham_skips_are_counted():
    _need("nottingham")
    skips = SkipLog()
    list(iter_source("nottingham", limit=60, skips=skips, datasets=DATASETS))
    assert skips.count("nottingham") >= 1  # ashover1 changes meter mid-tune
    assert all(reason for _, _, reason in skips.entries)


def test_pop909():
    pieces = _read("pop909", "pop909", 3)
    for p in pieces:
        _check_sane(p)
        assert p.style == "pop" and p.part("accompaniment") is not None
        assert p.meters[-1][1:] in ((4, 4), (3, 4), (2, 4), (1, 4)) or len(p.meters) > 1
        # beats were moved onto the tick grid: most melody onsets fall on an eighth-note grid
        on_grid = sum(n[1] % 240 == 0 for n in p.melody.notes) / len(p.melody.notes)
        assert on_grid > 0.5, on_grid
    rate, chance = _chord_tone_rate(pieces)
    assert rate > 0.5 and rate > 2 * chance, (rate, chance)


def test_jsb():
    pieces = _read("jsb", "jsb_chorales", 4)
    for p in pieces:
        _check_sane(p)
        assert p.split == "train" and [part.name for part in p.parts] == ["soprano", "alto", "tenor", "bass"]
        assert p.melody.name == "soprano"
        assert isinstance(p.keys[0], KeySignature)
        # voices keep their order at every note onset of the soprano
        sop, bass = p.parts[0].notes, p.parts[3].notes
        assert sum(n[0] for n in sop) / len(sop) > sum(n[0] for n in bass) / len(bass)


def test_openewld():
    pytest.importorskip("music21")
    pieces = _read("openewld", "openewld", 3)
    for p in pieces:
        _check_sane(p)
        assert p.style == "jazz" and p.chords
    rate, chance = _chord_tone_rate(pieces)
    assert rate > 0.5 and rate > 2 * chance, (rate, chance)


def test_when_in_rome():
    pytest.importorskip("music21")
    pieces = _read("when_in_rome", "when_in_rome_bach", 3)
    for p in pieces:
        _check_sane(p)
        assert p.style == "chorale" and len(p.parts) == 4 and p.chords
    rate, chance = _chord_tone_rate(pieces)
    assert rate > 0.7 and rate > 2 * chance, (rate, chance)
    # Roman-numeral inversions become slash basses that the bass voice mostly plays
    hits = total = 0
    for p in pieces:
        for pitch, start, _, _ in p.parts[3].notes:
            label = p.chord_at(start)
            if label and label != "N":
                total += 1
                hits += parse_chord(label).bass_pitch_class == pitch % 12
    assert hits / total > 0.6


def test_music21_folk():
    pytest.importorskip("music21")
    pieces = _read("music21_folk", None, 3)
    for p in pieces:
        _check_sane(p)
        assert p.style == "folk" and p.id.startswith("music21_folk/")
        assert "essenFolksong" not in p.id
