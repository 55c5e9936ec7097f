"""Every OpenAI chat parameter, honoured or refused: one table the server checks and the README shows.

A parameter a client sends is either used, or refused with an OpenAI-shaped 400 that
names it; none is dropped silently. ``refusal`` says, for a value the client sent,
why it cannot be served (``None``: it is served). The README's table is generated from
this module (``python -m autoglm.server.parameters``) and a test keeps them equal.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

Refusal = Callable[[Any], str | None]


def _never(_value: Any) -> str | None:
    return None


def _always(reason: str) -> Refusal:
    def refuse(value: Any) -> str | None:
        return None if value is None else reason

    return refuse


def _only(allowed: tuple[Any, ...], reason: str) -> Refusal:
    def refuse(value: Any) -> str | None:
        return None if value is None or value in allowed else reason

    return refuse


@dataclass(frozen=True)
class Parameter:
    """One request parameter: whether it is honoured and how."""

    name: str
    honoured: bool
    note: str
    refusal: Refusal = _never


CHAT_PARAMETERS: tuple[Parameter, ...] = (
    Parameter(
        "model",
        True,
        "the loaded model's id (or omitted); another installed model is loaded first, an unknown one is a 404",
    ),
    Parameter(
        "messages",
        True,
        "system, developer, user (text, `image_url`, `input_audio`), assistant "
        "(with `tool_calls`) and `tool` messages",
    ),
    Parameter("stream", True, "server-sent events in OpenAI's chunk shape"),
    Parameter("stream_options", True, "`include_usage` adds the usage chunk"),
    Parameter("temperature", True, "0 is greedy"),
    Parameter("top_p", True, ""),
    Parameter("max_tokens", True, ""),
    Parameter("max_completion_tokens", True, "takes precedence over `max_tokens`"),
    Parameter("stop", True, "a string or up to 16 strings"),
    Parameter("seed", True, "the same seed and request give the same text"),
    Parameter("presence_penalty", True, "llama.cpp's penalty sampler over the last 64 tokens"),
    Parameter("frequency_penalty", True, "llama.cpp's penalty sampler over the last 64 tokens"),
    Parameter("logit_bias", True, "token id → bias, -100 bans a token"),
    Parameter("logprobs", True, "log-probabilities of the sampled tokens, in replies and chunks"),
    Parameter("top_logprobs", True, "0 to 20 alternatives per token"),
    Parameter(
        "response_format",
        True,
        "`text`, `json_object`, `json_schema` (always enforced by a grammar; "
        "a schema part a grammar cannot enforce is refused by name)",
    ),
    Parameter("tools", True, "functions, laid out by the model's chat template"),
    Parameter(
        "tool_choice",
        True,
        "`auto`, `none`, `required` or a named function; the last two are enforced by a grammar",
    ),
    Parameter("parallel_tool_calls", True, "`false` allows one call per reply"),
    Parameter(
        "n",
        True,
        "1 only; more is refused",
        _only((1,), "Only n=1 is supported: send separate requests for several replies."),
    ),
    Parameter("user", True, "written to the server log with the request"),
    Parameter("safety_identifier", True, "written to the server log with the request"),
    Parameter("prompt_cache_key", True, "accepted: every conversation's prefix is cached anyway"),
    Parameter(
        "metadata",
        False,
        "refused: nothing is stored",
        _always("'metadata' is only kept with stored completions, and this server stores none."),
    ),
    Parameter(
        "store",
        False,
        "only `false`",
        _only(
            (False,), "Completions are not stored by this server: send store=false or leave it out."
        ),
    ),
    Parameter(
        "service_tier",
        False,
        "only `auto` or `default`",
        _only(("auto", "default"), "There is one service tier here: send 'auto' or 'default'."),
    ),
    Parameter(
        "modalities",
        False,
        'only `["text"]`',
        lambda v: (
            None
            if v in (None, ["text"])
            else "Only text replies are produced: speak them with /v1/audio/speech."
        ),
    ),
    Parameter(
        "audio",
        False,
        "refused: use /v1/audio/speech",
        _always("Spoken replies are not produced by chat: send the text to /v1/audio/speech."),
    ),
    Parameter("prediction", False, "refused", _always("Predicted outputs are not supported.")),
    Parameter(
        "reasoning_effort",
        False,
        "refused: use `enable_thinking`",
        _always("reasoning_effort is not supported: turn thinking on or off with enable_thinking."),
    ),
    Parameter("verbosity", False, "refused", _always("verbosity is not supported.")),
    Parameter(
        "web_search_options",
        False,
        "refused: the assistant works offline",
        _always("Web search is not available: the assistant works offline."),
    ),
    Parameter(
        "prompt_cache_retention",
        False,
        "refused",
        _always("prompt_cache_retention is not supported."),
    ),
    Parameter(
        "functions",
        False,
        "refused: use `tools`",
        _always("The deprecated 'functions' parameter is not supported: send 'tools'."),
    ),
    Parameter(
        "function_call",
        False,
        "refused: use `tool_choice`",
        _always("The deprecated 'function_call' parameter is not supported: send 'tool_choice'."),
    ),
)

EXTRA_PARAMETERS: tuple[Parameter, ...] = (
    Parameter("top_k", True, "llama.cpp's top-k (extra body)"),
    Parameter("repetition_penalty", True, "llama.cpp's repeat penalty (extra body)"),
    Parameter("enable_thinking", True, "let the model think first (extra body)"),
    Parameter("return_reasoning", True, "return the thinking as `reasoning_content` (extra body)"),
    Parameter("chat_template_kwargs", True, "`enable_thinking` is read from it (extra body)"),
    Parameter("images", True, "base64 data URIs joined to the last user message (extra body)"),
    Parameter(
        "image_tokens",
        True,
        "scale each image to cost at most this many tokens, 16–16384 (extra body)",
    ),
    Parameter("audios", True, "base64 audio transcribed into the last user message (extra body)"),
    Parameter(
        "project",
        True,
        "answer from this project's documents (`autoglm docs add`); the reply's "
        "`citations` name the passages used — file, place, page, path, text (extra body)",
    ),
    Parameter(
        "passages", True, "how many passages of the project go into the question, 1–20 (extra body)"
    ),
)

ENDPOINTS: tuple[tuple[str, str], ...] = (
    ("GET /v1/models, /v1/models/{id}", "the loaded model first, then the models on disk"),
    ("POST /v1/chat/completions", "everything in the table above"),
    (
        "POST /v1/completions",
        "a raw prompt (no chat template) with the same sampling and `logprobs`; "
        "`echo`, `suffix` and `best_of` > 1 refused",
    ),
    (
        "POST /v1/embeddings",
        "the documents' multilingual embedding model (512 dimensions), else the language "
        "model's mean-pooled embeddings; normalised, float or base64",
    ),
    (
        "POST /v1/responses",
        "stateless Responses: text and `input_image` input, function tools and "
        "`function_call_output`, `text.format` schemas, streaming events; `store` only false",
    ),
    (
        "POST /v1/messages",
        "Anthropic's messages: system, text, base64 images, client tools and "
        "`tool_choice`, streaming events",
    ),
    ("POST /v1/audio/transcriptions", "whisper"),
    ("POST /v1/audio/speech", "piper, WAV or raw PCM"),
    ("GET /health", "ready once the model is loaded; queue length and waits"),
)

KNOWN = {p.name: p for p in (*CHAT_PARAMETERS, *EXTRA_PARAMETERS)}


def refusal_for(name: str, value: Any) -> str | None:
    """Why ``name=value`` is refused, or ``None`` when it is served (unknown names are refused)."""
    parameter = KNOWN.get(name)
    if parameter is None:
        return f"'{name}' is not a parameter of this API."
    return parameter.refusal(value)


def markdown_table() -> str:
    """The README's table of chat parameters and endpoints."""
    lines = ["| parameter | | how |", "|---|---|---|"]
    for parameter in (*CHAT_PARAMETERS, *EXTRA_PARAMETERS):
        lines.append(
            f"| `{parameter.name}` | {'honoured' if parameter.honoured else 'refused'} | "
            f"{parameter.note} |"
        )
    lines += ["", "| endpoint | what |", "|---|---|"]
    lines += [f"| `{path}` | {note} |" for path, note in ENDPOINTS]
    return "\n".join(lines) + "\n"


if __name__ == "__main__":  # pragma: no cover - regenerates the README section
    import sys

    sys.stdout.write(markdown_table())
