"""A cited passage in its document: the PDF page it is on, or the text file scrolled to it and marked.

The page is drawn (``pypdfium2``) and the file read in a background job; a file that moved
or cannot be read is said in words, and the passage as it was cited is shown all the same.
"Open file" hands the document to the system's viewer (at the page, for viewers that take
a ``#page=`` fragment).
"""

from __future__ import annotations

import html
import logging
from pathlib import Path
from typing import Any

from PySide6.QtCore import Qt, QTimer, QUrl, Signal
from PySide6.QtGui import (
    QColor,
    QDesktopServices,
    QImage,
    QPixmap,
    QResizeEvent,
    QTextCharFormat,
    QTextCursor,
    QTextDocument,
)
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QLabel,
    QPushButton,
    QScrollArea,
    QSplitter,
    QTextBrowser,
    QTextEdit,
    QVBoxLayout,
    QWidget,
)

from autoglm.knowledge.extract import IMAGE_SUFFIXES
from autoglm.ui.error_funnel import describe_error
from autoglm.ui.tasks import BackgroundTask

_LOGGER = logging.getLogger(__name__)
TEXT_SUFFIXES = {
    ".txt",
    ".md",
    ".markdown",
    ".rst",
    ".py",
    ".js",
    ".ts",
    ".c",
    ".h",
    ".cpp",
    ".java",
    ".go",
    ".rs",
    ".json",
    ".toml",
    ".yaml",
    ".yml",
    ".csv",
    ".sh",
    ".html",
    ".htm",
    ".xml",
    ".css",
}
"""Files shown as they are, the passage marked in them."""
MAX_TEXT_BYTES = 4 * 2**20
PAGE_WIDTH_PX = 900
MARK_COLOUR = "#fff3b0"


def render_pdf_page(path: Path, page: int, width: int = PAGE_WIDTH_PX) -> QImage:
    """Page ``page`` (1-based) of a PDF drawn ``width`` pixels wide (worker thread)."""
    import pypdfium2

    document = pypdfium2.PdfDocument(str(path))
    try:
        if not 1 <= page <= len(document):
            raise ValueError(f"the PDF has {len(document)} pages, not {page}")
        pdf_page = document[page - 1]
        scale = width / max(1.0, pdf_page.get_width())
        bitmap = pdf_page.render(scale=scale)
        image = bitmap.to_pil().convert("RGB")
        data = image.tobytes()
        return QImage(
            data, image.width, image.height, image.width * 3, QImage.Format.Format_RGB888
        ).copy()
    finally:
        document.close()


def load_picture(path: Path, width: int = PAGE_WIDTH_PX) -> QImage:
    """A cited image, no wider than a drawn page (worker thread); ``ValueError`` in words if it cannot be shown."""
    image = QImage(str(path))
    if image.isNull():
        raise ValueError(f"{path.name} cannot be shown as an image.")
    return (
        image.scaledToWidth(width, Qt.TransformationMode.SmoothTransformation)
        if image.width() > width
        else image
    )


def read_text(path: Path) -> str:
    """The file's text, decoded leniently (worker thread); a file too big to show is refused."""
    if path.stat().st_size > MAX_TEXT_BYTES:
        raise ValueError(f"{path.name} is too large to show here")
    return path.read_bytes().decode("utf-8", errors="replace")


def passage_probe(text: str) -> list[str]:
    """Pieces of a passage to look for in its file, longest first (the index may have folded its spaces)."""
    lines = [" ".join(line.split()) for line in text.strip().splitlines() if line.strip()]
    probes = [line for line in lines if len(line) >= 12][:3] or lines[:1]
    return [probe[:120] for probe in probes]


