"""A dismissible banner at the top of the chat that tells the user what went wrong, in words."""

from __future__ import annotations

import logging

from PySide6.QtCore import QEvent, Qt
from PySide6.QtWidgets import QFrame, QHBoxLayout, QLabel, QToolButton, QWidget

from autoglm.ui.icons import icon

_LOGGER = logging.getLogger(__name__)
_MAX_SHOWN = 3


class NotificationBannerWidget(QFrame):
    """Shows the latest messages (newest last); the close button dismisses them all.

    A message shown under a ``topic`` (the API server, the model, the settings) goes away by
    itself once ``resolve(topic)`` says that problem is fixed.
    """

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("notificationBanner")
        self.messages: list[str] = []
        self._topics: list[str] = []
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

    def show_message(self, message: str, topic: str = "") -> None:
        """Add ``message`` (a repeat of the last one is not added twice); ``topic``: what it is about,
        replacing an older message on the same topic."""
        _LOGGER.info("Notification: %s", message)
        if topic and topic in self._topics:
            self._drop(topic)
        if not self.messages or self.messages[-1] != message:
            self.messages, self._topics = (
                (self.messages + [message])[-_MAX_SHOWN:],
                (self._topics + [topic])[-_MAX_SHOWN:],
            )
        self._render()

    def resolve(self, topic: str) -> None:
        """That problem is fixed: its message goes, and the banner with it when none is left."""
        if topic in self._topics:
            self._drop(topic)
            self._render()

    def _drop(self, topic: str) -> None:
        kept = [(m, t) for m, t in zip(self.messages, self._topics, strict=True) if t != topic]
        self.messages, self._topics = [m for m, _t in kept], [t for _m, t in kept]

    def _render(self) -> None:
        if not self.messages:
            self.dismiss()
            return
        self.text.setText("\n".join(self.messages))
        self.text.setAccessibleName(self.messages[-1])
        self.show()

    def dismiss(self) -> None:
        """Hide and forget the messages."""
        self.messages, self._topics = [], []
        self.text.clear()
        self.hide()
