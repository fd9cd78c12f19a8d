"""Stable identifiers for notes, clips, tracks and chords."""

from __future__ import annotations

import uuid


def new_id() -> str:
    """Return a fresh, globally unique identifier (16 hex digits)."""
    return uuid.uuid4().hex[:16]
