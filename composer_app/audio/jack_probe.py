"""A tiny ctypes JACK client that listens to another client's audio and timestamps the first sound."""

from __future__ import annotations

import ctypes
import ctypes.util
import threading
import time

_PROCESS = ctypes.CFUNCTYPE(ctypes.c_int, ctypes.c_uint32, ctypes.c_void_p)
_AUDIO = b"32 bit float mono audio"
_IS_INPUT, _IS_OUTPUT = 0x1, 0x2
_NO_START_SERVER = 0x01


class JackProbeError(RuntimeError):
    """libjack is missing or the probe could not join the server."""


def _lib() -> ctypes.CDLL:
    path = ctypes.util.find_library("jack")
    if not path:
        raise JackProbeError("libjack not found")
    lib = ctypes.CDLL(path)
    vp, cp, u32 = ctypes.c_void_p, ctypes.c_char_p, ctypes.c_uint32
    lib.jack_client_open.restype = vp
    lib.jack_client_open.argtypes = [cp, ctypes.c_int, ctypes.POINTER(ctypes.c_int)]
    lib.jack_port_register.restype = vp
    lib.jack_port_register.argtypes = [vp, cp, cp, ctypes.c_ulong, ctypes.c_ulong]
    lib.jack_set_process_callback.argtypes = [vp, _PROCESS, vp]
    lib.jack_activate.argtypes = [vp]
    lib.jack_deactivate.argtypes = [vp]
    lib.jack_client_close.argtypes = [vp]
    lib.jack_port_get_buffer.restype = ctypes.POINTER(ctypes.c_float)
    lib.jack_port_get_buffer.argtypes = [vp, u32]
    lib.jack_connect.argtypes = [vp, cp, cp]
    lib.jack_port_name.restype = cp
    lib.jack_port_name.argtypes = [vp]
    lib.jack_get_ports.restype = ctypes.POINTER(cp)
    lib.jack_get_ports.argtypes = [vp, cp, cp, ctypes.c_ulong]
    lib.jack_free.argtypes = [vp]
    lib.jack_last_frame_time.restype = u32
    lib.jack_last_frame_time.argtypes = [vp]
    lib.jack_frames_to_time.restype = ctypes.c_uint64
    lib.jack_frames_to_time.argtypes = [vp, u32]
    lib.jack_get_time.restype = ctypes.c_uint64
    lib.jack_get_sample_rate.restype = u32
    lib.jack_get_sample_rate.argtypes = [vp]
    lib.jack_get_buffer_size.restype = u32
    lib.jack_get_buffer_size.argtypes = [vp]
    return lib


class JackAudioProbe:
    """Joins the running JACK server, connects every audio output port whose name contains ``source``
    to its own input, and records the perf_counter time of the first sample above ``threshold``
    after :meth:`arm`. Times come from JACK's frame clock (sample exact), mapped to perf_counter."""

    def __init__(self, source: str = "fluidsynth", threshold: float = 1e-4, name: str = "composer-probe") -> None:
        self._jack = _lib()
        status = ctypes.c_int(0)
        self._client = self._jack.jack_client_open(name.encode(), _NO_START_SERVER, ctypes.byref(status))
        if not self._client:
            raise JackProbeError(f"cannot join the JACK server (status {status.value:#x})")
        self.threshold = threshold
        self.sample_rate = int(self._jack.jack_get_sample_rate(self._client))
        self.period = int(self._jack.jack_get_buffer_size(self._client))
        self._port = self._jack.jack_port_register(self._client, b"in", _AUDIO, _IS_INPUT, 0)
        self._armed = threading.Event()
        self._heard = threading.Event()
        self.heard_at: float | None = None
        self._callback = _PROCESS(self._process)  # kept alive as long as the client
        self._jack.jack_set_process_callback(self._client, self._callback, None)
        # JACK's clock and perf_counter are both monotonic; measure their offset once
        self._offset = time.perf_counter() - self._jack.jack_get_time() / 1e6
        if self._jack.jack_activate(self._client) != 0:
            self.close()
            raise JackProbeError("cannot activate the probe client")
        me = self._jack.jack_port_name(self._port)
        self.connected = [p for p in self._ports(_IS_OUTPUT) if source.encode() in p]
        for port in self.connected:
            self._jack.jack_connect(self._client, port, me)

    def _ports(self, flags: int) -> list[bytes]:
        arr = self._jack.jack_get_ports(self._client, None, _AUDIO, flags)
        out: list[bytes] = []
        if arr:
            i = 0
            while arr[i]:
                out.append(arr[i])
                i += 1
            self._jack.jack_free(ctypes.cast(arr, ctypes.c_void_p))
        return out

    def _process(self, nframes: int, _arg) -> int:
        if not self._armed.is_set() or self._heard.is_set():
            return 0
        buf = self._jack.jack_port_get_buffer(self._port, nframes)
        for i in range(nframes):
            if abs(buf[i]) > self.threshold:
                frame = self._jack.jack_last_frame_time(self._client) + i
                self.heard_at = self._jack.jack_frames_to_time(self._client, frame) / 1e6 + self._offset
                self._heard.set()
                break
        return 0

    def arm(self) -> None:
        """Start listening for the next sound (call while it is silent)."""
        self.heard_at = None
        self._heard.clear()
        self._armed.set()

    def wait(self, timeout: float = 2.0) -> float | None:
        """perf_counter time of the first loud sample since :meth:`arm`, or None on timeout."""
        self._heard.wait(timeout)
        self._armed.clear()
        return self.heard_at

    def close(self) -> None:
        client, self._client = self._client, None
        if client:
            self._jack.jack_deactivate(client)
            self._jack.jack_client_close(client)

    def __enter__(self) -> JackAudioProbe:
        return self

    def __exit__(self, *exc) -> None:
        self.close()
