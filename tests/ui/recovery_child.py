"""A child process running the real app for the kill/terminate tests: ``edit N`` or ``restore``."""

from __future__ import annotations

import json
import sys

from PySide6.QtWidgets import QApplication

from composer_app import app as composer
from composer_app.core import edits
from composer_app.core.song import Clip, Note, Track
from composer_app.ui import recovery


def notes_of(song) -> list[list]:
    return sorted([t.name, c.start, n.id, n.pitch, n.start, n.duration, n.velocity]
                  for t in song.tracks for c in t.clips for n in c.notes)


def say(kind: str, value: object = None) -> None:
    print(json.dumps([kind, value]), flush=True)


def main() -> int:
    mode = sys.argv[1]
    qapp = QApplication(["composer"])
    offered = []
    recovery.ask = lambda _parent, info: (offered.append(recovery.describe(info)), "restore")[1]
    window = composer.start(qapp, sys.argv[3:] if mode == "edit" else [])
    if mode == "restore":
        say("offered", offered)
        say("state", {"modified": window.document.modified, "notes": notes_of(window.document.song)})
        window.document.undo_stack.setClean()
        window.close()  # as a person would: the window's workers finish before the process ends
        qapp.processEvents()
        qapp.aboutToQuit.emit()  # what app.exec() does as it returns: the sound device is released
        return 0
    doc = window.document
    for i in range(int(sys.argv[2])):  # one gesture per edit, as a user would
        track = Track(f"T{i}", channel=i % 9, clips=(Clip(0, 1920),))
        doc.apply("Add Track", edits.add_track(doc.song, track))
        clip_id = doc.song.tracks[-1].clips[0].id
        for j in range(6):
            doc.apply("Draw Note", edits.add_notes(doc.song, clip_id, [Note(48 + i + j, j * 240, 200, 90)]))
    window.recovery.autosave.written.connect(lambda _path: say("autosaved", notes_of(doc.song)))
    recovery.install_sigterm(qapp)  # as composer_app.app.main does before exec()
    say("edited", notes_of(doc.song))
    return qapp.exec()


if __name__ == "__main__":
    sys.exit(main())
