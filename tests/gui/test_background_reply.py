"""A reply goes on in the background when the user switches chats, and a stopped reply says so."""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import Qt

from autoglm.core.settings import updated

REPLY_TIMEOUT_MS = 240_000
LONG_PROMPT = "Count from one to one hundred in words."


def _start_reply(qtbot: Any, window: Any, text: str) -> Any:
    window.composer.input.setFocus()
    window.composer.input.setPlainText(text)
    qtbot.keyClick(window.composer.input, Qt.Key.Key_Return)
    model = window.controller.model
    qtbot.waitUntil(
        lambda: model.rowCount() == 2 and len(model.item(1).content) > 3, timeout=REPLY_TIMEOUT_MS
    )
    return model.item(1)


def test_switching_chats_keeps_the_reply_generating_in_the_background(
    qtbot: Any, make_window: Any, gui_settings: Any
) -> None:
    window = make_window(updated(gui_settings, "generation", max_tokens=80))
    reply = _start_reply(qtbot, window, LONG_PROMPT)
    first_chat = window.controller.conversation_id
    with qtbot.waitSignal(window.controller.replyFinished, timeout=REPLY_TIMEOUT_MS) as finished:
        qtbot.keyClick(window.composer.input, Qt.Key.Key_N, Qt.KeyboardModifier.ControlModifier)
        assert window.controller.conversation_id == 0 and window.controller.model.rowCount() == 0
        assert window.controller.running_conversations == [first_chat]
        assert window.sidebar.running_titles() == [LONG_PROMPT]
        assert not window.controller.busy and window.composer.send_button.text() == "Send"
        assert (
            window.sidebar.tree.currentItem() is None
        )  # the new chat, not the old one, is current
    completion = finished.args[0]
    assert completion.finish_reason in ("stop", "length")
    assert reply.content == completion.content and not reply.stopped
    assert window.sidebar.running_titles() == []
    store = window.runtime.store
    qtbot.waitUntil(lambda: store.get_message(reply.message_id).finished)
    stored = store.get_message(reply.message_id)
    assert stored.content == completion.content and stored.timings.get("stop_reason") != "stopped"
    with qtbot.waitSignal(window.controller.loaded):
        window.open_conversation(first_chat)
    shown = window.controller.model.item(1)
    assert shown.content == completion.content and not shown.stopped


def test_reopening_a_chat_while_it_generates_shows_the_live_reply(
    qtbot: Any, make_window: Any, gui_settings: Any
) -> None:
    window = make_window(updated(gui_settings, "generation", max_tokens=300))
    reply = _start_reply(qtbot, window, LONG_PROMPT)
    first_chat = window.controller.conversation_id
    window.new_chat()
    with qtbot.waitSignal(window.controller.loaded):
        window.open_conversation(first_chat)
    assert window.controller.model.item(1) is reply and reply.streaming
    assert window.controller.busy and window.composer.send_button.text() == "Stop"
    length = len(reply.content)
    qtbot.waitUntil(lambda: len(reply.content) > length + 4, timeout=REPLY_TIMEOUT_MS)
    window.controller.stop()
    assert reply.stopped and window.controller.running_conversations == []


def test_a_stopped_reply_still_says_stopped_after_reopening(
    qtbot: Any, make_window: Any, gui_settings: Any
) -> None:
    window = make_window(updated(gui_settings, "generation", max_tokens=300))
    reply = _start_reply(qtbot, window, LONG_PROMPT)
    chat = window.controller.conversation_id
    qtbot.keyClick(window.chat_view, Qt.Key.Key_Escape)
    assert reply.stopped
    store = window.runtime.store
    qtbot.waitUntil(lambda: store.get_message(reply.message_id).finished)
    window.new_chat()
    with qtbot.waitSignal(window.controller.loaded):
        window.open_conversation(chat)
    reopened = window.controller.model.item(1)
    assert reopened is not reply and reopened.stopped and reopened.content == reply.content
