"""The request bodies the API accepts, in OpenAI's shapes (plus the model guide's extras).

Every top-level chat parameter is declared here; ``server.parameters`` says which are
honoured and refuses the rest by name, and an unknown top-level field is refused too.
Fields inside messages are lenient (clients echo back ``refusal``, ``annotations`` …).
Values are validated with bounds so a bad value is a 400 with the parameter named,
never an engine failure.
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


class FunctionCallIn(_Lenient):
    """The function of a tool call: its name and JSON arguments text."""

    name: str = Field(min_length=1, max_length=256)
    arguments: str = "{}"


class ToolCallIn(_Lenient):
    """A tool call an assistant message made earlier."""

    id: str = Field(min_length=1, max_length=256)
    type: Literal["function"] = "function"
    function: FunctionCallIn


class MessageIn(_Lenient):
    """One message of the conversation sent by the client."""

    role: Literal["system", "developer", "user", "assistant", "tool"]
    content: str | list[ContentPart] | None = None
    name: str | None = None
    tool_calls: list[ToolCallIn] | None = Field(None, max_length=128)
    tool_call_id: str | None = Field(None, max_length=256)


class FunctionDefinition(_Lenient):
    """A function the model may call."""

    name: str = Field(min_length=1, max_length=64, pattern=r"^[a-zA-Z0-9_.-]+$")
    description: str | None = None
    parameters: dict[str, Any] | None = None
    strict: bool | None = None


class ToolDefinition(_Lenient):
    """One entry of ``tools``: only functions exist."""

    type: Literal["function"]
    function: FunctionDefinition


class NamedFunction(_Lenient):
    """The function a named ``tool_choice`` forces."""

    name: str = Field(min_length=1, max_length=64)


class NamedToolChoice(_Lenient):
    """``{"type": "function", "function": {"name": ...}}``."""

    type: Literal["function"]
    function: NamedFunction


class JsonSchemaFormat(_Lenient):
    """The schema of a ``json_schema`` response format."""

    name: str = Field("response", max_length=64)
    description: str | None = None
    schema_: dict[str, Any] = Field(default_factory=dict, alias="schema")
    strict: bool | None = None


class ResponseFormat(_Lenient):
    """``response_format``: free text, any JSON object, or JSON matching a schema."""

    type: Literal["text", "json_object", "json_schema"]
    json_schema: JsonSchemaFormat | None = None


class StreamOptions(_Lenient):
    """Streaming extras: a final chunk with token usage."""

    include_usage: bool = False


class ChatCompletionRequest(BaseModel):
    """``POST /v1/chat/completions``."""

    model_config = ConfigDict(extra="allow")

    model: str | None = Field(
        None, description="A model id from /v1/models (default: the loaded model)"
    )
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
    presence_penalty: float | None = Field(None, ge=-2.0, le=2.0)
    frequency_penalty: float | None = Field(None, ge=-2.0, le=2.0)
    logit_bias: dict[str, Annotated[float, Field(ge=-100, le=100)]] | None = Field(
        None, max_length=1024
    )
    logprobs: bool | None = None
    top_logprobs: int | None = Field(None, ge=0, le=20)
    response_format: ResponseFormat | None = None
    tools: list[ToolDefinition] | None = Field(None, max_length=128)
    tool_choice: Literal["auto", "none", "required"] | NamedToolChoice | None = None
    parallel_tool_calls: bool | None = None
    user: str | None = Field(None, max_length=256)
    safety_identifier: str | None = Field(None, max_length=256)
    prompt_cache_key: str | None = Field(None, max_length=1024)
    metadata: dict[str, str] | None = Field(None, description="Refused: nothing is stored")
    store: bool | None = Field(None, description="Only false")
    service_tier: str | None = Field(None, max_length=32, description="Only auto or default")
    modalities: list[str] | None = Field(None, max_length=4, description='Only ["text"]')
    audio: dict[str, Any] | None = Field(None, description="Refused: use /v1/audio/speech")
    prediction: dict[str, Any] | None = Field(None, description="Refused")
    reasoning_effort: str | None = Field(
        None, max_length=32, description="Refused: use enable_thinking"
    )
    verbosity: str | None = Field(None, max_length=32, description="Refused")
    web_search_options: dict[str, Any] | None = Field(
        None, description="Refused: the assistant works offline"
    )
    prompt_cache_retention: str | None = Field(None, max_length=32, description="Refused")
    functions: list[dict[str, Any]] | None = Field(None, description="Refused: use tools")
    function_call: str | dict[str, Any] | None = Field(None, description="Refused: use tool_choice")
    enable_thinking: bool | None = Field(None, description="Let the model think first (extra_body)")
    project: str | None = Field(
        None,
        min_length=1,
        max_length=256,
        description="Answer from this project's documents; the reply's citations name "
        "the passages (extra_body)",
    )
    passages: int | None = Field(
        None, ge=1, le=20, description="Passages of the project put into the question (extra_body)"
    )
    return_reasoning: bool | None = Field(
        None, description="Return the thinking as reasoning_content (extra_body)"
    )
    image_tokens: int | None = Field(
        None,
        ge=16,
        le=16384,
        description="Scale each image to cost at most this many tokens (extra_body)",
    )
    chat_template_kwargs: dict[str, Any] | None = Field(
        None, description="enable_thinking is honoured"
    )
    images: list[str] | None = Field(
        None, max_length=32, description="Base64 data URIs of images (extra_body)"
    )
    audios: list[str] | None = Field(
        None, max_length=32, description="Base64 data URIs of audio (extra_body)"
    )


class SpeechRequest(_Lenient):
    """``POST /v1/audio/speech``."""

    model: str | None = Field(None, description="Ignored: the configured voice speaks")
    input: str = Field(min_length=1, max_length=4096)
    voice: str | None = Field(None, description="Ignored: the voice set in Settings → Voice speaks")
    response_format: Literal["wav", "pcm"] = "wav"
    speed: float | None = Field(
        None, ge=0.25, le=4.0, description="Ignored: the speaking rate in Settings → Voice applies"
    )
