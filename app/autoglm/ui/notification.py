"""A dismissible banner at the top of the chat that tells the user what went wrong, in words."""

from __future__ import annotations

import logging

from PySide6.QtCore import QEvent, Qt
from PySide6.QtWidgets import QFrame, QHBoxLayout, QLabel, QToolButton, QWidget

from autoglm.ui.icons import icon

_LOGGER = logging.getLogger(__name__)
_MAX_SHOWN = 3


class NotificationBannerWidget(QFrame):
    """Shows the latest messages (newest last); the close button dismisses them all."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("notificationBanner")
        self.messages: list[str] = []
        layout = QHBoxLayout(self)
        layout.setContentsMargins(12, 6, 6, 6)
        self.icon_label = QLabel(self)
        self.icon_label.setPixmap(icon("warning", "#9a6700").pixmap(18, 18))
        layout.addWidget(self.icon_label, 0, Qt.AlignmentFlag.AlignTop)
        self.text = QLabel(self)
        self.text.setObjectName("notificationText")
        self.text.setWordWrap(True)
        self.text.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        layout.addWidget(self.text, 1)
        self.close_button = QToolButton(self)
        self.close_button.setAutoRaise(True)
        self.close_button.setIcon(icon("close", "#6e7781"))
        self.close_button.clicked.connect(self.dismiss)
        layout.addWidget(self.close_button, 0, Qt.AlignmentFlag.AlignTop)
        self.setAccessibleName(self.tr("Notification"))
        self.retranslate()
        self.hide()

    def retranslate(self) -> None:
        """Set every text in the current language."""
        self.close_button.setToolTip(self.tr("Dismiss"))
        self.close_button.setAccessibleName(self.tr("Dismiss notification"))

    def changeEvent(self, event: QEvent) -> None:  # noqa: N802
        """Follow language changes."""
        if event.type() == QEvent.Type.LanguageChange:
            self.retranslate()
        super().changeEvent(event)

    def show_message(self, message: str) -> None:
        """Add ``message`` (a repeat of the last one is not added twice)."""
        _LOGGER.info("Notification: %s", message)
        if not self.messages or self.messages[-1] != message:
            self.messages = (self.messages + [message])[-_MAX_SHOWN:]
        self.text.setText("\n".join(self.messages))
        self.text.setAccessibleName(self.messages[-1])
        self.show()

    def dismiss(self) -> None:
        """Hide and forget the messages."""
        self.messages = []
        self.text.clear()
        self.hide()
