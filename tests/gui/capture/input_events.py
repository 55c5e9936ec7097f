"""Mouse drags delivered as real Qt events (explicit button state, so they work on any platform plugin)."""

from __future__ import annotations

from PySide6.QtCore import QEvent, QPoint, QPointF, Qt
from PySide6.QtGui import QMouseEvent
from PySide6.QtWidgets import QApplication, QWidget


def _send(
    widget: QWidget, kind: QEvent.Type, pos: QPoint, button: Qt.MouseButton, buttons: Qt.MouseButton
) -> None:
    local = QPointF(pos)
    event = QMouseEvent(
        kind,
        local,
        local,
        QPointF(widget.mapToGlobal(pos)),
        button,
        buttons,
        Qt.KeyboardModifier.NoModifier,
    )
    QApplication.sendEvent(widget, event)


def drag(widget: QWidget, start: QPoint, end: QPoint, steps: int = 5, release: bool = True) -> None:
    """Press the left button at ``start``, move to ``end`` in ``steps`` and (optionally) release there."""
    left = Qt.MouseButton.LeftButton
    _send(widget, QEvent.Type.MouseButtonPress, start, left, left)
    for step in range(1, steps + 1):
        point = start + (end - start) * step / steps
        _send(widget, QEvent.Type.MouseMove, point, Qt.MouseButton.NoButton, left)
        QApplication.processEvents()
    if release:
        release_at(widget, end)


def release_at(widget: QWidget, pos: QPoint) -> None:
    """Release the left button at ``pos``."""
    _send(
        widget,
        QEvent.Type.MouseButtonRelease,
        pos,
        Qt.MouseButton.LeftButton,
        Qt.MouseButton.NoButton,
    )


def right_click(widget: QWidget, pos: QPoint) -> None:
    """Press the right button at ``pos``."""
    right = Qt.MouseButton.RightButton
    _send(widget, QEvent.Type.MouseButtonPress, pos, right, right)
