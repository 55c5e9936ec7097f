"""Reply shapes, reasoning routing and error sentences, with a scripted engine (no model)."""

from __future__ import annotations

import json
import threading
from collections.abc import Iterator

import pytest
from fastapi.testclient import TestClient

from autoglm.core.errors import InputError
from autoglm.core.scheduler import Scheduler
from autoglm.core.settings import Settings
from autoglm.core.types import Completion, Delta, GenerationRequest, ModelInfo, Usage
from autoglm.server.app import create_app
from autoglm.server.errors import describe_validation_error
from autoglm.server.replies import ReplyShape


class ScriptedEngine:
    """Replies with fixed reasoning and content; records the requests it got."""

    loaded = True
    info = ModelInfo("scripted", "Scripted")

    def __init__(self) -> None:
        self.requests: list[GenerationRequest] = []

    def generate(self, request: GenerationRequest, emit, cancel: threading.Event) -> Completion:
        self.requests.append(request)
        if request.messages[-1].content == "too long":
            raise InputError("The message is too long for the model's context.")
        emit(Delta(reasoning="Let me think."))
        emit(Delta(content="Hello"))
        emit(Delta(content=" there"))
        return Completion("Hello there", "Let me think.", "stop", Usage(5, 2))


@pytest.fixture
def engine() -> ScriptedEngine:
    return ScriptedEngine()


@pytest.fixture
def client(engine: ScriptedEngine) -> Iterator[TestClient]:
    scheduler = Scheduler(engine).start()  # type: ignore[arg-type]
    with TestClient(create_app(Settings(), scheduler)) as test_client:
        yield test_client
    scheduler.shutdown()


def sse_payloads(text: str) -> list[dict | str]:
    payloads = [line[len("data: ") :] for line in text.splitlines() if line.startswith("data: ")]
    return [p if p == "[DONE]" else json.loads(p) for p in payloads]


def test_whole_reply_with_and_without_reasoning(client: TestClient, engine: ScriptedEngine) -> None:
    asked = client.post(
        "/v1/chat/completions",
        json={
            "messages": [{"role": "user", "content": "hi"}],
            "enable_thinking": True,
            "return_reasoning": True,
        },
    ).json()
    message = asked["choices"][0]["message"]
    assert message == {
        "role": "assistant",
        "content": "Hello there",
        "reasoning_content": "Let me think.",
    }
    assert asked["usage"]["total_tokens"] == 7 and asked["object"] == "chat.completion"
    plain = client.post(
        "/v1/chat/completions",
        json={
            "messages": [{"role": "user", "content": "hi"}],
            "chat_template_kwargs": {"enable_thinking": False},
        },
    ).json()
    assert "reasoning_content" not in plain["choices"][0]["message"]
    assert [r.thinking for r in engine.requests] == [True, False]
    assert all(r.priority.name == "API" for r in engine.requests)


def test_stream_chunks_carry_reasoning_when_asked(client: TestClient) -> None:
    response = client.post(
        "/v1/chat/completions",
        json={
            "messages": [{"role": "user", "content": "hi"}],
            "stream": True,
            "return_reasoning": True,
            "stream_options": {"include_usage": True},
        },
    )
    assert response.headers["content-type"].startswith("text/event-stream")
    payloads = sse_payloads(response.text)
    assert payloads[-1] == "[DONE]"
    chunks = payloads[:-1]
    assert len({c["id"] for c in chunks}) == 1
    deltas = [c["choices"][0]["delta"] for c in chunks if c["choices"]]
    assert deltas[0] == {"role": "assistant", "content": ""}
    assert {"reasoning_content": "Let me think."} in deltas
    assert "".join(d.get("content", "") for d in deltas) == "Hello there"
    assert chunks[-2]["choices"][0]["finish_reason"] == "stop"
    assert chunks[-1]["choices"] == [] and chunks[-1]["usage"]["completion_tokens"] == 2


def test_stream_without_reasoning_drops_it(client: TestClient) -> None:
    response = client.post(
        "/v1/chat/completions",
        json={"messages": [{"role": "user", "content": "hi"}], "stream": True},
    )
    assert "reasoning_content" not in response.text and "Hello" in response.text


def test_user_caused_engine_errors_are_400_whole_and_in_stream(client: TestClient) -> None:
    whole = client.post(
        "/v1/chat/completions", json={"messages": [{"role": "user", "content": "too long"}]}
    )
    assert whole.status_code == 400 and "too long" in whole.json()["error"]["message"]
    streamed = sse_payloads(
        client.post(
            "/v1/chat/completions",
            json={"messages": [{"role": "user", "content": "too long"}], "stream": True},
        ).text
    )
    assert streamed[-1] == "[DONE]" and "too long" in streamed[-2]["error"]["message"]


def test_models_and_health(client: TestClient) -> None:
    models = client.get("/v1/models").json()
    assert models["object"] == "list" and models["data"][0]["id"] == "scripted"
    assert client.get("/health").json()["model"] == "scripted"
    missing = client.post(
        "/v1/chat/completions",
        json={"model": "other", "messages": [{"role": "user", "content": "hi"}]},
    )
    assert missing.status_code == 404 and missing.json()["error"]["param"] == "model"


def test_shape_finish_reasons() -> None:
    shape = ReplyShape("m", return_reasoning=False)
    assert (
        shape.final_chunk(Completion(finish_reason="length"))["choices"][0]["finish_reason"]
        == "length"
    )
    assert shape.delta_chunk(Delta(reasoning="hidden")) is None
    assert (
        shape.completion(Completion("x", finish_reason="cancelled"))["choices"][0]["finish_reason"]
        == "stop"
    )


def test_validation_sentences() -> None:
    assert describe_validation_error([]) == ("The request is not valid.", None)
    message, param = describe_validation_error(
        [
            {
                "type": "less_than_equal",
                "loc": ("body", "temperature"),
                "msg": "Input should be less than or equal to 2",
            },
            {"type": "missing", "loc": ("body", "messages"), "msg": "Field required"},
        ]
    )
    assert (
        param == "temperature"
        and message.startswith("'temperature': Input should be")
        and "1 more" in message
    )


def test_without_return_reasoning_content_is_the_models_own_text() -> None:
    raw = '<think>Settings is closed.</think>\n<answer>do(action="Launch", app="Settings")'
    whole = Completion('do(action="Launch", app="Settings")', "Settings is closed.", raw=raw)
    plain, split = ReplyShape("m", return_reasoning=False), ReplyShape("m", return_reasoning=True)
    assert plain.completion(whole)["choices"][0]["message"]["content"] == raw
    assert split.completion(whole)["choices"][0]["message"] == {
        "role": "assistant",
        "content": whole.content,
        "reasoning_content": "Settings is closed.",
    }
    held = Delta(content="", reasoning="", raw="<thi")  # a tag still being cut by the splitter
    assert plain.delta_chunk(held)["choices"][0]["delta"] == {"content": "<thi"}
    assert split.delta_chunk(held) is None
    assert plain.delta_chunk(Delta(content="tail", raw="")) is None  # already sent as raw text
