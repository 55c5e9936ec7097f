"""Where the agent's replies come from: the app's own engine, or a recorded list (replay)."""

from __future__ import annotations

import json
import logging
import threading
from collections.abc import Sequence
from pathlib import Path
from typing import Any, Protocol

from autoglm.core.errors import InputError, UserFacingError
from autoglm.core.types import ChatMessage

_LOGGER = logging.getLogger(__name__)

# The GLM end strings and </answer>: llama.cpp does not stop there by itself.
AGENT_STOP = ["</answer>", "<|user|>", "<|observation|>", "<|endoftext|>"]


class AgentModel(Protocol):
    """Answers the agent's conversation with one reply in the action protocol."""

    def reply(self, messages: list[ChatMessage], stop: threading.Event) -> str:
        """The model's raw reply (``<think>…</think><answer>…``); may give up early once ``stop`` is set."""


class ReplayModel:
    """Replies from a recorded list, one per step, to run the real parser and executor."""

    def __init__(self, replies: Sequence[str]) -> None:
        self.replies = list(replies)
        self.asked = 0

    def reply(self, messages: list[ChatMessage], stop: threading.Event) -> str:
        """The next recorded reply; after the last, a finish saying the recording ended."""
        self.asked += 1
        if self.asked > len(self.replies):
            return 'finish(message="The recorded replies ran out.")'
        return self.replies[self.asked - 1]


def load_replies(path: Path) -> list[str]:
    """A replay file: a JSON list of replies, or an object with ``replies`` (or a saved run's ``steps``)."""
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except OSError as exc:
        raise InputError(f"The replay file {path} cannot be read: {exc.strerror or exc}.") from exc
    except (json.JSONDecodeError, UnicodeDecodeError) as exc:
        raise InputError(f"The replay file {path} is not JSON: {exc}.") from exc
    if isinstance(data, dict):
        data = data.get(
            "replies",
            [step.get("reply") for step in data.get("steps", []) if isinstance(step, dict)],
        )
    if not isinstance(data, list) or not data or not all(isinstance(item, str) for item in data):
        raise InputError(
            f"The replay file {path} must hold a non-empty list of model replies (strings)."
        )
    return data


class RuntimeModel:
    """The app's loaded model through its scheduler, greedy as Open-AutoGLM asks for it."""

    def __init__(
        self,
        runtime: Any,
        *,
        grammar: str | None = None,
        max_tokens: int = 3000,
        system_prompt: str | None = None,
    ) -> None:
        self.runtime = runtime
        self.grammar = grammar
        self.max_tokens = max_tokens
        self.system_prompt = system_prompt
        self.last_completion: Any = None
        """The last reply's ``Completion`` (its usage and timings, for progress and benchmarks)."""

    def reply(self, messages: list[ChatMessage], stop: threading.Event) -> str:
        """One reply; the stream is cancelled as soon as ``stop`` is set."""
        request = self.runtime.build_request(
            messages,
            thinking=True,
            system_prompt=self.system_prompt,
            temperature=0.0,
            top_p=0.85,
            max_tokens=self.max_tokens,
            stop=list(AGENT_STOP),
            grammar=self.grammar,
        )
        stream = self.runtime.scheduler.submit(request)
        watcher = threading.Thread(
            target=_cancel_on_stop, args=(stream, stop), daemon=True, name="agent-stop-watch"
        )
        watcher.start()
        for _event in stream:
            pass
        completion = self.last_completion = stream.result()
        if completion.error and not stop.is_set():
            raise UserFacingError(completion.error)
        if completion.raw is not None:
            return completion.raw
        if completion.reasoning:
            return f"<think>{completion.reasoning}</think><answer>{completion.content}"
        return completion.content


def _cancel_on_stop(stream: Any, stop: threading.Event) -> None:
    while not stream.done:
        if stop.wait(0.05):
            stream.cancel()
            return
