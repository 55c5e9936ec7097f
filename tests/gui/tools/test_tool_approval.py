"""A tool call in the chat: shown inline with its exact arguments, run only after a click on its card."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from PySide6.QtCore import Qt

from autoglm.core.paths import app_paths
from autoglm.tools.mcp_config import app_mcp_path, save_mcp_config
from fixtures.mcp_fixtures import stdio_server

pytestmark = [pytest.mark.timeout(900), pytest.mark.slow]
REPLY_MS = 400_000
QUESTION = "What is the weather in Paris right now?"


@pytest.fixture
def tool_window(
    make_window: Any, starter_gguf: Path, tmp_path: Path, qtbot: Any
) -> tuple[Any, Any]:
    """The window on the starter model with the test MCP server configured (only get_weather on)."""
    from autoglm.core.settings import GenerationSettings, ModelSettings, Settings

    server = stdio_server(tmp_path, only=("get_weather",))
    save_mcp_config(server.mcp_config, app_mcp_path(app_paths().ensure()))
    settings = Settings(
        model=ModelSettings(active_model=str(starter_gguf), n_ctx=2048, n_threads=2),
        generation=GenerationSettings(
            max_tokens=80, temperature=0.0, seed=1, thinking=False, system_prompt=""
        ),
    )
    window = make_window(settings)
    qtbot.waitUntil(lambda: window.tools.hub.find("get_weather") is not None, timeout=90_000)
    return window, server


def _ask(qtbot: Any, window: Any) -> Any:
    with qtbot.waitSignal(window.controller.toolCallAdded, timeout=REPLY_MS) as added:
        window.send(QUESTION, [])
    card_item = added.args[0]
    assert card_item.tool_state == "asking"
    qtbot.waitUntil(lambda: window.tool_cards.card_for(card_item) is not None)
    return card_item


def test_an_approved_call_runs_and_the_model_answers_with_its_result(
    qtbot: Any, tool_window: Any
) -> None:
    window, server = tool_window
    item = _ask(qtbot, window)
    card = window.tool_cards.card_for(item)
    assert card.isVisible() and card.approve_button.text() == "Approve once"
    assert (
        "`get_weather`" in item.content and '"city": "Paris"' in item.content
    )  # the exact arguments
    assert server.calls() == []  # nothing runs before the click
    row = window.controller.model.row_of(item)
    assert window.chat_view.indexWidget(window.controller.model.index(row)) is card
    with qtbot.waitSignal(window.controller.replyFinished, timeout=REPLY_MS):
        qtbot.mouseClick(card.approve_button, Qt.MouseButton.LeftButton)
        qtbot.waitUntil(lambda: item.tool_state == "done", timeout=60_000)
    # replyFinished also ends the reply that asked for the tool; the answer after the result follows it.
    qtbot.waitUntil(
        lambda: not window.controller.busy and window.controller.model.items()[-1].finished,
        timeout=REPLY_MS,
    )
    assert server.calls() == ["get_weather Paris"]
    assert window.tool_cards.card_for(item) is None
    assert "31 degrees" in item.content
    answer = window.controller.model.items()[-1]
    assert answer.role == "assistant" and "31" in answer.content, answer.content

    def stored_answer() -> list[Any]:
        return window.runtime.store.messages(window.controller.conversation_id)

    # The finished reply is written to the store in the background, after the view has it.
    qtbot.waitUntil(
        lambda: stored_answer()[-1].finished and len(stored_answer()) == 3, timeout=30_000
    )
    stored = stored_answer()
    assert [m.role for m in stored] == ["user", "assistant", "assistant"] and "31" in stored[
        -1
    ].content
    assert [c["name"] for c in stored[1].extra["tool_calls"]] == ["get_weather"]
    qtbot.waitUntil(
        lambda: bool(window.runtime.store.get_message(stored[1].id).extra.get("tool_results")),
        timeout=30_000,
    )
    assert_reopened_chat_shows(qtbot, window, "done", "31 degrees")


def assert_reopened_chat_shows(qtbot: Any, window: Any, state: str, result_words: str) -> None:
    """Open the chat again from the store: the call's card is back below its turn, with its result."""
    conversation_id = window.controller.conversation_id
    window.controller.new_conversation()
    with qtbot.waitSignal(window.controller.loaded, timeout=30_000):
        window.open_conversation(conversation_id)
    roles = [(i.role, i.tool_state) for i in window.controller.model.items()]
    assert roles == [("user", ""), ("assistant", ""), ("tool", state), ("assistant", "")], roles
    call_turn, card = window.controller.model.items()[1:3]
    assert [c.name for c in call_turn.tool_calls] == ["get_weather"]
    assert '"city": "Paris"' in card.content and result_words in card.content
    assert window.tool_cards.card_for(card) is None  # answered: no buttons


def test_a_denied_call_is_not_run_and_the_chat_goes_on(qtbot: Any, tool_window: Any) -> None:
    window, server = tool_window
    item = _ask(qtbot, window)
    card = window.tool_cards.card_for(item)
    with qtbot.waitSignal(window.controller.replyFinished, timeout=REPLY_MS):
        qtbot.mouseClick(card.deny_button, Qt.MouseButton.LeftButton)
    assert item.tool_state == "denied" and "not run" in item.content
    assert server.calls() == []
    answer = window.controller.model.items()[-1]
    assert answer.role == "assistant" and answer.finished and not answer.error
    assert not window.controller.busy
    qtbot.waitUntil(
        lambda: (
            len(window.runtime.store.messages(window.controller.conversation_id)) == 3
            and window.runtime.store.messages(window.controller.conversation_id)[-1].finished
        ),
        timeout=30_000,
    )
    assert_reopened_chat_shows(qtbot, window, "denied", "not run")
