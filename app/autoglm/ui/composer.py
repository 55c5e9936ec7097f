"""The message composer: multiline input, attachment tray, token count, send/stop.

Enter sends and Shift+Enter starts a new line. Images come from the file dialog, the
clipboard and drag-and-drop; ``intake`` checks each one off the GUI thread before it
reaches the tray. ``add_input_button`` leaves a place for capture buttons (screenshot,
webcam, microphone) that other features add.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass

from PySide6.QtCore import QEvent, QMimeData, QSize, Qt, Signal
from PySide6.QtGui import (
    QDragEnterEvent,
    QDropEvent,
    QFont,
    QImage,
    QKeyEvent,
    QPixmap,
    QResizeEvent,
)
from PySide6.QtWidgets import (
    QFileDialog,
    QFrame,
    QHBoxLayout,
    QLabel,
    QPlainTextEdit,
    QSizePolicy,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

from autoglm.core.settings import VisionSettings
from autoglm.ui.capture.intake import ImageIntake
from autoglm.ui.icons import icon
from autoglm.ui.image_thumbnails import decode_thumbnail
from autoglm.ui.message_delegate import COLUMN_MAX_WIDTH, MARGIN_H
from autoglm.ui.tasks import BackgroundTask

_LOGGER = logging.getLogger(__name__)
IMAGE_SUFFIXES = (".png", ".jpg", ".jpeg", ".webp", ".bmp", ".gif", ".tif", ".tiff")
MAX_ATTACHMENT_BYTES = 40 * 1024 * 1024
_THUMB = 56


@dataclass
class AttachmentDraft:
    """An image waiting to be sent: its bytes, file suffix and a name to show."""

    name: str
    data: bytes
    suffix: str


class ComposerTextEdit(QPlainTextEdit):
    """The input box: Enter submits, Shift+Enter breaks the line, images paste into the tray."""

    submitted = Signal()
    imagePasted = Signal(object)
    filesDropped = Signal(list)

    def keyPressEvent(self, event: QKeyEvent) -> None:  # noqa: N802
        """Enter sends; Shift+Enter (or Ctrl+Enter) inserts a line break."""
        if event.key() in (Qt.Key.Key_Return, Qt.Key.Key_Enter):
            modifiers = event.modifiers()
            if modifiers & (
                Qt.KeyboardModifier.ShiftModifier | Qt.KeyboardModifier.ControlModifier
            ):
                self.insertPlainText("\n")
                return
            if not (event.isAutoRepeat()):
                self.submitted.emit()
            return
        super().keyPressEvent(event)

    def canInsertFromMimeData(self, source: QMimeData) -> bool:  # noqa: N802
        """Accept images and image files besides text."""
        return source.hasImage() or source.hasUrls() or super().canInsertFromMimeData(source)

    def insertFromMimeData(self, source: QMimeData) -> None:  # noqa: N802
        """Images go to the tray; text is pasted as plain text."""
        if source.hasImage():
            image = source.imageData()
            if isinstance(image, QImage) and not image.isNull():
                self.imagePasted.emit(image)
                return
        if source.hasUrls():
            files = [url.toLocalFile() for url in source.urls() if url.isLocalFile()]
            if files:
                self.filesDropped.emit(files)
                return
        if source.hasText():
            self.insertPlainText(source.text())

    def dragEnterEvent(self, event: QDragEnterEvent) -> None:  # noqa: N802
        """Accept dragged files and images."""
        if event.mimeData().hasUrls() or event.mimeData().hasImage():
            event.acceptProposedAction()
            return
        super().dragEnterEvent(event)

    def dragMoveEvent(self, event: QEvent) -> None:  # noqa: N802
        """Keep accepting while the drag moves."""
        event.acceptProposedAction()  # type: ignore[attr-defined]

    def dropEvent(self, event: QDropEvent) -> None:  # noqa: N802
        """Dropped files and images go to the tray."""
        mime = event.mimeData()
        if mime.hasUrls() or mime.hasImage():
            self.insertFromMimeData(mime)
            event.acceptProposedAction()
            return
        super().dropEvent(event)


def read_preview(data: bytes) -> tuple[QImage, int, int]:
    """(thumbnail, width, height) of an attachment's bytes, on any thread."""
    return decode_thumbnail(data, _THUMB)


