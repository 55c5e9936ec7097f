"""File → Export: one chat or all of them, as Markdown or JSON, to a folder the user picks."""

from __future__ import annotations

import logging
from pathlib import Path

from PySide6.QtCore import QStandardPaths, Signal
from PySide6.QtWidgets import (
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFileDialog,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from autoglm.core.export import FORMATS

_LOGGER = logging.getLogger(__name__)


class ExportDialog(QDialog):
    """Asks for a format and a folder; emits ``exportChosen(ids, format, folder)``."""

    exportChosen = Signal(list, str, Path)

    def __init__(
        self, conversation_ids: list[int], description: str, parent: QWidget | None = None
    ) -> None:
        super().__init__(parent)
        self.setObjectName("exportDialog")
        self.setWindowTitle(self.tr("Export chats"))
        self.conversation_ids = list(conversation_ids)
        layout = QVBoxLayout(self)
        self.what = QLabel(description, self)
        self.what.setWordWrap(True)
        layout.addWidget(self.what)
        form = QFormLayout()
        self.format_box = QComboBox(self)
        self.format_box.addItem(self.tr("Markdown (.md)"), "md")
        self.format_box.addItem(self.tr("JSON (.json)"), "json")
        self.format_box.setAccessibleName(self.tr("Export format"))
        form.addRow(self.tr("&Format:"), self.format_box)
        folder_row = QHBoxLayout()
        self.folder = QLineEdit(self)
        self.folder.setAccessibleName(self.tr("Export folder"))
        documents = QStandardPaths.writableLocation(
            QStandardPaths.StandardLocation.DocumentsLocation
        )
        self.folder.setText(str(Path(documents or Path.home()) / "AutoGLM chats"))
        self.browse = QPushButton(self.tr("&Browse…"), self)
        self.browse.clicked.connect(self._browse)
        folder_row.addWidget(self.folder, 1)
        folder_row.addWidget(self.browse)
        form.addRow(self.tr("F&older:"), folder_row)
        layout.addLayout(form)
        self.note = QLabel(
            self.tr("Images are copied into an “attachments” folder beside the files."), self
        )
        self.note.setObjectName("hint")
        self.note.setWordWrap(True)
        layout.addWidget(self.note)
        self.buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel, self
        )
        self.buttons.button(QDialogButtonBox.StandardButton.Ok).setText(self.tr("&Export"))
        self.buttons.button(QDialogButtonBox.StandardButton.Cancel).setText(self.tr("Cancel"))
        self.buttons.accepted.connect(self._export)
        self.buttons.rejected.connect(self.reject)
        layout.addWidget(self.buttons)
        self.folder.textChanged.connect(self._validate)
        self._validate()

    def set_format(self, fmt: str) -> None:
        """Choose ``md`` or ``json``."""
        assert fmt in FORMATS
        self.format_box.setCurrentIndex(self.format_box.findData(fmt))

    def _browse(self) -> None:
        folder = QFileDialog.getExistingDirectory(
            self, self.tr("Export to folder"), self.folder.text()
        )
        if folder:
            self.folder.setText(folder)

    def _validate(self) -> None:
        self.buttons.button(QDialogButtonBox.StandardButton.Ok).setEnabled(
            bool(self.folder.text().strip())
        )

    def _export(self) -> None:
        folder = self.folder.text().strip()
        if not folder:
            return
        self.exportChosen.emit(
            self.conversation_ids, str(self.format_box.currentData()), Path(folder).expanduser()
        )
        self.accept()
