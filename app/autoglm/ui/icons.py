"""Icons drawn as SVG in resources/icons, tinted to the theme's text colour."""

from __future__ import annotations

import logging
from functools import lru_cache

from PySide6.QtCore import QByteArray, QRectF, Qt
from PySide6.QtGui import QIcon, QImage, QPainter, QPixmap
from PySide6.QtSvg import QSvgRenderer

from autoglm.core.paths import resource_root

_LOGGER = logging.getLogger(__name__)
_SIZES = (16, 20, 24, 32, 48, 64)
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
    """The icon ``name`` drawn in ``colour`` (SVG ``currentColor`` is replaced)."""
    source = _svg_source(name).replace("currentColor", colour)
    result = QIcon()
    if not source:
        return result
    renderer = QSvgRenderer(QByteArray(source.encode("utf-8")))
    for size in _SIZES:
        for ratio in (1, 2):
            image = QImage(size * ratio, size * ratio, QImage.Format.Format_ARGB32_Premultiplied)
            image.fill(Qt.GlobalColor.transparent)
            painter = QPainter(image)
            painter.setRenderHint(QPainter.RenderHint.Antialiasing)
            renderer.render(painter, QRectF(0, 0, size * ratio, size * ratio))
            painter.end()
            pixmap = QPixmap.fromImage(image)
            pixmap.setDevicePixelRatio(ratio)
            result.addPixmap(pixmap)
            result.addPixmap(_faded(image, ratio), QIcon.Mode.Disabled)
    return result


def _faded(image: QImage, ratio: int) -> QPixmap:
    """``image`` at ``DISABLED_OPACITY``, for the icon's disabled mode."""
    faded = QImage(image.size(), QImage.Format.Format_ARGB32_Premultiplied)
    faded.fill(Qt.GlobalColor.transparent)
    painter = QPainter(faded)
    painter.setOpacity(DISABLED_OPACITY)
    painter.drawImage(0, 0, image)
    painter.end()
    pixmap = QPixmap.fromImage(faded)
    pixmap.setDevicePixelRatio(ratio)
    return pixmap


def app_icon() -> QIcon:
    """The application's own icon."""
    return icon("app", "#000000")
