"""AudioService: the app's one sound output, player and auditioner, driven by and driving the transport."""

from __future__ import annotations

import threading
from collections.abc import Callable
from dataclasses import replace

from PySide6.QtCore import QObject, QTimer, Signal

from composer_app.audio.audition import Auditioner
from composer_app.audio.player import LoopRegion, NoteSink, Player
from composer_app.audio.synth import DRUM_BANK
from composer_app.core.edits import delete_clips
from composer_app.core.song import Clip, Song, Track
from composer_app.ui.audio_output import STARTING, AudioConfig, AudioOutput, SilentSink, open_output
from composer_app.ui.document import SongDocument
from composer_app.ui.settings import COUNT_IN_CHOICES, METRONOME, Settings
from composer_app.ui.timeline.transport import TransportState

POLL_MS = 25  # 40 Hz playhead updates
OPEN_WAIT = 5.0
"""Seconds quitting waits for a sound device still being opened (a soundfont loading, a driver probed)."""
PREVIEW_CHANNEL = 16  # FluidSynth's spare channels above the 16 the song uses
MONITOR_CHANNEL = 17
RECORD_SPAN = 480 * 4 * 999  # how far playback runs while recording into an empty stretch of song
DEVICE_LOST = "Audio: device lost \u2014 reopening\u2026"

Opener = Callable[[AudioConfig], AudioOutput]


def _extend(song: Song, start: int, ticks: int) -> Song:
    """``song`` with a silent, empty track lasting to ``start + ticks``, so playback keeps running."""
    spacer = Track("", volume=0, clips=(Clip(start, ticks),))
    return replace(song, tracks=song.tracks + (spacer,))


