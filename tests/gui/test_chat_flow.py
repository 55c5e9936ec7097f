"""The real window with the real starter model: send, stream, stop, regenerate, edit and resend."""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import Qt

from autoglm.core.settings import updated

REPLY_TIMEOUT_MS = 240_000


def test_send_streams_a_reply_into_the_view_and_the_store(
    qtbot: Any, window: Any, send_and_wait: Any, click_action: Any
) -> None:
    completion = send_and_wait(window, "Say hello.")
    model = window.controller.model
    assert [model.item(row).role for row in range(model.rowCount())] == ["user", "assistant"]
    reply = model.item(1)
    assert completion.finish_reason in ("stop", "length")
    assert reply.content.strip() and reply.content == completion.content
    assert not reply.streaming and not window.controller.busy
    assert window.composer.text() == ""
    store = window.runtime.store
    qtbot.waitUntil(lambda: store.get_message(reply.message_id).finished)
    stored = store.messages(window.controller.conversation_id)
    assert [(m.role, m.finished) for m in stored] == [("user", True), ("assistant", True)]
    assert stored[1].content == reply.content and stored[1].usage["completion_tokens"] > 0
    assert window.sidebar.conversation_titles() == ["Say hello."]
    assert window.status.speed_label.text().endswith("tok/s")
    assert window.status.cache_label.text().startswith("1 conversation")  # its KV cache is kept
    assert "q4_k_m" in window.status.model_label.text().lower()  # the quantisation, named once
    assert window.stack.currentWidget() is window.chat_view


def test_stop_cancels_at_once_and_keeps_what_was_shown(
    qtbot: Any, make_window: Any, gui_settings: Any
) -> None:
    window = make_window(updated(gui_settings, "generation", max_tokens=400))
    window.composer.input.setPlainText("Count from one to one hundred in words.")
    qtbot.keyClick(window.composer.input, Qt.Key.Key_Return)
    model = window.controller.model
    qtbot.waitUntil(
        lambda: model.rowCount() == 2 and len(model.item(1).content) > 3, timeout=REPLY_TIMEOUT_MS
    )
    assert window.composer.send_button.text() == "Stop"
    qtbot.keyClick(window.chat_view, Qt.Key.Key_Escape)
    reply = model.item(1)
    assert not window.controller.busy and reply.stopped and not reply.streaming
    shown = reply.content
    qtbot.wait(400)
    assert reply.content == shown, "text kept arriving after Stop"
    assert window.composer.send_button.text() == "Send"
    qtbot.waitUntil(lambda: window.runtime.store.get_message(reply.message_id).finished)
    assert window.runtime.store.get_message(reply.message_id).content == shown


def _wait_shown(qtbot: Any, window: Any, contents: list[str]) -> None:
    """Wait until the view shows exactly these message texts (a version switch reloads in the background)."""
    qtbot.waitUntil(
        lambda: [item.content for item in window.controller.model.items()] == contents,
        timeout=10_000,
    )


def test_regenerate_keeps_every_version_behind_a_switcher(
    qtbot: Any, window: Any, send_and_wait: Any, click_action: Any
) -> None:
    from autoglm.ui.message_delegate import NEXT_VERSION, PREVIOUS_VERSION, version_text

    send_and_wait(window, "Name a colour.")
    model = window.controller.model
    first = model.item(1)
    with qtbot.waitSignal(window.controller.replyFinished, timeout=REPLY_TIMEOUT_MS):
        click_action(window, 1, "regenerate")
    assert model.rowCount() == 2
    second = model.item(1)
    assert second is not first and second.finished and second.content.strip()
    assert (
        second.versions == [first.message_id, second.message_id] and version_text(second) == "2/2"
    )
    store = window.runtime.store
    conversation = window.controller.conversation_id
    qtbot.waitUntil(lambda: store.get_message(second.message_id).finished)
    assert store.get_message(first.message_id).content == first.content  # the first version is kept
    click_action(window, 1, PREVIOUS_VERSION)
    qtbot.waitUntil(lambda: model.item(1).message_id == first.message_id, timeout=10_000)
    assert version_text(model.item(1)) == "1/2" and model.item(1).content == first.content
    click_action(window, 1, NEXT_VERSION)
    qtbot.waitUntil(lambda: model.item(1).message_id == second.message_id, timeout=10_000)
    window.new_chat()
    with qtbot.waitSignal(window.controller.loaded):
        window.open_conversation(conversation)
    assert version_text(model.item(1)) == "2/2"  # the shown version is remembered


