"""Light and dark themes: a palette, a style sheet from resources/themes, colours for painting.

With the ``system`` setting the theme follows the desktop's colour scheme, live.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass

from PySide6.QtCore import QObject, Qt, Signal
from PySide6.QtGui import QColor, QGuiApplication, QPalette
from PySide6.QtWidgets import QApplication

from autoglm.core.paths import resource_root

_LOGGER = logging.getLogger(__name__)


@dataclass(frozen=True)
class ThemeColours:
    """Colours the delegates paint with (style sheets cannot reach them)."""

    name: str
    window: str
    surface: str
    text: str
    muted: str
    accent: str
    accent_text: str
    user_bubble: str
    user_text: str
    border: str
    hover: str
    link: str
    error: str

    @property
    def dark(self) -> bool:
        """Whether this is a dark theme."""
        return self.name == "dark"


LIGHT = ThemeColours(
    "light",
    window="#f7f7f8",
    surface="#ffffff",
    text="#1f2328",
    muted="#6e7781",
    accent="#2f6feb",
    accent_text="#ffffff",
    user_bubble="#e8effd",
    user_text="#1f2328",
    border="#d8dee4",
    hover="#eef1f4",
    link="#0969da",
    error="#cf222e",
)
DARK = ThemeColours(
    "dark",
    window="#1b1d21",
    surface="#23262b",
    text="#e6e6e6",
    muted="#9198a1",
    accent="#4c8dff",
    accent_text="#ffffff",
    user_bubble="#2c3a52",
    user_text="#eef2f8",
    border="#363a41",
    hover="#2c3036",
    link="#6cb6ff",
    error="#ff7b72",
)


def system_prefers_dark() -> bool:
    """Whether the desktop asks for a dark colour scheme."""
    hints = QGuiApplication.styleHints()
    return hints.colorScheme() == Qt.ColorScheme.Dark


def _palette(colours: ThemeColours) -> QPalette:
    palette = QPalette()
    role = QPalette.ColorRole
    palette.setColor(role.Window, QColor(colours.window))
    palette.setColor(role.WindowText, QColor(colours.text))
    palette.setColor(role.Base, QColor(colours.surface))
    palette.setColor(role.AlternateBase, QColor(colours.hover))
    palette.setColor(role.Text, QColor(colours.text))
    palette.setColor(role.PlaceholderText, QColor(colours.muted))
    palette.setColor(role.Button, QColor(colours.surface))
    palette.setColor(role.ButtonText, QColor(colours.text))
    palette.setColor(role.Highlight, QColor(colours.accent))
    palette.setColor(role.HighlightedText, QColor(colours.accent_text))
    palette.setColor(role.ToolTipBase, QColor(colours.surface))
    palette.setColor(role.ToolTipText, QColor(colours.text))
    palette.setColor(role.Link, QColor(colours.link))
    palette.setColor(role.Mid, QColor(colours.border))
    for disabled_role in (role.Text, role.ButtonText, role.WindowText):
        palette.setColor(QPalette.ColorGroup.Disabled, disabled_role, QColor(colours.muted))
    return palette


def style_sheet(colours: ThemeColours) -> str:
    """The theme's style sheet with its colour placeholders filled in."""
    path = resource_root() / "themes" / f"{colours.name}.qss"
    try:
        return path.read_text(encoding="utf-8").replace(
            "@icons@", (resource_root() / "icons").as_posix()
        )
    except OSError as exc:
        _LOGGER.warning("Theme file %s unreadable: %s", path, exc)
        return ""


class ThemeManager(QObject):
    """Applies the chosen theme and re-applies it when the system scheme changes."""

    themeChanged = Signal(object)

    def __init__(self, app: QApplication, choice: str = "system") -> None:
        super().__init__(app)
        self._app = app
        self._choice = choice
        self.colours = LIGHT
        app.setStyle("Fusion")
        QGuiApplication.styleHints().colorSchemeChanged.connect(self._system_changed)

    def set_choice(self, choice: str) -> None:
        """Use ``system``, ``light`` or ``dark``."""
        self._choice = choice
        self.apply()

    def apply(self) -> ThemeColours:
        """Apply the theme the choice resolves to; returns its colours."""
        dark = system_prefers_dark() if self._choice == "system" else self._choice == "dark"
        colours = DARK if dark else LIGHT
        changed = colours is not self.colours
        self.colours = colours
        self._app.setPalette(_palette(colours))
        self._app.setStyleSheet(style_sheet(colours))
        if changed:
            self.themeChanged.emit(colours)
        return colours

    def _system_changed(self, _scheme: Qt.ColorScheme) -> None:
        if self._choice == "system":
            self.apply()