class AttachmentChipWidget(QFrame):
    """One attachment in the tray: a thumbnail and a remove button.

    The thumbnail and size are read in the background; the chip shows at once with an
    empty preview and its token cost follows when they arrive (``ready``)."""

    removeRequested = Signal(object)
    ready = Signal()
    """The thumbnail and the image's size arrived."""

    def __init__(
        self, draft: AttachmentDraft, parent: QWidget | None = None, image_tokens: int = 1024
    ) -> None:
        super().__init__(parent)
        self.draft = draft
        self.setObjectName("attachmentChip")
        self.pixels = (0, 0)
        self.image_tokens = image_tokens
        self.cost = 0
        layout = QHBoxLayout(self)
        layout.setContentsMargins(4, 4, 4, 4)
        column = QVBoxLayout()
        column.setContentsMargins(0, 0, 0, 0)
        column.setSpacing(2)
        self.preview = QLabel(self)
        self.preview.setFixedSize(_THUMB, _THUMB)
        self.preview.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.preview.setToolTip(draft.name)
        self.preview.setAccessibleName(self.tr("Attached image {0}").format(draft.name))
        column.addWidget(self.preview)
        self.cost_label = QLabel("…", self)
        self.cost_label.setObjectName("attachmentCost")
        column.addWidget(self.cost_label)
        layout.addLayout(column)
        remove = QToolButton(self)
        remove.setIcon(icon("close", "#6e7781"))
        remove.setAutoRaise(True)
        remove.setToolTip(self.tr("Remove attachment"))
        remove.setAccessibleName(self.tr("Remove attachment {0}").format(draft.name))
        remove.clicked.connect(lambda: self.removeRequested.emit(self))
        layout.addWidget(remove, 0, Qt.AlignmentFlag.AlignTop)
        data = draft.data
        BackgroundTask(
            lambda: read_preview(data), name="attachment-preview", owner=self
        ).on_success(self._show_preview).on_failure(
            lambda error: _LOGGER.warning("No preview for %s: %s", draft.name, error)
        ).start()

    def _show_preview(self, preview: tuple[QImage, int, int]) -> None:
        thumbnail, width, height = preview
        self.preview.setPixmap(QPixmap.fromImage(thumbnail))
        self.pixels = (width, height)
        self.set_budget(self.image_tokens)
        self.ready.emit()

    def set_budget(self, image_tokens: int) -> None:
        """Show what the image will cost the model at this budget, before it is sent."""
        from autoglm.vision.image import image_token_cost

        self.image_tokens = image_tokens
        width, height = self.pixels
        if not width or not height:
            return  # the size is still being read; it is shown at this budget when it arrives
        self.cost = image_token_cost(width, height, image_tokens)
        self.cost_label.setText(self.tr("≈{0} tokens").format(f"{self.cost:,}"))
        self.cost_label.setToolTip(
            self.tr(
                "{0}×{1} pixels; images are scaled to at most {2} tokens (Settings → Vision)"
            ).format(width, height, image_tokens)
        )


