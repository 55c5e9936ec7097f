"""The tray icon: "Screenshot and ask", "Show" and "Quit", where the desktop has a system tray."""

from __future__ import annotations

import logging

from PySide6.QtGui import QAction
from PySide6.QtWidgets import QMenu, QSystemTrayIcon, QWidget

from autoglm.ui.icons import app_icon

_LOGGER = logging.getLogger(__name__)


class CaptureTrayIcon(QSystemTrayIcon):
    """A tray icon whose menu holds the given actions; clicking it shows the window."""

    def __init__(
        self,
        window: QWidget,
        screenshot_action: QAction,
        show_action: QAction,
        quit_action: QAction,
    ) -> None:
        super().__init__(app_icon(), window)
        self.show_action = show_action
        self.menu = QMenu(window)
        self.menu.addAction(screenshot_action)
        self.menu.addAction(show_action)
        self.menu.addSeparator()
        self.menu.addAction(quit_action)
        self.setContextMenu(self.menu)
        self.activated.connect(self._activated)

    def _activated(self, reason: QSystemTrayIcon.ActivationReason) -> None:
        if reason in (
            QSystemTrayIcon.ActivationReason.Trigger,
            QSystemTrayIcon.ActivationReason.DoubleClick,
        ):
            self.show_action.trigger()


def tray_available() -> bool:
    """Whether this desktop shows tray icons (not under plain X servers, many Wayland desktops)."""
    return QSystemTrayIcon.isSystemTrayAvailable()