def test_edit_and_resend_branches_in_place(
    qtbot: Any, window: Any, send_and_wait: Any, click_action: Any
) -> None:
    from autoglm.ui.message_delegate import PREVIOUS_VERSION, version_text

    send_and_wait(window, "Name a fruit.")
    original_id = window.controller.conversation_id
    original_reply = window.controller.model.item(1).content
    click_action(window, 0, "edit")
    assert window.composer.editing and window.composer.text() == "Name a fruit."
    window.composer.input.setPlainText("Name a vegetable.")
    with qtbot.waitSignal(window.controller.replyFinished, timeout=REPLY_TIMEOUT_MS):
        qtbot.keyClick(window.composer.input, Qt.Key.Key_Return)
    assert window.controller.conversation_id == original_id and not window.composer.editing
    model = window.controller.model
    assert model.rowCount() == 2 and model.item(0).content == "Name a vegetable."
    assert version_text(model.item(0)) == "2/2"
    store = window.runtime.store
    assert [m.content for m in store.messages(original_id) if m.role == "user"] == [
        "Name a vegetable."
    ]
    assert len(store.list_conversations()) == 1  # no second chat with the same title
    click_action(window, 0, PREVIOUS_VERSION)
    _wait_shown(qtbot, window, ["Name a fruit.", original_reply])


def test_copy_code_button_puts_the_block_on_the_clipboard(qtbot: Any, window: Any) -> None:
    from PySide6.QtGui import QGuiApplication

    from autoglm.ui.chat_model import MessageItem

    item = MessageItem(role="assistant", content="Use this:\n\n```python\nprint('hi')\n```\n")
    window.controller.model.append(item)
    qtbot.waitUntil(
        lambda: window.chat_view.visualRect(window.controller.model.index(0, 0)).height() > 0
    )
    window.chat_view.anchorActivated.emit("copy-code:0", item)
    assert QGuiApplication.clipboard().text() == "print('hi')"


def test_the_window_asks_with_the_request_the_conversation_builds(
    qtbot: Any, window: Any, send_and_wait: Any, click_action: Any
) -> None:
    submitted: list[Any] = []
    window.controller.replySubmitted.connect(lambda stream: submitted.append(stream.request))
    send_and_wait(window, "Name a fruit.")
    send_and_wait(window, "And a colour?")
    click_action(window, 0, "edit")
    window.composer.input.setPlainText("Name a number.")
    with qtbot.waitSignal(window.controller.replyFinished, timeout=REPLY_TIMEOUT_MS):
        qtbot.keyClick(window.composer.input, Qt.Key.Key_Return)
    send_and_wait(window, "And another one?")
    model = window.controller.model
    reply = model.item(model.rowCount() - 1)
    store = window.runtime.store
    qtbot.waitUntil(lambda: store.get_message(reply.message_id).finished)
    # the same stored chat, reopened apart from the window, builds the request the window sent
    reopened = window.runtime.open_conversation(window.controller.conversation_id)
    expected = reopened.request(window.runtime.settings.generation, upto=reopened.turns()[-1])
    asked = submitted[-1]
    assert asked == expected
    assert [(m.role, m.content) for m in asked.messages][1:] == [
        ("user", "Name a number."),
        ("assistant", model.item(1).content),
        ("user", "And another one?"),
    ]
    assert len(submitted) == 4
