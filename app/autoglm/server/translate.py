"""OpenAI chat requests to engine requests: messages, images, audio, sampling and thinking.

Pure logic: decoding an image and transcribing audio are passed in, so this module is
tested with plain values and the HTTP layer decides how heavy work is run.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass, field

from autoglm.core.conversation import sampling_defaults
from autoglm.core.errors import InputError
from autoglm.core.settings import GenerationSettings
from autoglm.core.types import ChatMessage, ImageInput, SamplingParams, ToolCall, ToolSpec
from autoglm.server.parameters import refusal_for
from autoglm.server.schemas import (
    AudioPart,
    ChatCompletionRequest,
    ImagePart,
    MessageIn,
    NamedToolChoice,
    TextPart,
)
from autoglm.tools.calls import Dialect, dialect_for_template
from autoglm.tools.grammar import (
    SchemaError,
    grammar_parses,
    json_object_grammar,
    schema_grammar,
    tool_call_grammar,
)

_LOGGER = logging.getLogger(__name__)

MAX_STOP_STRINGS = 16


class ParameterError(InputError):
    """A request parameter that cannot be served; ``param`` names it for the 400."""

    def __init__(self, message: str, param: str):
        super().__init__(message)
        self.param = param


def refuse_unsupported(body: ChatCompletionRequest) -> None:
    """Raise ``ParameterError`` for the first parameter sent that is not served (unknown ones included)."""
    sent = {name: getattr(body, name) for name in body.model_fields_set}
    sent.update(body.model_extra or {})
    for name, value in sent.items():
        reason = refusal_for(name, value)
        if reason:
            raise ParameterError(reason, name)
    callers = {name: sent[name] for name in ("user", "safety_identifier") if sent.get(name)}
    if callers:
        _LOGGER.info("API request from %s", callers)


@dataclass
class ToolPlan:
    """How a request uses tools: which the model sees, whether calls are parsed, and the grammar."""

    tools: list[ToolSpec] = field(default_factory=list)
    dialect: Dialect = Dialect.HERMES
    parse_calls: bool = False
    grammar: str | None = None
    parallel: bool = True


def tool_specs(body: ChatCompletionRequest) -> list[ToolSpec]:
    """The request's functions as engine tool specs."""
    specs = []
    for tool in body.tools or []:
        function = tool.function
        specs.append(
            ToolSpec(
                function.name,
                function.description or "",
                function.parameters or {"type": "object", "properties": {}},
            )
        )
    return specs


def _checked(grammar: str, param: str) -> str:
    if not grammar_parses(grammar):
        raise ParameterError("The schema produced a grammar llama.cpp cannot parse.", param)
    return grammar


def tool_plan(body: ChatCompletionRequest, chat_template: str) -> ToolPlan:
    """Tools, call parsing and the output grammar, from ``tools``, ``tool_choice`` and ``response_format``."""
    specs = tool_specs(body)
    dialect = dialect_for_template(chat_template)
    choice = body.tool_choice
    parallel = body.parallel_tool_calls is not False
    if choice is not None and not specs and choice != "none":
        raise ParameterError(
            "tool_choice needs 'tools' listing at least one function.", "tool_choice"
        )
    formatted = body.response_format is not None and body.response_format.type != "text"
    if formatted and specs and choice != "none":
        raise ParameterError(
            "response_format cannot be combined with tools the model may call: "
            "send tool_choice 'none' or leave one of them out.",
            "response_format",
        )
    plan = ToolPlan(
        specs if choice != "none" else [],
        dialect,
        bool(specs) and choice != "none",
        parallel=parallel,
    )
    try:
        if isinstance(choice, NamedToolChoice):
            named = [spec for spec in specs if spec.name == choice.function.name]
            if not named:
                raise ParameterError(
                    f"tool_choice names '{choice.function.name}', which is not in 'tools'.",
                    "tool_choice",
                )
            plan.grammar = tool_call_grammar(named, dialect)
        elif choice == "required":
            plan.grammar = tool_call_grammar(specs, dialect, parallel=parallel)
        elif formatted:
            response_format = body.response_format
            assert response_format is not None
            if response_format.type == "json_object":
                plan.grammar = json_object_grammar()
            else:
                if response_format.json_schema is None:
                    raise ParameterError(
                        "response_format json_schema needs 'json_schema' with a 'schema'.",
                        "response_format",
                    )
                plan.grammar = schema_grammar(
                    response_format.json_schema.schema_ or {"type": "object"}
                )
    except SchemaError as exc:
        where = "tools" if choice not in (None, "none", "auto") else "response_format"
        raise ParameterError(f"{exc} (at {exc.path})", where) from exc
    if plan.grammar:
        plan.grammar = _checked(plan.grammar, "response_format" if formatted else "tool_choice")
    return plan


