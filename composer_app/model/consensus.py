"""The order a batch of candidates is shown in: the one most like the others first.

A single sample carries its own noise. The candidates sampled together share what the network and the prompt make
likely, and each adds its own spread; the candidate that shares most with the others (in where its notes fall in the
bar and which pitch classes it uses) is the least noisy of them, and so the one nearest the music that really comes
next, on average. The first card a musician hears is that one, the others follow in the same order (a minimum
Bayes risk choice, with the overlaps ``continuation_metrics`` judges candidates by as the measure of likeness).
"""

from __future__ import annotations

from collections.abc import Sequence

from composer_app.core.song import NoteTuple as Note
from composer_app.model import continuation_metrics as cm
from composer_app.model import tokens as tk


def consensus_order(candidates: Sequence[Sequence[Note]], grid: tk.BarGrid) -> list[int]:
    """Positions of ``candidates`` by their summed likeness to all the others, the most alike first; ties keep
    the sampled order. Two candidates' likeness (0..2) is the overlap of their onset positions in the bar plus that
    of their pitch classes; a candidate without notes is like none."""
    onsets = [cm.onset_histogram(c, grid) if c else None for c in candidates]
    classes = [cm.pitch_class_histogram(c) if c else None for c in candidates]
    n = len(candidates)
    score = [0.0] * n
    for i in range(n):
        for j in range(i + 1, n):
            if onsets[i] is None or onsets[j] is None:
                continue
            both = cm.overlap(onsets[i], onsets[j]) + cm.overlap(classes[i], classes[j])
            score[i] += both
            score[j] += both
    return sorted(range(n), key=lambda i: (-round(score[i], 9), i))