class CitationViewerDialog(QDialog):
    """One citation: the document's page or text with the passage, and Open file."""

    shown = Signal()
    """The page or the file is on screen (or the reason it is not)."""

    def __init__(self, citation: Any, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("citationViewer")
        self.citation = citation
        self.marked = False
        """Whether the passage was found and marked in the file's text."""
        self.page_image = QImage()
        """The PDF page as rendered (``PAGE_WIDTH_PX`` wide); shown scaled to the view."""
        self.path = Path(citation.path) if getattr(citation, "path", "") else None
        self.page = int(getattr(citation, "page", 0) or 0)
        place = f"{citation.source}, {citation.location}" if citation.location else citation.source
        self.setWindowTitle(place)
        self.resize(760, 720)
        layout = QVBoxLayout(self)
        self.heading = QLabel(self)
        self.heading.setObjectName("citationHeading")
        self.heading.setText(f"<b>{html.escape(place)}</b>")
        layout.addWidget(self.heading)
        splitter = QSplitter(Qt.Orientation.Vertical, self)
        self.page_view = QLabel(self)
        self.page_view.setObjectName("citationPage")
        self.page_view.setAlignment(Qt.AlignmentFlag.AlignHCenter | Qt.AlignmentFlag.AlignTop)
        self.page_scroll = QScrollArea(self)
        self.page_scroll.setWidget(self.page_view)
        self.page_scroll.setWidgetResizable(True)
        self.page_scroll.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.page_scroll.hide()
        self.text_view = QTextBrowser(self)
        self.text_view.setObjectName("citationText")
        self.text_view.hide()
        self.passage = QTextBrowser(self)
        self.passage.setObjectName("citationPassage")
        self.passage.setPlainText(citation.text.strip())
        self.passage.setMaximumHeight(160)
        self.passage.setAccessibleName(self.tr("The passage cited"))
        splitter.addWidget(self.page_scroll)
        splitter.addWidget(self.text_view)
        splitter.addWidget(self.passage)
        layout.addWidget(splitter, 1)
        self.message = QLabel(self)
        self.message.setObjectName("citationMessage")
        self.message.setWordWrap(True)
        self.message.hide()
        layout.addWidget(self.message)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close, self)
        buttons.button(QDialogButtonBox.StandardButton.Close).setText(self.tr("Close"))
        self.open_button = QPushButton(self.tr("&Open file"), self)
        self.open_button.setObjectName("openCitedFile")
        self.open_button.setToolTip(self.tr("Open the document in the system's viewer"))
        self.open_button.clicked.connect(self.open_externally)
        buttons.addButton(self.open_button, QDialogButtonBox.ButtonRole.ActionRole)
        buttons.rejected.connect(self.reject)
        layout.addWidget(buttons)
        self._load()

    def file_url(self) -> QUrl:
        """The document's URL, with ``#page=N`` for a PDF passage."""
        url = QUrl.fromLocalFile(str(self.path)) if self.path is not None else QUrl()
        if self.page and self.path is not None and self.path.suffix.lower() == ".pdf":
            url.setFragment(f"page={self.page}")
        return url

    def open_externally(self) -> None:
        """Hand the document to the system's viewer."""
        if self.path is None or not self.path.exists():
            self._say(self.tr("The file is no longer where it was indexed."))
            return
        if not QDesktopServices.openUrl(self.file_url()):
            self._say(self.tr("No application here opens this kind of file."))

    def _load(self) -> None:
        path, page = self.path, self.page
        if path is None or not path.exists():
            self.open_button.setEnabled(False)
            self._say(
                self.tr(
                    "The file is no longer where it was indexed; the passage as it was cited is shown."
                )
            )
            QTimer.singleShot(0, self.shown.emit)
            return
        suffix = path.suffix.lower()
        if suffix == ".pdf" and page:
            BackgroundTask(
                lambda: render_pdf_page(path, page), name="render-page", owner=self
            ).on_success(self._show_page).on_failure(self._failed).start()
        elif suffix in IMAGE_SUFFIXES:  # its passages are what the vision model saw in it
            BackgroundTask(
                lambda: load_picture(path), name="load-cited-image", owner=self
            ).on_success(self._show_page).on_failure(self._failed).start()
        elif suffix in TEXT_SUFFIXES:
            BackgroundTask(lambda: read_text(path), name="read-cited-file", owner=self).on_success(
                self._show_text
            ).on_failure(self._failed).start()
        else:
            QTimer.singleShot(
                0, self.shown.emit
            )  # a Word file: the passage here, the file through Open file

    def _show_page(self, image: QImage) -> None:
        self.page_image = image
        self.page_view.setAccessibleName(
            self.tr("Page {0} of {1}").format(self.page, self.citation.source)
            if self.page
            else self.citation.source
        )
        self.page_scroll.show()
        self._fit_page()
        self.shown.emit()

    def _fit_page(self) -> None:
        """Draw the page as wide as the view (never wider than it was rendered)."""
        if self.page_image.isNull():
            return
        room = (
            self.page_scroll.width() - self.page_scroll.verticalScrollBar().sizeHint().width() - 4
        )
        width = min(self.page_image.width(), max(200, room))
        self.page_view.setPixmap(
            QPixmap.fromImage(
                self.page_image.scaledToWidth(width, Qt.TransformationMode.SmoothTransformation)
            )
        )

    def resizeEvent(self, event: QResizeEvent) -> None:  # noqa: N802
        """Keep the page as wide as the view."""
        super().resizeEvent(event)
        self._fit_page()

    def _show_text(self, text: str) -> None:
        self.text_view.setPlainText(text)
        self.text_view.show()
        self.marked = self._mark_passage()
        self.shown.emit()

    def _mark_passage(self) -> bool:
        """Select and colour the passage in the file's text and scroll to it; ``False`` if not found."""
        document = self.text_view.document()
        for probe in passage_probe(self.citation.text):
            found = document.find(probe, 0, QTextDocument.FindFlag(0))
            if found.isNull():
                continue
            mark = QTextEdit.ExtraSelection()
            highlight = QTextCharFormat()
            highlight.setBackground(QColor(MARK_COLOUR))
            mark.format = highlight
            block = QTextCursor(found)
            block.movePosition(QTextCursor.MoveOperation.StartOfBlock)
            block.movePosition(
                QTextCursor.MoveOperation.EndOfBlock, QTextCursor.MoveMode.KeepAnchor
            )
            mark.cursor = block
            self.text_view.setExtraSelections([mark])
            self.text_view.setTextCursor(found)
            self.text_view.ensureCursorVisible()
            return True
        return False

    def _failed(self, error: BaseException) -> None:
        self._say(self.tr("The document could not be shown: {0}").format(describe_error(error)))
        self.shown.emit()

    def _say(self, text: str) -> None:
        self.message.setText(text)
        self.message.show()
