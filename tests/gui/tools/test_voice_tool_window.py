"""A spoken request in the window uses an MCP tool; the voice asks aloud and a click on the card answers.

Real PortAudio through the private PulseAudio (espeak-ng says the question into the virtual
microphone), real whisper, piper and starter model, the test MCP server over stdio.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from PySide6.QtCore import QPoint, Qt

from autoglm.core.paths import app_paths
from autoglm.tools.mcp_config import app_mcp_path, save_mcp_config
from fixtures.audio import espeak_wav
from fixtures.mcp_fixtures import stdio_server

pytestmark = [pytest.mark.audio, pytest.mark.slow, pytest.mark.timeout(900)]
QUESTION = "What is the weather in Paris right now?"
TURN_MS = 400_000


def _asked_city(card_text: str) -> str:
    """The ``city`` argument shown on a tool card (its JSON block)."""
    block = card_text.split("```json", 1)[1].split("```", 1)[0]
    return str(json.loads(block).get("city", ""))


def test_a_spoken_request_calls_a_tool_the_card_approves_and_the_spoken_answer_uses_it(
    virtual_sound: Any, make_window: Any, starter_gguf: Path, qtbot: Any, tmp_path: Path
) -> None:
    from autoglm.core.settings import GenerationSettings, ModelSettings, Settings

    server = stdio_server(tmp_path, only=("get_weather",))
    save_mcp_config(server.mcp_config, app_mcp_path(app_paths().ensure()))
    settings = Settings(
        model=ModelSettings(active_model=str(starter_gguf), n_ctx=2048, n_threads=2),
        generation=GenerationSettings(max_tokens=60, temperature=0.0, seed=1, thinking=False),
    )
    window = make_window(settings)
    qtbot.waitUntil(lambda: window.tools.hub.find("get_weather") is not None, timeout=90_000)
    voice, controller = window.voice, window.controller
    qtbot.waitUntil(lambda: bool(voice.input_devices), timeout=15_000)
    button = voice.mic_button
    qtbot.mouseClick(
        button, Qt.MouseButton.LeftButton, pos=QPoint(8, button.height() // 2)
    )  # hands-free
    qtbot.waitUntil(lambda: voice.state == "listening", timeout=120_000)
    qtbot.waitUntil(
        lambda: voice.voice.source is not None and voice.voice.source.blocks_since_open > 0,
        timeout=15_000,
    )
    with qtbot.waitSignal(controller.toolCallAdded, timeout=TURN_MS) as added:
        virtual_sound.play_into_mic(espeak_wav(QUESTION, tmp_path / "question.wav")).wait(30)
    card_item = added.args[0]
    # The small model picks the argument from whisper's words; what it picked is what must run.
    city = _asked_city(card_item.content)
    assert card_item.tool_state == "asking" and city, card_item.content
    qtbot.waitUntil(
        lambda: voice.voice.awaiting_tool_answer, timeout=120_000
    )  # asked aloud, listening
    assert server.calls() == []
    card = window.tool_cards.card_for(card_item)
    assert card is not None and card.isVisible()
    qtbot.mouseClick(card.approve_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: card_item.tool_state == "done", timeout=60_000)
    assert server.calls() == [f"get_weather {city}"] and "31 degrees" in card_item.content

    def answered() -> bool:
        items = controller.model.items()
        return items[-1].role == "assistant" and items[-1].finished and bool(items[-1].content)

    qtbot.waitUntil(answered, timeout=TURN_MS)
    roles = [(item.role, item.tool_state) for item in controller.model.items()]
    assert roles == [("user", ""), ("assistant", ""), ("tool", "done"), ("assistant", "")], roles
    user, call_turn, _, answer = controller.model.items()
    # What whisper heard is the question stored (tiny.en heard espeak's "Paris" as
    # "countryside" in one run; recognition itself is measured by the speech tests).
    assert "weather" in user.content.lower(), user.content
    assert [c.name for c in call_turn.tool_calls] == ["get_weather"]
    assert "31" in answer.content and "<tool_call>" not in answer.content, answer.content
    store = window.runtime.store

    def stored() -> list[Any]:
        return store.messages(controller.conversation_id)

    qtbot.waitUntil(
        lambda: (
            len(stored()) == 3
            and stored()[-1].finished
            and bool(stored()[1].extra.get("tool_results"))
        ),
        timeout=30_000,
    )
    assert stored()[1].extra["tool_calls"][0]["name"] == "get_weather"
    assert "31 degrees" in stored()[1].extra["tool_results"][0]["content"]
    assert stored()[2].content == answer.content
