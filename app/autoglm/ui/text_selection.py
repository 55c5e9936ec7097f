"""Selecting text inside one painted message, as in a text widget: drag, double-click, copy.

The chat view paints each message from a ``QTextDocument`` instead of hosting a widget per
row (which is what keeps a 500-message chat fast), so selection is done here by hand:
a selection is a row and two character positions in that row's document, found with the
document layout's hit test. Positions are characters, not pixels, so a selection stays
right when the window is resized and the message reflows. One message at a time, like
most chat apps; the whole message is still one click away with its Copy button.
"""

from __future__ import annotations

from dataclasses import dataclass

from PySide6.QtCore import QPointF, Qt
from PySide6.QtGui import (
    QAbstractTextDocumentLayout,
    QColor,
    QTextCharFormat,
    QTextCursor,
    QTextDocument,
)


@dataclass
class TextSelection:
    """From ``anchor`` (where the drag began) to ``position`` in the document of ``row``."""

    row: int
    anchor: int
    position: int

    @property
    def empty(self) -> bool:
        """Whether nothing is selected (a click rather than a drag)."""
        return self.anchor == self.position

    def cursor(self, document: QTextDocument) -> QTextCursor:
        """A cursor over the selection in ``document`` (positions clamped to its length)."""
        last = max(0, document.characterCount() - 1)
        cursor = QTextCursor(document)
        cursor.setPosition(min(self.anchor, last))
        cursor.setPosition(min(self.position, last), QTextCursor.MoveMode.KeepAnchor)
        return cursor

    def text(self, document: QTextDocument) -> str:
        """The selected text as plain text (paragraphs on their own lines)."""
        return self.cursor(document).selection().toPlainText()

    def painted(
        self, document: QTextDocument, background: str, foreground: str
    ) -> QAbstractTextDocumentLayout.Selection:
        """The selection as the document layout paints it."""
        selection = QAbstractTextDocumentLayout.Selection()
        selection.cursor = self.cursor(document)
        text_format = QTextCharFormat()
        text_format.setBackground(QColor(background))
        text_format.setForeground(QColor(foreground))
        selection.format = text_format
        return selection


def position_at(document: QTextDocument, point: QPointF) -> int:
    """The character position nearest ``point`` (document coordinates; outside it clamps)."""
    height = document.size().height()
    if point.y() < 0:
        return 0
    if point.y() > height:
        return max(0, document.characterCount() - 1)
    position = document.documentLayout().hitTest(point, Qt.HitTestAccuracy.FuzzyHit)
    return max(0, position)


def word_at(document: QTextDocument, position: int) -> tuple[int, int]:
    """(start, end) of the word at ``position`` (double-click)."""
    cursor = QTextCursor(document)
    cursor.setPosition(position)
    cursor.select(QTextCursor.SelectionType.WordUnderCursor)
    return cursor.selectionStart(), cursor.selectionEnd()
