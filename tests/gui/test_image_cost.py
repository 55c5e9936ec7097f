"""The composer shows what an attached image will cost the model before it is sent."""

from __future__ import annotations

import io
from pathlib import Path
from typing import Any

from PIL import Image

from autoglm.ui.composer import AttachmentDraft, ComposerWidget


def _png(width: int, height: int) -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", (width, height), (200, 200, 200)).save(buffer, format="PNG")
    return buffer.getvalue()


def test_an_attached_screenshot_shows_its_token_cost_and_follows_the_budget(
    qtbot: Any, tmp_path: Path
) -> None:
    composer = ComposerWidget()
    qtbot.addWidget(composer)
    composer.add_attachment(AttachmentDraft("phone.png", _png(1080, 2400), ".png"))
    chip = composer._attachments[0]
    qtbot.waitUntil(
        lambda: chip.cost_label.text() == "≈1,008 tokens", timeout=10_000
    )  # read in the background
    composer.set_image_tokens(256)
    assert chip.cost <= 256 and chip.cost_label.text() == f"≈{chip.cost:,} tokens"
    composer.show()
    qtbot.waitExposed(composer)
    assert composer.grab().save(str(tmp_path / "composer-image-cost.png"))
