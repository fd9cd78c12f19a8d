"""Live MIDI ports through python-rtmidi: listing (never raising), input with a callback, output as a synth."""

from __future__ import annotations

import ctypes
import ctypes.util
import logging
import os
import sys
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass

import mido

try:
    import rtmidi

    _RTMIDI_PROBLEM = ""
except ImportError as _e:  # pragma: no cover - depends on the machine
    rtmidi = None
    _RTMIDI_PROBLEM = str(_e) or "python-rtmidi is not installed"

log = logging.getLogger(__name__)

API_NAMES: dict[str, str] = {"alsa": "API_LINUX_ALSA", "jack": "API_UNIX_JACK", "coremidi": "API_MACOSX_CORE",
                             "winmm": "API_WINDOWS_MM"}
"""The APIs a user can pick, by the short names the settings use."""

CLIENT_NAME = "Composer"
ALSA_SEQ = "/dev/snd/seq"


class MidiPortError(RuntimeError):
    """A port could not be opened; ``str()`` says why in one line."""


@dataclass(frozen=True, slots=True)
class PortList:
    """Port names found on one API, and a plain status line for the UI."""

    api: str
    inputs: tuple[str, ...]
    outputs: tuple[str, ...]
    status: str

    @property
    def ok(self) -> bool:
        return not self.status.startswith("No MIDI")


def compiled_apis() -> list[str]:
    """Short names of the APIs this python-rtmidi build has (e.g. ['alsa', 'jack'])."""
    if rtmidi is None:
        return []
    have = set(rtmidi.get_compiled_api())
    return [name for name, attr in API_NAMES.items() if getattr(rtmidi, attr, None) in have]


def default_api() -> str:
    """The API to use when none is chosen: the platform's native one."""
    if sys.platform.startswith("linux"):
        return "alsa"
    return "coremidi" if sys.platform == "darwin" else "winmm"


def _api_id(api: str | None) -> int:
    name = api or default_api()
    if name not in API_NAMES:
        raise ValueError(f"unknown MIDI API {name!r} (choose from {', '.join(API_NAMES)})")
    return int(getattr(rtmidi, API_NAMES[name]))


_JACK_QUIET = ctypes.CFUNCTYPE(None, ctypes.c_char_p)(lambda _m: None)


def _quiet_jack() -> None:
    """Keep libjack from launching a server or printing "server not running" to stderr."""
    os.environ.setdefault("JACK_NO_START_SERVER", "1")
    lib = getattr(_quiet_jack, "done", None)
    if lib is not None:
        return
    _quiet_jack.done = True  # type: ignore[attr-defined]
    if rtmidi is None:
        return
    site = os.path.dirname(os.path.dirname(rtmidi.__file__))  # wheels bundle libjack in python_rtmidi.libs
    candidates = [os.path.join(site, d, f) for d in os.listdir(site) if d.startswith("python_rtmidi.")
                  and os.path.isdir(os.path.join(site, d)) for f in os.listdir(os.path.join(site, d))
                  if f.startswith("libjack")]
    found = ctypes.util.find_library("jack")
    for path in candidates + ([found] if found else []):
        try:
            jack = ctypes.CDLL(path)
            jack.jack_set_error_function(_JACK_QUIET)
            jack.jack_set_info_function(_JACK_QUIET)
        except (OSError, AttributeError):
            continue


def unavailable_reason(api: str | None = None) -> str:
    """Why ``api`` cannot work here without even trying, or "" (avoids ALSA's stderr noise)."""
    if rtmidi is None:
        return f"python-rtmidi not available: {_RTMIDI_PROBLEM}"
    name = api or default_api()
    if name not in compiled_apis():
        return f"this python-rtmidi has no {name} support"
    if name == "alsa" and not os.path.exists(ALSA_SEQ):
        return "ALSA sequencer not available"
    return ""


def _explain(api: str, error: BaseException) -> str:
    text = str(error)
    if api == "alsa":
        return "ALSA sequencer not available"
    if api == "jack" and ("server" in text.lower() or "jack" in text.lower()):
        return "JACK server not running"
    return text.split("\n")[0] or type(error).__name__


def _client(kind: str, api: str, name: str = CLIENT_NAME):
    """An rtmidi MidiIn/MidiOut client; raises MidiPortError with a plain reason."""
    why = unavailable_reason(api)
    if why:
        raise MidiPortError(why)
    if api == "jack":
        _quiet_jack()
    cls = rtmidi.MidiIn if kind == "in" else rtmidi.MidiOut
    try:
        return cls(_api_id(api), name=name)
    except Exception as e:  # rtmidi.SystemError, RtMidiError, anything the backend throws
        raise MidiPortError(_explain(api, e)) from e


