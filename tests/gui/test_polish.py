"""Small things that read wrong: icons in a dark start, repeated words, hashes as titles, highlights, contrast."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from PySide6.QtGui import QColor, QImage

from autoglm.core.settings import updated
from autoglm.core.types import ModelInfo
from autoglm.ui.chat_model import MessageItem


def _ink(image: QImage) -> QColor:
    """The colour of an icon's most opaque pixel."""
    best, colour = -1, QColor()
    for y in range(image.height()):
        for x in range(image.width()):
            pixel = image.pixelColor(x, y)
            if pixel.alpha() > best:
                best, colour = pixel.alpha(), pixel
    return colour


def _contrast(one: str, two: str) -> float:
    def luminance(colour: str) -> float:
        channels = [int(colour.lstrip("#")[i : i + 2], 16) / 255 for i in (0, 2, 4)]
        linear = [c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4 for c in channels]
        return 0.2126 * linear[0] + 0.7152 * linear[1] + 0.0722 * linear[2]

    high, low = sorted((luminance(one), luminance(two)), reverse=True)
    return (high + 0.05) / (low + 0.05)


def test_a_window_started_in_the_dark_theme_draws_light_capture_icons(
    qtbot: Any, make_window: Any, gui_settings: Any
) -> None:
    window = make_window(updated(gui_settings, "appearance", theme="dark"), load=False)
    assert window.theme.colours.dark
    for button in (
        window.capture.screenshot_button,
        window.capture.region_button,
        window.capture.camera_button,
    ):
        ink = _ink(button.icon().pixmap(20, 20).toImage())
        assert ink.lightness() > 160, (
            f"{button.objectName()} is drawn in {ink.name()} on a dark background"
        )


def test_the_status_bar_names_the_quantisation_once(
    qtbot: Any, make_window: Any, gui_settings: Any
) -> None:
    window = make_window(gui_settings, load=False)
    window.status.set_model_info(
        ModelInfo("qwen", "Qwen2.5 Coder 0.5B Instruct Q4_K_M", quantization="Q4_K_M", n_ctx=1024)
    )
    assert window.status.model_label.text().count("Q4_K_M") == 1
    window.status.set_model_info(
        ModelInfo("glm", "AutoGLM Phone 9B", quantization="Q4_K_M", n_ctx=1024)
    )
    assert window.status.model_label.text() == "AutoGLM Phone 9B · Q4_K_M"


def test_the_image_viewer_is_titled_by_what_it_shows_not_by_a_hash(
    qtbot: Any, tmp_path: Path
) -> None:
    from autoglm.ui.image_viewer import ImageViewerDialog

    path = tmp_path / ("ab" * 32 + ".png")
    image = QImage(64, 48, QImage.Format.Format_RGB32)
    image.fill(QColor("#336699"))
    image.save(str(path))
    viewer = ImageViewerDialog(path)
    qtbot.addWidget(viewer)
    assert "abab" not in viewer.windowTitle() and "64 × 48" in viewer.windowTitle()


def test_new_chat_leaves_no_old_chat_highlighted(
    qtbot: Any, make_window: Any, gui_settings: Any
) -> None:
    window = make_window(gui_settings, load=False)
    first = window.runtime.store.create_conversation("First chat")
    window.runtime.store.add_message(first, "user", "hello")
    window.sidebar.refresh()
    window.open_conversation(first)
    qtbot.waitUntil(lambda: window.controller.conversation_id == first, timeout=10_000)
    qtbot.waitUntil(lambda: bool(window.sidebar.tree.selectedItems()), timeout=5000)
    window.new_chat_action.trigger()
    qtbot.wait(100)
    window.sidebar.refresh()
    qtbot.wait(100)
    assert window.sidebar.tree.selectedItems() == []
    current = window.sidebar.tree.currentItem()
    assert current is None or not current.isSelected()


def test_a_reply_not_yet_begun_reads_the_message_instead_of_claiming_to_think(qapp: Any) -> None:
    from autoglm.ui.message_delegate import MessageDelegate

    delegate = MessageDelegate()
    waiting = MessageItem("assistant", "", streaming=True, finished=False)
    assert "Thinking" not in delegate.factory.head_html(waiting)
    assert "Reading your message" in delegate.factory.head_html(waiting)
    thinking = MessageItem(
        "assistant",
        "",
        reasoning="Let me see",
        streaming=True,
        finished=False,
        reasoning_seconds=2.0,
    )
    assert "Thinking… 2 s" in delegate.factory.head_html(thinking)


def test_code_comments_are_readable_in_both_themes(qapp: Any) -> None:
    from pygments.token import Comment

    from autoglm.ui.markdown_html import code_colours, readable_style

    for dark in (False, True):
        style = readable_style(dark)
        comment = "#" + style.style_for_token(Comment.Single)["color"]
        assert _contrast(comment, code_colours(dark)[0]) >= 4.5, (dark, comment)


def test_the_composer_types_in_the_messages_font_and_lines_up_with_their_column(
    qtbot: Any, make_window: Any, gui_settings: Any
) -> None:
    from autoglm.ui.message_delegate import column_width

    window = make_window(gui_settings, load=False)
    window.controller.model.append(MessageItem("user", "Hello"))
    window._update_stack()
    window.resize(1400, 800)
    qtbot.wait(200)
    assert (
        window.composer.input.font().pointSize()
        == window.chat_view.delegate.factory.look.font.pointSize()
    )
    viewport = window.chat_view.viewport()
    column = column_width(viewport.width())
    column_left = (
        viewport.mapTo(window, viewport.rect().topLeft()).x() + (viewport.width() - column) // 2
    )
    input_left = window.composer.input.mapTo(window, window.composer.input.rect().topLeft()).x()
    assert abs(input_left - column_left) <= 4, (input_left, column_left)
    assert abs(window.composer.input.width() - column) <= 8


@pytest.mark.slow
def test_figures_move_while_a_reply_streams_and_stay_on_a_stopped_one(
    qtbot: Any, make_window: Any, gui_settings: Any
) -> None:
    from autoglm.ui.message_delegate import footer_text

    window = make_window(updated(gui_settings, "generation", max_tokens=300), load=True)
    # a story runs long (a count the small model may cut short to one line); stopped as soon as the
    # figures move, while the reply is still being written
    window.composer.input.setPlainText("Write a long story about a lighthouse keeper and a storm.")
    window.composer.submit()
    model = window.controller.model
    qtbot.waitUntil(
        lambda: (
            model.rowCount() == 2
            and model.item(1).reply_tokens >= 8
            and model.item(1).reply_speed > 0
        ),
        timeout=240_000,
    )
    live = footer_text(model.item(1))
    window.controller.stop()
    assert live.startswith("Generating…") and "tokens" in live, live
    item = model.item(1)
    assert item.stopped and item.reply_tokens >= 8
    assert "tokens" in footer_text(item) and "tok/s" in footer_text(item)
    conversation_id = window.controller.conversation_id
    qtbot.waitUntil(
        lambda: bool(window.runtime.store.messages(conversation_id)[-1].finished), timeout=10_000
    )
    window.new_chat()
    window.open_conversation(conversation_id)
    qtbot.waitUntil(lambda: model.rowCount() == 2, timeout=10_000)
    assert model.item(1).reply_tokens >= 8 and "tok/s" in footer_text(model.item(1))
