"""Composer: a desktop composing assistant (song model, MIDI, sound, embedded models, Qt window)."""

__version__ = "0.1.0"
