"""Choosing a region of the screen: a full-screen overlay over a frozen screenshot.

The overlay shows the screenshot taken just before it opened, dimmed except for the
rectangle being dragged. Mouse coordinates are logical (device-independent) pixels while
the screenshot holds device pixels, so the selection is scaled by the screenshot's
device-pixel ratio before cropping: on a ratio-2 screen a 100×100 drag gives 200×200
pixels. Esc or the right mouse button cancels.
"""

from __future__ import annotations

import logging
import math

from PySide6.QtCore import QPoint, QRect, QSize, Qt, Signal
from PySide6.QtGui import (
    QColor,
    QGuiApplication,
    QImage,
    QKeyEvent,
    QMouseEvent,
    QPainter,
    QPaintEvent,
    QPen,
    QPixmap,
    QScreen,
)
from PySide6.QtWidgets import QWidget

_LOGGER = logging.getLogger(__name__)
MIN_SELECTION = 3
"""Drags smaller than this (logical pixels, either side) are taken as clicks, not selections."""
_DIM = QColor(0, 0, 0, 120)
_ACCENT = QColor("#2f81f7")


def selection_rect(start: QPoint, end: QPoint, bounds: QRect) -> QRect:
    """The rectangle between two drag points, dragged in any direction, clipped to ``bounds``.

    Points are pixel edges: dragging from (10, 10) to (20, 15) selects 10×5 pixels.
    """
    left, right = sorted((start.x(), end.x()))
    top, bottom = sorted((start.y(), end.y()))
    left = max(left, bounds.left())
    top = max(top, bounds.top())
    right = min(right, bounds.left() + bounds.width())
    bottom = min(bottom, bounds.top() + bounds.height())
    if right <= left or bottom <= top:
        return QRect()
    return QRect(left, top, right - left, bottom - top)


def device_rect(logical: QRect, ratio: float, image_size: QSize) -> QRect:
    """The device pixels of a screenshot (at ``ratio``) that a logical rectangle covers.

    Edges are rounded outwards, so a fractional ratio never loses a partly covered pixel,
    and the result is clipped to the image.
    """
    if logical.isEmpty() or ratio <= 0:
        return QRect()
    eps = 1e-6  # 0.1 × 3 is 0.30000000000000004: do not round that up to a whole extra pixel
    left = max(0, math.floor(logical.x() * ratio + eps))
    top = max(0, math.floor(logical.y() * ratio + eps))
    right = min(image_size.width(), math.ceil((logical.x() + logical.width()) * ratio - eps))
    bottom = min(image_size.height(), math.ceil((logical.y() + logical.height()) * ratio - eps))
    if right <= left or bottom <= top:
        return QRect()
    return QRect(left, top, right - left, bottom - top)


def crop_logical(screenshot: QImage, logical: QRect) -> QImage:
    """The part of ``screenshot`` under a logical rectangle, as a ratio-1 image of device pixels."""
    rect = device_rect(logical, screenshot.devicePixelRatio(), screenshot.size())
    if rect.isEmpty():
        return QImage()
    cropped = screenshot.copy(rect)
    cropped.setDevicePixelRatio(1.0)
    return cropped


