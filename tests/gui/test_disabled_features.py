"""With a text-only model, image features look disabled and say why in place, with a way out."""

from __future__ import annotations

from typing import Any

from PySide6.QtGui import QIcon, QImage

from autoglm.ui.model_manager import ModelManagerDialog


def _mean_alpha(icon: QIcon, mode: QIcon.Mode) -> float:
    image: QImage = icon.pixmap(20, 20, mode).toImage()
    values = [
        image.pixelColor(x, y).alphaF() for x in range(image.width()) for y in range(image.height())
    ]
    return sum(values) / len(values)


def test_text_only_model_disables_image_input_visibly_and_says_why(qtbot: Any, window: Any) -> None:
    capture = window.capture
    assert not window.runtime.model_info.has_vision
    actions = [
        capture.screenshot_ask_action,
        capture.screenshot_action,
        capture.region_action,
        capture.camera_action,
    ]
    assert all(not action.isEnabled() for action in actions)
    for action in actions:  # drawn fainter, not only greyed (a grey icon greyed looks enabled)
        assert _mean_alpha(action.icon(), QIcon.Mode.Disabled) < 0.5 * _mean_alpha(
            action.icon(), QIcon.Mode.Normal
        )
    attach = window.composer.attach_button
    assert not attach.isEnabled()
    assert _mean_alpha(attach.icon(), QIcon.Mode.Disabled) < 0.5 * _mean_alpha(
        attach.icon(), QIcon.Mode.Normal
    )
    hint = capture.images_hint
    assert hint.isVisible() and "vision model" in hint.text()
    way_out = capture.get_vision_action
    assert way_out in window.tools_menu.actions() and way_out.isVisible() and way_out.isEnabled()
    way_out.trigger()
    assert any(isinstance(dialog, ModelManagerDialog) for dialog in window._dialogs)
    for dialog in list(window._dialogs):
        dialog.close()
    hint.linkActivated.emit("models")
    assert any(isinstance(dialog, ModelManagerDialog) for dialog in window._dialogs)


def test_image_input_is_offered_while_no_model_says_otherwise(
    make_window: Any, gui_settings: Any
) -> None:
    window = make_window(gui_settings, load=False)
    assert window.capture.screenshot_action.isEnabled()
    assert (
        not window.capture.images_hint.isVisible()
        and not window.capture.get_vision_action.isVisible()
    )
