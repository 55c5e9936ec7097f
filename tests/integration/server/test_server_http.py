"""The API over the real starter model on loopback: errors, limits, keys, disconnects, audio."""

from __future__ import annotations

import contextlib
import json
import time
from collections.abc import Iterator

import httpx
import pytest

from autoglm.core.errors import InputError

CHAT = "/v1/chat/completions"


def assert_openai_error(response: httpx.Response, status: int, code: str | None = None) -> dict:
    """The response is OpenAI's error shape with that status (and code)."""
    assert response.status_code == status, response.text
    assert response.headers["content-type"].startswith("application/json")
    error = response.json()["error"]
    assert set(error) == {"message", "type", "param", "code"}
    assert error["message"] and "Traceback" not in error["message"]
    if code is not None:
        assert error["code"] == code
    return error


@pytest.fixture
def http(api) -> Iterator[httpx.Client]:
    with httpx.Client(base_url=api.url, timeout=60) as client:
        yield client


@pytest.fixture
def submitted(scheduler, monkeypatch: pytest.MonkeyPatch) -> list:
    """Every ReplyStream the server submits to the real scheduler, in order."""
    streams: list = []
    original = scheduler.submit

    def spy(request):
        stream = original(request)
        streams.append(stream)
        return stream

    monkeypatch.setattr(scheduler, "submit", spy)
    return streams


def test_health_reports_model_and_queue(http: httpx.Client, api) -> None:
    body = http.get("/health").json()
    assert body["status"] == "ok" and body["model"] == api.model_id
    assert {"length", "busy", "wait_p95_s"} <= set(body["queue"])


def test_malformed_json_is_400(http: httpx.Client) -> None:
    response = http.post(
        CHAT, content=b'{"messages": [', headers={"content-type": "application/json"}
    )
    assert "not valid JSON" in assert_openai_error(response, 400)["message"]


@pytest.mark.parametrize(
    "body, param",
    [
        ({"messages": "hello"}, "messages"),
        ({"messages": []}, "messages"),
        ({"messages": [{"role": "user", "content": "x"}], "max_tokens": "lots"}, "max_tokens"),
        ({"messages": [{"role": "user", "content": "x"}], "temperature": 7}, "temperature"),
        ({"messages": [{"role": "robot", "content": "x"}]}, "messages.0.role"),
        (
            {"messages": [{"role": "user", "content": [{"type": "video", "video": 1}]}]},
            "messages.0.content",
        ),
    ],
)
def test_wrong_types_are_400_naming_the_parameter(
    http: httpx.Client, body: dict, param: str
) -> None:
    error = assert_openai_error(http.post(CHAT, json=body), 400)
    assert error["param"] is not None and error["param"].startswith(param)


def test_unsupported_values_are_400(http: httpx.Client) -> None:
    response = http.post(
        CHAT, json={"messages": [{"role": "user", "content": "x"}], "n": 2, "max_tokens": 2}
    )
    assert "n=1" in assert_openai_error(response, 400)["message"]
    response = http.post(
        CHAT, json={"messages": [{"role": "system", "content": "only a system prompt"}]}
    )
    assert_openai_error(response, 400)


def test_oversized_bodies_are_413_declared_or_chunked(http: httpx.Client) -> None:
    big = json.dumps({"messages": [{"role": "user", "content": "x" * (2 * 2**20)}]}).encode()
    assert_openai_error(
        http.post(CHAT, content=big, headers={"content-type": "application/json"}),
        413,
        "request_too_large",
    )

    def chunks() -> Iterator[bytes]:
        for start in range(0, len(big), 65536):
            yield big[start : start + 65536]

    assert_openai_error(
        http.post(CHAT, content=chunks(), headers={"content-type": "application/json"}), 413
    )


def test_unknown_routes_and_methods_are_openai_shaped(http: httpx.Client) -> None:
    assert_openai_error(http.get("/v1/engines"), 404)
    assert_openai_error(http.get(CHAT), 405)
    assert_openai_error(http.get("/v1/models/no-such-model"), 404, "model_not_found")


def test_key_is_required_and_rate_limited(keyed_api) -> None:
    with httpx.Client(base_url=keyed_api.url, timeout=30) as client:
        assert client.get("/health").status_code == 200  # health stays open for monitors
        assert_openai_error(client.get("/v1/models"), 401, "invalid_api_key")
        assert_openai_error(
            client.get("/v1/models", headers={"Authorization": "Bearer wrong"}), 401
        )
        good = {"Authorization": "Bearer s3cret"}
        assert client.get("/v1/models", headers=good).status_code == 200
        assert client.get("/v1/models", headers={"x-api-key": "s3cret"}).status_code == 200
        assert client.get("/v1/models", headers=good).status_code == 200
        limited = client.get("/v1/models", headers=good)
        assert_openai_error(limited, 429, "rate_limit_exceeded")
        assert int(limited.headers["retry-after"]) >= 1


def test_port_in_use_is_one_clear_error(api, scheduler) -> None:
    from autoglm.core.settings import ServerSettings, Settings
    from autoglm.server import ApiServer

    clash = ApiServer(scheduler, Settings(server=ServerSettings(port=api.server.port)))
    with pytest.raises(InputError, match="already in use"):
        clash.start()
    assert not clash.running


