"""The AutoGLM-Phone-9B stand-in in the window: an attached image and a pasted one reach it.

The stand-in is the tests' generated ``glm4`` model (M-RoPE sections, GLM template,
Q4_K_M) with its ``glm4v`` projector, loaded by the real window. An image attached from
a file and one pasted from the system clipboard (Ctrl+V) each travel composer →
conversation → scheduler → engine: the request the engine receives holds that image
before the question, and the reply comes back finished, with the image's tokens in its
prompt. The screenshot front is ``capture/test_capture_xvfb.py``, the spoken one
``voice/test_image_then_spoken_question.py``.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from PIL import Image
from PySide6.QtCore import Qt
from PySide6.QtGui import QGuiApplication, QImage

from autoglm.core.settings import updated

REPLY_TIMEOUT_MS = 240_000


@pytest.fixture
def standin_window(make_window: Any, gui_settings: Any, glm_standin: Any) -> Any:
    """A window with the stand-in and its projector loaded."""
    settings = updated(
        gui_settings,
        "model",
        active_model=str(glm_standin.model),
        mmproj_path=str(glm_standin.mmproj),
        n_ctx=2048,
    )
    window = make_window(updated(settings, "generation", max_tokens=8))
    info = window.runtime.model_info
    assert info.has_vision and info.architecture == "glm4", info
    return window


def _recording(window: Any) -> list[Any]:
    """Every request the window submits to the engine (passed on unchanged)."""
    requests: list[Any] = []
    scheduler = window.runtime.scheduler
    submit = scheduler.submit

    def recording_submit(request: Any) -> Any:
        requests.append(request)
        return submit(request)

    scheduler.submit = recording_submit
    return requests


def _ask(qtbot: Any, window: Any, question: str) -> Any:
    qtbot.waitUntil(
        lambda: len(window.composer.attachments()) == 1 and window.composer.attachments_ready(),
        timeout=30_000,
    )
    window.composer.input.setPlainText(question)
    with qtbot.waitSignal(window.controller.replyFinished, timeout=REPLY_TIMEOUT_MS) as finished:
        qtbot.keyClick(window.composer.input, Qt.Key.Key_Return)
    return finished.args[0]


def _check(requests: list[Any], completion: Any, question: str, size: tuple[int, int]) -> None:
    chat = [r for r in requests if r.label == "chat"]
    assert chat, [r.label for r in requests]
    last = chat[-1].messages[-1]
    assert last.role == "user" and last.content == question
    [image] = last.images
    assert (image.width, image.height) == size
    assert completion.error is None and completion.finish_reason in ("stop", "length")
    assert completion.usage.prompt_tokens > (size[0] // 28) * (
        size[1] // 28
    )  # the image's positions are in it


def test_an_attached_image_reaches_the_standin(
    qtbot: Any, standin_window: Any, tmp_path: Path
) -> None:
    window = standin_window
    requests = _recording(window)
    picture = tmp_path / "phone.png"
    screen = Image.new("RGB", (216, 480), (250, 250, 250))
    screen.paste((30, 120, 220), (10, 20, 206, 60))
    screen.save(picture)
    window.composer.add_files([str(picture)])
    completion = _ask(qtbot, window, "What is on this screen?")
    _check(requests, completion, "What is on this screen?", (216, 480))
    assert window.controller.model.item(1).content == completion.content


def test_an_image_pasted_from_the_clipboard_reaches_the_standin(
    qtbot: Any, standin_window: Any
) -> None:
    window = standin_window
    requests = _recording(window)
    image = QImage(280, 168, QImage.Format.Format_RGB32)
    image.fill(Qt.GlobalColor.darkCyan)
    QGuiApplication.clipboard().setImage(image)
    window.composer.input.setFocus()
    qtbot.keyClick(window.composer.input, Qt.Key.Key_V, Qt.KeyboardModifier.ControlModifier)
    completion = _ask(qtbot, window, "Which colour is this?")
    _check(requests, completion, "Which colour is this?", (280, 168))
    conversation_id = window.controller.conversation_id

    def stored() -> list[Any]:
        return window.runtime.store.messages(conversation_id)

    # replyFinished comes as the last token is shown; the store's write of the reply follows it.
    qtbot.waitUntil(lambda: len(stored()) == 2 and stored()[1].finished, timeout=30_000)
    assert len(stored()[0].attachments) == 1 and stored()[1].content == completion.content
