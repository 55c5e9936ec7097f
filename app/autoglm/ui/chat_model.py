"""The messages of the open conversation as a Qt list model (the chat view is virtualised)."""

from __future__ import annotations

import itertools
from dataclasses import dataclass, field
from typing import Any

from PySide6.QtCore import QAbstractListModel, QModelIndex, QPersistentModelIndex, Qt

from autoglm.ui.markdown_html import RenderedMarkdown

ITEM_ROLE = Qt.ItemDataRole.UserRole + 1
_KEYS = itertools.count(1)


@dataclass
class MessageItem:
    """One message as the view shows it; ``revision`` changes whenever its look changes."""

    role: str
    content: str = ""
    reasoning: str = ""
    message_id: int = 0
    attachments: list[str] = field(default_factory=list)
    finished: bool = True
    streaming: bool = False
    reasoning_seconds: float | None = None
    reasoning_expanded: bool = False
    stopped: bool = False
    length_limited: bool = False
    """The reply ended at the token limit (it can be continued)."""
    error: str = ""
    reply_tokens: int = 0
    reply_speed: float = 0.0
    rendered: RenderedMarkdown | None = None
    rendered_theme: str = ""
    tool_calls: list[Any] = field(default_factory=list)
    """An assistant turn's calls (``ToolCall``); a ``tool`` row holds one call's card below."""
    tool_call: Any = None
    """On a ``tool`` row: the ``PendingCall`` shown with its exact arguments."""
    tool_state: str = ""
    """On a ``tool`` row: ``asking``, ``running``, ``done``, ``failed`` or ``denied``."""
    tool_result: Any = None
    citations: list[Any] = field(default_factory=list)
    """A reply's sources (``core.conversation.Citation``), listed under it; each opens its document."""
    versions: list[int] = field(default_factory=list)
    """Message ids of this message's versions, oldest first (a switcher shows when there are several)."""
    pointed: Any = None
    """A reply that points at places on an image sent before it (``PointedImage``), drawn under it."""
    agent_step: bool = False
    """A row for one step of an agent run (its action and result; nothing to regenerate)."""
    agent_steps: list[Any] = field(default_factory=list)
    """On a run's last message: its steps (``core.conversation.AgentStep``), which it can replay."""
    tool_turn_id: int = 0
    """On a ``tool`` row: the stored id of the reply that made the call (its result is kept there)."""
    key: int = field(default_factory=lambda: next(_KEYS))
    revision: int = 0

    def touch(self) -> None:
        """Mark the item changed so cached layouts are rebuilt."""
        self.revision += 1
        self.rendered = None


class ChatMessagesModel(QAbstractListModel):
    """A list of ``MessageItem``; rows are messages in conversation order."""

    def __init__(self, parent: Any = None) -> None:
        super().__init__(parent)
        self._items: list[MessageItem] = []

    def rowCount(self, parent: QModelIndex | QPersistentModelIndex = QModelIndex()) -> int:  # noqa: B008, N802
        """Number of messages."""
        return 0 if parent.isValid() else len(self._items)

    def data(
        self, index: QModelIndex | QPersistentModelIndex, role: int = Qt.ItemDataRole.DisplayRole
    ) -> Any:
        """The item itself (``ITEM_ROLE``), its text, or its accessible description."""
        if not index.isValid() or not 0 <= index.row() < len(self._items):
            return None
        item = self._items[index.row()]
        if role == ITEM_ROLE:
            return item
        if role in (Qt.ItemDataRole.DisplayRole, Qt.ItemDataRole.AccessibleTextRole):
            return item.content
        if role == Qt.ItemDataRole.AccessibleDescriptionRole:
            return item.role
        return None

    # -- changes -------------------------------------------------------------------------
    def items(self) -> list[MessageItem]:
        """All items (do not mutate the list)."""
        return self._items

    def item(self, row: int) -> MessageItem:
        """The item in ``row``."""
        return self._items[row]

    def row_of(self, item: MessageItem) -> int:
        """The row holding ``item`` (-1 if gone)."""
        for row in range(len(self._items) - 1, -1, -1):
            if self._items[row] is item:
                return row
        return -1

    def set_items(self, items: list[MessageItem]) -> None:
        """Replace every message."""
        self.beginResetModel()
        self._items = list(items)
        self.endResetModel()

    def append(self, item: MessageItem) -> int:
        """Add a message at the end; returns its row."""
        row = len(self._items)
        self.beginInsertRows(QModelIndex(), row, row)
        self._items.append(item)
        self.endInsertRows()
        return row

    def remove(self, row: int) -> None:
        """Remove ``row`` alone."""
        if not 0 <= row < len(self._items):
            return
        self.beginRemoveRows(QModelIndex(), row, row)
        del self._items[row]
        self.endRemoveRows()

    def remove_from(self, row: int) -> None:
        """Remove ``row`` and every row after it."""
        if row >= len(self._items):
            return
        self.beginRemoveRows(QModelIndex(), row, len(self._items) - 1)
        del self._items[row:]
        self.endRemoveRows()

    def changed(self, item: MessageItem) -> None:
        """Tell views that ``item`` looks different now."""
        item.touch()
        row = self.row_of(item)
        if row >= 0:
            index = self.index(row)
            self.dataChanged.emit(index, index)
