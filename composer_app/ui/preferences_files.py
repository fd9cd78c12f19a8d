"""The Files page of Preferences: how often a recovery copy is written, and whether saves keep a ``.bak``."""

from __future__ import annotations

from PySide6.QtWidgets import QCheckBox, QFormLayout, QLabel, QSpinBox, QWidget

from composer_app.ui.settings import AUTOSAVE_SECONDS, KEEP_BACKUP, Settings


class FilesPage(QWidget):
    """Autosave interval (seconds, 0 = off) and the backup-on-save switch."""

    def __init__(self, settings: Settings, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.autosave = QSpinBox(self)
        self.autosave.setRange(0, 3600)
        self.autosave.setSingleStep(15)
        self.autosave.setSuffix(" s")
        self.autosave.setSpecialValueText("Off")
        self.autosave.setValue(settings.get(AUTOSAVE_SECONDS))
        self.autosave.setToolTip("After changes, a recovery copy is written this often and whenever Composer "
                                 "loses focus; after a crash the next start offers it back")
        self.backup = QCheckBox("Keep the previous version as NAME.composer.bak when saving", self)
        self.backup.setChecked(settings.get(KEEP_BACKUP))
        from composer_app.ui.recovery import recovery_folder

        where = QLabel(f"Recovery copies: {recovery_folder()}", self)
        where.setWordWrap(True)
        form = QFormLayout(self)
        form.addRow("Recovery copy every", self.autosave)
        form.addRow(self.backup)
        form.addRow(where)

    def save(self, settings: Settings) -> None:
        settings.set(AUTOSAVE_SECONDS, self.autosave.value())
        settings.set(KEEP_BACKUP, self.backup.isChecked())
