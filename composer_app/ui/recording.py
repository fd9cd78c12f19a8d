"""RecordingController: records a MIDI keyboard into the current clip at the playhead as one undo step."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace

from PySide6.QtCore import QObject, QTimer, Signal

from composer_app.core import edits
from composer_app.core.song import Clip, Note, Song
from composer_app.midi import ports
from composer_app.midi.ports import MidiInput, MidiPortError, PortList
from composer_app.midi.recorder import Quantize, Recorder
from composer_app.ui.audio_service import MONITOR_CHANNEL, AudioService
from composer_app.ui.settings import COUNT_IN_BARS, INPUT_QUANTIZE, INPUT_QUANTIZE_STRENGTH, MIDI_API, MIDI_INPUT

InputFactory = Callable[..., MidiInput]
CLIP_NAME = "Recording"


def plural(n: int, word: str) -> str:
    return f"{n} {word}{'' if n == 1 else 's'}"


def place_notes(song: Song, notes: list[Note], track_id: str | None, clip_id: str | None,
                from_tick: int) -> tuple[Song, str]:
    """``song`` with ``notes`` (absolute ticks) added to ``clip_id``, or to a new bar-aligned clip on
    ``track_id`` (else the first track, else a new track) starting at the bar holding ``from_tick``.
    Returns the new song and the clip's id."""
    clip = next((c for t in song.tracks for c in t.clips if c.id == clip_id), None) if clip_id else None
    if clip is not None:
        relative = [replace(n, start=max(0, n.start - clip.start)) for n in notes]
        return edits.add_notes(song, clip.id, relative), clip.id
    if not any(t.id == track_id for t in song.tracks):
        track_id = song.tracks[0].id if song.tracks else None
    if track_id is None:
        song = edits.add_track(song)
        track_id = song.tracks[-1].id
    mm = song.meter_map
    first = min([from_tick] + [n.start for n in notes])
    start = mm.bar_start(mm.bar_of(first))
    last = max(n.end for n in notes)
    end = mm.bar_start(mm.bar_of(max(start, last - 1)) + 1)
    new = Clip(start, max(1, end - start), tuple(replace(n, start=n.start - start) for n in notes), name=CLIP_NAME)
    return edits.add_clip(song, track_id, new), new.id


