"""Engine results in OpenAI's reply shapes: whole completions, stream chunks, usage, model lists."""

from __future__ import annotations

import time
import uuid
from dataclasses import dataclass, field
from typing import Any

from autoglm.core.types import Completion, Delta, Usage

_FINISH_REASONS = {"stop": "stop", "length": "length", "cancelled": "stop", "error": "stop"}


def usage_body(usage: Usage) -> dict[str, Any]:
    """OpenAI's ``usage`` object, with cached prompt tokens in ``prompt_tokens_details``."""
    return {
        "prompt_tokens": usage.prompt_tokens,
        "completion_tokens": usage.completion_tokens,
        "total_tokens": usage.total_tokens,
        "prompt_tokens_details": {"cached_tokens": usage.cached_prompt_tokens},
    }


def model_card(model_id: str, created: int, loaded: bool) -> dict[str, Any]:
    """One entry of ``/v1/models``."""
    return {"id": model_id, "object": "model", "created": created, "owned_by": "autoglm", "loaded": loaded}


@dataclass
class ReplyShape:
    """Identity and options shared by every chunk of one reply."""

    model: str
    return_reasoning: bool
    id: str = field(default_factory=lambda: f"chatcmpl-{uuid.uuid4().hex}")
    created: int = field(default_factory=lambda: int(time.time()))

    def _envelope(self, obj: str, choices: list[dict[str, Any]]) -> dict[str, Any]:
        return {"id": self.id, "object": obj, "created": self.created, "model": self.model,
                "system_fingerprint": None, "choices": choices}

    def completion(self, completion: Completion) -> dict[str, Any]:
        """The non-streaming ``chat.completion`` body."""
        message: dict[str, Any] = {"role": "assistant", "content": self._text(completion.content, completion.raw)}
        if self.return_reasoning:
            message["reasoning_content"] = completion.reasoning or None
        body = self._envelope("chat.completion", [{
            "index": 0, "message": message, "logprobs": None,
            "finish_reason": _FINISH_REASONS.get(completion.finish_reason, "stop"),
        }])
        body["usage"] = usage_body(completion.usage)
        return body

    def first_chunk(self) -> dict[str, Any]:
        """The chunk that opens a stream: the assistant role, no text yet."""
        return self._chunk({"role": "assistant", "content": ""})

    def delta_chunk(self, delta: Delta) -> dict[str, Any] | None:
        """A chunk for one engine delta, or ``None`` when nothing in it is to be sent."""
        body: dict[str, Any] = {}
        text = self._text(delta.content, delta.raw)
        if text:
            body["content"] = text
        if delta.reasoning and self.return_reasoning:
            body["reasoning_content"] = delta.reasoning
        return self._chunk(body) if body else None

    def _text(self, content: str, raw: str | None) -> str:
        """The answer alone when the reasoning goes apart, else the model's own text with its tags.

        Clients that split ``<think>…</think><answer>…`` themselves (Open-AutoGLM's) read
        only ``content``, as from a vLLM server without a reasoning parser.
        """
        return content if self.return_reasoning or raw is None else raw

    def final_chunk(self, completion: Completion) -> dict[str, Any]:
        """The chunk carrying ``finish_reason``."""
        return self._chunk({}, _FINISH_REASONS.get(completion.finish_reason, "stop"))

    def usage_chunk(self, completion: Completion) -> dict[str, Any]:
        """The ``stream_options.include_usage`` chunk: no choices, only usage."""
        body = self._envelope("chat.completion.chunk", [])
        body["usage"] = usage_body(completion.usage)
        return body

    def _chunk(self, delta: dict[str, Any], finish_reason: str | None = None) -> dict[str, Any]:
        return self._envelope("chat.completion.chunk",
                              [{"index": 0, "delta": delta, "logprobs": None, "finish_reason": finish_reason}])
