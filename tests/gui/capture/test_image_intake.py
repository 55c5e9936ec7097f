"""Images entering the composer: every common format, unusable files refused in words, models that cannot see."""

from __future__ import annotations

import io
from pathlib import Path
from typing import Any

from PIL import Image
from PySide6.QtCore import QMimeData, QPointF, Qt, QUrl
from PySide6.QtGui import QColor, QDropEvent, QImage
from vision_samples import huge_png_header, picture_png, truncated_png

from autoglm.core.settings import VisionSettings, updated
from autoglm.vision.image import normalise

FORMATS = {
    ".png": "PNG",
    ".jpg": "JPEG",
    ".webp": "WEBP",
    ".bmp": "BMP",
    ".gif": "GIF",
    ".tiff": "TIFF",
}
REPLY_TIMEOUT_MS = 240_000


def _picture(path: Path, image_format: str) -> Path:
    image = Image.new("RGB", (64, 48), (0, 0, 255))
    image.paste((255, 0, 0), (0, 0, 32, 48))
    buffer = io.BytesIO()
    image.save(buffer, format=image_format)
    path.write_bytes(buffer.getvalue())
    return path


def test_every_common_format_attaches_by_drop_and_paste(
    qtbot: Any, make_window: Any, gui_settings: Any, tmp_path: Path
) -> None:
    window = make_window(gui_settings, load=False)
    files = [_picture(tmp_path / f"picture{suffix}", name) for suffix, name in FORMATS.items()]
    mime = QMimeData()
    mime.setUrls([QUrl.fromLocalFile(str(path)) for path in files])
    drop = QDropEvent(
        QPointF(20, 10),
        Qt.DropAction.CopyAction,
        mime,
        Qt.MouseButton.LeftButton,
        Qt.KeyboardModifier.NoModifier,
    )
    window.composer.input.dropEvent(drop)
    assert drop.isAccepted()
    qtbot.waitUntil(lambda: len(window.composer.attachments()) == len(files), timeout=30_000)
    pasted = QImage(30, 20, QImage.Format.Format_ARGB32)
    pasted.fill(Qt.GlobalColor.transparent)  # transparency becomes white on the way in
    clipboard = QMimeData()
    clipboard.setImageData(pasted)
    window.composer.input.insertFromMimeData(clipboard)
    qtbot.waitUntil(lambda: len(window.composer.attachments()) == len(files) + 1, timeout=30_000)
    drafts = window.composer.attachments()
    assert sorted(d.name for d in drafts[:-1]) == sorted(p.name for p in files)
    for draft in drafts[:-1]:
        image = normalise(draft.data, VisionSettings(), draft.name)
        assert (image.width, image.height) == (64, 48), draft.name
        left = image.rgb[(24 * 64 + 8) * 3 : (24 * 64 + 8) * 3 + 3]
        assert left[0] > 200 and left[2] < 60, (draft.name, tuple(left))
    white = normalise(drafts[-1].data, VisionSettings())
    assert (white.width, white.height) == (30, 20) and set(white.rgb) == {255}
    assert not window.banner.isVisible()


def test_unusable_images_each_get_one_message_and_the_conversation_goes_on(
    qtbot: Any, make_window: Any, gui_settings: Any, projector_gguf: Path, tmp_path: Path
) -> None:
    settings = updated(gui_settings, "model", mmproj_path=str(projector_gguf))
    window = make_window(settings)
    assert window.runtime.model_info.has_vision and window.composer.attach_button.isEnabled()
    bad = {
        "cut-off.png": truncated_png(),
        "notes.jpg": b"these are notes, not a photo\n",
        "bomb.png": huge_png_header(30000, 30000),
    }
    for name, data in bad.items():
        (tmp_path / name).write_bytes(data)
    window.composer.add_files([str(tmp_path / name) for name in bad])
    banner = window.banner
    qtbot.waitUntil(lambda: len(banner.messages) == 3, timeout=30_000)
    messages = {name: next(m for m in banner.messages if name in m) for name in bad}
    assert "damaged or truncated" in messages["cut-off.png"]
    assert "not an image" in messages["notes.jpg"]
    assert "too large" in messages["bomb.png"]
    assert all("Traceback" not in m and "\n" not in m for m in banner.messages)
    assert window.composer.attachments() == []
    qtbot.mouseClick(banner.close_button, Qt.MouseButton.LeftButton)
    assert not banner.isVisible()

    (tmp_path / "picture.png").write_bytes(picture_png(2))
    window.composer.add_files([str(tmp_path / "picture.png")])
    qtbot.waitUntil(lambda: len(window.composer.attachments()) == 1, timeout=30_000)
    window.composer.input.setPlainText("What is in this picture?")
    with qtbot.waitSignal(window.controller.replyFinished, timeout=REPLY_TIMEOUT_MS) as finished:
        qtbot.keyClick(window.composer.input, Qt.Key.Key_Return)
    completion = finished.args[0]
    assert completion.error is None and completion.content
    assert completion.usage.prompt_tokens > 256  # the image's 256 tokens went into the prompt
    assert window.controller.model.rowCount() == 2 and not banner.isVisible()


def test_a_model_without_a_projector_disables_image_input_and_says_why(
    qtbot: Any, window: Any
) -> None:
    info = window.runtime.model_info
    assert not info.has_vision and info.vision_unavailable_reason
    capture = window.capture
    reason = capture.images_reason
    assert "vision model" in reason
    for button in (
        window.composer.attach_button,
        capture.screenshot_button,
        capture.region_button,
        capture.camera_button,
    ):
        assert not button.isEnabled() and button.toolTip() == reason
    assert not capture.screenshot_ask_action.isEnabled()
    image = QImage(16, 16, QImage.Format.Format_RGB32)
    image.fill(Qt.GlobalColor.red)
    mime = QMimeData()
    mime.setImageData(image)
    window.composer.input.insertFromMimeData(mime)
    qtbot.waitUntil(lambda: window.banner.isVisible())
    assert window.banner.messages == [reason]
    capture.select_region()  # the shortcut's action is disabled; a direct call explains too
    assert not capture.capturing and window.composer.attachments() == []


def test_captured_pixels_survive_row_padding_exactly(qapp: Any) -> None:
    from autoglm.ui.capture.intake import qimage_to_input

    image = QImage(31, 7, QImage.Format.Format_RGB32)  # 93 bytes of RGB per row: Qt pads rows to 96
    for y in range(7):
        for x in range(31):
            image.setPixelColor(x, y, QColor(x * 8, y * 30, (x + y) % 256))
    converted = qimage_to_input(image, VisionSettings())
    assert (converted.width, converted.height) == (31, 7)
    expected = bytes(
        value for y in range(7) for x in range(31) for value in (x * 8, y * 30, (x + y) % 256)
    )
    assert converted.rgb == expected
