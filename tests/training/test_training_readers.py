"""Each dataset reader on a few files: sane notes, chords that fit the melody, plausible keys."""

from pathlib import Path

import pytest

from composer_app.core.chords import parse_chord
from composer_app.core.pitch import KeySignature
from composer_app.training.corpus import SkipPiece
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
    # chord roots keep the score's spelling: a flat seventh is Bb, not A# (a musician reads Bb)
    labels = {c[2] for p in pieces for c in p.chords}
    assert any(label.startswith("Bb:") for label in labels), labels
    assert not any(label[1:2] == "#" for label in labels), labels


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


# --- the MIDI datasets are read by the app's own reader (issue 10: one MIDI reader) --------------------

def _mido_reading(path: Path) -> list[list[tuple[int, int, int, int]]]:
    """An independent reference: mido's parse, notes paired as a synthesizer plays them (``mido_reference``),
    ticks rescaled to 480 with Python's round(); one list per file track that has notes."""
    import mido

    from tests.midi.mido_reference import paired_notes

    mf = mido.MidiFile(str(path))
    tracks = []
    for track in mf.tracks:
        notes = []
        for _, pitch, start, end, velocity in paired_notes(track):
            s, e = round(start * 480 / mf.ticks_per_beat), round(end * 480 / mf.ticks_per_beat)
            if e > s:
                notes.append((pitch, s, e - s, velocity))
        if notes:
            tracks.append(sorted(notes, key=lambda n: (n[1], n[0], n[2])))
    return tracks


def _facts(song):
    return ([(t.name, t.channel, [(n.pitch, n.start, n.duration, n.velocity) for n in t.notes_absolute()])
             for t in song.tracks], song.tempos, song.meters, song.keys)


def _dataset_sample() -> list[Path]:
    import random

    notts = sorted((DATASETS / "nottingham" / "MIDI").glob("*.mid"))
    pop = [DATASETS / "pop909" / "POP909" / n / f"{n}.mid" for n in ("001", "471", "909")]
    found = random.Random(10).sample(notts, min(20, len(notts))) + [p for p in pop if p.exists()]
    if not found:
        pytest.skip("no dataset MIDI files here")
    return found


def test_dataset_files_keep_their_notes_through_the_shared_reader():
    """Per file: the same tracks and note counts as an independent mido reading paired the same way; the only
    difference is the app's rounding of half ticks (up, not to even), so onsets and durations move by at most
    one tick."""
    from composer_app.midi import read_midi as app_read_midi
    from composer_app.training.midifile import read_midi

    moved = 0
    for path in _dataset_sample():
        data = read_midi(path)
        assert data.warnings == ()
        assert _facts(data.song) == _facts(app_read_midi(path))  # training sees exactly what the window sees
        ours = [list(t.notes) for t in data.tracks if t.notes]
        theirs = _mido_reading(path)
        assert [len(t) for t in ours] == [len(t) for t in theirs], path.name
        for mine, old in zip(ours, theirs):
            for a, b in zip(mine, old):
                assert a[0] == b[0] and a[3] == b[3] and abs(a[1] - b[1]) <= 1 and abs(a[2] - b[2]) <= 1, \
                    (path.name, a, b)
                moved += a != b
    assert moved < 1000  # 471.mid (960 PPQ) has a few hundred half-tick durations


def test_training_reads_smpte_files_and_splits_channels_like_the_app(tmp_path):
    import mido

    from composer_app.midi import read_midi as app_read_midi
    from composer_app.training.midifile import read_midi

    track = mido.MidiTrack([mido.MetaMessage("track_name", name="Keys"),
                            mido.Message("note_on", note=60, velocity=90, channel=0),
                            mido.Message("note_on", note=48, velocity=80, channel=3, time=0),
                            mido.Message("note_off", note=60, channel=0, time=1000),
                            mido.Message("note_off", note=48, channel=3, time=500)])
    mf = mido.MidiFile(type=1, ticks_per_beat=480)
    mf.tracks.append(track)
    path = tmp_path / "smpte.mid"
    mf.save(path)
    raw = bytearray(path.read_bytes())
    raw[12:14] = bytes([0xE7, 40])  # 25 fps x 40 ticks: 1000 ticks per second, read at 120 BPM
    path.write_bytes(bytes(raw))
    data = read_midi(path)
    assert [(t.name, t.notes) for t in data.tracks] == [("Keys (1)", ((60, 0, 960, 90),)),
                                                        ("Keys (4)", ((48, 0, 1440, 80),))]
    assert _facts(data.song) == _facts(app_read_midi(path))


def test_a_cut_dataset_file_is_skipped_with_its_reason(tmp_path):
    from composer_app.training.readers.nottingham import AbcTune, read_tune

    source = DATASETS / "nottingham" / "MIDI" / "jigs100.mid"
    if not source.exists():
        pytest.skip("nottingham is not here")
    cut = tmp_path / "jigs100.mid"
    cut.write_bytes(source.read_bytes()[:-200])
    tune = AbcTune(100, "cut", ["6/8"], ["G"], [])
    with pytest.raises(SkipPiece, match="cut short"):
        read_tune(cut, tune)
    assert read_tune(source, tune).note_count > 0
