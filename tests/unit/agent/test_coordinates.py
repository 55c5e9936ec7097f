"""The 0–1000 grid to screenshot pixels and screen points."""

from __future__ import annotations

import pytest

from autoglm.agent.coordinates import (
    ScreenGeometry,
    ScreenRect,
    grid_to_pixels,
    grid_to_screen,
    pixels_to_grid,
)
from autoglm.agent.protocol import GridPoint


def test_phone_screenshot_as_open_autoglm_converts() -> None:
    phone = ScreenGeometry(1080, 2400)
    assert grid_to_pixels(GridPoint(500, 500), phone) == (540, 1200)
    assert grid_to_pixels(GridPoint(0, 0), phone) == (0, 0)
    assert grid_to_pixels(GridPoint(999, 999), phone) == (1078, 2397)
    assert grid_to_pixels(GridPoint(1000, 1000), phone) == (1079, 2399), (
        "the edge stays on the image"
    )


def test_hidpi_screen_divides_by_the_ratio() -> None:
    retina = ScreenGeometry(2560, 1600, device_pixel_ratio=2.0)
    assert grid_to_pixels(GridPoint(250, 500), retina) == (640, 800)
    assert grid_to_screen(GridPoint(250, 500), retina) == (320, 400)
    fractional = ScreenGeometry(1920, 1080, device_pixel_ratio=1.5)
    assert grid_to_screen(GridPoint(500, 500), fractional) == (640, 360)


def test_second_monitor_offset() -> None:
    right = ScreenGeometry(1920, 1080, origin_x=2560, origin_y=-200)
    assert grid_to_screen(GridPoint(500, 500), right) == (2560 + 960, -200 + 540)
    left_hidpi = ScreenGeometry(2880, 1800, device_pixel_ratio=2.0, origin_x=-1440)
    assert grid_to_screen(GridPoint(1000, 0), left_hidpi) == (-1440 + 1439, 0)


def test_round_trip_and_rect() -> None:
    geometry = ScreenGeometry(1280, 800)
    assert pixels_to_grid(640, 400, geometry) == GridPoint(500, 500)
    rect = ScreenRect(100, 100, 50, 20)
    assert rect.contains(100, 100) and rect.contains(149, 119)
    assert not rect.contains(150, 110) and not rect.contains(120, 120)


@pytest.mark.parametrize(
    "bad", [dict(width=0, height=10), dict(width=10, height=10, device_pixel_ratio=0)]
)
def test_bad_geometry_is_refused(bad: dict) -> None:
    with pytest.raises(ValueError):
        ScreenGeometry(**bad)
