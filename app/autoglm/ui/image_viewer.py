"""Shows an attached image at full size."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import Qt
from PySide6.QtGui import QImage, QImageReader, QPixmap
from PySide6.QtWidgets import QDialog, QLabel, QScrollArea, QVBoxLayout, QWidget


class ImageViewerDialog(QDialog):
    """A resizable window with the image at its own size (scrolls when larger)."""

    def __init__(
        self, path: Path, parent: QWidget | None = None, image: QImage | None = None
    ) -> None:
        """Show the image at ``path``, or ``image`` where given (a marked copy of it)."""
        super().__init__(parent)
        self.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        area = QScrollArea(self)
        area.setAlignment(Qt.AlignmentFlag.AlignCenter)
        label = QLabel(area)
        if image is None:
            reader = QImageReader(str(path))
            reader.setAutoTransform(True)
            image = reader.read()
        self.image = image
        # The stored file is named by its SHA-256: the title says what it is instead.
        self.setWindowTitle(
            self.tr("Attached image · {0} × {1}").format(image.width(), image.height())
            if not image.isNull()
            else self.tr("Attached image")
        )
        label.setPixmap(QPixmap.fromImage(image))
        label.setAccessibleName(self.tr("Attached image"))
        area.setWidget(label)
        layout.addWidget(area)
        screen = self.screen().availableGeometry() if self.screen() else None
        width = min(image.width() + 24, int(screen.width() * 0.9) if screen else 1200)
        height = min(image.height() + 24, int(screen.height() * 0.9) if screen else 900)
        self.resize(max(320, width), max(240, height))
