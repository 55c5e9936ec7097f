"""Icons drawn as SVG in resources/icons, tinted to the theme's text colour."""

from __future__ import annotations

import logging
from functools import lru_cache

from PySide6.QtCore import QByteArray, QRect, QRectF, QSize, Qt
from PySide6.QtGui import QIcon, QIconEngine, QImage, QPainter, QPixmap
from PySide6.QtSvg import QSvgRenderer

from autoglm.core.paths import resource_root

_LOGGER = logging.getLogger(__name__)
DISABLED_OPACITY = 0.35
"""How strongly a disabled icon is drawn: Qt's own greying leaves a grey icon unchanged."""


@lru_cache(maxsize=64)
def _svg_source(name: str) -> str:
    path = resource_root() / "icons" / f"{name}.svg"
    try:
        return path.read_text(encoding="utf-8")
    except OSError:
        _LOGGER.warning("Icon %s missing", path)
        return ""


@lru_cache(maxsize=256)
def icon(name: str, colour: str = "#1f2328") -> QIcon:
    """The icon ``name`` drawn in ``colour`` (SVG ``currentColor`` is replaced).

    Drawn lazily, at the size and mode asked for: drawing every size up front cost the GUI
    thread ~5 ms per new icon and colour (a reply's first action buttons, a sidebar badge).
    """
    source = _svg_source(name).replace("currentColor", colour)
    if not source:
        return QIcon()
    return QIcon(TintedSvgEngine(source.encode("utf-8")))


class TintedSvgEngine(QIconEngine):
    """Draws one SVG at each size (and the faded disabled look) the first time it is asked for."""

    def __init__(self, source: bytes) -> None:
        super().__init__()
        self._source = source
        self._renderer: QSvgRenderer | None = None
        self._pixmaps: dict[tuple[int, int, bool], QPixmap] = {}

    def clone(self) -> QIconEngine:
        """A copy for a detached ``QIcon``."""
        return TintedSvgEngine(self._source)

    def pixmap(self, size: QSize, mode: QIcon.Mode, state: QIcon.State) -> QPixmap:
        """The icon ``size`` device pixels big."""
        return self.scaledPixmap(size, mode, state, 1.0)

    def scaledPixmap(  # noqa: N802
        self,
        size: QSize,
        mode: QIcon.Mode,
        _state: QIcon.State,
        scale: float,
    ) -> QPixmap:
        """The icon ``size`` logical pixels big on a screen of ``scale`` device pixels each."""
        width, height = max(1, round(size.width() * scale)), max(1, round(size.height() * scale))
        key = (width, height, mode == QIcon.Mode.Disabled)
        pixmap = self._pixmaps.get(key)
        if pixmap is None:
            if self._renderer is None:
                self._renderer = QSvgRenderer(QByteArray(self._source))
            image = QImage(width, height, QImage.Format.Format_ARGB32_Premultiplied)
            image.fill(Qt.GlobalColor.transparent)
            painter = QPainter(image)
            painter.setRenderHint(QPainter.RenderHint.Antialiasing)
            if key[2]:
                painter.setOpacity(
                    DISABLED_OPACITY
                )  # Qt's own greying leaves a grey icon unchanged
            self._renderer.render(painter, QRectF(0, 0, width, height))
            painter.end()
            pixmap = self._pixmaps[key] = QPixmap.fromImage(image)
            pixmap.setDevicePixelRatio(scale)
        return pixmap

    def paint(self, painter: QPainter, rect: QRect, mode: QIcon.Mode, state: QIcon.State) -> None:
        """Draw the icon into ``rect``."""
        device = painter.device()
        scale = device.devicePixelRatioF() if device is not None else 1.0
        painter.drawPixmap(rect, self.scaledPixmap(rect.size(), mode, state, scale))


def app_icon() -> QIcon:
    """The application's own icon."""
    return icon("app", "#000000")
