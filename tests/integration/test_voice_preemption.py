"""A voice turn stops the API step under way: the real starter model, in this process.

The app raises two bytes of shared memory as it sends a voice request; the engine lets
llama.cpp's abort callback read them during every decode step that holds API replies
only. Here the engine is driven step by step and the flag is raised by hand, so each
test knows exactly which step it stopped: the step must leave no token behind, and the
replies, decoded on, must be byte-identical to the same greedy requests never stopped.
"""

from __future__ import annotations

import ctypes
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest

from autoglm.core.llama.engine import LlamaEngine
from autoglm.core.settings import ModelSettings
from autoglm.core.types import ChatMessage, Delta, GenerationRequest, Priority, SamplingParams

PROMPTS = ["Count from 1 to 30, separated by commas.", "List the days of the week."]


def ask(text: str, priority: Priority = Priority.API) -> GenerationRequest:
    return GenerationRequest(
        [ChatMessage("user", text)],
        SamplingParams(temperature=0.0, max_tokens=24),
        thinking=False,
        priority=priority,
    )


@pytest.fixture(scope="module")
def preempt() -> ctypes.Array[ctypes.c_char]:
    """The two bytes the app would share with the worker."""
    return ctypes.create_string_buffer(2)


@pytest.fixture(scope="module")
def engine(starter_gguf: Path, preempt: ctypes.Array[ctypes.c_char]) -> Iterator[LlamaEngine]:
    loaded = LlamaEngine(
        starter_gguf, ModelSettings(n_ctx=1024, n_threads=2), preempt_buffer=preempt
    )
    loaded.load()
    yield loaded
    loaded.unload()


class Deltas:
    """Text deltas as they are emitted, counted."""

    def __init__(self) -> None:
        self.texts: list[str] = []

    def __call__(self, event: object) -> None:
        if isinstance(event, Delta):
            self.texts.append(event.content)


def started(engine: LlamaEngine, requests: list[GenerationRequest]) -> list[tuple[object, Deltas]]:
    """Submit ``requests`` and step until every one is decoding (its first token out)."""
    replies = []
    for request in requests:
        deltas = Deltas()
        replies.append((engine.submit(request, deltas, threading.Event()), deltas))
    while any(not deltas.texts for _reply, deltas in replies):
        engine.step()
    return replies


def finish(engine: LlamaEngine) -> None:
    while engine.busy:
        engine.step()


def test_a_raised_flag_drops_the_api_step_and_the_replies_stay_identical(
    engine: LlamaEngine, preempt: ctypes.Array[ctypes.c_char]
) -> None:
    alone = [engine.generate(ask(p), lambda _e: None, threading.Event()).content for p in PROMPTS]
    replies = started(engine, [ask(p) for p in PROMPTS])
    counts = [len(deltas.texts) for _reply, deltas in replies]
    before = engine.preempted_steps
    preempt[0] = b"\x01"
    engine.step()
    assert engine.preempted_steps == before + 1, "the step ran to its end with the flag raised"
    assert [len(deltas.texts) for _reply, deltas in replies] == counts, "a dropped step gave tokens"
    assert preempt[0] == b"\x00", "the flag was left raised: every next step would stop too"
    finish(engine)
    assert [reply.result().content for reply, _deltas in replies] == alone  # type: ignore[attr-defined]


def test_a_step_holding_a_voice_reply_is_never_stopped(
    engine: LlamaEngine, preempt: ctypes.Array[ctypes.c_char]
) -> None:
    alone = engine.generate(
        ask(PROMPTS[0], Priority.VOICE), lambda _e: None, threading.Event()
    ).content
    replies = started(engine, [ask(PROMPTS[0], Priority.VOICE), ask(PROMPTS[1])])
    before = engine.preempted_steps
    preempt[0] = b"\x01"
    try:
        for _ in range(3):
            engine.step()
        assert engine.preempted_steps == before, "a step with the voice reply in it was dropped"
    finally:
        engine.clear_preemption()
    assert preempt[0] == b"\x00"
    finish(engine)
    voice, _deltas = replies[0]
    assert voice.result().content == alone  # type: ignore[attr-defined]