def test_streaming_client_that_disconnects_cancels_its_reply(
    http: httpx.Client, submitted: list
) -> None:
    body = {
        "messages": [{"role": "user", "content": "Write a very long story about a dragon."}],
        "max_tokens": 400,
        "stream": True,
    }
    with http.stream("POST", CHAT, json=body) as response:
        assert response.status_code == 200
        for line in response.iter_lines():
            if '"content": "' in line and '"role"' not in line:
                break  # one real token arrived: leave
    stream = submitted[-1]
    completion = stream.result(timeout=30)
    assert completion.finish_reason == "cancelled"
    assert completion.usage.completion_tokens < 400


def test_queued_request_whose_client_leaves_never_reaches_the_engine(
    api, scheduler, submitted: list
) -> None:
    long_body = {
        "messages": [{"role": "user", "content": "Write a long poem about rivers."}],
        "max_tokens": 120,
        "stream": True,
    }
    places = scheduler.engine.parallel_replies  # the replies decoded together: all taken first
    with contextlib.ExitStack() as stack:
        for _ in range(places):
            client = stack.enter_context(httpx.Client(base_url=api.url, timeout=60))
            running = stack.enter_context(client.stream("POST", CHAT, json=long_body))
            running_lines = running.iter_lines()
            stack.callback(running_lines.close)  # kept open until the end: closing leaves
            next(running_lines)
        deadline = time.monotonic() + 60
        while scheduler.running < places and time.monotonic() < deadline:
            time.sleep(0.01)
        second = stack.enter_context(httpx.Client(base_url=api.url, timeout=60))
        with second.stream("POST", CHAT, json={**long_body, "max_tokens": 50}) as queued:
            queued_lines = queued.iter_lines()
            next(queued_lines)  # the role chunk: the request is queued behind the others
            assert not submitted[-1].cancelled
        waiting = submitted[-1]
        deadline = time.monotonic() + 10
        while not waiting.cancelled and time.monotonic() < deadline:
            time.sleep(0.05)
        assert waiting.cancelled, "leaving did not cancel the queued reply"
        assert not submitted[0].done, f"the first reply ended early: {submitted[0].result()}"
    result = waiting.result(timeout=60)
    assert result.finish_reason == "cancelled" and result.usage.completion_tokens == 0
    for stream in submitted[:places]:
        stream.result(timeout=60)  # the replies whose clients left end before the next test


def test_whole_reply_client_that_times_out_cancels_its_reply(api, submitted: list) -> None:
    # A greedy count cannot end early: 400 tokens outlast the client's 2 s (a sampled
    # "long story" from the small model was sometimes over in under 2 s).
    body = {
        "messages": [{"role": "user", "content": "Count from 1 to 1000, separated by commas."}],
        "max_tokens": 400,
        "temperature": 0,
    }
    with httpx.Client(base_url=api.url, timeout=2.0) as client, pytest.raises(httpx.ReadTimeout):
        client.post(CHAT, json=body)
    completion = submitted[-1].result(timeout=30)
    assert completion.finish_reason == "cancelled"


def test_speech_round_trip_and_audio_in_chat(http: httpx.Client) -> None:
    spoken = http.post(
        "/v1/audio/speech",
        json={"model": "tts-1", "input": "What is the capital of France?", "voice": "alloy"},
    )
    assert spoken.status_code == 200 and spoken.headers["content-type"] == "audio/wav"
    assert spoken.content[:4] == b"RIFF" and len(spoken.content) > 20_000
    heard = http.post(
        "/v1/audio/transcriptions",
        files={"file": ("q.wav", spoken.content, "audio/wav")},
        data={"model": "whisper-1"},
    )
    assert heard.status_code == 200, heard.text
    assert "capital" in heard.json()["text"].lower() and "france" in heard.json()["text"].lower()
    text = http.post(
        "/v1/audio/transcriptions",
        files={"file": ("q.wav", spoken.content, "audio/wav")},
        data={"model": "whisper-1", "response_format": "text"},
    )
    assert "France" in text.text

    import base64

    audio_b64 = base64.b64encode(spoken.content).decode()
    with_audio = http.post(
        CHAT,
        json={
            "max_tokens": 2,
            "messages": [
                {
                    "role": "user",
                    "content": [
                        {"type": "input_audio", "input_audio": {"data": audio_b64, "format": "wav"}}
                    ],
                }
            ],
        },
    )
    baseline = http.post(
        CHAT, json={"max_tokens": 2, "messages": [{"role": "user", "content": "?"}]}
    )
    extra = http.post(
        CHAT,
        json={
            "max_tokens": 2,
            "messages": [{"role": "user", "content": "?"}],
            "audios": [f"data:audio/wav;base64,{audio_b64}"],
        },
    )
    assert with_audio.status_code == baseline.status_code == extra.status_code == 200
    base_tokens = baseline.json()["usage"]["prompt_tokens"]
    assert (
        with_audio.json()["usage"]["prompt_tokens"] >= base_tokens + 5
    )  # the transcript reached the prompt
    assert extra.json()["usage"]["prompt_tokens"] >= base_tokens + 5


def test_bad_audio_is_400(http: httpx.Client) -> None:
    response = http.post(
        "/v1/audio/transcriptions", files={"file": ("x.wav", b"not audio at all", "audio/wav")}
    )
    assert "could not be decoded" in assert_openai_error(response, 400)["message"]
    response = http.post(
        CHAT,
        json={
            "messages": [
                {
                    "role": "user",
                    "content": [
                        {"type": "input_audio", "input_audio": {"data": "%%%", "format": "wav"}}
                    ],
                }
            ]
        },
    )
    assert_openai_error(response, 400)
