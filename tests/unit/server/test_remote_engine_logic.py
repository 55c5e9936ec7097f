"""The remote engine's pure parts: addresses, message shapes, server errors in words."""

from __future__ import annotations

import base64
import json

import pytest

from autoglm.core.errors import InputError, ModelError
from autoglm.core.remote_engine import (
    RemoteEngine,
    normalise_base_url,
    openai_messages,
    server_error_message,
)
from autoglm.core.types import ChatMessage, GenerationRequest, ImageInput, SamplingParams


@pytest.mark.parametrize(
    "typed, expected",
    [
        ("http://gpu-box:8000", "http://gpu-box:8000/v1"),
        ("http://gpu-box:8000/", "http://gpu-box:8000/v1"),
        ("gpu-box:8000/v1", "http://gpu-box:8000/v1"),
        ("https://example.org/openai/v1/", "https://example.org/openai/v1"),
    ],
)
def test_base_url(typed: str, expected: str) -> None:
    assert normalise_base_url(typed) == expected


def test_bad_base_url() -> None:
    with pytest.raises(InputError):
        normalise_base_url("ftp://x")


def test_messages_with_images_become_parts() -> None:
    image = ImageInput(2, 1, bytes([255, 0, 0, 0, 255, 0]), "h")
    shaped = openai_messages([ChatMessage("system", "s"), ChatMessage("user", "what?", [image])])
    assert shaped[0] == {"role": "system", "content": "s"}
    parts = shaped[1]["content"]
    assert parts[-1] == {"type": "text", "text": "what?"}
    url = parts[0]["image_url"]["url"]
    assert url.startswith("data:image/png;base64,")
    assert base64.b64decode(url.split(",", 1)[1])[:8] == b"\x89PNG\r\n\x1a\n"


def test_server_errors_become_the_right_kind() -> None:
    key = server_error_message(401, b'{"error": {"message": "bad key"}}', "http://x/v1")
    assert isinstance(key, ModelError) and "API key" in str(key) and "bad key" in str(key)
    bad = server_error_message(400, b'{"detail": "messages missing"}', "http://x/v1")
    assert isinstance(bad, InputError) and "messages missing" in str(bad)
    broken = server_error_message(502, b"<html>gateway</html>", "http://x/v1")
    assert isinstance(broken, ModelError) and "gateway" in str(broken)


def test_payload_carries_sampling_and_thinking() -> None:
    engine = RemoteEngine("http://x:1", model="m", extra_body={"return_reasoning": True})
    request = GenerationRequest(
        [ChatMessage("user", "hi")],
        SamplingParams(temperature=0.1, max_tokens=7, stop=["\n"], seed=3),
        thinking=False,
    )
    payload = engine.payload(request)
    assert payload["model"] == "m" and payload["stream"] is True and payload["max_tokens"] == 7
    assert payload["chat_template_kwargs"] == {"enable_thinking": False}
    assert (
        payload["stop"] == ["\n"] and payload["seed"] == 3 and payload["return_reasoning"] is True
    )
    engine.unload()


def test_tools_choice_and_format_go_in_the_payload_and_calls_and_results_as_messages() -> None:
    from autoglm.core.types import ToolCall, ToolSpec
    from autoglm.tools.calls import dialect_for_template, template_renders_tools

    engine = RemoteEngine("http://h:1", model="m")
    spec = ToolSpec(
        "get_weather", "weather", {"type": "object", "properties": {"city": {"type": "string"}}}
    )
    history = [
        ChatMessage("user", "weather?"),
        ChatMessage(
            "assistant", "", tool_calls=[ToolCall("c1", "get_weather", '{"city": "Rome"}')]
        ),
        ChatMessage("tool", "sunny", tool_call_id="c1", name="get_weather"),
    ]
    choice = {"type": "function", "function": {"name": "get_weather"}}
    body = engine.payload(
        GenerationRequest(
            history,
            tools=[spec],
            tool_choice=choice,
            parallel_tool_calls=False,
            response_format={"type": "json_object"},
        )
    )
    assert body["tools"] == [
        {
            "type": "function",
            "function": {
                "name": "get_weather",
                "description": "weather",
                "parameters": spec.parameters,
            },
        }
    ]
    assert body["tool_choice"] == choice and body["parallel_tool_calls"] is False
    assert body["response_format"] == {"type": "json_object"}
    assert body["messages"][1] == {
        "role": "assistant",
        "content": None,
        "tool_calls": [
            {
                "id": "c1",
                "type": "function",
                "function": {"name": "get_weather", "arguments": '{"city": "Rome"}'},
            }
        ],
    }
    assert body["messages"][2] == {"role": "tool", "tool_call_id": "c1", "content": "sunny"}
    plain = engine.payload(GenerationRequest([ChatMessage("user", "hi")]))
    assert not {"tools", "tool_choice", "response_format", "parallel_tool_calls"} & set(plain)
    # the fronts offer tools natively to it and read its calls in the Hermes format
    assert template_renders_tools(engine.info.chat_template)
    assert dialect_for_template(engine.info.chat_template).value == "hermes"


def test_streamed_call_pieces_are_put_together_as_text_the_fronts_read() -> None:
    from autoglm.core.remote_engine import _CallCollector
    from autoglm.core.types import ToolSpec
    from autoglm.tools.calls import Dialect, parse_tool_calls

    collector = _CallCollector()
    collector.feed([{"index": 0, "id": "a", "function": {"name": "get_weather", "arguments": ""}}])
    collector.feed([{"index": 0, "function": {"arguments": '{"city": '}}])
    collector.feed(
        [
            {"index": 0, "function": {"arguments": '"Paris"}'}},
            {"index": 1, "id": "b", "function": {"name": "get_time", "arguments": "{}"}},
        ]
    )
    specs = [ToolSpec("get_weather"), ToolSpec("get_time")]
    parsed = parse_tool_calls(collector.text(), Dialect.HERMES, specs)
    assert [(c.name, json.loads(c.arguments)) for c in parsed.calls] == [
        ("get_weather", {"city": "Paris"}),
        ("get_time", {}),
    ]
    assert _CallCollector().text() == ""
