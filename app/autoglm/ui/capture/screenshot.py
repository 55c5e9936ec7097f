"""Grabbing the screen: the whole of one screen (of several) as a QImage in device pixels.

The returned image keeps the screen's device-pixel ratio, so a 1440×900 logical screen at
ratio 2 gives 2880×1800 pixels with ``devicePixelRatio() == 2``; the region overlay relies
on that to crop exactly what the user selected.
"""

from __future__ import annotations

import logging

from PySide6.QtCore import QCoreApplication
from PySide6.QtGui import QCursor, QGuiApplication, QImage, QScreen

from autoglm.core.errors import DeviceError

_LOGGER = logging.getLogger(__name__)


def available_screens() -> list[QScreen]:
    """Every screen, the primary one first."""
    primary = QGuiApplication.primaryScreen()
    others = [screen for screen in QGuiApplication.screens() if screen is not primary]
    return ([primary] if primary is not None else []) + others


def screen_label(screen: QScreen) -> str:
    """A name for menus: the screen's name and its size in pixels."""
    size = screen.geometry().size() * screen.devicePixelRatio()
    name = screen.name() or screen.model() or QCoreApplication.translate("Screenshot", "Screen")
    return f"{name} ({size.width()}×{size.height()})"


def screen_under_cursor() -> QScreen | None:
    """The screen the mouse pointer is on (the primary screen if that is unknown)."""
    screen = QGuiApplication.screenAt(QCursor.pos())
    return screen or QGuiApplication.primaryScreen()


def grab_screen(screen: QScreen) -> QImage:
    """The whole of ``screen`` in device pixels; ``DeviceError`` in words if the desktop refuses."""
    pixmap = screen.grabWindow(0)
    if pixmap.isNull() or pixmap.width() == 0 or pixmap.height() == 0:
        raise DeviceError(
            QCoreApplication.translate(
                "Screenshot",
                "This desktop does not let applications take screenshots (Wayland blocks it): "
                "take one with the system's screenshot tool and paste it here.",
            )
        )
    image = pixmap.toImage()
    image.setDevicePixelRatio(pixmap.devicePixelRatio())
    _LOGGER.debug(
        "Grabbed %s: %dx%d at ratio %.2f",
        screen.name(),
        image.width(),
        image.height(),
        image.devicePixelRatio(),
    )
    return image
