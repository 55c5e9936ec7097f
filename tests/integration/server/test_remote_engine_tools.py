"""Tools and structured output through the remote engine, against this app's API acting as the remote.

The remote is the API on loopback over the real starter model (the ``api`` fixture); its
grammars force the call or the schema. What the remote engine must do is pass ``tools``,
``tool_choice`` and ``response_format`` on and read the ``tool_calls`` it gets back: the
requests below would be answered in prose if anything were dropped on the way.
"""

from __future__ import annotations

import json
import threading
from collections.abc import Iterator
from typing import Any

import openai
import pytest

from autoglm.core.remote_engine import RemoteEngine
from autoglm.core.scheduler import Scheduler
from autoglm.core.settings import ServerSettings, Settings
from autoglm.core.types import ChatMessage, GenerationRequest, SamplingParams, ToolCall, ToolSpec
from autoglm.server import ApiServer
from autoglm.tools.calls import dialect_for_template, parse_tool_calls

pytestmark = [pytest.mark.timeout(600), pytest.mark.slow]
WEATHER = ToolSpec(
    "get_weather",
    "Get the current weather in a city",
    {"type": "object", "properties": {"city": {"type": "string"}}, "required": ["city"]},
)
TIME = ToolSpec(
    "get_time",
    "Get the current time in a time zone",
    {"type": "object", "properties": {"zone": {"type": "string"}}, "required": ["zone"]},
)
GREETING = {
    "type": "object",
    "properties": {"greeting": {"type": "string"}, "words": {"type": "integer"}},
    "required": ["greeting", "words"],
    "additionalProperties": False,
}


@pytest.fixture(scope="module")
def remote(api: Any) -> Iterator[RemoteEngine]:
    engine = RemoteEngine(api.v1)
    engine.load()
    yield engine
    engine.unload()


def ask(engine: RemoteEngine, text: str, **fields: Any) -> str:
    request = GenerationRequest(
        [ChatMessage("user", text)],
        SamplingParams(temperature=0.0, max_tokens=60),
        thinking=False,
        **fields,
    )
    completion = engine.generate(request, lambda event: None, threading.Event())
    assert not completion.error
    return completion.content


def test_a_named_tool_choice_reaches_the_remote_and_its_call_comes_back(
    remote: RemoteEngine,
) -> None:
    # a joke is no reason to ask for the time: only the forced choice makes the model call get_time
    text = ask(
        remote,
        "Tell me a joke about cats.",
        tools=[WEATHER, TIME],
        tool_choice={"type": "function", "function": {"name": "get_time"}},
    )
    parsed = parse_tool_calls(
        text, dialect_for_template(remote.info.chat_template), [WEATHER, TIME]
    )
    assert [call.name for call in parsed.calls] == ["get_time"], text
    assert isinstance(json.loads(parsed.calls[0].arguments)["zone"], str)


def test_a_json_schema_response_format_reaches_the_remote(remote: RemoteEngine) -> None:
    text = ask(
        remote,
        "Say hello.",
        response_format={
            "type": "json_schema",
            "json_schema": {"name": "greeting", "schema": GREETING, "strict": True},
        },
    )
    value = json.loads(text)
    assert set(value) == {"greeting", "words"} and isinstance(value["words"], int), text


def test_a_call_and_its_result_go_to_the_remote_as_structured_messages(
    remote: RemoteEngine,
) -> None:
    call = ToolCall("call_1", "get_weather", '{"city": "Paris"}')
    history = [
        ChatMessage("user", "What is the weather in Paris?"),
        ChatMessage("assistant", "", tool_calls=[call]),
        ChatMessage(
            "tool", "31 degrees Celsius and sunny.", tool_call_id="call_1", name="get_weather"
        ),
    ]
    request = GenerationRequest(
        history,
        SamplingParams(temperature=0.0, max_tokens=30),
        thinking=False,
        tools=[WEATHER],
        tool_choice="none",
    )
    completion = remote.generate(request, lambda event: None, threading.Event())
    assert not completion.error and completion.content and "<tool_call>" not in completion.content


@pytest.fixture(scope="module")
def app_over_remote(remote: RemoteEngine) -> Iterator[str]:
    """This app's API served from the remote engine: a second, outer server over the first."""
    scheduler = Scheduler(remote).start()
    server = ApiServer(scheduler, Settings(server=ServerSettings(port=0))).start()
    yield f"{server.url}/v1"
    server.stop()
    scheduler.shutdown()


def test_the_api_over_a_remote_engine_returns_tool_calls_and_json_to_the_openai_sdk(
    app_over_remote: str,
) -> None:
    client = openai.OpenAI(base_url=app_over_remote, api_key="EMPTY", max_retries=0, timeout=600)
    tools = [
        {
            "type": "function",
            "function": {
                "name": spec.name,
                "description": spec.description,
                "parameters": spec.parameters,
            },
        }
        for spec in (WEATHER, TIME)
    ]
    stream = client.chat.completions.create(
        model=client.models.list().data[0].id,
        messages=[{"role": "user", "content": "Tell me a joke."}],
        tools=tools,
        tool_choice={"type": "function", "function": {"name": "get_weather"}},
        max_tokens=60,
        temperature=0,
        stream=True,
    )
    calls: dict[int, dict[str, str]] = {}
    finish = None
    for chunk in stream:
        for delta in chunk.choices[0].delta.tool_calls or [] if chunk.choices else []:
            entry = calls.setdefault(delta.index, {"name": "", "arguments": ""})
            entry["name"] += delta.function.name or ""
            entry["arguments"] += delta.function.arguments or ""
        finish = (chunk.choices[0].finish_reason if chunk.choices else None) or finish
    assert finish == "tool_calls" and calls[0]["name"] == "get_weather"
    assert isinstance(json.loads(calls[0]["arguments"])["city"], str)
    reply = client.chat.completions.create(
        model=client.models.list().data[0].id,
        messages=[{"role": "user", "content": "Say hello."}],
        max_tokens=60,
        temperature=0,
        response_format={
            "type": "json_schema",
            "json_schema": {"name": "greeting", "schema": GREETING, "strict": True},
        },
    )
    assert set(json.loads(reply.choices[0].message.content)) == {"greeting", "words"}
