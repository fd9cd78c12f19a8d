"""InlineEditor: a line edit laid over a label for renaming in place (Enter or focus-out commits, Esc cancels)."""

from __future__ import annotations

from PySide6.QtCore import QEvent, QRect, Qt, Signal
from PySide6.QtGui import QFocusEvent, QKeyEvent
from PySide6.QtWidgets import QLineEdit, QWidget


class InlineEditor(QLineEdit):
    """Shown over ``rect`` of ``parent``; emits ``committed(text)`` once, then deletes itself."""

    committed = Signal(str)

    def __init__(self, parent: QWidget, rect: QRect, text: str) -> None:
        super().__init__(text, parent)
        self._done = False
        self.setGeometry(rect)
        self.selectAll()
        self.returnPressed.connect(self._commit)
        self.show()
        self.setFocus(Qt.FocusReason.OtherFocusReason)

    def _commit(self) -> None:
        if not self._done:
            self._done = True
            self.committed.emit(self.text())
            self._close()

    def _close(self) -> None:
        self._done = True
        self.hide()
        self.deleteLater()
        parent = self.parentWidget()
        if parent is not None:
            parent.setFocus(Qt.FocusReason.OtherFocusReason)

    def event(self, event: QEvent) -> bool:
        if event.type() == QEvent.Type.ShortcutOverride and isinstance(event, QKeyEvent) and event.key() in (
                Qt.Key.Key_Return, Qt.Key.Key_Enter, Qt.Key.Key_Escape):
            event.accept()  # Enter commits the name here, it does not open the clip
            return True
        return super().event(event)

    def keyPressEvent(self, event: QKeyEvent) -> None:  # noqa: N802 (Qt override)
        if event.key() == Qt.Key.Key_Escape:
            self._close()
            return
        super().keyPressEvent(event)

    def focusOutEvent(self, event: QFocusEvent) -> None:  # noqa: N802
        super().focusOutEvent(event)
        if not self._done:
            self._commit()