class ComposerWidget(QFrame):
    """Input, attachments, token count and the send/stop button, in the messages' column."""

    sendRequested = Signal(str, list)
    stopRequested = Signal()
    problem = Signal(str)
    cancelEditRequested = Signal()
    draftChanged = Signal()
    attachmentAdded = Signal(object)
    """An ``AttachmentDraft`` joined the tray (so it can be stored and encoded before it is sent)."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("composer")
        self._busy = False
        self._placeholder: Callable[[], str] | None = None
        self._attachments: list[AttachmentChipWidget] = []
        self.image_tokens = VisionSettings().image_tokens
        self.intake = ImageIntake(self, MAX_ATTACHMENT_BYTES)
        self.intake.accepted.connect(
            lambda name, data, suffix: self.add_attachment(AttachmentDraft(name, data, suffix))
        )
        self.intake.refused.connect(self.problem.emit)
        outer = QVBoxLayout(self)
        self._outer = outer
        outer.setContentsMargins(MARGIN_H, 8, MARGIN_H, 8)
        outer.setSpacing(6)

        self.edit_banner = QFrame(self)
        self.edit_banner.setObjectName("editBanner")
        banner_layout = QHBoxLayout(self.edit_banner)
        banner_layout.setContentsMargins(8, 2, 2, 2)
        self.edit_label = QLabel(self.edit_banner)
        banner_layout.addWidget(self.edit_label, 1)
        self.cancel_edit_button = QToolButton(self.edit_banner)
        self.cancel_edit_button.setIcon(icon("close", "#6e7781"))
        self.cancel_edit_button.setAutoRaise(True)
        self.cancel_edit_button.clicked.connect(self.cancelEditRequested.emit)
        banner_layout.addWidget(self.cancel_edit_button)
        self.edit_banner.hide()
        outer.addWidget(self.edit_banner)

        self.tray = QWidget(self)
        self.tray.setObjectName("attachmentTray")
        self.tray_layout = QHBoxLayout(self.tray)
        self.tray_layout.setContentsMargins(0, 0, 0, 0)
        self.tray_layout.addStretch(1)
        self.tray.hide()
        outer.addWidget(self.tray)

        self.input = ComposerTextEdit(self)
        self.input.setObjectName("composerInput")
        self.input.setTabChangesFocus(True)
        self.input.setAcceptDrops(True)
        self.input.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Fixed)
        self.input.document().documentLayout().documentSizeChanged.connect(self._fit_input_height)
        self.input.submitted.connect(self.submit)
        self.input.imagePasted.connect(self._add_image)
        self.input.filesDropped.connect(self.add_files)
        self.input.textChanged.connect(self._text_changed)
        outer.addWidget(self.input)

        row = QHBoxLayout()
        row.setSpacing(4)
        self.attach_button = QToolButton(self)
        self.attach_button.setAutoRaise(True)
        self.attach_button.setIconSize(QSize(20, 20))
        self.attach_button.clicked.connect(self.choose_files)
        row.addWidget(self.attach_button)
        self.input_buttons = QHBoxLayout()
        self.input_buttons.setSpacing(4)
        row.addLayout(self.input_buttons)
        row.addStretch(1)
        self.token_label = QLabel(self)
        self.token_label.setObjectName("tokenLabel")
        row.addWidget(self.token_label)
        self.send_button = QToolButton(self)
        self.send_button.setObjectName("sendButton")
        self.send_button.setIconSize(QSize(20, 20))
        self.send_button.setToolButtonStyle(Qt.ToolButtonStyle.ToolButtonTextBesideIcon)
        self.send_button.clicked.connect(self._send_or_stop)
        row.addWidget(self.send_button)
        outer.addLayout(row)
        self.icon_colour = "#1f2328"
        self.retranslate()
        self._fit_input_height()

    # -- look ------------------------------------------------------------------------------
    def resizeEvent(self, event: QResizeEvent) -> None:  # noqa: N802
        """Keep the input as wide as the message column above it, centred the same way."""
        super().resizeEvent(event)
        side = MARGIN_H + max(0, (event.size().width() - 2 * MARGIN_H - COLUMN_MAX_WIDTH) // 2)
        margins = self._outer.contentsMargins()
        if margins.left() != side:
            self._outer.setContentsMargins(side, margins.top(), side, margins.bottom())

    def set_text_font(self, font: QFont) -> None:
        """Type in the font and size the messages are shown in."""
        self.input.setFont(font)
        self.input.document().setDefaultFont(font)
        self._fit_input_height()

    def set_placeholder(self, placeholder: Callable[[], str] | None) -> None:
        """The input's hint, in the current language, while the next message is not a chat
        message (Act mode's task); ``None``: the chat's own. Kept across language changes."""
        self._placeholder = placeholder
        self._show_placeholder()

    def _show_placeholder(self) -> None:
        placeholder = self._placeholder
        self.input.setPlaceholderText(
            placeholder()
            if placeholder is not None
            else self.tr("Message AutoGLM…  (Enter to send, Shift+Enter for a new line)")
        )
        self.input.viewport().update()  # an empty input shows a changed hint only when repainted

    def retranslate(self) -> None:
        """Set every text in the current language."""
        self._show_placeholder()
        self.input.setAccessibleName(self.tr("Message input"))
        self.attach_button.setToolTip(self.tr("Attach images"))
        self.attach_button.setAccessibleName(self.tr("Attach images"))
        self.cancel_edit_button.setToolTip(self.tr("Cancel editing"))
        self.cancel_edit_button.setAccessibleName(self.tr("Cancel editing"))
        self.edit_label.setText(
            self.tr("Editing a message: sending continues in a copy of this conversation.")
        )
        self.token_label.setAccessibleName(self.tr("Context tokens used"))
        self._update_send_button()

    def set_icon_colour(self, colour: str) -> None:
        """Tint the buttons for the theme."""
        self.icon_colour = colour
        self.attach_button.setIcon(icon("attach", colour))
        self._update_send_button()

    def changeEvent(self, event: QEvent) -> None:  # noqa: N802
        """Follow language changes."""
        if event.type() == QEvent.Type.LanguageChange:
            self.retranslate()
        super().changeEvent(event)

    def _update_send_button(self) -> None:
        if self._busy:
            self.send_button.setText(self.tr("Stop"))
            self.send_button.setIcon(icon("stop", "#ffffff"))
            self.send_button.setToolTip(self.tr("Stop generating (Esc)"))
            self.send_button.setAccessibleName(self.tr("Stop generating"))
            self.send_button.setProperty("busy", True)
        else:
            self.send_button.setText(self.tr("Send"))
            self.send_button.setIcon(icon("send", "#ffffff"))
            self.send_button.setToolTip(self.tr("Send (Enter)"))
            self.send_button.setAccessibleName(self.tr("Send message"))
            self.send_button.setProperty("busy", False)
        self.send_button.style().unpolish(self.send_button)
        self.send_button.style().polish(self.send_button)

    def _fit_input_height(self, *_args: object) -> None:
        """Grow with the text from one line up to about eight, then scroll."""
        lines = max(1, int(self.input.document().size().height()))
        line_height = self.input.fontMetrics().lineSpacing()
        chrome = int(self.input.document().documentMargin() * 2) + self.input.frameWidth() * 2 + 14
        self.input.setFixedHeight(max(44, min(8 * line_height, lines * line_height) + chrome))

    # -- state -----------------------------------------------------------------------------
    def set_busy(self, busy: bool) -> None:
        """While a reply streams the button stops it."""
        self._busy = busy
        self._update_send_button()

    def set_editing(self, text: str | None) -> None:
        """Show the editing banner with ``text`` in the input, or hide it (``None``)."""
        if text is None:
            self.edit_banner.hide()
            return
        self.edit_banner.show()
        self.input.setPlainText(text)
        self.input.setFocus()
        cursor = self.input.textCursor()
        cursor.movePosition(cursor.MoveOperation.End)
        self.input.setTextCursor(cursor)

    @property
    def editing(self) -> bool:
        """Whether a message is being edited."""
        return not self.edit_banner.isHidden()

    def set_token_count(self, used: int | None, limit: int) -> None:
        """Show ``used / limit`` tokens (``None``: not known yet)."""
        if limit <= 0:
            self.token_label.setText("")
            return
        shown = "…" if used is None else f"{used:,}"
        self.token_label.setText(self.tr("{0} / {1} tokens").format(shown, f"{limit:,}"))
        self.token_label.setProperty("over", bool(used is not None and used > limit))
        self.token_label.style().unpolish(self.token_label)
        self.token_label.style().polish(self.token_label)

    def text(self) -> str:
        """The current draft."""
        return self.input.toPlainText()

    def attachments(self) -> list[AttachmentDraft]:
        """Images in the tray."""
        return [chip.draft for chip in self._attachments]

    def attachments_ready(self) -> bool:
        """Whether there are attachments and each shows its thumbnail and cost (read in the background)."""
        return bool(self._attachments) and all(chip.pixels[0] for chip in self._attachments)

    def add_input_button(self, button: QWidget) -> None:
        """Place a capture or voice button next to the attach button."""
        self.input_buttons.addWidget(button)

    def add_hint(self, hint: QWidget) -> None:
        """Place a line of text just above the row of buttons it explains."""
        self._outer.insertWidget(self._outer.count() - 1, hint)

    # -- attachments -----------------------------------------------------------------------
    def choose_files(self) -> None:
        """Ask for image files."""
        patterns = " ".join(f"*{suffix}" for suffix in IMAGE_SUFFIXES)
        files, _filter = QFileDialog.getOpenFileNames(
            self,
            self.tr("Attach images"),
            "",
            self.tr("Images ({0});;All files (*)").format(patterns),
        )
        if files:
            self.add_files(files)
        self.input.setFocus()

    def add_files(self, files: list[str]) -> None:
        """Check image files in the background; usable ones join the tray, others get a message."""
        self.intake.add_files(files)

    def _add_image(self, image: QImage) -> None:
        self.intake.add_image(image, self.tr("pasted image"))

    def set_image_tokens(self, image_tokens: int) -> None:
        """The image-token budget from settings; attached images show their new cost."""
        self.image_tokens = image_tokens
        for chip in self._attachments:
            chip.set_budget(image_tokens)

    def add_attachment(self, draft: AttachmentDraft) -> None:
        """Put one image in the tray."""
        chip = AttachmentChipWidget(draft, self.tray, self.image_tokens)
        chip.removeRequested.connect(self._remove_chip)
        self.tray_layout.insertWidget(self.tray_layout.count() - 1, chip)
        self._attachments.append(chip)
        self.tray.show()
        if self.window().isActiveWindow():
            self.input.setFocus()  # the question about the image is typed next
        self.draftChanged.emit()
        self.attachmentAdded.emit(draft)

    def _remove_chip(self, chip: AttachmentChipWidget) -> None:
        if chip in self._attachments:
            self._attachments.remove(chip)
        chip.deleteLater()
        self.tray.setVisible(bool(self._attachments))
        self.draftChanged.emit()

    def clear(self) -> None:
        """Empty the input and the tray."""
        self.input.clear()
        for chip in list(self._attachments):
            self._remove_chip(chip)

    # -- sending ---------------------------------------------------------------------------
    def _text_changed(self) -> None:
        self.draftChanged.emit()

    def _send_or_stop(self) -> None:
        if self._busy:
            self.stopRequested.emit()
        else:
            self.submit()

    def submit(self) -> None:
        """Send the draft if there is one (ignored while a reply streams)."""
        text = self.text().strip()
        if self._busy or (not text and not self._attachments):
            return
        self.sendRequested.emit(text, self.attachments())
