"""The image-token budget: screens are scaled to whole 28-pixel tokens within the chosen count."""

from __future__ import annotations

import pytest
from PIL import Image
from vision_samples import png_bytes

from autoglm.core.settings import VisionSettings
from autoglm.vision.image import budget_grid, budget_size, image_token_cost, normalise


@pytest.mark.parametrize(
    ("width", "height", "tokens"),
    [
        (1080, 2400, 1024),
        (2560, 1440, 1024),
        (1080, 2400, 256),
        (2560, 1440, 4096),
        (1920, 1080, 64),
    ],
)
def test_a_screen_costs_at_most_the_budget_and_nearly_all_of_it(
    width: int, height: int, tokens: int
) -> None:
    columns, rows = budget_grid(width, height, tokens)
    assert columns * rows <= tokens
    assert columns * rows >= 0.9 * tokens
    assert abs(columns / rows - width / height) / (width / height) < 0.1  # the shape survives


def test_the_default_budget_for_a_phone_screenshot() -> None:
    assert VisionSettings().image_tokens == 1024
    assert budget_grid(1080, 2400, 1024) == (21, 48)
    assert budget_size(1080, 2400, 1024) == (588, 1344)


def test_a_small_image_keeps_its_size_and_costs_what_the_projector_makes_of_it() -> None:
    assert budget_size(300, 200, 1024) == (300, 200)
    assert image_token_cost(300, 200, 1024) == 11 * 7


def test_normalise_applies_the_budget() -> None:
    data = png_bytes(Image.new("RGB", (1080, 2400), (10, 20, 30)))
    image = normalise(data, VisionSettings(image_tokens=256))
    assert (image.width % 28, image.height % 28) == (0, 0)
    assert (image.width // 28) * (image.height // 28) <= 256
    assert normalise(data, VisionSettings()).width == 588
