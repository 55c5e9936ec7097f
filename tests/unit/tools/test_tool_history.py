"""A chat's calls and results as a model offered tools sees them, read from the conversation."""

from __future__ import annotations

from autoglm.core.conversation import Conversation, ToolCall, ToolResult
from autoglm.tools.mcp_client import McpHub
from autoglm.tools.mcp_config import McpConfig
from autoglm.tools.tool_turns import UNANSWERED, ToolSession, tool_history


def test_calls_are_followed_by_their_results_and_the_reply_being_written_is_left_out() -> None:
    conversation = Conversation()
    conversation.add_user("Weather in Paris?")
    called = conversation.begin_reply()
    conversation.finish_reply(called, "")
    conversation.record_tool_calls(called, [ToolCall("c1", "weather", '{"city": "Paris"}'),
                                            ToolCall("c2", "clock")])
    conversation.record_tool_result(called, ToolResult("c1", "Sunny, 21 °C"))
    writing = conversation.begin_reply()
    messages = tool_history(conversation, ToolSession(McpHub(McpConfig())), upto=writing)
    assert [(m.role, m.content) for m in messages] == [
        ("user", "Weather in Paris?"), ("assistant", ""), ("tool", "Sunny, 21 °C"), ("tool", UNANSWERED)]
    assert [call.id for call in messages[1].tool_calls] == ["c1", "c2"]
    assert [m.tool_call_id for m in messages[2:]] == ["c1", "c2"]
    assert len(tool_history(conversation, ToolSession(McpHub(McpConfig())))) == 4  # the empty reply has no words
