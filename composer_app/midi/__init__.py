"""MIDI files: read any Standard MIDI File into a Song (with warnings), write a Song as a Type 1 file for DAWs."""

from composer_app.midi.reader import MidiRead, load_midi, load_midi_bytes, read_midi, read_midi_bytes
from composer_app.midi.writer import write_midi, write_midi_bytes

__all__ = ["MidiRead", "load_midi", "load_midi_bytes", "read_midi", "read_midi_bytes", "write_midi",
           "write_midi_bytes"]
