"""Search results in the sidebar: one row per chat, its matching words highlighted."""

from __future__ import annotations

import html
import logging
from dataclasses import dataclass
from typing import Any

from PySide6.QtCore import QModelIndex, QPersistentModelIndex, QPointF, QSize, Qt
from PySide6.QtGui import QAbstractTextDocumentLayout, QPainter, QPalette, QTextDocument
from PySide6.QtWidgets import (
    QAbstractScrollArea,
    QApplication,
    QStyle,
    QStyledItemDelegate,
    QStyleOptionViewItem,
)

from autoglm.core.store import MATCH_END, MATCH_START

_LOGGER = logging.getLogger(__name__)
HIT_HTML_ROLE = Qt.ItemDataRole.UserRole + 20
"""A search row's text as rich text, the matched words marked."""
MARK_STYLE = "font-weight:600; background-color:rgba(255, 196, 0, 0.38);"


@dataclass
class ChatHit:
    """The best match of one chat: its title, a snippet (``MATCH_START``/``MATCH_END`` around matches)."""

    conversation_id: int
    message_id: int
    title: str
    snippet: str
    matches: int


def one_per_chat(hits: list[Any]) -> list[ChatHit]:
    """The store's hits (titles first, then messages) folded to one per chat, in first-seen order;
    a chat matched by title and message shows the message's snippet."""
    chats: dict[int, ChatHit] = {}
    for hit in hits:
        chat = chats.get(hit.conversation_id)
        if chat is None:
            chat = chats[hit.conversation_id] = ChatHit(
                hit.conversation_id, 0, hit.conversation_title, "", 0
            )
        chat.matches += 1
        if not hit.message_id:
            chat.title = hit.snippet or chat.title  # the title with its match marked
        elif not chat.message_id:
            chat.message_id, chat.snippet = hit.message_id, hit.snippet
    return list(chats.values())


def marked_html(text: str) -> str:
    """``text`` with each ``«match»`` made bold on a highlight, the rest escaped."""
    parts: list[str] = []
    rest = " ".join(text.split())
    while MATCH_START in rest:
        before, _, after = rest.partition(MATCH_START)
        matched, _, rest = after.partition(MATCH_END)
        parts.append(html.escape(before))
        parts.append(f'<span style="{MARK_STYLE}">{html.escape(matched)}</span>')
    parts.append(html.escape(rest))
    return "".join(parts)


def plain(text: str) -> str:
    """``text`` without the match markers (tooltips, accessible names, tests)."""
    return " ".join(text.split()).replace(MATCH_START, "").replace(MATCH_END, "")


class SearchHitDelegate(QStyledItemDelegate):
    """Paints rows that carry ``HIT_HTML_ROLE`` as rich text; other rows as usual."""

    def _document(self, option: QStyleOptionViewItem, source: str, width: int) -> QTextDocument:
        document = QTextDocument()
        document.setDefaultFont(option.font)
        document.setDocumentMargin(2)
        document.setHtml(source)
        document.setTextWidth(max(40, width))
        return document

    def paint(
        self,
        painter: QPainter,
        option: QStyleOptionViewItem,
        index: QModelIndex | QPersistentModelIndex,
    ) -> None:
        """The row's background as the style draws it, then the marked text."""
        source = index.data(HIT_HTML_ROLE)
        if not source:
            super().paint(painter, option, index)
            return
        view_option = QStyleOptionViewItem(option)
        self.initStyleOption(view_option, index)
        view_option.text = ""
        widget = view_option.widget
        style = widget.style() if widget is not None else QApplication.style()
        style.drawControl(QStyle.ControlElement.CE_ItemViewItem, view_option, painter, widget)
        rect = style.subElementRect(QStyle.SubElement.SE_ItemViewItemText, view_option, widget)
        document = self._document(view_option, source, rect.width())
        context = QAbstractTextDocumentLayout.PaintContext()
        selected = bool(view_option.state & QStyle.StateFlag.State_Selected)
        role = QPalette.ColorRole.HighlightedText if selected else QPalette.ColorRole.Text
        context.palette.setColor(QPalette.ColorRole.Text, view_option.palette.color(role))
        painter.save()
        painter.translate(QPointF(rect.topLeft()))
        document.documentLayout().draw(painter, context)
        painter.restore()

    def sizeHint(  # noqa: N802
        self, option: QStyleOptionViewItem, index: QModelIndex | QPersistentModelIndex
    ) -> QSize:
        """Tall enough for the title and the wrapped snippet."""
        source = index.data(HIT_HTML_ROLE)
        if not source:
            return super().sizeHint(option, index)
        view = self.parent()
        width = (
            view.viewport().width()
            if isinstance(view, QAbstractScrollArea)
            else option.rect.width()
        )
        width = width or 240
        document = self._document(option, source, width - 8)
        return QSize(width, int(document.size().height()) + 6)
