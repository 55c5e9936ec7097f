"""OpenAI chat requests to engine requests: messages, images, audio, sampling and thinking.

Pure logic: decoding an image and transcribing audio are passed in, so this module is
tested with plain values and the HTTP layer decides how heavy work is run.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from autoglm.core.errors import InputError
from autoglm.core.settings import GenerationSettings
from autoglm.core.types import ChatMessage, ImageInput, SamplingParams
from autoglm.server.schemas import AudioPart, ChatCompletionRequest, ImagePart, MessageIn, TextPart

MAX_STOP_STRINGS = 16
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
    if body.n not in (None, 1):
        raise InputError("Only n=1 is supported: send separate requests for several replies.")
    stops = [body.stop] if isinstance(body.stop, str) else list(body.stop or [])
    if len(stops) > MAX_STOP_STRINGS:
        raise InputError(f"At most {MAX_STOP_STRINGS} stop strings are accepted.")
    max_tokens = body.max_completion_tokens or body.max_tokens or defaults.max_tokens
    seed = body.seed if body.seed is not None else defaults.seed
    return SamplingParams(
        temperature=defaults.temperature if body.temperature is None else body.temperature,
        top_p=defaults.top_p if body.top_p is None else body.top_p,
        top_k=defaults.top_k if body.top_k is None else body.top_k,
        repeat_penalty=defaults.repeat_penalty if body.repetition_penalty is None else body.repetition_penalty,
        max_tokens=max_tokens,
        stop=[s for s in stops if s],
        seed=None if seed is None else seed % 2**31,
    )


def _message(message: MessageIn, load_image: ImageLoader, transcribe: Transcriber) -> ChatMessage:
    role = "system" if message.role == "developer" else message.role
    if message.content is None or isinstance(message.content, str):
        return ChatMessage(role, message.content or "")  # type: ignore[arg-type]
    texts: list[str] = []
    images: list[ImageInput] = []
    for part in message.content:
        if isinstance(part, TextPart):
            texts.append(part.text)
        elif isinstance(part, ImagePart):
            images.append(load_image(part.image_url.url))
        elif isinstance(part, AudioPart):
            texts.append(transcribe(part.input_audio.data, part.input_audio.format))
    return ChatMessage(role, "\n".join(t for t in texts if t), images)  # type: ignore[arg-type]


def chat_messages(body: ChatCompletionRequest, load_image: ImageLoader,
                  transcribe: Transcriber) -> list[ChatMessage]:
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
    return any(isinstance(part, ImagePart) for m in body.messages if isinstance(m.content, list)
               for part in m.content)
