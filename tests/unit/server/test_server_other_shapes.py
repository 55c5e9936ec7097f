"""Anthropic messages and Responses requests translated into chat requests, and replies back (no model)."""

from __future__ import annotations

import pytest

from autoglm.server import anthropic, responses
from autoglm.server.errors import ApiError


def test_anthropic_blocks_become_chat_messages() -> None:
    body = anthropic.MessagesRequest.model_validate(
        {
            "model": "m",
            "max_tokens": 5,
            "system": [{"type": "text", "text": "Be brief."}],
            "tools": [{"name": "f", "input_schema": {"type": "object", "properties": {}}}],
            "tool_choice": {"type": "any", "disable_parallel_tool_use": True},
            "messages": [
                {
                    "role": "user",
                    "content": [
                        {"type": "text", "text": "hi"},
                        {
                            "type": "image",
                            "source": {"type": "base64", "media_type": "image/png", "data": "AAAA"},
                        },
                    ],
                },
                {
                    "role": "assistant",
                    "content": [{"type": "tool_use", "id": "t1", "name": "f", "input": {"a": 1}}],
                },
                {
                    "role": "user",
                    "content": [{"type": "tool_result", "tool_use_id": "t1", "content": "ok"}],
                },
            ],
        }
    )
    chat = anthropic.chat_request(body)
    roles = [m.role for m in chat.messages]
    assert roles == ["system", "user", "assistant", "tool"]
    assert chat.messages[1].content[1].image_url.url == "data:image/png;base64,AAAA"
    assert chat.messages[2].tool_calls[0].function.arguments == '{"a": 1}'
    assert chat.messages[3].tool_call_id == "t1" and chat.tool_choice == "required"
    assert chat.parallel_tool_calls is False


def test_anthropic_reply_has_tool_use_blocks_and_stop_reason() -> None:
    reply = {
        "choices": [
            {
                "finish_reason": "tool_calls",
                "message": {
                    "content": None,
                    "tool_calls": [
                        {"id": "c1", "function": {"name": "f", "arguments": '{"x": 2}'}}
                    ],
                },
            }
        ],
        "usage": {"prompt_tokens": 3, "completion_tokens": 4},
    }
    message = anthropic.message_body(reply, "m")
    assert message["stop_reason"] == "tool_use"
    assert message["content"] == [{"type": "tool_use", "id": "c1", "name": "f", "input": {"x": 2}}]
    assert message["usage"] == {"input_tokens": 3, "output_tokens": 4}


def test_anthropic_server_tools_are_refused() -> None:
    body = anthropic.MessagesRequest.model_validate(
        {
            "model": "m",
            "max_tokens": 5,
            "messages": [{"role": "user", "content": "hi"}],
            "tools": [{"name": "web_search", "type": "web_search_20250305"}],
        }
    )
    with pytest.raises(ApiError) as caught:
        anthropic.chat_request(body)
    assert caught.value.param == "tools"


def test_responses_items_become_chat_messages() -> None:
    body = responses.ResponsesRequest.model_validate(
        {
            "instructions": "Be brief.",
            "max_output_tokens": 7,
            "text": {"format": {"type": "json_schema", "name": "p", "schema": {"type": "object"}}},
            "input": [
                {
                    "role": "user",
                    "content": [
                        {"type": "input_text", "text": "hi"},
                        {"type": "input_image", "image_url": "data:image/png;base64,AA"},
                    ],
                },
                {"type": "function_call", "call_id": "c1", "name": "f", "arguments": "{}"},
                {"type": "function_call_output", "call_id": "c1", "output": "done"},
            ],
        }
    )
    chat = responses.chat_request(body)
    assert [m.role for m in chat.messages] == ["system", "user", "assistant", "tool"]
    assert chat.max_tokens == 7 and chat.response_format.type == "json_schema"
    assert chat.messages[2].tool_calls[0].id == "c1" and chat.messages[3].content == "done"


def test_responses_refuse_stored_state() -> None:
    with pytest.raises(ValueError):
        responses.ResponsesRequest.model_validate({"input": "hi", "previous_response_id": "resp_1"})
    with pytest.raises(ValueError):
        responses.ResponsesRequest.model_validate({"input": "hi", "store": True})
