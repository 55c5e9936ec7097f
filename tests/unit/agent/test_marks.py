"""Points an answer names, drawn where the grid says: rings, numbered rings, a swipe's arrow."""

from __future__ import annotations

from PIL import Image

from autoglm.agent.marks import (
    HALO_COLOUR,
    MARK_COLOUR,
    describe,
    draw_marks,
    mark_radius,
    pointing_in_reply,
)
from autoglm.agent.protocol import GridPoint


def _is_mark(pixel: tuple[int, int, int]) -> bool:
    return all(abs(a - b) <= 40 for a, b in zip(pixel, MARK_COLOUR, strict=True))


def test_a_tap_is_one_ring_centred_on_the_pixel_the_grid_names() -> None:
    pointing = pointing_in_reply(
        '<think>The Wi-Fi row.</think><answer>do(action="Tap", element=[250,500])</answer>'
    )
    assert (
        pointing is not None
        and pointing.points == (GridPoint(250, 500),)
        and pointing.action == "Tap"
    )
    marked = draw_marks(Image.new("RGB", (400, 200), (30, 120, 30)), pointing)
    assert _is_mark(marked.getpixel((100, 100)))  # 250/1000 × 400, 500/1000 × 200: the centre dot
    radius = mark_radius(400, 200)
    assert _is_mark(marked.getpixel((100 + radius, 100))) or _is_mark(
        marked.getpixel((100 + radius - 1, 100))
    )
    assert marked.getpixel((300, 20)) == (30, 120, 30), "nothing drawn away from the point"
    assert describe(pointing, (400, 200)) == "Tap at (100, 100)"


def test_several_points_in_words_are_numbered_and_a_swipe_is_an_arrow() -> None:
    several = pointing_in_reply("Two places: [100, 100] and [900, 900].")
    assert several is not None and len(several.points) == 2 and not several.swipe
    marked = draw_marks(Image.new("RGB", (500, 500), (0, 0, 0)), several)
    assert _is_mark(marked.getpixel((50, 50))) and _is_mark(marked.getpixel((450, 450)))
    labels = [marked.getpixel((x, y)) for x in range(60, 110) for y in range(20, 60)]
    assert HALO_COLOUR in labels, "a number in white on a red tab next to each ring"
    assert describe(several, (500, 500)) == "1 (50, 50) · 2 (450, 450)"

    swipe = pointing_in_reply('do(action="Swipe", start=[500,800], end=[500,200])')
    assert swipe is not None and swipe.swipe
    arrow = draw_marks(Image.new("RGB", (200, 200), (0, 0, 0)), swipe)
    assert _is_mark(arrow.getpixel((100, 120))), "the arrow's shaft runs from start to end"
    assert _is_mark(arrow.getpixel((100, 44))), "its head points at the end"
    assert describe(swipe, (200, 200)) == "Swipe from (100, 160) to (100, 40)"


def test_a_reply_without_points_points_at_nothing() -> None:
    assert pointing_in_reply("The Wi-Fi setting is under Network.") is None
    assert pointing_in_reply('finish(message="Done [really]")') is None
