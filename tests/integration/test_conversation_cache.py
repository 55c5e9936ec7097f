"""Every conversation keeps its KV cache: in memory beside the others, and on disk across restarts.

The real starter model in this process (``LlamaEngine``, as the worker runs it), so a
test can restart the engine, change its view of the llama.cpp build, or damage a saved
file between two loads. Answers are greedy, so a conversation whose cache was evicted,
restored or refused must answer byte for byte as a cold engine does.
"""

from __future__ import annotations

import os
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest

from autoglm.core.llama.engine import LlamaEngine
from autoglm.core.settings import ModelSettings
from autoglm.core.types import ChatMessage, Completion, GenerationRequest, SamplingParams

SETTINGS = ModelSettings(n_ctx=1024, n_threads=2, kv_cache_mb=0)
A = [
    ChatMessage("system", "You answer in one short sentence. " * 6),
    ChatMessage("user", "Name a colour of the sky."),
]
B = [
    ChatMessage("system", "You are a pirate and answer briefly. " * 6),
    ChatMessage("user", "Say hello."),
]
C = [
    ChatMessage("system", "You are a careful mathematician. " * 6),
    ChatMessage("user", "What is 2 + 3?"),
]


def ask(engine: LlamaEngine, messages: list[ChatMessage]) -> Completion:
    request = GenerationRequest(messages, SamplingParams(temperature=0.0, max_tokens=8))
    return engine.generate(request, lambda event: None, threading.Event())


def follow_up(messages: list[ChatMessage], reply: Completion, question: str) -> list[ChatMessage]:
    return [*messages, ChatMessage("assistant", reply.content), ChatMessage("user", question)]


def engine_for(model: Path, state_dir: Path | None, **settings: int) -> LlamaEngine:
    engine = LlamaEngine(model, SETTINGS.model_copy(update=settings), state_dir=state_dir)
    engine.load()
    return engine


@pytest.fixture(scope="module")
def cold(starter_gguf: Path) -> Iterator[LlamaEngine]:
    """An engine that forgets its cache before every answer: the reference."""
    engine = engine_for(starter_gguf, None)
    yield engine
    engine.unload()


def cold_answer(cold: LlamaEngine, messages: list[ChatMessage]) -> str:
    cold.clear_cache()
    return ask(cold, messages).content


def test_switching_back_continues_the_conversations_own_sequence(
    starter_gguf: Path, cold: LlamaEngine
) -> None:
    engine = engine_for(starter_gguf, None)
    try:
        first = ask(engine, A)
        ask(engine, B)
        again = follow_up(A, first, "And of grass?")
        second = ask(engine, again)
        assert second.usage.cached_prompt_tokens >= first.usage.prompt_tokens
        assert engine.slots is not None and len(engine.slots.slots) == 2
        assert second.content == cold_answer(cold, again)
    finally:
        engine.unload()


def test_eviction_under_a_small_budget_keeps_answers_identical_to_a_cold_run(
    starter_gguf: Path, cold: LlamaEngine, tmp_path: Path
) -> None:
    engine = engine_for(starter_gguf, tmp_path, kv_sequences=2)  # three conversations, room for two
    try:
        conversations = [A, B, C]
        replies = [ask(engine, messages) for messages in conversations]
        turns = [
            follow_up(m, r, "Say it again in other words.") for m, r in zip(conversations, replies)
        ]
        for messages in turns:
            assert ask(engine, messages).content == cold_answer(cold, messages)
        assert (
            engine.states is not None and engine.states.restored >= 1
        )  # an evicted one came back from disk
    finally:
        engine.unload()


def saved_conversation(starter_gguf: Path, state_dir: Path) -> list[ChatMessage]:
    """Run conversation A, quit (which saves it) and return its follow-up."""
    engine = engine_for(starter_gguf, state_dir)
    try:
        reply = ask(engine, A)
    finally:
        engine.unload()
    assert list(state_dir.glob("*.kvstate"))
    return follow_up(A, reply, "And of grass?")


def test_a_reopened_conversation_is_restored_instead_of_evaluated(
    starter_gguf: Path, cold: LlamaEngine, tmp_path: Path
) -> None:
    again = saved_conversation(starter_gguf, tmp_path)
    engine = engine_for(starter_gguf, tmp_path)
    try:
        reply = ask(engine, again)
        assert engine.last_restored
        assert reply.usage.cached_prompt_tokens > reply.usage.prompt_tokens // 2
        assert reply.content == cold_answer(cold, again)
    finally:
        engine.unload()


def refused(engine: LlamaEngine, messages: list[ChatMessage], cold: LlamaEngine) -> None:
    reply = ask(engine, messages)
    assert not engine.last_restored and reply.usage.cached_prompt_tokens == 0
    assert reply.content == cold_answer(cold, messages)


def test_a_state_from_another_model_file_is_not_loaded(
    starter_gguf: Path, cold: LlamaEngine, tmp_path: Path
) -> None:
    again = saved_conversation(starter_gguf, tmp_path / "states")
    other = tmp_path / "other-model.gguf"
    os.link(starter_gguf, other)  # another model file as far as the key can tell, without a copy
    engine = engine_for(other, tmp_path / "states")
    try:
        refused(engine, again, cold)
    finally:
        engine.unload()


def test_a_truncated_state_file_is_refused_and_removed(
    starter_gguf: Path, cold: LlamaEngine, tmp_path: Path
) -> None:
    again = saved_conversation(starter_gguf, tmp_path)
    (path,) = tmp_path.glob("*.kvstate")
    with open(path, "r+b") as file:
        file.truncate(path.stat().st_size - 1000)
    engine = engine_for(starter_gguf, tmp_path)
    try:
        refused(engine, again, cold)
        assert not path.exists()
        assert engine.states is not None and engine.states.refused == 1
    finally:
        engine.unload()


def test_a_state_from_a_changed_llama_cpp_build_is_refused(
    starter_gguf: Path, cold: LlamaEngine, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    again = saved_conversation(starter_gguf, tmp_path)
    import autoglm.core.llama.saved_states as saved_states

    monkeypatch.setattr(
        saved_states, "build_fingerprint", lambda: "llama-cpp-python 9.9.9; another build"
    )
    engine = engine_for(starter_gguf, tmp_path)
    try:
        refused(engine, again, cold)
        assert not list(tmp_path.glob("*.kvstate"))  # discarded: it can never load with this build
    finally:
        engine.unload()
