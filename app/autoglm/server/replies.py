"""Engine results in OpenAI's reply shapes: whole completions, stream chunks, usage, model lists."""

from __future__ import annotations

import time
import uuid
from dataclasses import dataclass, field
from typing import Any

from autoglm.core.conversation import Citation, cited_sources
from autoglm.core.types import Completion, Delta, TokenLogprob, ToolCall, ToolSpec, Usage
from autoglm.tools.calls import Dialect, ToolCallStream, parse_tool_calls

_FINISH_REASONS = {"stop": "stop", "length": "length", "cancelled": "stop", "error": "stop"}


def logprob_body(logprob: TokenLogprob) -> dict[str, Any]:
    """One token of OpenAI's ``logprobs.content``."""
    return {
        "token": logprob.token,
        "logprob": logprob.logprob,
        "bytes": list(logprob.bytes),
        "top_logprobs": [
            {"token": t.token, "logprob": t.logprob, "bytes": list(t.bytes)} for t in logprob.top
        ],
    }


def tool_call_body(call: ToolCall, index: int | None = None) -> dict[str, Any]:
    """A call in OpenAI's ``tool_calls`` shape (with ``index`` in stream chunks)."""
    body: dict[str, Any] = {
        "id": call.id,
        "type": "function",
        "function": {"name": call.name, "arguments": call.arguments},
    }
    if index is not None:
        body = {"index": index, **body}
    return body


def usage_body(usage: Usage) -> dict[str, Any]:
    """OpenAI's ``usage`` object, with cached prompt tokens in ``prompt_tokens_details``."""
    return {
        "prompt_tokens": usage.prompt_tokens,
        "completion_tokens": usage.completion_tokens,
        "total_tokens": usage.total_tokens,
        "prompt_tokens_details": {"cached_tokens": usage.cached_prompt_tokens},
    }


def citation_body(citation: Citation) -> dict[str, Any]:
    """One source of an answer: the file, where in it, its path and page, the passage and its score."""
    return {
        "source": citation.source,
        "location": citation.location,
        "path": citation.path,
        "page": citation.page,
        "text": citation.text,
        "score": round(citation.score, 6),
    }


def model_card(model_id: str, created: int, loaded: bool) -> dict[str, Any]:
    """One entry of ``/v1/models``."""
    return {
        "id": model_id,
        "object": "model",
        "created": created,
        "owned_by": "autoglm",
        "loaded": loaded,
    }