class RecordingController(QObject):
    """Opens the chosen MIDI input, plays count-in and song through the AudioService, feeds a Recorder on
    rtmidi's thread (thru to the synth for monitoring), and on stop commits every note as one undo step."""

    recording_changed = Signal(bool)
    status = Signal(str)  # progress for the status bar
    notice = Signal(str, str)  # title, text: something the user must see (device lost)
    committed = Signal(str, int)  # clip id, notes recorded
    _lost = Signal(str)  # from the MIDI watcher thread

    def __init__(self, audio: AudioService, settings, parent: QObject | None = None, *,
                 input_factory: InputFactory | None = None,
                 scan: Callable[[str | None], PortList] | None = None) -> None:
        super().__init__(parent)
        self.audio, self.settings = audio, settings
        self.document, self.transport = audio.document, audio.transport
        # looked up at call time, so a test can monkeypatch composer_app.midi.ports
        self._input_factory = input_factory or (lambda *a, **k: ports.MidiInput(*a, **k))
        self._scan = scan or (lambda api: ports.scan_ports(api))
        self._target: tuple[str | None, str | None] = (None, None)
        self._recorder: Recorder | None = None
        self._input: MidiInput | None = None
        self._start_tick = 0
        self._lost.connect(self._on_lost)
        self._progress = QTimer(self)
        self._progress.setInterval(250)
        self._progress.timeout.connect(self._report)
        self.transport.playing_changed.connect(self._on_playing_changed)

    @property
    def recording(self) -> bool:
        return self._recorder is not None

    def set_target(self, track_id: str | None, clip_id: str | None) -> None:
        """Where the next take goes: a clip, or (clip None) a new clip on that track at the playhead."""
        self._target = (track_id, clip_id)

    def toggle(self) -> None:
        if self.recording:
            self.stop()
        else:
            self.start()

    def _choose_port(self, api: str | None) -> tuple[str | None, str]:
        wanted = self.settings.get(MIDI_INPUT)
        if wanted:
            return wanted, ""
        listing = self._scan(api)
        if listing.inputs:
            return listing.inputs[0], ""
        return None, listing.status

    def _target_track(self):
        song, (track_id, clip_id) = self.document.song, self._target
        for t in song.tracks:
            if t.id == track_id or any(c.id == clip_id for c in t.clips):
                return t
        return song.tracks[0] if song.tracks else None

    def start(self) -> bool:
        """Start a take at the playhead; False (with a status message) when no MIDI input can be opened."""
        if self.recording:
            return True
        api = self.settings.get(MIDI_API) or None
        port, why = self._choose_port(api)
        if port is None:
            self.status.emit(f"Cannot record: {why} \u2014 connect a MIDI keyboard (Preferences \u2192 MIDI)")
            self.recording_changed.emit(False)
            return False
        self.audio.stop()
        try:
            self._input = self._input_factory(port, self._feed, api=api, on_lost=self._lost.emit)
        except (MidiPortError, ValueError) as error:
            self.status.emit(f"Cannot record: {error}")
            self.recording_changed.emit(False)
            return False
        track = self._target_track()
        if track is not None:
            self.audio.set_preview_instrument(track.program, track.channel, track.is_drum or track.channel == 9)
        thru, thru_channel = self.audio.voice(MONITOR_CHANNEL)
        grid, strength = self.settings.get(INPUT_QUANTIZE), self.settings.get(INPUT_QUANTIZE_STRENGTH)
        quantize = Quantize(grid, max(0, min(100, strength)) / 100) if grid > 0 else None
        self._start_tick = self.transport.playhead
        self.audio.play_for_recording(self.settings.get(COUNT_IN_BARS))
        start_time = self.audio.player.wall_time_of(self._start_tick)
        self._recorder = Recorder(self.document.song.tempo_map, self._start_tick, start_time, thru=thru,
                                  thru_channel=thru_channel, quantize=quantize)
        self._progress.start()
        self._report()
        self.recording_changed.emit(True)
        return True

    def _feed(self, timestamp: float, message) -> None:
        """MidiInput callback on rtmidi's thread: the Recorder is thread safe and only read on stop."""
        recorder = self._recorder
        if recorder is not None:
            recorder.feed(timestamp, message)

    def _report(self) -> None:
        recorder = self._recorder
        if recorder is None:
            return
        if self.audio.player.position().counting_in:
            self.status.emit("\u25cf Count-in\u2026")
        else:
            self.status.emit(f"\u25cf Recording \u2014 {plural(len(recorder.recorded()), 'note')}")

    def stop(self) -> str | None:
        """End the take and commit it (one undo step); returns the clip id, or None when nothing was played."""
        recorder, self._recorder = self._recorder, None
        if recorder is None:
            return None
        self._progress.stop()
        notes = recorder.stop()
        port, self._input = self._input, None
        if port is not None:
            port.close()
        if self.audio.mode == "record":
            self.audio.stop()
        self.recording_changed.emit(False)
        return self.commit(notes)

    def commit(self, notes: list[Note]) -> str | None:
        if not notes:
            self.status.emit("Recorded nothing: no notes were played")
            return None
        track_id, clip_id = self._target
        song, clip = place_notes(self.document.song, notes, track_id, clip_id, self._start_tick)
        text = f"Record {plural(len(notes), 'note')}"
        self.document.apply(text, song)
        self.status.emit(text.replace("Record", "Recorded", 1))
        self.committed.emit(clip, len(notes))
        return clip

    def _on_playing_changed(self, playing: bool) -> None:
        if not playing and self.recording:
            self.stop()  # Space, the end of playback or a device change ends the take; keep it

    def _on_lost(self, reason: str) -> None:
        recorder = self._recorder
        if recorder is None:
            return
        recorder.device_lost()
        count = len(recorder.recorded())
        self.stop()
        self.notice.emit("MIDI Input Lost", f"{reason}.\n\nRecording stopped; the {plural(count, 'note')} "
                                            "played before it went are kept (Undo removes them).")
