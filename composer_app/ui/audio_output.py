"""Opening the sound output the settings ask for (synth + driver, or a MIDI port) and saying what opened."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from composer_app.audio.player import NoteSink
from composer_app.audio.soundfonts import default_soundfont, validate_soundfont
from composer_app.audio.synth import AudioUnavailableError, FluidSynthSynth, fluidsynth_problem
from composer_app.core.errors import SongFileError
from composer_app.midi.ports import MidiOutput, MidiPortError
from composer_app.ui.settings import AUDIO_DRIVER, MIDI_API, MIDI_OUTPUT, SAMPLE_RATE, SOUNDFONT, Settings

AUTO_DRIVER = "auto"
NO_SOUNDFONT = "No SoundFont found \u2014 choose one in Preferences"
NO_DEVICE = "No audio device \u2014 playback is silent; rendering works"
NO_FLUIDSYNTH = "FluidSynth not available \u2014 playback is silent"
STARTING = "Audio: starting\u2026"


class SilentSink:
    """A note sink that drops everything: the player still runs (and moves the playhead) without sound."""

    def note_on(self, channel: int, pitch: int, velocity: int) -> None:
        pass

    def note_off(self, channel: int, pitch: int) -> None:
        pass

    def cc(self, channel: int, control: int, value: int) -> None:
        pass

    def program_select(self, channel: int, program: int, bank: int = 0) -> bool:
        return False

    def all_notes_off(self, channel: int | None = None) -> None:
        pass


@dataclass(frozen=True)
class AudioConfig:
    """The device choices one output is built from (read from the settings)."""

    soundfont: str = ""
    driver: str = AUTO_DRIVER
    sample_rate: int = 44100
    midi_output: str = ""
    midi_api: str = ""

    @classmethod
    def from_settings(cls, settings: Settings) -> AudioConfig:
        rate = settings.get(SAMPLE_RATE)
        return cls(settings.get(SOUNDFONT), settings.get(AUDIO_DRIVER) or AUTO_DRIVER,
                   rate if 8000 <= rate <= 192000 else 44100, settings.get(MIDI_OUTPUT), settings.get(MIDI_API))


@dataclass
class AudioOutput:
    """What one configuration opened: ``sink`` is what playback drives; ``status`` is the one-line truth."""

    sink: NoteSink
    status: str
    detail: str = ""
    audible: bool = False
    synth: FluidSynthSynth | None = None
    midi_out: MidiOutput | None = None
    soundfont: Path | None = None
    warnings: list[str] = field(default_factory=list)

    @property
    def channels(self) -> int:
        """Channels the sink has (FluidSynth has spare ones above 16 for preview and live input)."""
        return self.synth.channels if self.sink is self.synth and self.synth is not None else 16

    def close(self) -> None:
        """Release the synth and the MIDI port (safe to call twice)."""
        if self.midi_out is not None:
            self.midi_out.close()
        if self.synth is not None:
            self.synth.close()


def resolve_soundfont(chosen: str) -> tuple[Path | None, list[str]]:
    """The font to load: the chosen one when it is a SoundFont, else the best found; plus warnings."""
    warnings: list[str] = []
    if chosen:
        try:
            return validate_soundfont(chosen), warnings
        except SongFileError as error:
            warnings.append(f"SoundFont {error} \u2014 using the best one found instead; "
                            "choose another SoundFont in Preferences")
    return default_soundfont(), warnings


def _open_synth(config: AudioConfig) -> tuple[FluidSynthSynth | None, str, str, Path | None, list[str]]:
    problem = fluidsynth_problem()
    if problem:
        return None, NO_FLUIDSYNTH, problem, None, []
    font, warnings = resolve_soundfont(config.soundfont)
    if font is None:
        return None, NO_SOUNDFONT, "No .sf2/.sf3 file in soundfonts/ or the system folders", None, warnings
    try:
        synth = FluidSynthSynth(font, sample_rate=config.sample_rate)
    except (SongFileError, AudioUnavailableError, ValueError, OSError) as error:
        fallback = default_soundfont()  # a truncated or damaged file passes the header check; try the best other one
        if fallback is not None and fallback != font:
            try:
                synth = FluidSynthSynth(fallback, sample_rate=config.sample_rate)
            except (SongFileError, AudioUnavailableError, ValueError, OSError):
                pass
            else:
                warnings.append(f"SoundFont {error} \u2014 using {fallback.name} instead; "
                                "choose another SoundFont in Preferences")
                return synth, "", "", fallback, warnings
        return None, f"SoundFont {font.name} could not be loaded \u2014 choose one in Preferences", str(error), \
            font, warnings
    return synth, "", "", font, warnings


def open_output(config: AudioConfig) -> AudioOutput:
    """Load the synth, then open the MIDI output port or the realtime driver; never raises for a device."""
    synth, status, detail, font, warnings = _open_synth(config)
    font_line = f"SoundFont: {font}" if font is not None else ""
    if config.midi_output:
        try:
            port = MidiOutput(config.midi_output, api=config.midi_api or None)
        except (MidiPortError, ValueError) as error:
            warnings.append(f"MIDI output {config.midi_output!r} unavailable ({error}); using the internal synth")
        else:
            return AudioOutput(port, f"MIDI out: {port.port_name}", f"Playback goes to {port.port_name}",
                               True, synth, port, font, warnings)
    if synth is None:
        return AudioOutput(SilentSink(), status, detail, False, None, None, font, warnings)
    driver = None if config.driver in ("", AUTO_DRIVER) else config.driver
    started = synth.start_realtime(driver)
    lines = [started.message, font_line]
    if started.opened:
        return AudioOutput(synth, f"Audio: {started.driver}", "\n".join(lines), True, synth, None, font, warnings)
    return AudioOutput(synth, NO_DEVICE, "\n".join(lines), False, synth, None, font, warnings)
