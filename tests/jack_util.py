"""A private JACK dummy server for tests, or a skip where this machine cannot run one."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

import pytest

from composer_app.audio.jack_dummy import JackDummyServer, JackUnavailable


@contextmanager
def jack_or_skip(period: int = 256, timeout: float = 15.0) -> Iterator[JackDummyServer]:
    """A started ``JackDummyServer`` (JACK clients of this process use it), stopped on exit; skips the test
    when jackd is missing or does not come up."""
    server = JackDummyServer(period=period)
    try:
        server.start(timeout=timeout)
    except JackUnavailable as e:
        pytest.skip(str(e))
    try:
        yield server
    finally:
        server.stop()
