"""Code blocks in the chat scroll sideways: a long line stays one line, as in an editor.

Code lines are laid out without wrapping (``white-space: pre``), so a code block's table may be
wider than the message column. A message is painted clipped to its column, and each wide code
block is painted again shifted by its own offset and clipped to the block; a thin bar along
the block's bottom shows how far it is scrolled. Shift+wheel or a sideways wheel over a block,
or dragging its bar, scrolls it (the view does the input; this module the geometry and paint).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from PySide6.QtCore import QPointF, QRectF, Qt
from PySide6.QtGui import (
    QAbstractTextDocumentLayout,
    QColor,
    QPainter,
    QRegion,
    QTextDocument,
    QTextFrame,
    QTextTable,
)

BAR_HEIGHT = 5.0
"""The scroll bar under a wide code block, drawn inside the block's bottom padding."""
BAR_GRAB = 10.0
"""How tall the strip is where a press grabs the bar (a 5-pixel target is hard to hit)."""


@dataclass(frozen=True)
class CodeArea:
    """One code block's lines in a laid-out document (document coordinates)."""

    top: float
    height: float
    visible_width: float
    """The message column: what is seen of the block at once."""
    content_width: float
    """The width of its longest line with the padding."""

    @property
    def overflow(self) -> float:
        """How far the block scrolls (0 when every line fits)."""
        return max(0.0, self.content_width - self.visible_width)

    def rect(self) -> QRectF:
        """The block's visible part."""
        return QRectF(0, self.top, self.visible_width, self.height)

    def bar_strip(self) -> QRectF:
        """Where a press grabs the scroll bar."""
        return QRectF(0, self.top + self.height - BAR_GRAB, self.visible_width, BAR_GRAB)

    def thumb(self, offset: float) -> QRectF:
        """The bar's thumb at ``offset``: as wide as the part shown, placed where it is."""
        width = max(24.0, self.visible_width * self.visible_width / self.content_width)
        left = (self.visible_width - width) * (offset / self.overflow) if self.overflow else 0.0
        return QRectF(left, self.top + self.height - BAR_HEIGHT - 1, width, BAR_HEIGHT)

    def offset_for_drag(self, start_offset: float, dragged_px: float) -> float:
        """The offset after the thumb was dragged ``dragged_px`` from where ``start_offset`` had it."""
        track = self.visible_width - self.thumb(0).width()
        return clamp(
            start_offset + dragged_px * (self.overflow / track if track > 0 else 0.0), self
        )


def clamp(offset: float, area: CodeArea) -> float:
    """``offset`` within the block's range."""
    return min(max(0.0, offset), area.overflow)


def _is_code_body(table: QTextTable) -> bool:
    block = table.cellAt(0, 0).firstCursorPosition().block()
    return block.isValid() and block.blockFormat().nonBreakableLines()


def _tables(frame: QTextFrame) -> list[QTextTable]:
    found: list[QTextTable] = []
    for child in frame.childFrames():
        if isinstance(child, QTextTable):
            found.append(child)
        found.extend(_tables(child))
    return found


def code_areas(document: QTextDocument, visible_width: float) -> list[CodeArea]:
    """The code blocks of a laid-out message document, top to bottom."""
    layout = document.documentLayout()
    areas = []
    for table in _tables(document.rootFrame()):
        if _is_code_body(table):
            # From the cell's first and last lines: a table's frameBoundingRect is off by its
            # padding and counts its margins.
            padding = table.format().cellPadding()
            cell = table.cellAt(0, 0)
            first = layout.blockBoundingRect(cell.firstCursorPosition().block())
            last = layout.blockBoundingRect(cell.lastCursorPosition().block())
            top = first.top() - padding
            areas.append(
                CodeArea(
                    top,
                    last.bottom() + padding - top,
                    visible_width,
                    max(visible_width, first.right() + padding),
                )
            )
    return areas


def to_document(point: QPointF, areas: Sequence[CodeArea], offsets: Sequence[float]) -> QPointF:
    """``point`` on screen (document coordinates as painted) to where it is in the document:
    inside a scrolled code block it is further right by the block's offset."""
    for area, offset in zip(areas, offsets, strict=False):
        if offset and area.rect().contains(point):
            return QPointF(point.x() + offset, point.y())
    return point


def draw_document(
    painter: QPainter,
    document: QTextDocument,
    context: QAbstractTextDocumentLayout.PaintContext,
    areas: Sequence[CodeArea],
    offsets: Sequence[float],
    bar_colour: str,
) -> None:
    """Paint ``document`` at the painter's origin within its column (``context.clip``'s width),
    each code block of ``areas`` shifted by its offset, with a bar under each wide one."""
    layout = document.documentLayout()
    scrolled = [(area, offset) for area, offset in zip(areas, offsets, strict=False) if offset > 0]
    column = QRectF(
        0, 0, context.clip.width(), max(document.size().height(), context.clip.bottom())
    )
    region = QRegion(column.toAlignedRect())
    for area, _offset in scrolled:
        region -= QRegion(area.rect().toAlignedRect())
    painter.save()
    painter.setClipRegion(region, Qt.ClipOperation.IntersectClip)
    layout.draw(painter, context)
    painter.restore()
    for area, offset in scrolled:
        painter.save()
        painter.setClipRect(area.rect(), Qt.ClipOperation.IntersectClip)
        painter.translate(-offset, 0)
        shifted = QAbstractTextDocumentLayout.PaintContext()
        shifted.palette = context.palette
        shifted.selections = context.selections
        shifted.clip = area.rect().translated(offset, 0)
        layout.draw(painter, shifted)
        painter.restore()
    for area, offset in zip(areas, offsets, strict=False):
        if area.overflow:
            painter.save()
            colour = QColor(bar_colour)
            colour.setAlphaF(0.55)
            painter.setPen(Qt.PenStyle.NoPen)
            painter.setBrush(colour)
            painter.drawRoundedRect(area.thumb(clamp(offset, area)), BAR_HEIGHT / 2, BAR_HEIGHT / 2)
            painter.restore()
