"""The plain values that flow between the engine, the scheduler and their callers.

These are the contract every front (desktop UI, CLI, HTTP server, voice loop) uses to
ask for a reply, and every engine (local llama.cpp, remote OpenAI-compatible) honours.
"""

from __future__ import annotations

import enum
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, Literal

ProgressCallback = Callable[[float, str], None]
"""Told a fraction done (0–1) and what is happening, while a model loads, downloads or is checked."""


class Priority(enum.IntEnum):
    """Who is waiting: a live voice turn goes first, API batch work last."""

    VOICE = 0
    INTERACTIVE = 1
    API = 2


@dataclass(frozen=True)
class ImageInput:
    """An image ready for the model: RGB pixels after normalisation, keyed by content.

    ``sha256`` is the hash of the normalised pixels (with their size), so the engine can
    recognise an image it has already encoded and keep its KV cache entries.
    """

    width: int
    height: int
    rgb: bytes
    sha256: str


@dataclass(frozen=True)
class ToolSpec:
    """A function the model may call: its name, what it does and its JSON-schema parameters."""

    name: str
    description: str = ""
    parameters: dict[str, Any] = field(default_factory=lambda: {"type": "object", "properties": {}})


@dataclass(frozen=True)
class ToolCall:
    """A call the model asked for; ``arguments`` is the JSON text of the argument object."""

    id: str
    name: str
    arguments: str = "{}"


@dataclass
class ChatMessage:
    """One turn of a conversation as the engine sees it.

    An assistant turn may carry ``tool_calls``; a ``tool`` turn is the result of the call
    whose id is ``tool_call_id``.
    """

    role: Literal["system", "user", "assistant", "tool"]
    content: str
    images: list[ImageInput] = field(default_factory=list)
    tool_calls: list[ToolCall] = field(default_factory=list)
    tool_call_id: str = ""
    name: str = ""


UNTIL_CONTEXT_FULL = 1 << 24
"""A reply limit no context reaches: the reply ends where the context is full (or the model stops)."""


@dataclass
class SamplingParams:
    """How to sample one reply; ``None`` fields take the settings' values."""

    temperature: float = 0.7
    top_p: float = 0.9
    top_k: int = 40
    repeat_penalty: float = 1.05
    max_tokens: int = 1024
    """The engine also stops where the context is full; ``UNTIL_CONTEXT_FULL`` means only there."""
    stop: list[str] = field(default_factory=list)
    seed: int | None = None
    presence_penalty: float = 0.0
    frequency_penalty: float = 0.0
    logit_bias: dict[int, float] = field(default_factory=dict)
    grammar: str | None = (
        None  # llama.cpp GBNF the reply must match (structured output, forced tool calls)
    )
    top_logprobs: int | None = (
        None  # None: no log-probabilities; 0..20: the chosen token's and that many others
    )


@dataclass
class GenerationRequest:
    """Everything needed to produce one assistant reply.

    ``tools`` are rendered by the model's chat template; ``prompt``, when set, is sent to
    the model as it is (no template), as ``/v1/completions`` does.
    """

    messages: list[ChatMessage]
    sampling: SamplingParams = field(default_factory=SamplingParams)
    thinking: bool = True
    priority: Priority = Priority.INTERACTIVE
    label: str = ""
    tools: list[ToolSpec] = field(default_factory=list)
    prompt: str | None = None
    tool_choice: str | dict[str, Any] | None = None
    """OpenAI's ``tool_choice`` as asked (``None``: auto). The local engine follows the grammar built
    from it (``sampling.grammar``); a remote engine hands it to its server."""
    response_format: dict[str, Any] | None = None
    """OpenAI's ``response_format`` as asked (``None``: text); enforced like ``tool_choice``."""
    parallel_tool_calls: bool | None = None
    """``False``: at most one call per reply (``None``: the server's default)."""


@dataclass(frozen=True)
class TopLogprob:
    """One candidate token and its log-probability."""

    token: str
    logprob: float
    bytes: tuple[int, ...] = ()


@dataclass(frozen=True)
class TokenLogprob:
    """The log-probability of a sampled token, with the most likely alternatives."""

    token: str
    logprob: float
    bytes: tuple[int, ...] = ()
    top: tuple[TopLogprob, ...] = ()


@dataclass(frozen=True)
class Delta:
    """A piece of the streaming reply: visible answer text and/or reasoning text."""

    content: str = ""
    reasoning: str = ""
    logprobs: tuple[TokenLogprob, ...] = ()
    raw: str | None = None  # the model's own text, tags included (None: the engine does not say)


@dataclass(frozen=True)
class Notice:
    """Something the caller should tell the user while the reply streams.

    ``kind`` is ``"context_trimmed"`` when old turns were dropped to fit the context
    (``dropped_messages`` says how many), or ``"loading"`` while a module loads.
    """

    kind: str
    message: str
    dropped_messages: int = 0


StreamEvent = Delta | Notice


@dataclass
class Usage:
    """Token counts of one reply; ``cached_prompt_tokens`` were reused from the KV cache."""

    prompt_tokens: int = 0
    completion_tokens: int = 0
    cached_prompt_tokens: int = 0

    @property
    def total_tokens(self) -> int:
        """Prompt plus completion tokens."""
        return self.prompt_tokens + self.completion_tokens


@dataclass
class Timings:
    """Where the time of one reply went, in seconds."""

    queue_wait_s: float = 0.0
    prompt_eval_s: float = 0.0
    ttft_s: float = 0.0
    decode_s: float = 0.0
    total_s: float = 0.0
    decode_tok_s: float = 0.0


FinishReason = Literal["stop", "length", "cancelled", "error"]


@dataclass(frozen=True)
class CacheStatus:
    """The engine's conversation caches after a reply (the status bar shows them)."""

    sequences: int = 0  # conversations whose KV cache is held in memory
    memory_bytes: int = 0  # what those caches take
    disk_bytes: int = 0  # conversations' caches saved on disk
    restored: bool = False  # this reply's conversation was restored from disk instead of evaluated


@dataclass
class Completion:
    """The finished reply: text, reasoning, why it ended, usage and timings."""

    content: str = ""
    reasoning: str = ""
    finish_reason: FinishReason = "stop"
    usage: Usage = field(default_factory=Usage)
    timings: Timings = field(default_factory=Timings)
    notices: list[Notice] = field(default_factory=list)
    error: str | None = None
    logprobs: list[TokenLogprob] = field(default_factory=list)
    raw: str | None = (
        None  # the reply as the model wrote it (``<think>…</think><answer>…``), stop strings cut
    )
    cache: CacheStatus | None = None  # the local engine's conversation caches after this reply


@dataclass
class ModelInfo:
    """What the status bar, `/v1/models` and `autoglm doctor` say about the loaded model."""

    model_id: str
    display_name: str
    path: str = ""
    architecture: str = ""
    quantization: str = ""
    n_ctx: int = 0
    n_ctx_train: int = 0
    n_params: int = 0
    backend: str = "CPU"
    gpu_layers: int = 0
    backend_note: str = (
        ""  # why the model runs where it does (e.g. the GPU could not take it), in words
    )
    has_vision: bool = False
    vision_unavailable_reason: str = ""
    chat_template: str = (
        ""  # the Jinja source the prompts are rendered with (tool-call dialect, tools support)
    )
