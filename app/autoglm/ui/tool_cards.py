"""The approval buttons of a tool call shown inline in the chat.

The chat view paints the call (tool, server, exact arguments) like any message; while
the call waits for the user, a ``ToolApprovalCardWidget`` with Approve once / Always for
this tool / Deny is laid over the bottom of its row (``QListView.setIndexWidget``) and
removed as soon as it is answered, by click or by voice.
"""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING

from PySide6.QtCore import QObject, Qt, Signal
from PySide6.QtGui import QResizeEvent
from PySide6.QtWidgets import QHBoxLayout, QPushButton, QVBoxLayout, QWidget

from autoglm.tools.approval import Decision
from autoglm.ui.chat_model import MessageItem
from autoglm.ui.message_delegate import MARGIN_H, column_width

if TYPE_CHECKING:
    from autoglm.ui.chat_view import ChatViewWidget
    from autoglm.ui.conversation_controller import ConversationController

_LOGGER = logging.getLogger(__name__)


class ToolApprovalCardWidget(QWidget):
    """Three buttons answering one tool call; emits ``decided`` with a ``Decision``."""

    decided = Signal(object)

    def __init__(self, item: MessageItem, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.item = item
        self.setObjectName("toolApprovalCard")
        self.setAttribute(Qt.WidgetAttribute.WA_TranslucentBackground)
        name = item.tool_call.function_name if item.tool_call is not None else ""
        self.approve_button = QPushButton(self.tr("Approve once"))
        self.approve_button.setObjectName("toolApproveOnce")
        self.approve_button.setDefault(True)
        self.always_button = QPushButton(self.tr("Always for this tool"))
        self.always_button.setObjectName("toolApproveAlways")
        self.always_button.setToolTip(
            self.tr("Run {0} without asking from now on (Settings → Tools)").format(name)
        )
        self.deny_button = QPushButton(self.tr("Deny"))
        self.deny_button.setObjectName("toolDeny")
        for button, decision in (
            (self.approve_button, Decision.ONCE),
            (self.always_button, Decision.ALWAYS),
            (self.deny_button, Decision.DENY),
        ):
            button.setAccessibleName(f"{button.text()}: {name}")
            button.setCursor(Qt.CursorShape.PointingHandCursor)
            button.clicked.connect(lambda _checked=False, d=decision: self.decided.emit(d))
        self._buttons = QHBoxLayout()
        self._buttons.setContentsMargins(0, 0, 0, 0)
        for button in (self.approve_button, self.always_button, self.deny_button):
            self._buttons.addWidget(button)
        self._buttons.addStretch(1)
        self._layout = QVBoxLayout(self)
        self._layout.setContentsMargins(MARGIN_H, 0, MARGIN_H, 4)
        self._layout.addStretch(1)
        self._layout.addLayout(self._buttons)

    def resizeEvent(self, event: QResizeEvent) -> None:  # noqa: N802
        """Line the buttons up with the message column."""
        width = event.size().width()
        left = max(MARGIN_H, (width - column_width(width)) // 2)
        self._layout.setContentsMargins(left, 0, left, 4)
        super().resizeEvent(event)


class ToolCardsPresenter(QObject):
    """Puts a card over each tool call that waits in the open chat and takes it away once answered."""

    def __init__(self, chat_view: ChatViewWidget, controller: ConversationController) -> None:
        super().__init__(chat_view)
        self.view = chat_view
        self.controller = controller
        self.cards: dict[int, ToolApprovalCardWidget] = {}
        controller.toolCallAdded.connect(self._added)
        controller.model.dataChanged.connect(lambda *_args: self._sync())
        controller.model.modelReset.connect(self._reset)

    def _added(self, item: MessageItem) -> None:
        if item.tool_state != "asking":
            return
        row = self.controller.model.row_of(item)
        if row < 0:
            return
        card = ToolApprovalCardWidget(item)
        card.decided.connect(
            lambda decision, it=item: self.controller.decide_tool_call(it, decision)
        )
        self.cards[item.key] = card
        self.view.setIndexWidget(self.controller.model.index(row), card)
        card.approve_button.setFocus()

    def _sync(self) -> None:
        for key, card in list(self.cards.items()):
            if card.item.tool_state != "asking":
                row = self.controller.model.row_of(card.item)
                del self.cards[key]
                if row >= 0:
                    # Qt takes a null widget (the row drops its card); the stubs do not
                    self.view.setIndexWidget(self.controller.model.index(row), None)  # type: ignore[arg-type]
                else:
                    card.deleteLater()

    def _reset(self) -> None:
        self.cards.clear()  # the view deleted its index widgets with the rows

    def card_for(self, item: MessageItem) -> ToolApprovalCardWidget | None:
        """The card of a waiting call (tests, voice answers)."""
        return self.cards.get(item.key)
