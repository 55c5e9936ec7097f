"""The real engine on the real starter model: answers, KV reuse, cancel, overflow, priorities."""

from __future__ import annotations

import statistics
import threading
import time

import pytest

from autoglm.core.types import (
    ChatMessage,
    Delta,
    GenerationRequest,
    Notice,
    Priority,
    SamplingParams,
)


def ask(messages: list[ChatMessage], max_tokens: int = 24, **kwargs) -> GenerationRequest:
    return GenerationRequest(
        messages, SamplingParams(temperature=0.0, max_tokens=max_tokens), **kwargs
    )


def test_answers_and_streams(scheduler) -> None:
    stream = scheduler.submit(
        ask([ChatMessage("user", "What is the capital of France? One sentence.")])
    )
    deltas = [event for event in stream if isinstance(event, Delta)]
    completion = stream.result(60)
    assert "Paris" in completion.content
    assert len(deltas) > 1
    assert "".join(d.content for d in deltas).strip() == completion.content
    assert completion.usage.completion_tokens > 0
    assert completion.timings.decode_tok_s > 0


def test_follow_up_evaluates_only_its_new_tokens(llama_engine) -> None:
    history = [
        ChatMessage("system", "You are terse."),
        ChatMessage("user", "Name a colour of the sky on a clear day."),
    ]
    first = llama_engine.generate(ask(history), lambda e: None, threading.Event())
    history += [ChatMessage("assistant", first.content), ChatMessage("user", "And of grass?")]
    second = llama_engine.generate(ask(history), lambda e: None, threading.Event())
    new_tokens = second.usage.prompt_tokens - second.usage.cached_prompt_tokens
    assert second.usage.cached_prompt_tokens >= first.usage.prompt_tokens
    assert new_tokens < 25, f"{new_tokens} tokens re-evaluated"


def test_cancel_stops_within_a_token_and_the_next_request_works(scheduler) -> None:
    stream = scheduler.submit(
        ask([ChatMessage("user", "Count from 1 to 300 separated by commas.")], max_tokens=400)
    )
    produced: list[float] = []
    stream.add_listener(lambda event: produced.append(time.monotonic()))
    while len(produced) < 5 and not stream.done:
        time.sleep(0.005)
    cancelled_at = time.monotonic()
    stream.cancel()
    completion = stream.result(10)
    assert completion.finish_reason == "cancelled"
    assert sum(1 for t in produced if t > cancelled_at) <= 1
    assert completion.usage.completion_tokens < 400
    follow = scheduler.submit(ask([ChatMessage("user", "What is 2 + 2? Answer with the number.")]))
    assert "4" in follow.result(60).content


def test_cancel_during_a_long_prompt_aborts_the_evaluation(llama_engine) -> None:
    long_text = " ".join(f"item{i}" for i in range(700))
    cancel = threading.Event()
    threading.Timer(0.2, cancel.set).start()
    started = time.monotonic()
    completion = llama_engine.generate(
        ask([ChatMessage("user", long_text)]), lambda e: None, cancel
    )
    assert completion.finish_reason == "cancelled"
    assert completion.usage.completion_tokens == 0
    # the aborted prompt left the cache usable: a short request still answers
    after = llama_engine.generate(
        ask([ChatMessage("user", "Say OK.")], max_tokens=4), lambda e: None, threading.Event()
    )
    assert after.usage.completion_tokens > 0
    assert time.monotonic() - started < 60


@pytest.mark.timeout(900)  # evaluates twelve long turns: minutes on two busy cores
def test_context_overflow_drops_oldest_turns_and_says_so(llama_engine) -> None:
    filler = "word " * 400
    history = [ChatMessage("system", "You are terse.")]
    for i in range(12):
        history += [ChatMessage("user", f"Note {i}: {filler}"), ChatMessage("assistant", "Noted.")]
    history.append(ChatMessage("user", "Reply with the single word: done"))
    events: list = []
    completion = llama_engine.generate(ask(history, max_tokens=8), events.append, threading.Event())
    notices = [e for e in events if isinstance(e, Notice)]
    assert notices and notices[0].kind == "context_trimmed" and notices[0].dropped_messages > 0
    assert completion.notices == notices
    assert completion.finish_reason in ("stop", "length")
    assert completion.usage.prompt_tokens < llama_engine.info.n_ctx


def test_a_single_message_too_long_for_the_context_is_an_error_in_words(scheduler) -> None:
    huge = "token " * 6000
    completion = scheduler.submit(ask([ChatMessage("user", huge)])).result(120)
    assert completion.finish_reason == "error"
    assert "too long for the model's context" in (completion.error or "")


def test_voice_request_overtakes_queued_api_work(scheduler) -> None:
    places = (
        scheduler.engine.parallel_replies
    )  # replies decoded together: all taken, API work queues
    blockers = [
        scheduler.submit(ask([ChatMessage("user", "Count to 50.")], max_tokens=40))
        for _ in range(places)
    ]
    deadline = time.monotonic() + 60
    while scheduler.running < places and time.monotonic() < deadline:
        time.sleep(0.01)
    api = scheduler.submit(
        ask([ChatMessage("user", "Say A.")], max_tokens=2, priority=Priority.API)
    )
    voice = scheduler.submit(
        ask([ChatMessage("user", "Say B.")], max_tokens=2, priority=Priority.VOICE)
    )
    voice.result(120)
    assert not all(b.done for b in blockers), (
        "the voice turn waited for the API work to end instead of joining it"
    )
    for stream in (*blockers, api):
        stream.result(120)
    assert voice.started_at is not None and api.started_at is not None
    assert voice.started_at < api.started_at


def test_decoding_pauses_while_foreground_work_runs(scheduler) -> None:
    from autoglm.core.foreground import FOREGROUND

    arrivals: list[float] = []
    pauses = scheduler.engine.stats().foreground_pauses  # counted where the engine runs: its worker
    stream = scheduler.submit(
        ask([ChatMessage("user", "Count from 1 to 300 separated by commas.")], max_tokens=300)
    )
    stream.add_listener(
        lambda event: arrivals.append(time.monotonic()) if isinstance(event, Delta) else None
    )
    deadline = time.monotonic() + 60
    while len(arrivals) < 5 and time.monotonic() < deadline:
        time.sleep(0.01)
    # One token's time, as this machine decodes now: the token already being decoded when
    # the foreground work starts may still arrive, within about that; none after it.
    seen = list(arrivals)
    step = statistics.median(later - earlier for earlier, later in zip(seen, seen[1:]))
    in_flight = min(max(0.1, 2 * step + 0.05), 0.25)
    with FOREGROUND.running():
        held_from = time.monotonic()
        time.sleep(0.45)  # under MAX_PAUSE_S: the model never waits longer than that per token
        held_to = time.monotonic()
    stream.result(120)
    assert scheduler.engine.stats().foreground_pauses > pauses
    late = [round(t - held_from, 3) for t in arrivals if held_from + in_flight < t < held_to]
    assert not late, f"tokens {late} s into the pause; one token takes {step:.3f} s"
    assert len([t for t in arrivals if t > held_to]) > 5, "decoding goes on afterwards"
