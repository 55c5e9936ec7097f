"""A reply cut by the token limit says so and offers Continue, which writes on where it ended."""

from __future__ import annotations

from typing import Any

REPLY_TIMEOUT_MS = 240_000


def test_a_length_limited_reply_says_so_and_continue_writes_more(
    qtbot: Any, window: Any, send_and_wait: Any, click_action: Any
) -> None:
    completion = send_and_wait(window, "Count from one to twenty in words, separated by commas.")
    assert completion.finish_reason == "length"  # six tokens at most in these settings
    model = window.controller.model
    reply = model.item(1)
    assert reply.length_limited and not reply.stopped
    html = window.chat_view.delegate.factory.html(reply, keep=False)
    assert "Length limit reached" in html
    first_part = reply.content
    with qtbot.waitSignal(window.controller.replyFinished, timeout=REPLY_TIMEOUT_MS):
        click_action(window, 1, "continue")
    assert model.rowCount() == 2 and model.item(1) is reply
    assert reply.content.startswith(first_part) and len(reply.content) > len(first_part)
    store = window.runtime.store
    qtbot.waitUntil(lambda: store.get_message(reply.message_id).content == reply.content)
    assert [m.role for m in store.messages(window.controller.conversation_id)] == [
        "user",
        "assistant",
    ]
    conversation = window.controller.conversation_id
    window.new_chat()
    with qtbot.waitSignal(window.controller.loaded):
        window.open_conversation(conversation)
    reopened = window.controller.model.item(1)
    assert (
        reopened.content == reply.content and reopened.length_limited
    )  # still cut: six more tokens


def test_by_default_a_reply_may_be_as_long_as_the_context_allows(
    make_window: Any, gui_settings: Any
) -> None:
    from autoglm.core.settings import GenerationSettings, updated
    from autoglm.core.types import ChatMessage
    from autoglm.ui.settings_dialog import SettingsDialog

    assert GenerationSettings().max_tokens is None
    window = make_window(updated(gui_settings, "generation", max_tokens=None), load=False)
    request = window.runtime.build_request([ChatMessage("user", "Write a long story.")])
    assert (
        request.sampling.max_tokens > 100 * window.runtime.settings.model.n_ctx
    )  # only the context ends it
    window.open_settings()
    dialog = next(d for d in window._dialogs if isinstance(d, SettingsDialog))
    editor = dialog.editor("generation", "max_tokens")
    assert editor.text() == "As long as the context allows"
    editor.setValue(2000)
    assert dialog.apply(), dialog.problem_text
    assert window.runtime.settings.generation.max_tokens == 2000
