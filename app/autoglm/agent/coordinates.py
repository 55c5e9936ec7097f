"""The model's 0–1000 grid turned into pixels of the screenshot and points on the screen.

Open-AutoGLM converts with ``int(x / 1000 * width)`` against the screenshot's own size.
On a desktop the screenshot is in device pixels while input goes to logical points on a
virtual desktop, so the screen's device-pixel ratio and the monitor's offset come in too.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Protocol

from autoglm.agent.protocol import GRID_MAX, GridPoint


@dataclass(frozen=True)
class ScreenGeometry:
    """Where a screenshot lies: its size in pixels, pixels per input point, its top-left on screen."""

    width: int
    height: int
    device_pixel_ratio: float = 1.0
    origin_x: int = 0
    origin_y: int = 0

    def __post_init__(self) -> None:
        """Refuse a screen with no area or no pixel ratio."""
        if self.width <= 0 or self.height <= 0:
            raise ValueError(f"a screenshot of {self.width}×{self.height} pixels has no area")
        if self.device_pixel_ratio <= 0:
            raise ValueError(f"device-pixel ratio must be positive, not {self.device_pixel_ratio}")


class Region(Protocol):
    """A part of the screen that can say whether a point lies in it (a rectangle, a tracked window)."""

    def contains(self, x: float, y: float) -> bool:
        """Whether the input coordinate ``(x, y)`` lies inside."""
        ...


@dataclass(frozen=True)
class ScreenRect:
    """A rectangle in input coordinates (the app's own window, never to be clicked)."""

    x: int
    y: int
    width: int
    height: int

    def contains(self, x: float, y: float) -> bool:
        """Whether the point lies inside (edges included on the top-left, excluded on the bottom-right)."""
        return self.x <= x < self.x + self.width and self.y <= y < self.y + self.height


def grid_to_pixels(point: GridPoint, geometry: ScreenGeometry) -> tuple[int, int]:
    """The screenshot pixel the grid point names (Open-AutoGLM's ``x / 1000 * width``)."""
    x = min(int(point.x / GRID_MAX * geometry.width), geometry.width - 1)
    y = min(int(point.y / GRID_MAX * geometry.height), geometry.height - 1)
    return x, y


def pixels_to_screen(x: int, y: int, geometry: ScreenGeometry) -> tuple[int, int]:
    """A screenshot pixel as an input coordinate: divided by the ratio, moved by the monitor offset."""
    ratio = geometry.device_pixel_ratio
    return geometry.origin_x + int(x / ratio), geometry.origin_y + int(y / ratio)


def grid_to_screen(point: GridPoint, geometry: ScreenGeometry) -> tuple[int, int]:
    """Where on the screen to click for a grid point."""
    return pixels_to_screen(*grid_to_pixels(point, geometry), geometry)


def pixels_to_grid(x: float, y: float, geometry: ScreenGeometry) -> GridPoint:
    """The grid point of a screenshot pixel (the inverse, for tests and for drawing)."""
    return GridPoint(round(x * GRID_MAX / geometry.width), round(y * GRID_MAX / geometry.height))