@dataclass
class ReplyShape:
    """Identity and options shared by every chunk of one reply."""

    model: str
    return_reasoning: bool
    id: str = field(default_factory=lambda: f"chatcmpl-{uuid.uuid4().hex}")
    created: int = field(default_factory=lambda: int(time.time()))
    tools: list[ToolSpec] = field(default_factory=list)
    dialect: Dialect = Dialect.HERMES
    logprobs: bool = False
    parallel_tool_calls: bool = True
    citations: list[Citation] = field(default_factory=list)
    """The project's passages the request carried (the reply's sources are picked from them)."""
    document_tokens: int = 0
    _stream: ToolCallStream | None = None
    _streamed_calls: int = 0

    def __post_init__(self) -> None:
        """Parse tool calls out of the stream when the request offered tools."""
        self._stream = ToolCallStream(self.dialect, self.tools) if self.tools else None

    def _calls_allowed(self, calls: list[ToolCall]) -> list[ToolCall]:
        return calls if self.parallel_tool_calls else calls[:1]

    def _logprobs(
        self, logprobs: list[TokenLogprob] | tuple[TokenLogprob, ...]
    ) -> dict[str, Any] | None:
        if not self.logprobs:
            return None
        return {"content": [logprob_body(lp) for lp in logprobs], "refusal": None}

    def _finish(self, completion: Completion, has_calls: bool) -> str:
        if has_calls and completion.finish_reason in ("stop", "length"):
            return "tool_calls"
        return _FINISH_REASONS.get(completion.finish_reason, "stop")

    def _envelope(self, obj: str, choices: list[dict[str, Any]]) -> dict[str, Any]:
        return {
            "id": self.id,
            "object": obj,
            "created": self.created,
            "model": self.model,
            "system_fingerprint": None,
            "choices": choices,
        }

    def completion(self, completion: Completion) -> dict[str, Any]:
        """The non-streaming ``chat.completion`` body."""
        text = self._text(completion.content, completion.raw)
        content: str | None = text
        calls: list[ToolCall] = []
        if self.tools:
            parsed = parse_tool_calls(text, self.dialect, self.tools)
            calls = self._calls_allowed(parsed.calls)
            content = parsed.content if calls else text
        message: dict[str, Any] = {
            "role": "assistant",
            "content": content or (None if calls else ""),
        }
        if calls:
            message["tool_calls"] = [tool_call_body(call) for call in calls]
        if self.return_reasoning:
            message["reasoning_content"] = completion.reasoning or None
        body = self._envelope(
            "chat.completion",
            [
                {
                    "index": 0,
                    "message": message,
                    "logprobs": self._logprobs(completion.logprobs),
                    "finish_reason": self._finish(completion, bool(calls)),
                }
            ],
        )
        body["usage"] = usage_body(completion.usage)
        self._add_citations(body, completion)
        return body

    def _add_citations(self, body: dict[str, Any], completion: Completion) -> None:
        """``citations`` (and the passages' prompt cost in ``usage``) when the request asked a project."""
        if not self.citations:
            return
        body["citations"] = [
            citation_body(c) for c in cited_sources(self.citations, completion.content)
        ]
        body.setdefault("usage", {})["document_tokens"] = self.document_tokens

    def first_chunk(self) -> dict[str, Any]:
        """The chunk that opens a stream: the assistant role, no text yet."""
        return self._chunk({"role": "assistant", "content": ""})

    def _piece_chunks(
        self,
        content: str,
        calls: list[ToolCall],
        reasoning: str,
        logprobs: tuple[TokenLogprob, ...],
    ) -> list[dict[str, Any]]:
        body: dict[str, Any] = {}
        if content:
            body["content"] = content
        if reasoning and self.return_reasoning:
            body["reasoning_content"] = reasoning
        chunks = (
            [self._chunk(body, logprobs=self._logprobs(logprobs))]
            if body or (logprobs and self.logprobs)
            else []
        )
        for call in calls:
            if not self.parallel_tool_calls and self._streamed_calls:
                break
            chunks.append(self._chunk({"tool_calls": [tool_call_body(call, self._streamed_calls)]}))
            self._streamed_calls += 1
        return chunks

    def delta_chunks(self, delta: Delta) -> list[dict[str, Any]]:
        """The chunks for one engine delta (none when nothing in it is to be sent yet)."""
        content, calls = self._text(delta.content, delta.raw), []
        if self._stream is not None and content:
            piece = self._stream.feed(content)
            content, calls = piece.content, piece.calls
        return self._piece_chunks(content, calls, delta.reasoning, delta.logprobs)

    def delta_chunk(self, delta: Delta) -> dict[str, Any] | None:
        """A chunk for one engine delta, or ``None`` when nothing in it is to be sent."""
        chunks = self.delta_chunks(delta)
        return chunks[0] if chunks else None

    def closing_chunks(self, completion: Completion) -> list[dict[str, Any]]:
        """What the tool-call parser still held, then the chunk carrying ``finish_reason``."""
        chunks: list[dict[str, Any]] = []
        if self._stream is not None:
            piece = self._stream.flush()
            chunks = self._piece_chunks(piece.content, piece.calls, "", ())
        return [*chunks, self.final_chunk(completion)]

    def _text(self, content: str, raw: str | None) -> str:
        """The answer alone when the reasoning goes apart, else the model's own text with its tags.

        Clients that split ``<think>…</think><answer>…`` themselves (Open-AutoGLM's) read
        only ``content``, as from a vLLM server without a reasoning parser.
        """
        return content if self.return_reasoning or raw is None else raw

    def final_chunk(self, completion: Completion) -> dict[str, Any]:
        """The chunk carrying ``finish_reason`` (and the ``citations`` of a project's answer)."""
        chunk = self._chunk({}, self._finish(completion, self._streamed_calls > 0))
        if self.citations:
            chunk["citations"] = [
                citation_body(c) for c in cited_sources(self.citations, completion.content)
            ]
        return chunk

    def usage_chunk(self, completion: Completion) -> dict[str, Any]:
        """The ``stream_options.include_usage`` chunk: no choices, only usage."""
        body = self._envelope("chat.completion.chunk", [])
        body["usage"] = usage_body(completion.usage)
        return body

    def _chunk(
        self,
        delta: dict[str, Any],
        finish_reason: str | None = None,
        logprobs: dict[str, Any] | None = None,
    ) -> dict[str, Any]:
        return self._envelope(
            "chat.completion.chunk",
            [{"index": 0, "delta": delta, "logprobs": logprobs, "finish_reason": finish_reason}],
        )
