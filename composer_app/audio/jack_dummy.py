"""A private JACK server on the dummy driver: real audio and MIDI ports with no sound card (tests, bench)."""

from __future__ import annotations

import os
import shutil
import subprocess
import time
import uuid


class JackUnavailable(RuntimeError):
    """jackd is not installed or did not come up."""


class JackDummyServer:
    """Starts ``jackd --no-realtime -d dummy`` under a unique name and points JACK clients of this
    process at it (JACK_DEFAULT_SERVER, JACK_NO_START_SERVER); :meth:`stop` ends it and restores the env."""

    def __init__(self, rate: int = 44100, period: int = 256, name: str | None = None) -> None:
        self.rate, self.period = rate, period
        self.name = name or f"composer-{os.getpid()}-{uuid.uuid4().hex[:6]}"
        self.proc: subprocess.Popen | None = None
        self._saved: dict[str, str | None] = {}

    def start(self, timeout: float = 10.0) -> JackDummyServer:
        jackd = shutil.which("jackd")
        if jackd is None:
            raise JackUnavailable("jackd is not installed (apt install jackd2)")
        env = dict(os.environ, JACK_NO_START_SERVER="1")
        self.proc = subprocess.Popen([jackd, "-n", self.name, "--no-realtime", "-d", "dummy", "-r",
                                      str(self.rate), "-p", str(self.period)], env=env,
                                     stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        for key, value in (("JACK_DEFAULT_SERVER", self.name), ("JACK_NO_START_SERVER", "1")):
            self._saved[key] = os.environ.get(key)
            os.environ[key] = value
        try:
            self._wait_up(timeout)
        except BaseException:
            self.stop()
            raise
        return self

    def _wait_up(self, timeout: float) -> None:
        lsp = shutil.which("jack_lsp")
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.proc is None or self.proc.poll() is not None:
                raise JackUnavailable(f"jackd exited with {None if self.proc is None else self.proc.returncode}")
            if lsp is None:
                time.sleep(1.0)  # no probe tool: give it a generous moment
                return
            probe = subprocess.run([lsp, "-s", self.name], capture_output=True, text=True, timeout=timeout,
                                   env=dict(os.environ, JACK_NO_START_SERVER="1"))
            if probe.returncode == 0 and "system:" in probe.stdout:
                return
            time.sleep(0.1)
        raise JackUnavailable(f"jackd did not come up within {timeout} s")

    def stop(self) -> None:
        """Terminate the server (kill it if it hangs) and restore the environment; safe to call twice."""
        proc, self.proc = self.proc, None
        if proc is not None:
            proc.terminate()
            try:
                proc.wait(5)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait()
        for key, value in self._saved.items():
            if value is None:
                os.environ.pop(key, None)
            else:
                os.environ[key] = value
        self._saved.clear()

    @property
    def period_seconds(self) -> float:
        return self.period / self.rate

    def __enter__(self) -> JackDummyServer:
        return self.start()

    def __exit__(self, *exc) -> None:
        self.stop()
