"""The assistant's engines: each loaded once, lazily, on the worker thread that first needs it."""

from __future__ import annotations

import functools
import threading
from collections.abc import Callable
from pathlib import Path
from typing import Any

from composer_app.model import song_adapter

LOADERS: dict[str, Callable[[str | Path | None], Any]] = {
    "continuation": song_adapter.load_continuation_engine,
    "harmony": song_adapter.load_harmonizer,
}


class Engines:
    """``get(name)`` returns the engine, loading it the first time it is asked for (on the caller's thread, so
    on a worker). A failed load is not remembered: the next request tries again and reports again."""

    def __init__(self, paths: dict[str, str | Path | None] | None = None,
                 loaders: dict[str, Callable[[str | Path | None], Any]] | None = None) -> None:
        self._paths = dict(paths or {})
        self._loaders = dict(loaders or LOADERS)
        self._loaded: dict[str, Any] = {}
        self._lock = threading.Lock()

    def get(self, name: str) -> Any:
        with self._lock:
            if name not in self._loaded:
                engine = self._loaders[name](self._paths.get(name))
                if name == "continuation" and hasattr(engine, "harmonizer"):
                    # a part that plays its tune over its accompaniment puts chords under each new tune
                    engine.harmonizer = functools.partial(self.get, "harmony")
                self._loaded[name] = engine
            return self._loaded[name]

    def loaded(self, name: str) -> bool:
        return name in self._loaded
