"""Show me where: a question about an attached screenshot whose answer points at a place gets
that place marked on the image in the chat, where the protocol's grid says.

The real window, the real starter model with the test projector, held by the action
grammar to answer with a tap (as a model trained to act answers unprompted); the marked
image is read back from the document the chat paints and from the full-size viewer."""

from __future__ import annotations

from functools import partial
from pathlib import Path
from typing import Any

import pytest
from PIL import Image
from PySide6.QtCore import QUrl
from PySide6.QtGui import QColor, QTextDocument

from autoglm.agent.coordinates import ScreenGeometry, grid_to_pixels
from autoglm.agent.grammar import POINT_GBNF
from autoglm.agent.marks import MARK_COLOUR
from autoglm.agent.protocol import Tap, parse_reply
from autoglm.core.settings import updated
from autoglm.ui.pointed_answers import POINTED_SCHEME, SHOWN_SIDE

pytestmark = pytest.mark.slow
REPLY_TIMEOUT_MS = 240_000


def _is_mark(colour: QColor) -> bool:
    return all(
        abs(a - b) <= 40
        for a, b in zip((colour.red(), colour.green(), colour.blue()), MARK_COLOUR, strict=True)
    )


def test_a_pointing_answer_is_marked_on_the_screenshot_where_the_grid_says(
    make_window: Any, gui_settings: Any, projector_gguf: Path, qtbot: Any, tmp_path: Path
) -> None:
    settings = updated(
        updated(gui_settings, "model", mmproj_path=str(projector_gguf)),
        "generation",
        max_tokens=120,
    )
    window = make_window(settings)
    runtime = window.runtime
    runtime.build_request = partial(
        runtime.build_request, grammar=POINT_GBNF
    )  # answer with a place, as asked

    screenshot = tmp_path / "settings.png"
    Image.new("RGB", (800, 500), (40, 60, 90)).save(screenshot)
    window.composer.add_files([str(screenshot)])
    qtbot.waitUntil(lambda: len(window.composer.attachments()) == 1, timeout=30_000)
    window.composer.input.setPlainText("Where is the Wi-Fi setting?")
    with qtbot.waitSignal(window.controller.replyFinished, timeout=REPLY_TIMEOUT_MS) as finished:
        window.composer.submit()
    completion = finished.args[0]
    reply = window.controller.model.items()[-1]
    written = (
        f"<think>{completion.reasoning}</think><answer>{completion.content}"
        if completion.reasoning
        else completion.content
    )
    action = parse_reply(written).action
    assert isinstance(action, Tap), f"the grammar allows a tap only; the model wrote {written!r}"
    assert reply.pointed is not None and reply.pointed.pointing.points == (action.element,)

    # in the chat: the image fitted to the column's picture size, the ring's centre where the grid says
    doc = window.chat_view.delegate.document(reply, 600)
    shown = doc.resource(
        QTextDocument.ResourceType.ImageResource, QUrl(f"{POINTED_SCHEME}:{reply.key}")
    )
    assert (
        shown is not None
        and not shown.isNull()
        and max(shown.width(), shown.height()) == SHOWN_SIDE
    )
    x, y = grid_to_pixels(action.element, ScreenGeometry(shown.width(), shown.height()))
    assert _is_mark(shown.pixelColor(x, y)), f"no marker at ({x}, {y}) of the shown image"
    corner = (5, 5) if x > 100 or y > 100 else (shown.width() - 5, shown.height() - 5)
    assert shown.pixelColor(*corner) == QColor(40, 60, 90), (
        "the rest of the screenshot is as it was"
    )
    full_x, full_y = grid_to_pixels(action.element, ScreenGeometry(800, 500))
    assert f"Marked on the image: Tap at ({full_x}, {full_y})" in doc.toPlainText()

    # clicked: the full-size image, marked at the same place in its own pixels
    viewer = window.show_pointed(reply)
    assert viewer is not None and (viewer.image.width(), viewer.image.height()) == (800, 500)
    assert _is_mark(viewer.image.pixelColor(full_x, full_y))
    viewer.close()

    # reopened, the chat shows the same marks (read again from the stored reply)
    conversation_id = window.controller.conversation_id
    window.new_chat()
    with qtbot.waitSignal(window.controller.loaded, timeout=30_000):
        window.open_conversation(conversation_id)
    again = window.controller.model.items()[-1]
    assert again.pointed is not None and again.pointed.pointing.points == (action.element,)
