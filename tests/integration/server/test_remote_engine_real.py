"""RemoteEngine against llama-cpp-python's own server and against this app's API, on loopback."""

from __future__ import annotations

import threading
import time
from typing import Any

import pytest

from autoglm.core.errors import ModelError
from autoglm.core.remote_engine import RemoteEngine
from autoglm.core.scheduler import Scheduler
from autoglm.core.types import ChatMessage, Delta, GenerationRequest, SamplingParams


def ask(text: str, max_tokens: int = 8, thinking: bool = False) -> GenerationRequest:
    """A short request at temperature 0."""
    return GenerationRequest(
        [ChatMessage("user", text)],
        SamplingParams(max_tokens=max_tokens, temperature=0.0),
        thinking=thinking,
    )


def test_streams_a_reply_from_llama_cpp_server(llama_cpp_server: Any) -> None:
    engine = RemoteEngine(llama_cpp_server.v1)
    info = engine.load()
    assert info.model_id == "starter" and info.backend == "Remote"
    events: list = []
    completion = engine.generate(ask("Say hello."), events.append, threading.Event())
    deltas = [e for e in events if isinstance(e, Delta)]
    assert len(deltas) >= 2, "the reply should arrive in pieces"
    assert completion.content == "".join(d.content for d in deltas).strip()
    assert completion.finish_reason in ("stop", "length")
    assert 0 < completion.usage.completion_tokens <= 8
    engine.unload()


def test_cancel_returns_at_once_and_frees_the_server(llama_cpp_server: Any) -> None:
    engine = RemoteEngine(llama_cpp_server.v1, model="starter")
    cancel = threading.Event()
    first_token = threading.Event()

    def on_event(event: object) -> None:
        first_token.set()

    worker_result: list = []
    worker = threading.Thread(
        target=lambda: worker_result.append(
            engine.generate(
                ask("Write a very long story about the sea.", max_tokens=1500), on_event, cancel
            )
        )
    )
    worker.start()
    assert first_token.wait(120), "no token arrived"
    cancel.set()
    worker.join(5)
    assert not worker.is_alive(), "generate() did not return soon after cancel"
    assert worker_result[0].finish_reason == "cancelled"
    assert llama_cpp_server.log_mentions("Disconnected from client"), (
        "the server never saw the client leave"
    )
    after = engine.generate(ask("Say yes.", max_tokens=3), lambda e: None, threading.Event())
    assert after.finish_reason in ("stop", "length") and after.content


def test_the_scheduler_runs_a_remote_engine_like_a_local_one(llama_cpp_server: Any) -> None:
    scheduler = Scheduler(RemoteEngine(llama_cpp_server.v1)).start()
    try:
        stream = scheduler.submit(ask("Name a colour.", max_tokens=5))
        text = "".join(e.content for e in stream if isinstance(e, Delta))
        completion = stream.result(timeout=120)
        assert text.strip() == completion.content and completion.timings.queue_wait_s >= 0
    finally:
        scheduler.shutdown()


def test_unreachable_server_and_wrong_model_are_model_errors(llama_cpp_server: Any) -> None:
    with pytest.raises(ModelError, match="Cannot reach"):
        RemoteEngine("http://127.0.0.1:9").load()
    with pytest.raises(ModelError, match="does not serve 'autoglm-phone-9b'"):
        RemoteEngine(llama_cpp_server.v1, model="autoglm-phone-9b").load()


def test_against_this_apps_api_with_a_key(keyed_api) -> None:
    with pytest.raises(ModelError, match="refused the API key"):
        RemoteEngine(keyed_api.v1, api_key="wrong").load()
    engine = RemoteEngine(keyed_api.v1, api_key="s3cret")
    assert engine.load().model_id == keyed_api.model_id
    started = time.monotonic()
    completion = engine.generate(
        ask("Say hi.", max_tokens=4, thinking=True), lambda e: None, threading.Event()
    )
    assert completion.content and completion.finish_reason in ("stop", "length")
    assert completion.usage.prompt_tokens > 0, "usage from the stream's final chunk"
    assert completion.timings.total_s <= time.monotonic() - started
