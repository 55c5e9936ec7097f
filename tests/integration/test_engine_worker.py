"""The engine in its own process, on the real starter model: streaming, cancel, death and restart."""

from __future__ import annotations

import os
import signal
import statistics
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from autoglm.core.errors import ModelError
from autoglm.core.foreground import FOREGROUND, MAX_PAUSE_S
from autoglm.core.llama.client import WorkerEngine
from autoglm.core.llama.protocol import ENGINE_RESTARTED
from autoglm.core.scheduler import Scheduler
from autoglm.core.settings import ModelSettings
from autoglm.core.types import (
    ChatMessage,
    Delta,
    GenerationRequest,
    Notice,
    SamplingParams,
    ToolSpec,
)
from autoglm.tools.grammar import schema_grammar


def ask(text: str, max_tokens: int = 16) -> GenerationRequest:
    """A greedy request, thinking off."""
    return GenerationRequest(
        [ChatMessage("user", text)],
        SamplingParams(temperature=0.0, max_tokens=max_tokens),
        thinking=False,
    )


@pytest.fixture(scope="module")
def worker_engine(
    starter_gguf: Path, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[WorkerEngine]:
    """The starter model loaded in a worker process."""
    engine = WorkerEngine(
        starter_gguf,
        ModelSettings(n_ctx=4096, n_threads=2),
        model_id="qwen2.5-coder-0.5b",
        log_dir=tmp_path_factory.mktemp("engine-logs"),
    )
    engine.load()
    yield engine
    engine.unload()


def kill_after(engine: WorkerEngine, events: list[object], count: int) -> threading.Thread:
    """SIGKILL the worker once ``count`` events arrived (as the kernel's out-of-memory killer would)."""

    def kill() -> None:
        deadline = time.monotonic() + 120
        while len(events) < count and time.monotonic() < deadline:
            time.sleep(0.005)
        pid = engine.pid
        assert pid is not None
        os.kill(pid, signal.SIGKILL)

    thread = threading.Thread(target=kill, daemon=True)
    thread.start()
    return thread


def test_the_reply_streams_from_the_worker_with_the_model_s_counts(
    worker_engine: WorkerEngine,
) -> None:
    assert worker_engine.loaded and worker_engine.ping()
    assert worker_engine.info is not None and worker_engine.info.quantization == "Q4_K_M"
    assert worker_engine.pid != os.getpid()
    assert worker_engine.count_tokens([ChatMessage("user", "hello there")]) > 3
    events: list[object] = []
    completion = worker_engine.generate(
        ask("Count from 1 to 10.", 24), events.append, threading.Event()
    )
    deltas = [e for e in events if isinstance(e, Delta)]
    assert completion.finish_reason in ("stop", "length") and completion.usage.completion_tokens > 3
    assert "".join(d.content for d in deltas).strip() == completion.content
    assert len(worker_engine.added_latency_s) == len(events)


def test_a_cancel_stops_the_worker_within_a_token(worker_engine: WorkerEngine) -> None:
    cancel = threading.Event()
    events: list[object] = []
    after_cancel: list[object] = []

    def emit(event: object) -> None:
        (after_cancel if cancel.is_set() else events).append(event)
        if len(events) == 3:
            cancel.set()

    completion = worker_engine.generate(ask("Count from 1 to 300.", 300), emit, cancel)
    assert completion.finish_reason == "cancelled"
    assert len(after_cancel) <= 1, (
        "more than the token already being decoded arrived after the cancel"
    )


def test_a_cancel_aborts_a_long_prompt_midway(worker_engine: WorkerEngine) -> None:
    long_text = " ".join(f"word{i}" for i in range(300))
    cancel = threading.Event()
    timer = threading.Timer(0.3, cancel.set)
    started = time.monotonic()
    timer.start()
    completion = worker_engine.generate(ask(f"Summarise: {long_text}", 8), lambda _e: None, cancel)
    elapsed = time.monotonic() - started
    timer.cancel()
    assert completion.finish_reason == "cancelled"
    uncut = time.monotonic()
    worker_engine.generate(ask(f"Summarise: {long_text}", 1), lambda _e: None, threading.Event())
    full = time.monotonic() - uncut
    assert elapsed < 0.3 + max(0.5, full / 3), (
        f"cancelled after {elapsed:.2f} s, a full prompt takes {full:.2f} s"
    )


def test_a_killed_worker_is_reported_in_words_restarted_and_the_next_request_answered(
    worker_engine: WorkerEngine,
) -> None:
    scheduler = Scheduler(worker_engine).start()
    try:
        restarts = worker_engine.restarts
        stream = scheduler.submit(ask("Count from 1 to 300, separated by commas.", 400))
        events: list[object] = []
        stream.add_listener(events.append)
        kill_after(worker_engine, events, 6)
        completion = stream.result(180)
        assert completion.finish_reason == "error"
        assert completion.error is not None and "engine stopped" in completion.error
        assert "killed" in completion.error and "restarted" in completion.error
        shown = "".join(e.content for e in events if isinstance(e, Delta)).rstrip()
        assert completion.content and completion.content == shown, "the partial reply is kept"
        assert any(isinstance(e, Notice) and e.kind == ENGINE_RESTARTED for e in events)
        following = scheduler.submit(ask("Say hello.", 8)).result(180)
        assert following.finish_reason in ("stop", "length") and following.content
        assert worker_engine.restarts == restarts + 1 and worker_engine.ping()
    finally:
        scheduler.shutdown()


def test_a_file_that_makes_llama_cpp_abort_costs_the_worker_not_the_app(
    aborting_gguf: Path, tmp_path: Path
) -> None:
    engine = WorkerEngine(aborting_gguf, ModelSettings(n_ctx=512, n_threads=2), log_dir=tmp_path)
    with pytest.raises(ModelError) as raised:
        engine.load()
    words = str(raised.value)
    assert "llama.cpp aborted" in words and "GGML_ASSERT" in words and "n_expert" in words
    assert not engine.loaded
    engine.unload()


def test_the_trip_between_processes_adds_little_per_token(worker_engine: WorkerEngine) -> None:
    worker_engine.generate(
        ask("Write a long story about a robot.", 64), lambda _e: None, threading.Event()
    )
    trips = worker_engine.added_latency_s
    assert len(trips) > 20
    # the median is the transport; a loaded 2-core test machine can delay single events
    assert statistics.median(trips) < 0.02


def test_a_follow_up_turn_reuses_the_worker_s_kv_cache(worker_engine: WorkerEngine) -> None:
    history = [ChatMessage("system", "You are terse."), ChatMessage("user", "Name a colour.")]
    sampling = SamplingParams(temperature=0.0, max_tokens=8)
    first = worker_engine.generate(
        GenerationRequest(list(history), sampling, thinking=False),
        lambda _e: None,
        threading.Event(),
    )
    before = worker_engine.stats()
    history += [ChatMessage("assistant", first.content), ChatMessage("user", "Another one.")]
    second = worker_engine.generate(
        GenerationRequest(history, sampling, thinking=False), lambda _e: None, threading.Event()
    )
    after = worker_engine.stats()
    assert second.usage.cached_prompt_tokens > 10
    assert second.usage.prompt_tokens - second.usage.cached_prompt_tokens < 30, (
        "only the new turn is evaluated"
    )
    assert after.prompts == before.prompts + 1
    assert (
        after.cached_prompt_tokens - before.cached_prompt_tokens
        == second.usage.cached_prompt_tokens
    )


def test_grammar_logprobs_tools_and_a_raw_prompt_pass_through_the_worker(
    worker_engine: WorkerEngine,
) -> None:
    schema = {
        "type": "object",
        "properties": {"answer": {"type": "string", "enum": ["yes", "no"]}},
        "required": ["answer"],
    }
    request = GenerationRequest(
        [ChatMessage("user", "Is the sky blue? Answer in JSON.")],
        SamplingParams(
            temperature=0.0, max_tokens=24, grammar=schema_grammar(schema), top_logprobs=2
        ),
        thinking=False,
    )
    events: list[object] = []
    completion = worker_engine.generate(request, events.append, threading.Event())
    assert completion.content.replace(" ", "") in ('{"answer":"yes"}', '{"answer":"no"}')
    assert completion.logprobs and all(len(item.top) == 2 for item in completion.logprobs)
    assert sum(len(e.logprobs) for e in events if isinstance(e, Delta)) == len(completion.logprobs)
    weather = ToolSpec(
        "get_weather",
        "The weather in a city",
        {"type": "object", "properties": {"city": {"type": "string"}}},
    )
    messages = [ChatMessage("user", "What is the weather in Paris?")]
    rendered = worker_engine.render(messages, thinking=False, tools=[weather])
    assert "get_weather" in rendered.text
    assert worker_engine.count_tokens(messages, False, [weather]) > worker_engine.count_tokens(
        messages, False
    )
    continued = worker_engine.generate(
        GenerationRequest(
            messages,
            SamplingParams(temperature=0.0, max_tokens=4),
            prompt=worker_engine.render(messages, False).text + "The weather in Paris is",
        ),
        lambda _e: None,
        threading.Event(),
    )
    assert continued.usage.completion_tokens >= 1


def test_foreground_work_in_the_app_pauses_the_worker_between_tokens(
    worker_engine: WorkerEngine,
) -> None:
    tokens = 6
    with FOREGROUND.running():
        started = time.monotonic()
        completion = worker_engine.generate(
            ask("Count from 1 to 50.", tokens), lambda _e: None, threading.Event()
        )
        paused = time.monotonic() - started
    assert completion.usage.completion_tokens == tokens
    assert paused >= (tokens - 1) * MAX_PAUSE_S * 0.9, (
        "the worker did not wait for the app's foreground work"
    )
