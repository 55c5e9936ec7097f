"""Concurrent requests decoded together in the worker: the real starter model, the real worker process.

Each test compares replies decoded together with the same greedy requests decoded
alone, so a reply that borrowed another's logits row, sequence or sampler would show.
They compare token by token and forgive only a near-tie: llama.cpp's sums depend a little
on where a sequence's cells lie in the shared KV cache and on how its prompt was split
into batches, so a greedy reply may take the other of two tokens whose log-probabilities
differ by a few hundredths (one CI run gave "Orange" for "Purple" as the fifth colour).
A reply that read another's cells or a stale sequence leaves the reference where its
choice was clear.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from autoglm.bench.text import Arrivals
from autoglm.core.llama.client import WorkerEngine
from autoglm.core.scheduler import ReplyStream, Scheduler
from autoglm.core.settings import ModelSettings
from autoglm.core.types import (
    ChatMessage,
    Completion,
    Delta,
    GenerationRequest,
    Priority,
    SamplingParams,
    StreamEvent,
)

PROMPTS = [
    "Count from 1 to 40, separated by commas.",
    "Name five colours, one per line.",
    "Write the word hello three times.",
    "List the days of the week.",
]
NEAR_TIE = 0.1
"""Log-probability gap (nats) under which the two likeliest tokens may swap between runs."""


def ask(text: str, max_tokens: int = 20, priority: Priority = Priority.API) -> GenerationRequest:
    """A greedy request (no repeat penalty, so the likeliest token is the one drawn), thinking off."""
    return GenerationRequest(
        [ChatMessage("user", text)],
        SamplingParams(temperature=0.0, max_tokens=max_tokens, repeat_penalty=1.0, top_logprobs=2),
        thinking=False,
        priority=priority,
    )


def start(settings: ModelSettings, gguf: Path, logs: Path) -> tuple[WorkerEngine, Scheduler]:
    """The model in a worker process taking 4 replies at once, behind the app's scheduler."""
    engine = WorkerEngine(gguf, settings, model_id="qwen2.5-coder-0.5b", log_dir=logs)
    engine.load()
    return engine, Scheduler(engine).start()


