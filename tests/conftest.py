"""Test-wide environment: Qt without a display, and a private runtime directory."""

import os
import tempfile

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
os.environ.setdefault("XDG_RUNTIME_DIR", tempfile.mkdtemp(prefix="composer-test-runtime-"))
