"""Piano roll: edit the notes of one clip with mouse tools, keys, a velocity lane and a chord lane."""

from composer_app.ui.piano_roll.editor import PianoRollEditor

__all__ = ["PianoRollEditor"]
