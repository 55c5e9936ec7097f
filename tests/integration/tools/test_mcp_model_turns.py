"""The starter model uses an MCP tool: it calls it, the user approves or denies, the answer uses the result.

The same steps the CLI and the voice loop run (``answer_with_tools``), on the real engine,
against the test server over stdio and over Streamable HTTP.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from autoglm.core.types import ChatMessage, Completion, GenerationRequest, SamplingParams, ToolSpec
from autoglm.tools.approval import Decision, PendingCall
from autoglm.tools.mcp_client import McpHub
from autoglm.tools.mcp_config import McpConfig
from autoglm.tools.tool_turns import ToolSession, ToolTurn, answer_with_tools
from fixtures.mcp_fixtures import McpTestServer, stdio_server

pytestmark = [pytest.mark.timeout(600), pytest.mark.slow]
QUESTION = "What is the weather in Paris right now?"


def _turn(
    scheduler: Any, llama_engine: Any, config: McpConfig, answer: Decision
) -> tuple[ToolTurn, list[PendingCall]]:
    hub = McpHub(config, call_timeout_s=20).start()
    asked: list[PendingCall] = []
    try:
        assert hub.wait_ready(60)
        session = ToolSession(hub)
        template = llama_engine.info.chat_template

        def generate(history: list[ChatMessage], specs: list[ToolSpec]) -> Completion:
            request = GenerationRequest(
                history, SamplingParams(temperature=0.0, max_tokens=80, seed=1), thinking=False
            )
            return scheduler.submit(session.request_with_tools(request, template, specs)).result(
                240
            )

        def ask(call: PendingCall) -> Decision:
            asked.append(call)
            return answer

        return answer_with_tools(
            session, [ChatMessage("user", QUESTION)], generate, ask, template
        ), asked
    finally:
        hub.close()


def _only_weather(server: McpTestServer) -> McpConfig:
    config = server.config
    for tool in ("draw_square", "wait_forever", "crash_server"):
        config = config.with_tool_enabled(tool, False)
    return McpConfig({config.name: config})


@pytest.mark.parametrize("transport", ["stdio", "http"])
def test_an_approved_call_runs_and_the_answer_uses_its_result(
    transport: str, request: pytest.FixtureRequest, scheduler: Any, llama_engine: Any
) -> None:
    server: McpTestServer = request.getfixturevalue(
        "mcp_stdio" if transport == "stdio" else "mcp_http"
    )
    turn, asked = _turn(scheduler, llama_engine, _only_weather(server), Decision.ONCE)
    assert [call.function_name for call in asked] == ["get_weather"]
    assert asked[0].arguments == {"city": "Paris"} and asked[0].server == server.config.name
    assert server.calls() == ["get_weather Paris"]
    assert [m.role for m in turn.messages] == ["assistant", "tool", "assistant"]
    assert turn.messages[0].tool_calls[0].name == "get_weather"
    assert "31 degrees" in turn.messages[1].content
    assert "31" in turn.completion.content, (
        turn.completion.content
    )  # the answer uses the tool's result
    assert "<tool_call>" not in turn.completion.content


def test_a_denied_call_is_not_run_and_the_model_is_told(
    mcp_stdio: McpTestServer, scheduler: Any, llama_engine: Any
) -> None:
    turn, asked = _turn(scheduler, llama_engine, _only_weather(mcp_stdio), Decision.DENY)
    assert [call.function_name for call in asked] == ["get_weather"]
    assert mcp_stdio.calls() == []
    assert turn.exchanges[0].decision is Decision.DENY
    assert "did not allow" in turn.messages[1].content and turn.messages[1].role == "tool"
    assert turn.completion.content and not turn.completion.error
    assert "31 degrees" not in turn.completion.content


def test_a_server_killed_mid_call_gives_a_message_and_the_conversation_goes_on(
    tmp_path: Path, scheduler: Any, llama_engine: Any
) -> None:
    server = stdio_server(tmp_path, crash_in_weather=True, only=("get_weather",))
    turn, asked = _turn(scheduler, llama_engine, server.mcp_config, Decision.ONCE)
    assert server.calls() == ["get_weather Paris"]  # it ran, and died in the middle
    result = turn.exchanges[0].result
    assert result.is_error and "stopped while running get_weather" in result.text
    assert "stopped while running get_weather" in turn.messages[1].content
    assert turn.completion.finish_reason in ("stop", "length") and not turn.completion.error
    assert turn.completion.content.strip()
