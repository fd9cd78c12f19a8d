"""The song as values: notes, clips, tracks, tempo/meter/key, chord symbols and pure edits."""
