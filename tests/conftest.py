"""Test-wide environment: Qt without a display, and a private runtime directory."""

import atexit
import os
import shutil
import tempfile

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
if not os.environ.get("XDG_RUNTIME_DIR"):
    os.environ["XDG_RUNTIME_DIR"] = tempfile.mkdtemp(prefix="composer-test-runtime-")
    atexit.register(shutil.rmtree, os.environ["XDG_RUNTIME_DIR"], True)
