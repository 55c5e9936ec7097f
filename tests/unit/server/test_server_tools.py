"""Tool calls, refused parameters and the README's parameter table, with a scripted engine (no model)."""

from __future__ import annotations

import json
import re
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from autoglm.core.scheduler import Scheduler
from autoglm.core.settings import Settings
from autoglm.core.types import Completion, Delta, GenerationRequest, ModelInfo, Usage
from autoglm.server.app import create_app
from autoglm.server.parameters import CHAT_PARAMETERS, markdown_table

README = Path(__file__).resolve().parents[3] / "README.md"
QWEN_TEMPLATE = "{%- if tools %}{% for tool in tools %}{{ tool | tojson }}{% endfor %}{% endif %}"
CALL = '<tool_call>\n{"name": "get_weather", "arguments": {"city": "Paris"}}\n</tool_call>'
WEATHER = {
    "type": "function",
    "function": {
        "name": "get_weather",
        "parameters": {
            "type": "object",
            "properties": {"city": {"type": "string"}},
            "required": ["city"],
        },
    },
}


class CallingEngine:
    """Answers with a tool call in Qwen's format, streamed a few characters at a time."""

    loaded = True
    info = ModelInfo("scripted", "Scripted", chat_template=QWEN_TEMPLATE)

    def __init__(self) -> None:
        self.requests: list[GenerationRequest] = []

    def generate(self, request: GenerationRequest, emit, cancel: threading.Event) -> Completion:
        self.requests.append(request)
        text = "Checking. " + CALL
        for start in range(0, len(text), 5):
            emit(Delta(content=text[start : start + 5]))
        return Completion(text, "", "stop", Usage(5, 20))


@pytest.fixture
def engine() -> CallingEngine:
    return CallingEngine()


@pytest.fixture
def client(engine: CallingEngine) -> Iterator[TestClient]:
    scheduler = Scheduler(engine).start()  # type: ignore[arg-type]
    with TestClient(create_app(Settings(), scheduler)) as test_client:
        yield test_client
    scheduler.shutdown()


def ask(client: TestClient, **body: object) -> dict:
    response = client.post(
        "/v1/chat/completions", json={"messages": [{"role": "user", "content": "hi"}], **body}
    )
    return response.json()


def test_calls_come_back_as_tool_calls(client: TestClient, engine: CallingEngine) -> None:
    reply = ask(client, tools=[WEATHER])
    choice = reply["choices"][0]
    assert choice["finish_reason"] == "tool_calls"
    assert choice["message"]["content"] == "Checking."
    (call,) = choice["message"]["tool_calls"]
    assert call["type"] == "function" and call["function"]["name"] == "get_weather"
    assert json.loads(call["function"]["arguments"]) == {"city": "Paris"}
    assert (
        engine.requests[-1].tools[0].name == "get_weather"
        and engine.requests[-1].sampling.grammar is None
    )


def test_streamed_calls_are_deltas_with_index(client: TestClient) -> None:
    response = client.post(
        "/v1/chat/completions",
        json={"messages": [{"role": "user", "content": "hi"}], "tools": [WEATHER], "stream": True},
    )
    chunks = [
        json.loads(line[6:])
        for line in response.text.splitlines()
        if line.startswith("data: ") and line != "data: [DONE]"
    ]
    text = "".join(c["choices"][0]["delta"].get("content") or "" for c in chunks)
    calls = [tc for c in chunks for tc in c["choices"][0]["delta"].get("tool_calls") or []]
    assert "<tool_call>" not in text and text.strip() == "Checking."
    assert [(tc["index"], tc["function"]["name"]) for tc in calls] == [(0, "get_weather")]
    assert chunks[-1]["choices"][0]["finish_reason"] == "tool_calls"


def test_forced_calls_and_formats_send_a_grammar(client: TestClient, engine: CallingEngine) -> None:
    ask(client, tools=[WEATHER], tool_choice="required")
    assert "<tool_call>" in (engine.requests[-1].sampling.grammar or "")
    ask(
        client,
        tools=[WEATHER],
        tool_choice={"type": "function", "function": {"name": "get_weather"}},
    )
    assert "get_weather" in (engine.requests[-1].sampling.grammar or "")
    ask(
        client,
        response_format={
            "type": "json_schema",
            "json_schema": {
                "name": "x",
                "schema": {"type": "object", "properties": {"a": {"type": "integer"}}},
            },
        },
    )
    assert engine.requests[-1].sampling.grammar and engine.requests[-1].thinking is False
    none = ask(client, tools=[WEATHER], tool_choice="none")
    assert "tool_calls" not in none["choices"][0]["message"] and not engine.requests[-1].tools


@pytest.mark.parametrize(
    ("body", "param", "words"),
    [
        ({"n": 2}, "n", "n=1"),
        ({"audio": {"voice": "alloy"}}, "audio", "/v1/audio/speech"),
        ({"functions": [{"name": "f"}]}, "functions", "tools"),
        ({"web_search_options": {}}, "web_search_options", "offline"),
        ({"store": True}, "store", "stored"),
        ({"made_up_option": 1}, "made_up_option", "not a parameter"),
        (
            {"tools": [WEATHER], "tool_choice": {"type": "function", "function": {"name": "nope"}}},
            "tool_choice",
            "nope",
        ),
        (
            {
                "response_format": {
                    "type": "json_schema",
                    "json_schema": {"name": "x", "schema": {"type": "integer", "minimum": 1}},
                }
            },
            "response_format",
            "minimum",
        ),
        (
            {"tools": [WEATHER], "response_format": {"type": "json_object"}},
            "response_format",
            "tool_choice",
        ),
    ],
)
def test_unserved_parameters_are_refused_by_name(
    client: TestClient, body: dict, param: str, words: str
) -> None:
    response = client.post(
        "/v1/chat/completions", json={"messages": [{"role": "user", "content": "hi"}], **body}
    )
    assert response.status_code == 400
    error = response.json()["error"]
    assert error["param"] == param and words in error["message"], error


def test_harmless_defaults_of_refused_parameters_are_served(client: TestClient) -> None:
    reply = ask(
        client,
        n=1,
        store=False,
        service_tier="auto",
        modalities=["text"],
        user="u1",
        presence_penalty=0.2,
        frequency_penalty=0.2,
        logprobs=False,
        parallel_tool_calls=True,
    )
    assert reply["choices"][0]["message"]["content"]


def test_every_openai_parameter_is_in_the_schema_and_the_table() -> None:
    from autoglm.server.schemas import ChatCompletionRequest

    fields = set(ChatCompletionRequest.model_fields)
    assert {p.name for p in CHAT_PARAMETERS} <= fields


def test_readme_table_is_generated_from_the_code() -> None:
    text = README.read_text(encoding="utf-8")
    match = re.search(
        r"<!-- api-parameters:start -->\n(.*?)<!-- api-parameters:end -->", text, re.DOTALL
    )
    assert match, "README lacks the generated parameter table"
    assert match.group(1) == markdown_table(), (
        "README's API table is stale: regenerate it with `python -m autoglm.server.parameters`"
    )
