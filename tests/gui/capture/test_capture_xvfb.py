"""Real screen capture on a real X server (Xvfb), checked down to the pixels that reach the engine.

A window of four solid blocks (red, green / blue, yellow) is shown *under* the main window.
Capturing must hide the app, so the frozen screenshot shows the blocks; a 100×100 region
across their shared corner is dragged on the overlay, and the request the engine receives
must hold exactly a quarter of each colour, at every device-pixel ratio.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from PySide6.QtGui import QImage

pytestmark = pytest.mark.display


def _rgb(image: QImage, x: int, y: int) -> tuple[int, int, int]:
    return tuple(image.pixelColor(x, y).getRgb()[:3])  # type: ignore[return-value]


def _check_region_reached_the_engine(report: dict[str, Any], ratio: float) -> None:
    assert report["ratio"] == ratio
    assert report["blocks_pixel_alone"] == [255, 0, 0]
    assert report["blocks_pixel_under_window"] != [255, 0, 0], (
        "the main window should cover the blocks"
    )
    assert report["window_visible_at_grab"] is False
    assert report["grab_pixel_at_blocks"] == [255, 0, 0], (
        "the app was still on screen when it grabbed"
    )
    assert report["grab_ratio"] == ratio and report["grab_size"] == [1280, 800]
    assert report["overlay_selection"] == [150, 150, 100, 100]
    assert report["window_visible_after"] is True
    side = int(100 * ratio)
    image = report["engine_image"]
    assert (image["width"], image["height"]) == (side, side)
    quarter = (side // 2) ** 2
    assert image["counts"] == {"red": quarter, "green": quarter, "blue": quarter, "yellow": quarter}
    assert image["samples"] == [[255, 0, 0], [0, 255, 0], [0, 0, 255], [255, 255, 0]]


@pytest.mark.parametrize("ratio", [1.0, 2.0])
def test_region_capture_hides_the_app_and_sends_exact_pixels(
    run_capture_app: Any, sample_video: Path, tmp_path: Path, ratio: float
) -> None:
    shots = tmp_path / "shots"
    report = run_capture_app(
        "region", "--video", str(sample_video), "--screenshots", str(shots), scale=ratio
    )
    _check_region_reached_the_engine(report, ratio)

    for name in ("escape", "right_click"):
        assert report["cancel"][name] == {
            "window_visible": True,
            "overlay_gone": True,
            "attachments_added": 0,
        }

    overlay_shot = QImage(str(shots / "capture-region.png"))
    assert (overlay_shot.width(), overlay_shot.height()) == (1280, 800)
    inside, outside = (
        _rgb(overlay_shot, int(175 * ratio), int(175 * ratio)),
        _rgb(overlay_shot, int(120 * ratio), int(120 * ratio)),
    )
    assert inside == (255, 0, 0), "the selection shows the frozen screenshot undimmed"
    assert 60 < outside[0] < 200 and outside[1:] == (0, 0), "outside the selection is dimmed"

    webcam = report["webcam"]
    assert webcam["cameras"] == 0 and "No camera was found" in webcam["message"]
    assert webcam["snapshot_enabled_before_frames"] is False
    assert (
        webcam["frames"] >= 5
        and webcam["frame_size"] == [160, 120]
        and webcam["message_after_frames"] == ""
    )
    assert webcam["snapshot_enabled"] is True
    snapshot = webcam["snapshot"]
    assert (snapshot["width"], snapshot["height"]) == (160, 120)
    assert snapshot["left"][0] > 220 and snapshot["left"][2] < 40
    assert snapshot["right"][2] > 220 and snapshot["right"][0] < 40


def test_screenshot_and_ask_gets_a_reply_through_the_projector(
    run_capture_app: Any, sample_video: Path, starter_gguf: Path, projector_gguf: Path
) -> None:
    report = run_capture_app(
        "ask",
        "--video",
        str(sample_video),
        "--model",
        str(starter_gguf),
        "--mmproj",
        str(projector_gguf),
    )
    assert report["has_vision"] is True and report["image_input_enabled"] is True
    _check_region_reached_the_engine(report, 1.0)
    assert report["focus_in_input"] is True, "after the capture the cursor waits in the message box"
    assert report["engine_text"] == "Which colours are in this picture?"
    reply = report["reply"]
    assert (
        reply["error"] is None and reply["content"] and reply["finish_reason"] in ("stop", "length")
    )
    assert reply["prompt_tokens"] > 256, "the image's 256 tokens are part of the prompt"

    camera = report["camera"]
    assert camera["question"] == "What colours does the camera see?"
    assert (camera["width"], camera["height"]) == (160, 120)
    assert camera["left"][0] > 220 and camera["right"][2] > 220
    assert camera["reply"]["error"] is None and camera["reply"]["content"]
    assert camera["messages_in_view"] == 4


def test_a_screenshot_reaches_the_autoglm_standin(
    run_capture_app: Any, sample_video: Path, glm_standin: Any
) -> None:
    """The same capture with the generated AutoGLM-architecture model (glm4, M-RoPE, glm4v projector, Q4_K_M)."""
    report = run_capture_app(
        "ask",
        "--video",
        str(sample_video),
        "--model",
        str(glm_standin.model),
        "--mmproj",
        str(glm_standin.mmproj),
    )
    assert report["has_vision"] is True and report["image_input_enabled"] is True
    _check_region_reached_the_engine(report, 1.0)
    assert report["engine_text"] == "Which colours are in this picture?"
    reply = report["reply"]
    assert reply["error"] is None and reply["finish_reason"] in ("stop", "length")
    assert reply["prompt_tokens"] > (100 // 28) ** 2, (
        "the screenshot's positions are part of the prompt"
    )
    assert report["camera"]["reply"]["error"] is None
