"""The region overlay's maths and behaviour, offscreen, over a synthetic screenshot."""

from __future__ import annotations

from typing import Any

import pytest
from input_events import drag, right_click
from media_samples import BLUE, GREEN, RED, YELLOW
from PySide6.QtCore import QPoint, QRect, QSize, Qt
from PySide6.QtGui import QColor, QImage, QPainter

from autoglm.ui.capture.region_overlay import (
    RegionOverlayWidget,
    crop_logical,
    device_rect,
    selection_rect,
)

BOUNDS = QRect(0, 0, 400, 300)


@pytest.mark.parametrize(
    ("start", "end"),
    [((10, 20), (110, 70)), ((110, 70), (10, 20)), ((110, 20), (10, 70)), ((10, 70), (110, 20))],
)
def test_a_drag_in_any_direction_gives_the_same_rectangle(
    start: tuple[int, int], end: tuple[int, int]
) -> None:
    assert selection_rect(QPoint(*start), QPoint(*end), BOUNDS) == QRect(10, 20, 100, 50)


def test_a_drag_past_the_screen_edge_is_clipped() -> None:
    assert selection_rect(QPoint(-50, -10), QPoint(30, 40), BOUNDS) == QRect(0, 0, 30, 40)
    assert selection_rect(QPoint(380, 250), QPoint(900, 900), BOUNDS) == QRect(380, 250, 20, 50)


def test_a_click_or_a_drag_outside_selects_nothing() -> None:
    assert selection_rect(QPoint(5, 5), QPoint(5, 5), BOUNDS).isEmpty()
    assert selection_rect(QPoint(500, 10), QPoint(600, 50), BOUNDS).isEmpty()


@pytest.mark.parametrize(
    ("ratio", "expected"),
    [
        (1.0, QRect(10, 20, 100, 50)),
        (2.0, QRect(20, 40, 200, 100)),
        (1.25, QRect(12, 25, 126, 63)),  # 12.5 → 12 and 137.5 → 138: partly covered pixels are kept
        (1.5, QRect(15, 30, 150, 75)),
    ],
)
def test_logical_rectangles_scale_to_device_pixels(ratio: float, expected: QRect) -> None:
    assert device_rect(QRect(10, 20, 100, 50), ratio, QSize(2000, 2000)) == expected


def test_device_rectangle_stays_inside_the_image() -> None:
    assert device_rect(QRect(300, 200, 100, 100), 2.0, QSize(700, 500)) == QRect(600, 400, 100, 100)
    assert device_rect(QRect(0, 0, 0, 10), 2.0, QSize(700, 500)).isEmpty()


def _blocks_screenshot(ratio: float) -> QImage:
    """A 400×300 logical 'screen' at ``ratio``: four 200×150 blocks, red, green / blue, yellow."""
    image = QImage(int(400 * ratio), int(300 * ratio), QImage.Format.Format_RGB32)
    painter = QPainter(image)
    for (column, row), colour in {(0, 0): RED, (1, 0): GREEN, (0, 1): BLUE, (1, 1): YELLOW}.items():
        painter.fillRect(
            int(column * 200 * ratio),
            int(row * 150 * ratio),
            int(200 * ratio),
            int(150 * ratio),
            QColor(*colour),
        )
    painter.end()
    image.setDevicePixelRatio(ratio)
    return image


def _rgb(image: QImage, x: int, y: int) -> tuple[int, int, int]:
    return tuple(image.pixelColor(x, y).getRgb()[:3])  # type: ignore[return-value]


@pytest.mark.parametrize("ratio", [1.0, 2.0])
def test_crop_takes_device_pixels_around_the_centre(ratio: float) -> None:
    cropped = crop_logical(_blocks_screenshot(ratio), QRect(150, 100, 100, 100))
    assert (cropped.width(), cropped.height()) == (int(100 * ratio), int(100 * ratio))
    assert cropped.devicePixelRatio() == 1.0
    quarter, three_quarters = int(25 * ratio), int(75 * ratio)
    assert _rgb(cropped, quarter, quarter) == RED
    assert _rgb(cropped, three_quarters, quarter) == GREEN
    assert _rgb(cropped, quarter, three_quarters) == BLUE
    assert _rgb(cropped, three_quarters, three_quarters) == YELLOW


@pytest.fixture
def overlay(qtbot: Any) -> RegionOverlayWidget:
    widget = RegionOverlayWidget(_blocks_screenshot(2.0))
    qtbot.addWidget(widget)
    widget.setAttribute(
        Qt.WidgetAttribute.WA_DeleteOnClose, False
    )  # keep it to inspect after closing
    widget.show()
    widget.resize(400, 300)
    qtbot.waitExposed(widget)
    return widget


def test_dragging_on_the_overlay_returns_the_selected_pixels(
    qtbot: Any, overlay: RegionOverlayWidget
) -> None:
    with qtbot.waitSignal(overlay.regionSelected) as selected:
        drag(overlay, QPoint(250, 200), QPoint(150, 100))  # dragged up and to the left
    image = selected.args[0]
    assert (image.width(), image.height()) == (200, 200)
    assert [_rgb(image, x, y) for x, y in ((50, 50), (150, 50), (50, 150), (150, 150))] == [
        RED,
        GREEN,
        BLUE,
        YELLOW,
    ]
    assert not overlay.isVisible()


def test_escape_cancels_and_returns_nothing(qtbot: Any, overlay: RegionOverlayWidget) -> None:
    selections: list[QImage] = []
    overlay.regionSelected.connect(selections.append)
    drag(overlay, QPoint(10, 10), QPoint(100, 100), release=False)
    assert overlay.selection() == QRect(10, 10, 90, 90)
    with qtbot.waitSignal(overlay.cancelled):
        qtbot.keyClick(overlay, Qt.Key.Key_Escape)
    assert selections == [] and not overlay.isVisible()


def test_right_click_cancels(qtbot: Any, overlay: RegionOverlayWidget) -> None:
    with qtbot.waitSignal(overlay.cancelled):
        right_click(overlay, QPoint(40, 40))
    assert not overlay.isVisible()


def test_a_click_without_a_drag_keeps_the_overlay_open(
    qtbot: Any, overlay: RegionOverlayWidget
) -> None:
    with qtbot.assertNotEmitted(overlay.regionSelected), qtbot.assertNotEmitted(overlay.cancelled):
        drag(overlay, QPoint(50, 50), QPoint(51, 52))
    assert overlay.isVisible() and overlay.selection().isEmpty()


def test_the_overlay_dims_everything_but_the_selection(
    qtbot: Any, overlay: RegionOverlayWidget
) -> None:
    drag(overlay, QPoint(100, 75), QPoint(300, 225), release=False)
    painted = overlay.grab().toImage()
    ratio = painted.devicePixelRatio()
    inside = _rgb(painted, int(150 * ratio), int(120 * ratio))
    outside = _rgb(painted, int(50 * ratio), int(250 * ratio))
    assert inside == RED
    assert outside[2] < 200 and outside[0] < 40  # blue, darkened
