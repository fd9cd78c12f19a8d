"""Embedded models, numpy only at run time: continuation (tokens, network, sampling, n-gram
baseline), harmonizer and voicing."""