def scan_ports(api: str | None = None) -> PortList:
    """List input and output ports on ``api`` (None: the platform's). Never raises; call again to refresh
    after a device is plugged in or out."""
    name = api or default_api()
    found: dict[str, tuple[str, ...]] = {}
    for kind in ("in", "out"):
        try:
            client = _client(kind, name, f"{CLIENT_NAME} scan")
        except (MidiPortError, ValueError) as e:
            return PortList(name, (), (), f"No MIDI devices ({e})")
        try:
            found[kind] = tuple(client.get_ports())
        except Exception as e:
            return PortList(name, (), (), f"No MIDI devices ({_explain(name, e)})")
        finally:
            _delete(client)
    ins, outs = found["in"], found["out"]
    if not ins and not outs:
        return PortList(name, (), (), "No MIDI devices connected")
    return PortList(name, ins, outs, f"{len(ins)} MIDI input(s), {len(outs)} output(s) on {name}")


def list_input_ports(api: str | None = None) -> list[str]:
    """Input port names (empty when there are none or MIDI is unavailable)."""
    return list(scan_ports(api).inputs)


def list_output_ports(api: str | None = None) -> list[str]:
    """Output port names (empty when there are none or MIDI is unavailable)."""
    return list(scan_ports(api).outputs)


def _delete(client) -> None:
    try:
        client.close_port()
        client.delete()
    except Exception:
        pass


@contextmanager
def _deleted_on_failure(client, what: str, port: str | int | None, api: str) -> Iterator[None]:
    """Opening a port on ``client``: on any failure the client is deleted, and a foreign error becomes a
    ``MidiPortError`` that says what could not be opened and why."""
    try:
        yield
    except MidiPortError:
        _delete(client)
        raise
    except Exception as e:
        _delete(client)
        raise MidiPortError(f"cannot open MIDI {what} {port!r}: {_explain(api, e)}") from e


def _resolve(client, port: str | int) -> tuple[int, str]:
    """Index and name of ``port`` (an index, an exact name, or a unique prefix/substring of one)."""
    names = client.get_ports()
    if isinstance(port, int):
        if not 0 <= port < len(names):
            raise MidiPortError(f"no MIDI port number {port} (there are {len(names)})")
        return port, names[port]
    if port in names:
        return names.index(port), port
    near = [i for i, n in enumerate(names) if n.startswith(port)] or [i for i, n in enumerate(names) if port in n]
    if len(near) == 1:
        return near[0], names[near[0]]
    raise MidiPortError(f"no MIDI port named {port!r}" if not near else f"MIDI port name {port!r} is ambiguous")


MessageCallback = Callable[[float, "mido.Message | bytes"], object]


