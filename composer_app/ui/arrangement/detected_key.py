"""DetectedKeyButton: "Detected: Gb major" beside the key selector; one click adopts it (an undoable key edit).
When another key fits the notes about as well ("Detected: F minor or F major"), its menu offers both."""

from __future__ import annotations

from PySide6.QtWidgets import QMenu, QToolButton, QWidget

from composer_app.core.pitch import KeySignature
from composer_app.core.song import Song
from composer_app.model import keys as key_detection
from composer_app.model.song_adapter import detected_rivals, detected_sections, has_key_signature
from composer_app.ui.arrangement.link_button import LinkButton
from composer_app.ui.arrangement.track_commands import TrackCommands
from composer_app.ui.document import SongDocument
from composer_app.ui.timeline.transport import TransportState


class DetectedKeyButton(LinkButton):
    """Shows the key detected from the notes and chord symbols at the playhead; clicking sets the song's key to it."""

    def __init__(self, document: SongDocument, transport: TransportState, commands: TrackCommands,
                 parent: QWidget | None = None) -> None:
        super().__init__(document, parent)
        self.transport = transport
        self.commands = commands
        self.sections: tuple[KeySignature, ...] = ()
        self.rivals: tuple[KeySignature | None, ...] = ()
        self._menu = QMenu(self)
        self._menu.triggered.connect(lambda action: self._adopt_key(action.data()))
        self.clicked.connect(self.adopt)
        transport.playhead_changed.connect(lambda _tick: self.refresh())
        self.detect()

    @property
    def detected(self) -> KeySignature | None:
        """The detected key in force at the playhead (None without notes)."""
        return key_detection.key_at(self.sections, self.transport.playhead) if self.sections else None

    @property
    def rival(self) -> KeySignature | None:
        """Another key that fits the notes at the playhead about as well as ``detected`` (None when none does)."""
        if not self.sections:
            return None
        index = key_detection.section_at(self.sections, self.transport.playhead)
        return self.rivals[index] if index < len(self.rivals) else None

    def judged(self, song: Song) -> tuple[object, ...]:
        return song.tracks, song.chords

    def song_changed(self, song: Song) -> None:
        self.refresh()

    def judge(self, song: Song) -> None:
        self.sections = detected_sections(song)
        self.rivals = detected_rivals(song) if self.sections else ()
        self.refresh()

    def refresh(self) -> None:
        key, rival = self.detected, self.rival
        self.setVisible(key is not None)
        if key is None:
            return
        song = self.document.song
        current = song.key_at(self.transport.playhead)
        fits = [k for k in (key, rival) if k is not None]
        same = has_key_signature(song) and any((current.tonic, current.mode) == (k.tonic, k.mode) for k in fits)
        self.setEnabled(not same)
        close = rival if not same else None
        music = "notes and chords" if song.chords else "notes"
        self.setPopupMode(QToolButton.ToolButtonPopupMode.MenuButtonPopup if close
                          else QToolButton.ToolButtonPopupMode.DelayedPopup)
        self.setMenu(self._menu if close else None)
        if same:
            self.setText(f"Detected: {current.name} ✓")
            self.setToolTip(f"The {music} agree with the key {current.name}")
        elif close is not None:
            self.setText(f"Detected: {key.name} or {close.name}")
            self.setToolTip(f"The {music} here fit {key.name} and {close.name} about equally; click to set the key "
                            f"to {key.name}, or choose either from the menu (undo with Ctrl+Z)")
            self._menu.clear()
            for k in (key, close):
                self._menu.addAction(f"Set the key to {k.name}").setData(k)
        else:
            self.setText(f"Detected: {key.name}")
            self.setToolTip(f"The {music} here sound in {key.name}; click to set the key to {key.name} "
                            "(the assistant uses it; undo with Ctrl+Z)")

    def adopt(self) -> None:
        key = self.detected
        if key is not None:
            self._adopt_key(key)

    def _adopt_key(self, key: KeySignature) -> None:
        self.commands.set_key(self.transport.playhead, key.tonic, key.mode)
