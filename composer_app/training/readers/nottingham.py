"""Nottingham folk tunes: melody and chord blocks from MIDI/*.mid, meter, key and chord names from ABC."""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from composer_app.core.chords import Chord
from composer_app.core.pitch import KeySignature
from composer_app.training.chordname import chord_from_pitches, parse_nmd_chord
from composer_app.training.corpus import Part, Piece, SkipPiece, chord_spans
from composer_app.training.midifile import read_midi
from composer_app.training.skips import SkipLog

SOURCE = "nottingham"
LICENCE = "GPL-3.0 (Nottingham Music Database, cleaned by Jukedeck)"


@dataclass
class AbcTune:
    number: int
    title: str
    meters: list[str]
    keys: list[str]
    chords: list[str]


def parse_abc_headers(text: str) -> list[AbcTune]:
    """Each tune's X:, T:, every M: and K: field, and its chord symbols, from one ABC file."""
    tunes = []
    for block in re.split(r"\n(?=X:)", text):
        m = re.match(r"X:\s*(\d+)", block)
        if not m:
            continue
        title = re.search(r"^T:(.*)$", block, re.M)
        tunes.append(AbcTune(
            int(m.group(1)),
            title.group(1).strip() if title else "",
            [s.strip() for s in re.findall(r"^M:(.*)$", block, re.M)],
            [s.strip() for s in re.findall(r"^K:(.*)$", block, re.M)],
            re.findall(r'"([^"]*)"', block),
        ))
    return tunes


def _meter(text: str) -> tuple[int, int]:
    if text in ("C", "C|"):
        return (4, 4) if text == "C" else (2, 2)
    num, _, den = text.partition("/")
    return int(num), int(den)


def read_tune(midi_path: Path, tune: AbcTune) -> Piece:
    if len(set(tune.meters)) > 1 or len(set(tune.keys)) > 1:
        raise SkipPiece("meter or key changes inside the tune (their positions are not in the MIDI)")
    if not tune.meters or not tune.keys:
        raise SkipPiece("no M: or K: field")
    num, den = _meter(tune.meters[0])
    key = KeySignature.parse(0, tune.keys[0])
    data = read_midi(midi_path)
    if data.warnings:  # a damaged file: never train on part of a tune
        raise SkipPiece("; ".join(data.warnings))
    if not data.tracks or not data.tracks[0].notes:
        raise SkipPiece("no melody notes")
    melody = data.tracks[0].notes
    candidates: list[Chord] = []
    for text in dict.fromkeys(tune.chords):
        try:
            c = parse_nmd_chord(text)
        except ValueError:
            continue
        # abc2midi voices slash chords in root position, so the MIDI cannot place their bass
        candidates.append(Chord(c.root, c.quality, 0, c.added, c.omitted))
    onsets: list[tuple[int, str]] = []
    end = max(s + d for _, s, d, _ in melody)
    if len(data.tracks) > 1:
        blocks: dict[int, list[int]] = {}
        for pitch, start, _, _ in data.tracks[1].notes:
            blocks.setdefault(start, []).append(pitch)
        for start, pitches in sorted(blocks.items()):
            chord = chord_from_pitches(pitches, candidates)
            onsets.append((start, chord.label() if chord else "N"))
        end = max([end] + [s + d for _, s, d, _ in data.tracks[1].notes])
    return Piece(
        id=f"{SOURCE}/{midi_path.stem}", source=SOURCE, style="folk", meters=((0, num, den),),
        keys=(key,), chords=chord_spans(onsets, end), parts=(Part("melody", melody),),
        licence=LICENCE, title=tune.title,
    )


def iter_pieces(root: Path, limit: int | None = None, skips: SkipLog | None = None) -> Iterator[Piece]:
    """Pieces from ``root`` (the nottingham folder), in file order."""
    skips = skips if skips is not None else SkipLog()
    count = 0
    for abc in sorted((root / "ABC_cleaned").glob("*.abc")):
        for tune in parse_abc_headers(abc.read_text(encoding="latin-1")):
            if limit is not None and count >= limit:
                return
            midi = root / "MIDI" / f"{abc.stem}{tune.number}.mid"
            try:
                if not midi.exists():
                    raise SkipPiece("no MIDI file")
                piece = read_tune(midi, tune)
            except SkipPiece as exc:
                skips.add(SOURCE, midi.name, str(exc))
                continue
            except Exception as exc:  # noqa: BLE001 - a broken file is counted, not fatal
                skips.add(SOURCE, midi.name, f"{type(exc).__name__}: {exc}")
                continue
            count += 1
            yield piece