@pytest.fixture(scope="module")
def batched(
    starter_gguf: Path, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[tuple[WorkerEngine, Scheduler]]:
    """The starter model, 4 replies decoded together."""
    engine, scheduler = start(
        ModelSettings(n_ctx=2048, n_threads=2, parallel_replies=4),
        starter_gguf,
        tmp_path_factory.mktemp("engine-logs"),
    )
    yield engine, scheduler
    scheduler.shutdown(30)
    engine.unload()


@pytest.fixture(scope="module")
def alone(batched: tuple[WorkerEngine, Scheduler]) -> list[Completion]:
    """Each prompt's reply decoded alone."""
    _engine, scheduler = batched
    return [scheduler.submit(ask(prompt)).result(300) for prompt in PROMPTS]


def assert_same_reply(reference: Completion, reply: Completion) -> None:
    """``reply`` is ``reference`` token for token, or leaves it first at a near-tie of the reference's."""
    ours = [t.token for t in reply.logprobs]
    theirs = [t.token for t in reference.logprobs]
    if ours == theirs:
        assert reply.content == reference.content
        return
    at = next(
        (i for i, (a, b) in enumerate(zip(ours, theirs)) if a != b), min(len(ours), len(theirs))
    )
    assert at < min(len(ours), len(theirs)), (
        f"one reply stopped where the other went on: {reply.content!r} against {reference.content!r}"
    )
    expected = reference.logprobs[at]
    taken = next((t for t in expected.top if t.token == ours[at]), None)
    gap = expected.logprob - taken.logprob if taken is not None else float("inf")
    assert gap < NEAR_TIE, (
        f"token {at} is {ours[at]!r}, where the reference chose {theirs[at]!r} by {gap:.3f} nats: "
        f"{reply.content!r} against {reference.content!r}"
    )


def assert_same_replies(references: list[Completion], replies: list[Completion]) -> None:
    """Each reply is its reference's (see ``assert_same_reply``)."""
    assert len(references) == len(replies)
    for reference, reply in zip(references, replies):
        assert_same_reply(reference, reply)


def submit_all(scheduler: Scheduler, requests: list[GenerationRequest]) -> list[ReplyStream]:
    """Submit at once (the scheduler starts each on its own thread)."""
    return [scheduler.submit(request) for request in requests]


@pytest.mark.timeout(600)
def test_four_concurrent_greedy_replies_match_each_decoded_alone(
    batched: tuple[WorkerEngine, Scheduler], alone: list[Completion]
) -> None:
    engine, scheduler = batched
    before = engine.stats().shared_steps
    arrivals = [Arrivals() for _ in PROMPTS]
    streams = submit_all(scheduler, [ask(prompt) for prompt in PROMPTS])
    for stream, recorder in zip(streams, arrivals):
        stream.add_listener(recorder)
    replies = [stream.result(300) for stream in streams]
    assert_same_replies(alone, replies)
    assert all(r.finish_reason in ("stop", "length") for r in replies)
    shared = engine.stats().shared_steps - before
    assert shared >= 10, f"only {shared} decode steps held more than one reply"
    # The last stream to begin found at least two others still writing. (A short reply may end
    # before the last prompt is read: prompts are read one step at a time between shared steps.)
    last_first = max(a.times[0] for a in arrivals)
    still_writing = sum(a.times[-1] > last_first for a in arrivals)
    assert still_writing >= 3, (
        f"only {still_writing - 1} stream(s) still wrote when the last began: decoded one after another"
    )


@pytest.mark.timeout(600)
def test_cancelling_one_of_four_leaves_the_others_correct(
    batched: tuple[WorkerEngine, Scheduler], alone: list[Completion]
) -> None:
    _engine, scheduler = batched
    requests = [ask(prompt) for prompt in PROMPTS]
    requests[1] = ask("Count from 1 to 300, separated by commas.", 200)
    streams = submit_all(scheduler, requests)
    seen = threading.Event()
    count = [0]

    def cancel_after_three(event: StreamEvent) -> None:
        if isinstance(event, Delta) and event.content:
            count[0] += 1
            if count[0] == 3:
                streams[1].cancel()
                seen.set()

    streams[1].add_listener(cancel_after_three)
    replies = [stream.result(300) for stream in streams]
    assert seen.is_set()
    assert replies[1].finish_reason == "cancelled"
    assert replies[1].usage.completion_tokens < 20
    assert_same_replies([alone[i] for i in (0, 2, 3)], [replies[i] for i in (0, 2, 3)])
    again = scheduler.submit(ask(PROMPTS[1])).result(300)
    assert_same_reply(alone[1], again)  # the cancelled reply's sequence was left consistent


@pytest.mark.timeout(600)
def test_a_voice_request_joining_four_streams_stops_their_step_and_answers_first(
    batched: tuple[WorkerEngine, Scheduler], alone: list[Completion]
) -> None:
    engine, scheduler = batched
    voice = ask("Say hello in five words.", 4, Priority.VOICE)
    scheduler.submit(voice).result(300)  # its prompt cached, as the other streams' are
    long = [ask(f"{prompt} Then count to 200.", 400) for prompt in PROMPTS]
    arrivals = [Arrivals() for _ in long]
    streams = submit_all(scheduler, long)
    for stream, recorder in zip(streams, arrivals):
        stream.add_listener(recorder)
    try:
        deadline = time.monotonic() + 240
        while any(len(a.times) < 4 for a in arrivals) and time.monotonic() < deadline:
            time.sleep(0.005)
        assert all(len(a.times) >= 4 for a in arrivals), "the four streams never all decoded"
        preempted_before = engine.stats().preempted_steps
        first = Arrivals()
        submitted = time.perf_counter()  # the clock Arrivals records with
        joining = scheduler.submit(voice)
        joining.add_listener(first)
        reply = joining.result(120)
        # The voice request raised the shared flag, so an API step was stopped for it (or,
        # when the worker read the request between two steps, the next API-only one).
        deadline = time.monotonic() + 10
        while engine.stats().preempted_steps == preempted_before and time.monotonic() < deadline:
            time.sleep(0.05)
        preempted = engine.stats().preempted_steps - preempted_before
    finally:
        for stream in streams:
            stream.cancel()
        for stream in streams:
            stream.result(120)
    assert reply.content and first.times
    answered = first.times[0]
    tokens_meanwhile = [
        sum(submitted < t < answered for t in recorder.times) for recorder in arrivals
    ]
    assert max(tokens_meanwhile) <= 1, (
        f"the API streams decoded {tokens_meanwhile} tokens before the voice turn's first"
    )
    assert preempted >= 1, "the voice request stopped no API step"


@pytest.mark.timeout(900)
def test_eviction_under_a_small_cache_budget_keeps_concurrent_replies_correct(
    starter_gguf: Path, tmp_path: Path, alone: list[Completion]
) -> None:
    engine, scheduler = start(
        ModelSettings(n_ctx=1024, n_threads=2, parallel_replies=4, kv_cache_mb=1, kv_sequences=6),
        starter_gguf,
        tmp_path,
    )
    try:
        filler = "The quick brown fox jumps over the lazy dog. " * 25
        fillers = [ask(f"{index}: {filler} Summarise.", 4) for index in range(3)]
        for request in fillers:  # idle conversations filling most of the 1024 cells
            held = scheduler.submit(request).result(300).cache
        assert held is not None and held.sequences == 3, "the fillers did not all fit"
        streams = submit_all(scheduler, [ask(prompt) for prompt in PROMPTS])
        replies = [stream.result(300) for stream in streams]
        first_again = scheduler.submit(fillers[0]).result(300)
    finally:
        scheduler.shutdown(30)
        engine.unload()
    assert_same_replies(alone, replies)
    assert first_again.usage.cached_prompt_tokens < 100, (
        "the oldest idle conversation was not evicted to make room"
    )