class AudioService(QObject):
    """Plays the document from the transport playhead (loop, metronome, count-in), previews notes,
    auditions candidates, and reports what sound device opened. Device opening runs off the GUI thread."""

    status_changed = Signal(str, str)  # one-line status, detail (tooltip)
    ready = Signal()  # a new output is in place
    warning = Signal(str)  # something to tell the user once (status bar message)
    _opened = Signal(int, object)  # generation, AudioOutput (from the opener thread)

    def __init__(self, settings: Settings, document: SongDocument, transport: TransportState,
                 parent: QObject | None = None, *, opener: Opener = open_output, background: bool = True) -> None:
        super().__init__(parent)
        self.settings, self.document, self.transport = settings, document, transport
        self._opener, self._background = opener, background
        self.output = AudioOutput(SilentSink(), STARTING)
        self.player = Player(self.output.sink)
        self.auditioner = Auditioner(self.player)
        self.mode: str | None = None  # "play", "record", "audition" or None
        self._generation = 0
        self._openers: list[threading.Thread] = []  # background opens not yet finished
        self._open_lock = threading.Lock()
        self._closed = False  # shut down: an output opened from now on is closed, never installed
        self._driving = False
        self._preview: tuple[int, int, bool] = (0, 0, False)  # program, channel, drum
        self._timer = QTimer(self)
        self._timer.setInterval(POLL_MS)
        self._timer.timeout.connect(self._poll)
        self._opened.connect(self._install)
        transport.playhead_changed.connect(self._on_playhead_moved)
        transport.loop_changed.connect(self._on_loop_changed)
        document.song_changed.connect(self._on_song_changed)
        self.reconfigure()

    # ------------------------------------------------------------------ device
    @property
    def status(self) -> str:
        return self.output.status

    @property
    def is_ready(self) -> bool:
        return self.output.status != STARTING

    def reconfigure(self) -> int:
        """Open the output the settings ask for (soundfont, driver, rate, MIDI out); returns its generation."""
        self._generation += 1
        synth = self.output.synth
        if synth is not None and synth.driver_name == "jack":
            # libjack crashes when a client of a server that died is closed after a new client was tried:
            # release the old JACK output first (a moment of silence instead of a segfault)
            self._release_output(AudioOutput(SilentSink(), STARTING))
        generation, config = self._generation, AudioConfig.from_settings(self.settings)
        if self._background:
            thread = threading.Thread(target=self._open_in_background, args=(generation, config),
                                      name="composer-audio-open", daemon=True)
            self._openers = [t for t in self._openers if t.is_alive()] + [thread]
            thread.start()
        else:
            self._install(generation, self._opener(config))
        return generation

    def _open_in_background(self, generation: int, config: AudioConfig) -> None:
        output = self._opener(config)
        with self._open_lock:
            if not self._closed:
                self._opened.emit(generation, output)
                return
        output.close()  # the app quit while the device opened

    def _install(self, generation: int, output: AudioOutput) -> None:
        if generation != self._generation:  # a newer configuration was asked for meanwhile
            output.close()
            return
        self.stop()
        old, self.output = self.output, output
        self.player = Player(output.sink)
        self.player.set_metronome(self.settings.get(METRONOME))
        self.auditioner = Auditioner(self.player)
        old.close()
        self.status_changed.emit(output.status, output.detail)
        for text in output.warnings:
            self.warning.emit(text)
        self.ready.emit()

    def shutdown(self) -> None:
        """Stop and release the devices (the app is quitting). A device still being opened is waited for, up to
        OPEN_WAIT seconds, and closed: a thread left running in the synth's or Qt's code while the interpreter
        ends aborts the process (quitting in the first moment after start did)."""
        self._generation += 1
        with self._open_lock:
            self._closed = True
        for thread in self._openers:
            thread.join(OPEN_WAIT)
        self._openers.clear()
        self._release_output(AudioOutput(SilentSink(), "Audio: closed"))

    def _release_output(self, placeholder: AudioOutput) -> None:
        """Stop, close the devices now, and play into ``placeholder`` (a silent output) until the next opens."""
        self.stop()
        self.output.close()
        self.output = placeholder
        self.player = Player(self.output.sink)
        self.auditioner = Auditioner(self.player)

    # ------------------------------------------------------------------ transport
    @property
    def playing(self) -> bool:
        return self.mode is not None

    def _loop(self) -> LoopRegion | None:
        t = self.transport
        return LoopRegion(*t.loop) if t.loop_enabled else None

    def play(self, count_in_bars: int = 0) -> None:
        """Play the song from the playhead, looping the transport's loop when it is on."""
        self._start("play", self.document.song, self.transport.playhead, self._loop(), count_in_bars)

    def play_for_recording(self, count_in_bars: int) -> None:
        """Play from the playhead with ``count_in_bars`` of clicks, running on past the song's end."""
        bars = count_in_bars if count_in_bars in COUNT_IN_CHOICES else 1
        start = self.transport.playhead
        self._start("record", _extend(self.document.song, start, RECORD_SPAN), start, None, bars)

    def _start(self, mode: str, song: Song, start: int, loop: LoopRegion | None, count_in: int) -> None:
        self.player.set_metronome(self.settings.get(METRONOME))
        try:
            self.player.play(song, start, loop=loop, count_in_bars=max(0, count_in))
        except Exception as error:  # the output device is gone: say so, never raise into the window
            self._device_failed(error)
            return
        self.mode = mode
        self.transport.set_playing(True)
        self._timer.start()

    def stop(self) -> None:
        """Stop playback or audition; every sounding note is released. The playhead stays where it stopped."""
        self.player.stop()
        self._timer.stop()
        self.mode = None
        self.transport.set_playing(False)

    def toggle(self) -> None:
        """Space: stop when playing, else play."""
        if self.playing:
            self.stop()
        else:
            self.play()

    def panic(self) -> None:
        """Stop and silence every channel at once (stuck notes, runaway reverb)."""
        try:
            self.player.panic()
        except Exception:  # a device that went away cannot be silenced; stopping is what matters
            self.player.stop()
        self._timer.stop()
        self.mode = None
        self.transport.set_playing(False)

    def set_metronome(self, on: bool) -> None:
        self.settings.set(METRONOME, bool(on))
        self.player.set_metronome(on)

    def _device_lost(self) -> Exception | str | None:
        """Why the output stopped working (the sink raised, or the MIDI output port went away), else None."""
        if self.player.failure is not None:
            return self.player.failure
        port = self.output.midi_out
        if port is not None and self.output.sink is port and getattr(port, "lost", False):
            return f"MIDI output {port.port_name!r} disappeared"
        return None

    def _device_failed(self, why: Exception | str) -> None:
        """The sound device failed mid-use: stop cleanly, tell the user once, and reopen the output."""
        self.stop()
        reason = str(why) or type(why).__name__
        self.status_changed.emit(DEVICE_LOST, reason)
        self.warning.emit(f"Sound output stopped working ({reason}). Playback stopped; your notes are unchanged. "
                          "Reopening the audio output — check the device or choose another in Preferences.")
        self.reconfigure()

    def _poll(self) -> None:
        lost = self._device_lost()
        if lost is not None:
            self._device_failed(lost)
            return
        playing = self.player.playing
        self._driving = True
        try:
            self.transport.set_playhead(self.player.position_tick())
        finally:
            self._driving = False
        if not playing:
            self.stop()  # the song (or a one-shot audition) ended by itself

    def _on_playhead_moved(self, tick: int) -> None:
        if self._driving or self.mode != "play":
            return
        self.player.play(self.document.song, tick, loop=self._loop())  # the user moved the playhead: jump

    def _on_loop_changed(self, *_loop: object) -> None:
        if self.mode == "play":
            self.player.set_loop(self._loop())

    def _on_song_changed(self, _old: Song, new: Song) -> None:
        if self.mode == "play" and self.player.playing:
            self.player.replace_song(new)  # edits are heard at once

    # ------------------------------------------------------------------ notes
    def set_preview_instrument(self, program: int, channel: int = 0, drum: bool = False) -> None:
        """The instrument previews and live input sound with (the current clip's track)."""
        self._preview = (program, channel, drum)

    def voice(self, spare: int) -> tuple[NoteSink, int]:
        """(sink, channel) for notes played outside the song, set to the preview instrument.
        On the internal synth a spare channel is used so the song's own channels stay untouched."""
        program, channel, drum = self._preview
        sink = self.output.sink
        if self.output.channels > spare:
            channel = spare
        sink.program_select(channel, 0 if drum else program, DRUM_BANK if drum else 0)
        return sink, channel

    def preview_note(self, pitch: int, velocity: int = 100) -> None:
        """Sound one note now (a piano key clicked, a note drawn); the piano roll's ``note_preview`` slot."""
        try:
            _sink, channel = self.voice(PREVIEW_CHANNEL)
            self.auditioner.preview_note(pitch, velocity, channel, 0.35)
        except Exception as error:  # the output device is gone
            self._device_failed(error)

    def audition_clip(self, clip_id: str, lead_in_bars: int = 1) -> bool:
        """Loop one clip with its own instrument over the rest of the song, ``lead_in_bars`` of context first.

        Space (toggle) stops it. Returns False when the clip no longer exists.
        """
        song = self.document.song
        try:
            track = song.track_of_clip(clip_id)
        except KeyError:
            return False
        clip = track.clip(clip_id)
        self.stop()
        self.player.set_metronome(False)
        context = delete_clips(song, [clip_id])
        try:
            self.auditioner.audition(clip.notes, context=context, start=clip.start, end=clip.end,
                                     lead_in_bars=lead_in_bars, loop=True, program=track.program,
                                     channel=track.channel)
        except Exception as error:  # the output device is gone
            self._device_failed(error)
            return True
        self.mode = "audition"
        self.transport.set_playing(True)
        self._timer.start()
        return True

    def audition_song(self, song: Song, start_tick: int, end_tick: int, lead_in_bars: int = 1,
                      loop: bool = True) -> None:
        """Play ``song`` (the document's song with a candidate kept in it) from ``start_tick`` to ``end_tick``,
        with lead-in bars: what the song would sound like after Keep."""
        self.player.set_metronome(False)
        try:
            self.auditioner.audition(song, start=start_tick, end=end_tick, lead_in_bars=lead_in_bars, loop=loop)
        except Exception as error:  # the output device is gone
            self._device_failed(error)
            return
        self.mode = "audition"
        self.transport.set_playing(True)
        self._timer.start()
