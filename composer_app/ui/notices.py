"""Notices that keep the window usable: a status line and a warning box that does not block (read, drag)."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QMessageBox, QWidget

from composer_app.ui.status import StatusSink

WARNING_TITLE = "File Read With Problems"
READ_WARNINGS = "readWarnings"
"""Object name of the box ``show_read_warnings`` shows."""


def status_text(path: Path, warnings: Sequence[str]) -> str:
    """One line for the status bar: the file, the first warning, and how many more there are."""
    more = len(warnings) - 1
    return f"Warning: {path.name}: {warnings[0]}" + (f" (and {more} more)" if more > 0 else "")


def box_text(verb: str, path: Path, warnings: Sequence[str]) -> str:
    """The message box's text: what was done with the file and every warning, one per line."""
    lines = "\n".join(f"\u2022 {w[:1].upper()}{w[1:]}." for w in warnings)
    return f"{path.name} was {verb}, but not all of it could be read:\n\n{lines}"


def notice_box(parent: QWidget | None, title: str, text: str, name: str) -> QMessageBox:
    """Show a warning box that does not block the window (it deletes itself when closed); ``name`` is its
    object name, so tests and the window can find it."""
    box = QMessageBox(QMessageBox.Icon.Warning, title, text, QMessageBox.StandardButton.Ok, parent)
    box.setWindowModality(Qt.WindowModality.NonModal)
    box.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
    box.setObjectName(name)
    box.show()
    return box


def show_read_warnings(parent: QWidget, status: StatusSink, verb: str, path: Path,
                       warnings: Sequence[str]) -> QMessageBox | None:
    """Put the warnings in the status bar and in a warning box that does not block the window.

    ``verb`` says what happened to the file ("opened", "imported"). Returns the box (None: no warnings).
    """
    if not warnings:
        return None
    status(status_text(path, warnings))
    return notice_box(parent, WARNING_TITLE, box_text(verb, path, warnings), READ_WARNINGS)
