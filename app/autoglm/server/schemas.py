"""The request bodies the API accepts, in OpenAI's shapes (plus the model guide's extras).

Unknown fields are ignored, as OpenAI-compatible servers do, so clients that send
``user``, ``logprobs`` or penalties keep working; the fields below are validated with
bounds so a bad value is a 400 with the parameter named, never an engine failure.
"""

from __future__ import annotations

from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field

INT64 = 2**63 - 1


class _Lenient(BaseModel):
    model_config = ConfigDict(extra="ignore")


class TextPart(_Lenient):
    """A text part of a message."""

    type: Literal["text"]
    text: str


class ImageUrl(_Lenient):
    """Where an image is: a ``data:`` URI (or ``file://`` inside an allowed folder)."""

    url: str = Field(max_length=64 * 1024 * 1024)
    detail: Literal["auto", "low", "high"] | None = None


class ImagePart(_Lenient):
    """An image part of a message."""

    type: Literal["image_url"]
    image_url: ImageUrl


class InputAudio(_Lenient):
    """Base64 audio and its container format."""

    data: str
    format: str = Field("wav", max_length=16)


class AudioPart(_Lenient):
    """An audio part of a message; it is transcribed and read as text."""

    type: Literal["input_audio"]
    input_audio: InputAudio


ContentPart = Annotated[TextPart | ImagePart | AudioPart, Field(discriminator="type")]


class MessageIn(_Lenient):
    """One message of the conversation sent by the client."""

    role: Literal["system", "developer", "user", "assistant"]
    content: str | list[ContentPart] | None = None
    name: str | None = None


class StreamOptions(_Lenient):
    """Streaming extras: a final chunk with token usage."""

    include_usage: bool = False


class ChatCompletionRequest(_Lenient):
    """``POST /v1/chat/completions``."""

    model: str | None = Field(None, description="A model id from /v1/models (default: the loaded model)")
    messages: list[MessageIn] = Field(min_length=1, max_length=1000)
    stream: bool = False
    stream_options: StreamOptions | None = None
    temperature: float | None = Field(None, ge=0.0, le=2.0)
    top_p: float | None = Field(None, gt=0.0, le=1.0)
    top_k: int | None = Field(None, ge=0, le=1000)
    repetition_penalty: float | None = Field(None, ge=1.0, le=2.0)
    max_tokens: int | None = Field(None, ge=1, le=32768)
    max_completion_tokens: int | None = Field(None, ge=1, le=32768)
    stop: str | list[str] | None = Field(None, description="Up to 16 stop strings")
    seed: int | None = Field(None, ge=-INT64 - 1, le=INT64)
    n: int | None = Field(None, ge=1, le=128, description="Only 1 is supported")
    enable_thinking: bool | None = Field(None, description="Let the model think first (extra_body)")
    return_reasoning: bool | None = Field(None, description="Return the thinking as reasoning_content (extra_body)")
    chat_template_kwargs: dict[str, Any] | None = Field(None, description="enable_thinking is honoured")
    images: list[str] | None = Field(None, max_length=32, description="Base64 data URIs of images (extra_body)")
    audios: list[str] | None = Field(None, max_length=32, description="Base64 data URIs of audio (extra_body)")


class SpeechRequest(_Lenient):
    """``POST /v1/audio/speech``."""

    model: str | None = Field(None, description="Ignored: the configured voice speaks")
    input: str = Field(min_length=1, max_length=4096)
    voice: str | None = Field(None, description="Ignored: the voice set in Settings → Voice speaks")
    response_format: Literal["wav", "pcm"] = "wav"
    speed: float | None = Field(None, ge=0.25, le=4.0, description="Ignored: the speaking rate in Settings → Voice applies")