class RegionOverlayWidget(QWidget):
    """A frameless full-screen window over one screen; drag a rectangle to capture it."""

    regionSelected = Signal(QImage)
    cancelled = Signal()

    def __init__(
        self, screenshot: QImage, screen: QScreen | None = None, parent: QWidget | None = None
    ) -> None:
        super().__init__(
            parent,
            Qt.WindowType.Window
            | Qt.WindowType.FramelessWindowHint
            | Qt.WindowType.WindowStaysOnTopHint
            | Qt.WindowType.BypassWindowManagerHint,
        )
        self.setObjectName("regionOverlay")
        self.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        self.setCursor(Qt.CursorShape.CrossCursor)
        self.setMouseTracking(True)
        self.setFocusPolicy(Qt.FocusPolicy.StrongFocus)
        self.screenshot = screenshot
        self._pixmap = QPixmap.fromImage(screenshot)
        self._pixmap.setDevicePixelRatio(screenshot.devicePixelRatio())
        self._screen = screen or QGuiApplication.primaryScreen()
        self._start: QPoint | None = None
        self._end: QPoint | None = None
        self._finished = False
        self.setAccessibleName(self.tr("Region selection"))

    # -- showing ---------------------------------------------------------------------------
    def open(self) -> None:
        """Cover the screen and take the keyboard (so Esc reaches the overlay)."""
        if self._screen is not None:
            self.setScreen(self._screen)
            self.setGeometry(self._screen.geometry())
        self.show()
        self.raise_()
        self.activateWindow()
        self.setFocus()
        self.grabKeyboard()

    def _finish(self) -> None:
        self._finished = True
        self.releaseKeyboard()
        self.close()

    def cancel(self) -> None:
        """Close without a selection."""
        if self._finished:
            return
        _LOGGER.debug("Region selection cancelled")
        self._finish()
        self.cancelled.emit()

    # -- selection -------------------------------------------------------------------------
    def selection(self) -> QRect:
        """The current selection in logical (widget) coordinates; empty when none."""
        if self._start is None or self._end is None:
            return QRect()
        return selection_rect(self._start, self._end, self.rect())

    def selected_image(self) -> QImage:
        """The screenshot pixels under the current selection."""
        return crop_logical(self.screenshot, self.selection())

    def mousePressEvent(self, event: QMouseEvent) -> None:  # noqa: N802
        """Left button starts a rectangle; right button cancels."""
        if event.button() == Qt.MouseButton.RightButton:
            self.cancel()
            return
        if event.button() == Qt.MouseButton.LeftButton:
            self._start = self._end = event.position().toPoint()
            self.update()

    def mouseMoveEvent(self, event: QMouseEvent) -> None:  # noqa: N802
        """Stretch the rectangle while the button is held."""
        if self._start is not None and event.buttons() & Qt.MouseButton.LeftButton:
            self._end = event.position().toPoint()
            self.update()

    def mouseReleaseEvent(self, event: QMouseEvent) -> None:  # noqa: N802
        """Releasing the button takes the region (a mere click starts over)."""
        if event.button() != Qt.MouseButton.LeftButton or self._start is None:
            return
        self._end = event.position().toPoint()
        rect = self.selection()
        if rect.width() < MIN_SELECTION or rect.height() < MIN_SELECTION:
            self._start = self._end = None
            self.update()
            return
        image = self.selected_image()
        _LOGGER.debug(
            "Region %s selected: %dx%d device pixels", rect, image.width(), image.height()
        )
        self._finish()
        self.regionSelected.emit(image)

    def keyPressEvent(self, event: QKeyEvent) -> None:  # noqa: N802
        """Esc cancels."""
        if event.key() == Qt.Key.Key_Escape:
            self.cancel()
            return
        super().keyPressEvent(event)

    def closeEvent(self, event: object) -> None:  # noqa: N802
        """Closing by any other means (the window system) counts as cancelling."""
        if not self._finished:
            self._finished = True
            self.releaseKeyboard()
            self.cancelled.emit()
        super().closeEvent(event)  # type: ignore[arg-type]

    # -- painting --------------------------------------------------------------------------
    def paintEvent(self, event: QPaintEvent) -> None:  # noqa: N802
        """The frozen screenshot, dimmed outside the selection, with its size and a hint."""
        painter = QPainter(self)
        painter.drawPixmap(0, 0, self._pixmap)
        rect = self.selection()
        outside = QRect(self.rect())
        if rect.isEmpty():
            painter.fillRect(outside, _DIM)
        else:
            for part in _around(outside, rect):
                painter.fillRect(part, _DIM)
            painter.setPen(QPen(_ACCENT, 2))
            painter.drawRect(rect.adjusted(0, 0, -1, -1))
            pixels = device_rect(rect, self.screenshot.devicePixelRatio(), self.screenshot.size())
            self._draw_label(
                painter,
                f"{pixels.width()} × {pixels.height()}",
                QPoint(rect.left(), max(0, rect.top() - 26)),
            )
        hint = self.tr("Drag to select a region  ·  Esc cancels")
        metrics = painter.fontMetrics()
        self._draw_label(
            painter, hint, QPoint((self.width() - metrics.horizontalAdvance(hint)) // 2 - 10, 16)
        )
        painter.end()

    @staticmethod
    def _draw_label(painter: QPainter, text: str, top_left: QPoint) -> None:
        metrics = painter.fontMetrics()
        box = QRect(top_left, QSize(metrics.horizontalAdvance(text) + 20, metrics.height() + 10))
        painter.setPen(Qt.PenStyle.NoPen)
        painter.setBrush(QColor(20, 20, 20, 210))
        painter.drawRoundedRect(box, 6, 6)
        painter.setPen(QColor("white"))
        painter.drawText(box, Qt.AlignmentFlag.AlignCenter, text)


def _around(outer: QRect, hole: QRect) -> list[QRect]:
    """Four rectangles covering ``outer`` except ``hole`` (the dimmed frame)."""
    return [
        QRect(outer.left(), outer.top(), outer.width(), hole.top() - outer.top()),
        QRect(outer.left(), hole.bottom() + 1, outer.width(), outer.bottom() - hole.bottom()),
        QRect(outer.left(), hole.top(), hole.left() - outer.left(), hole.height()),
        QRect(hole.right() + 1, hole.top(), outer.right() - hole.right(), hole.height()),
    ]