class MidiInput:
    """One opened input port; ``callback(timestamp, message)`` runs on rtmidi's thread for each message.

    ``timestamp`` is on the ``time.perf_counter`` clock: the driver's own inter-message times anchored to
    the earliest arrival seen, so it never runs ahead of arrival and keeps the driver's precision.
    ``message`` is a mido.Message, or raw bytes for what mido cannot parse (or always with ``raw``).
    A vanished device sets :attr:`lost` and calls ``on_lost(reason)`` once; nothing is raised into the app.
    """

    def __init__(self, port: str | int, callback: MessageCallback, *, api: str | None = None,
                 on_lost: Callable[[str], object] | None = None, raw: bool = False,
                 watch_interval: float | None = 1.0, client_name: str = CLIENT_NAME) -> None:
        self.api = api or default_api()
        self.callback, self.on_lost, self.raw = callback, on_lost, raw
        self.lost = False
        self._closed = threading.Event()
        self._offset: float | None = None
        self._elapsed = 0.0
        self._lock = threading.Lock()
        self._client = _client("in", self.api, client_name)
        with _deleted_on_failure(self._client, "input", port, self.api):
            index, self.port_name = _resolve(self._client, port)
            self._client.ignore_types(sysex=True, timing=True, active_sense=True)
            self._client.set_error_callback(self._on_error)
            self._client.set_callback(self._on_message)
            self._client.open_port(index, name="in")
        self._watch: threading.Thread | None = None
        if watch_interval:
            self._watch = threading.Thread(target=self._watch_main, args=(watch_interval,), daemon=True,
                                           name="composer-midi-watch")
            self._watch.start()

    def _on_message(self, event, _data=None) -> None:
        arrived = time.perf_counter()
        data, delta = event
        with self._lock:
            self._elapsed += delta
            offset = arrived - self._elapsed
            self._offset = offset if self._offset is None else min(self._offset, offset)
            stamp = self._elapsed + self._offset
        message: mido.Message | bytes = bytes(data)
        if not self.raw:
            try:
                message = mido.Message.from_bytes(data)
            except (ValueError, TypeError):
                pass
        try:
            self.callback(stamp, message)
        except Exception:  # the app's handler must never break the driver's thread
            log.exception("MIDI input callback failed")

    def _on_error(self, _kind, text, _data=None) -> None:
        log.warning("MIDI input %s: %s", self.port_name, text)
        if "disconnect" in str(text).lower() or "lost" in str(text).lower():
            self._mark_lost(str(text))

    def check(self) -> bool:
        """Re-list the ports; False (and :attr:`lost`) when this input's port has gone."""
        if self.lost or self._closed.is_set():
            return not self.lost
        try:
            present = self.port_name in self._client.get_ports()
        except Exception:
            present = False
        if not present:
            self._mark_lost(f"MIDI input {self.port_name!r} disappeared")
        return present

    def _mark_lost(self, reason: str) -> None:
        with self._lock:
            if self.lost:
                return
            self.lost = True
        if self.on_lost is not None:
            try:
                self.on_lost(reason)
            except Exception:
                log.exception("MIDI lost callback failed")

    def _watch_main(self, interval: float) -> None:
        while not self._closed.wait(interval):
            if not self.check():
                return

    def close(self) -> None:
        """Close the port (safe to call twice)."""
        if self._closed.is_set():
            return
        self._closed.set()
        if self._watch is not None and self._watch is not threading.current_thread():
            self._watch.join()
        try:
            self._client.cancel_callback()
        except Exception:
            pass
        _delete(self._client)

    def __enter__(self) -> MidiInput:
        return self

    def __exit__(self, *exc) -> None:
        self.close()


class MidiOutput:
    """An output port with the synth interface (note_on, note_off, cc, program_select, all_notes_off),
    so the Player and live thru can drive an external instrument or a DAW. Send errors set :attr:`lost`."""

    def __init__(self, port: str | int | None = None, *, api: str | None = None, virtual_name: str | None = None,
                 client_name: str = CLIENT_NAME) -> None:
        self.api = api or default_api()
        self.lost = False
        self._lock = threading.Lock()
        self._client = _client("out", self.api, client_name)
        with _deleted_on_failure(self._client, "output", port, self.api):
            if virtual_name is not None:
                self._client.open_virtual_port(virtual_name)
                self.port_name = virtual_name
            else:
                if port is None:
                    raise MidiPortError("no MIDI output port given")
                index, self.port_name = _resolve(self._client, port)
                self._client.open_port(index, name="out")

    def send(self, data: bytes | list[int]) -> None:
        """Send one raw message (never raises; a failure marks the port lost)."""
        if self.lost:
            return
        try:
            with self._lock:
                self._client.send_message(list(data))
        except Exception as e:
            log.warning("MIDI output %s failed: %s", self.port_name, e)
            self.lost = True

    def note_on(self, channel: int, pitch: int, velocity: int) -> None:
        self.send([0x90 | channel, pitch & 0x7F, max(0, min(127, velocity))])

    def note_off(self, channel: int, pitch: int) -> None:
        self.send([0x80 | channel, pitch & 0x7F, 0])

    def cc(self, channel: int, control: int, value: int) -> None:
        self.send([0xB0 | channel, control & 0x7F, max(0, min(127, value))])

    def program_select(self, channel: int, program: int, bank: int = 0) -> bool:
        if bank == 128:  # the synth's drum bank: GM devices play drums on channel 10 anyway
            bank = 0
        self.cc(channel, 0, (bank >> 7) & 0x7F)
        self.cc(channel, 32, bank & 0x7F)
        self.send([0xC0 | channel, program & 0x7F])
        return not self.lost

    def pitch_bend(self, channel: int, value: int) -> None:
        """``value`` -8192..8191."""
        v = max(0, min(16383, value + 8192))
        self.send([0xE0 | channel, v & 0x7F, v >> 7])

    def all_notes_off(self, channel: int | None = None) -> None:
        for ch in range(16) if channel is None else (channel,):
            self.cc(ch, 123, 0)

    def all_sounds_off(self, channel: int | None = None) -> None:
        for ch in range(16) if channel is None else (channel,):
            self.cc(ch, 120, 0)

    def close(self) -> None:
        _delete(self._client)

    def __enter__(self) -> MidiOutput:
        return self

    def __exit__(self, *exc) -> None:
        self.close()