def _logit_bias(bias: dict[str, float] | None) -> dict[int, float]:
    out: dict[int, float] = {}
    for key, value in (bias or {}).items():
        try:
            out[int(key)] = float(value)
        except ValueError as exc:
            raise ParameterError(
                f"logit_bias keys are token ids; {key!r} is not one.", "logit_bias"
            ) from exc
    return out


ImageLoader = Callable[[str], ImageInput]
Transcriber = Callable[[str, str], str]


@dataclass(frozen=True)
class ThinkingChoice:
    """Whether the model thinks, and whether its thinking is returned to the client."""

    thinking: bool
    return_reasoning: bool


def thinking_choice(body: ChatCompletionRequest, default_thinking: bool) -> ThinkingChoice:
    """``enable_thinking`` beats ``chat_template_kwargs.enable_thinking`` beats the app's setting."""
    thinking = default_thinking
    template_kwargs = body.chat_template_kwargs or {}
    if isinstance(template_kwargs.get("enable_thinking"), bool):
        thinking = template_kwargs["enable_thinking"]
    if body.enable_thinking is not None:
        thinking = body.enable_thinking
    return ThinkingChoice(thinking, bool(body.return_reasoning))


def sampling_params(body: ChatCompletionRequest, defaults: GenerationSettings) -> SamplingParams:
    """Sampling from the request, the app's generation settings filling the gaps."""
    stops = [body.stop] if isinstance(body.stop, str) else list(body.stop or [])
    if len(stops) > MAX_STOP_STRINGS:
        raise InputError(f"At most {MAX_STOP_STRINGS} stop strings are accepted.")
    seed = body.seed if body.seed is not None else defaults.seed
    return sampling_defaults(
        defaults,
        temperature=body.temperature,
        top_p=body.top_p,
        top_k=body.top_k,
        repeat_penalty=body.repetition_penalty,
        max_tokens=body.max_completion_tokens or body.max_tokens,
        stop=[s for s in stops if s],
        seed=None if seed is None else seed % 2**31,
        presence_penalty=body.presence_penalty or 0.0,
        frequency_penalty=body.frequency_penalty or 0.0,
        logit_bias=_logit_bias(body.logit_bias),
        top_logprobs=(body.top_logprobs or 0) if body.logprobs else None,
    )


def _tool_calls(message: MessageIn) -> list[ToolCall]:
    return [
        ToolCall(call.id, call.function.name, call.function.arguments or "{}")
        for call in message.tool_calls or []
    ]


def _message(message: MessageIn, load_image: ImageLoader, transcribe: Transcriber) -> ChatMessage:
    role = "system" if message.role == "developer" else message.role
    if message.content is None or isinstance(message.content, str):
        return ChatMessage(
            role,
            message.content or "",
            tool_calls=_tool_calls(message),
            tool_call_id=message.tool_call_id or "",
            name=message.name or "",
        )
    texts: list[str] = []
    images: list[ImageInput] = []
    for part in message.content:
        if isinstance(part, TextPart):
            texts.append(part.text)
        elif isinstance(part, ImagePart):
            images.append(load_image(part.image_url.url))
        elif isinstance(part, AudioPart):
            texts.append(transcribe(part.input_audio.data, part.input_audio.format))
    return ChatMessage(
        role,
        "\n".join(t for t in texts if t),
        images,
        tool_calls=_tool_calls(message),
        tool_call_id=message.tool_call_id or "",
        name=message.name or "",
    )


def chat_messages(
    body: ChatCompletionRequest, load_image: ImageLoader, transcribe: Transcriber
) -> list[ChatMessage]:
    """The conversation as the engine sees it; ``images``/``audios`` extras join the last user turn."""
    messages = [_message(m, load_image, transcribe) for m in body.messages]
    extra_images = [load_image(uri) for uri in body.images or []]
    extra_texts = [transcribe(uri, "") for uri in body.audios or []]
    if extra_images or extra_texts:
        last_user = next((m for m in reversed(messages) if m.role == "user"), None)
        if last_user is None:
            raise InputError("'images' and 'audios' need a user message to attach to.")
        last_user.images.extend(extra_images)
        last_user.content = "\n".join(t for t in [last_user.content, *extra_texts] if t)
    if not any(m.role == "user" for m in messages):
        raise InputError("The conversation needs at least one user message.")
    return messages


def has_images(messages: list[ChatMessage]) -> bool:
    """Whether any message carries an image."""
    return any(m.images for m in messages)


def asks_for_images(body: ChatCompletionRequest) -> bool:
    """Whether the request carries any image, before any is decoded."""
    if body.images:
        return True
    return any(
        isinstance(part, ImagePart)
        for m in body.messages
        if isinstance(m.content, list)
        for part in m.content
    )
