"""One typed settings model for the whole app.

Values come, lowest priority first, from the defaults below, the saved
``settings.json`` in the config folder, ``AUTOGLM_<GROUP>__<FIELD>`` environment
variables, and finally command-line flags, which the CLI generates from these same
fields (see ``autoglm.core.settings_cli``) so nothing is written twice.
"""

from __future__ import annotations

import ipaddress
import json
import logging
import os
import re
from contextvars import ContextVar
from pathlib import Path
from typing import Any, Literal
from urllib.parse import urlsplit

from pydantic import AliasChoices, BaseModel, Field, ValidationError, field_validator
from pydantic_settings import BaseSettings, PydanticBaseSettingsSource, SettingsConfigDict

from autoglm.core.paths import AppPaths, app_paths

_LOGGER = logging.getLogger(__name__)
_SETTINGS_FILE: ContextVar[Path | None] = ContextVar("autoglm_settings_file", default=None)


class ModelSettings(BaseModel):
    """Which model runs and how llama.cpp runs it."""

    active_model: str = Field(
        "qwen2.5-coder-0.5b", description="Catalog id or path of the GGUF to chat with"
    )
    mmproj_path: str | None = Field(
        None, description="Vision projector GGUF for a model given by path"
    )
    n_ctx: int = Field(8192, ge=512, le=262144, description="Context size in tokens")
    n_gpu_layers: int = Field(
        -1,
        ge=-1,
        le=1000,
        description="Layers offloaded to the GPU (-1: all; ignored on CPU builds)",
    )
    n_threads: int | None = Field(
        None, ge=1, le=256, description="CPU threads for decoding (default: physical cores)"
    )
    n_batch: int = Field(512, ge=8, le=8192, description="Prompt evaluation batch size")
    flash_attn: bool = Field(
        True,
        description="Use flash attention where the backend has it (it skips the other "
        "conversations' cells in the shared KV cache, so replies decoded together stay fast)",
    )
    kv_cache_mb: int = Field(
        0,
        ge=0,
        le=1 << 20,
        description="Memory for the KV caches of recent conversations, in MB, shared by all "
        "of them (0: chosen from free memory, up to twice the context)",
    )
    kv_sequences: int = Field(
        8, ge=1, le=64, description="Conversations whose KV cache is kept in memory at once"
    )
    parallel_replies: int = Field(
        4,
        ge=1,
        le=16,
        description="Replies decoded together in one step (concurrent API, chat and voice "
        "requests; at most the conversations kept in memory)",
    )
    kv_disk_mb: int = Field(
        4096,
        ge=0,
        le=1 << 22,
        description="Disk for conversations' KV caches kept across restarts, in MB (0: none)",
    )
    projector_idle_unload_s: int = Field(
        600, ge=0, description="Unload the vision projector after this many idle seconds (0: never)"
    )
    hub_source: Literal["hf", "modelscope"] = Field(
        "hf",
        description="Where models are searched and downloaded: Hugging Face (hf) or ModelScope",
    )
    hub_endpoint: str = Field(
        "",
        description="Model hub address (empty: HF_ENDPOINT, else huggingface.co); "
        "a mirror such as https://hf-mirror.com",
    )
    modelscope_endpoint: str = Field(
        "",
        description="ModelScope address (empty: MODELSCOPE_ENDPOINT, else https://modelscope.cn)",
    )

    @field_validator("hub_endpoint", "modelscope_endpoint", mode="before")
    @classmethod
    def _check_hub_endpoint(cls, value: Any) -> Any:
        if not isinstance(value, str) or not value.strip():
            return value
        parts = urlsplit(value.strip())
        if parts.scheme not in ("http", "https") or not parts.hostname or " " in value.strip():
            raise ValueError(
                f"'{value.strip()}' is not a hub address: give an http:// or https:// address "
                "such as https://hf-mirror.com"
            )
        return value.strip().rstrip("/")


class GenerationSettings(BaseModel):
    """How replies are sampled."""

    temperature: float = Field(0.7, ge=0.0, le=2.0, description="Sampling temperature (0: greedy)")
    top_p: float = Field(0.9, gt=0.0, le=1.0, description="Nucleus sampling threshold")
    top_k: int = Field(40, ge=0, le=1000, description="Top-k sampling (0: off)")
    repeat_penalty: float = Field(1.05, ge=1.0, le=2.0, description="Penalty for repeated tokens")
    max_tokens: int | None = Field(
        None,
        ge=1,
        le=131072,
        description="Longest reply in tokens (unset: as long as the context allows)",
    )
    seed: int | None = Field(None, description="Random seed (unset: a new one each reply)")
    system_prompt: str = Field(
        "You are AutoGLM, a helpful assistant running privately on this computer.",
        description="System prompt put before every conversation",
    )
    thinking: bool = Field(
        True, description="Let the model think before answering (reasoning shown folded)"
    )


class VoiceSettings(BaseModel):
    """Microphone, speech recognition and speech synthesis."""

    input_device: str | None = Field(None, description="Microphone name (unset: system default)")
    output_device: str | None = Field(None, description="Speaker name (unset: system default)")
    asr_model: str = Field(
        "auto",
        description="Catalog id or folder of a CTranslate2 whisper model "
        "('auto': whisper-small if downloaded, else whisper-base, for Chinese speech or interface; "
        "else whisper-tiny.en)",
    )
    language: str = Field(
        "auto", description="Spoken language code, or 'auto' (detected each turn)"
    )
    tts_voice: str = Field(
        "piper-en_US-joe-medium", description="Catalog id or .onnx path of a piper voice"
    )
    tts_voice_zh: str = Field(
        "espeak-ng-cmn",
        description="Voice for Chinese replies: 'espeak-ng-cmn' or a piper zh_CN .onnx path",
    )
    speech_rate: float = Field(
        1.0, ge=0.5, le=2.0, description="Speaking speed (1.0: the voice's own)"
    )
    end_silence_ms: int = Field(
        600, ge=200, le=5000, description="Silence that ends a spoken turn (turn detector off)"
    )
    turn_detector: bool = Field(
        True,
        description="End a turn by what was said: sooner after a finished sentence, later mid-sentence",
    )
    finished_silence_ms: int = Field(
        250, ge=100, le=3000, description="Silence that ends a finished sentence (turn detector on)"
    )
    unfinished_silence_ms: int = Field(
        1200,
        ge=300,
        le=5000,
        description="Silence allowed mid-sentence before the turn ends (turn detector on)",
    )
    preroll_ms: int = Field(300, ge=0, le=2000, description="Audio kept from before speech starts")
    vad_threshold: float = Field(
        0.5, gt=0.0, lt=1.0, description="Speech probability that counts as speech"
    )
    headset: bool = Field(
        False, description="Using a headset: allows barge-in while the assistant speaks"
    )
    barge_in: bool = Field(
        False, description="Speaking over the assistant interrupts it (needs a headset)"
    )
    read_aloud: bool = Field(False, description="Read typed chats' replies aloud")
    idle_unload_s: int = Field(
        600, ge=0, description="Unload speech models after this many idle seconds (0: never)"
    )


class VisionSettings(BaseModel):
    """Images given to the model."""

    max_image_pixels: int = Field(
        5_000_000,
        ge=10_000,
        le=50_000_000,
        description="Images are downscaled to at most this many pixels",
    )
    image_tokens: int = Field(
        1024,
        ge=16,
        le=16384,
        description="Images are scaled to cost at most this many tokens (28×28 pixels each)",
    )
    max_source_pixels: int = Field(
        200_000_000, ge=1_000_000, description="Larger images are refused as decompression bombs"
    )
    hide_window_on_capture: bool = Field(True, description="Hide the app while taking a screenshot")


_HOST_LABEL = re.compile(r"^(?!-)[a-z0-9-]{1,63}(?<!-)$")
_SCHEME = re.compile(r"^[a-z][a-z0-9+.-]*$")
_DEFAULT_PORTS = {"http": 80, "https": 443}


def _normalise_hostname(name: str) -> str:
    """A lower-case DNS name or IP address (IPv6 in brackets); ``ValueError`` in words otherwise."""
    name = name.strip().lower()
    bare = name[1:-1] if name.startswith("[") and name.endswith("]") else name
    try:
        address = ipaddress.ip_address(bare)
    except ValueError:
        address = None
    if address is not None:
        return f"[{address}]" if address.version == 6 else str(address)
    if name.startswith("["):
        raise ValueError(f"'{name}' is not an IPv6 address")
    if (
        len(name) > 253
        or not name
        or not all(_HOST_LABEL.match(label) for label in name.split("."))
    ):
        raise ValueError(
            f"'{name}' is not a host name (letters, digits, '-' and '.', no scheme, path or '*')"
        )
    return name


def _split_port(text: str) -> tuple[str, int | None]:
    """``host[:port]`` → ``(host, port)``; a bracketed IPv6 address keeps its colons."""
    if text.startswith("["):
        host, _, rest = text.partition("]")
        host += "]"
        if rest and not rest.startswith(":"):
            raise ValueError(f"'{text}' is not host[:port]")
        port_text = rest[1:] if rest else ""
    elif text.count(":") == 1:
        host, _, port_text = text.partition(":")
    else:
        host, port_text = text, ""
    if not port_text:
        if text.endswith(":"):
            raise ValueError(f"'{text}' has an empty port")
        return host, None
    if not port_text.isdigit() or not 0 < int(port_text) < 65536:
        raise ValueError(f"'{port_text}' in '{text}' is not a port (1-65535)")
    return host, int(port_text)


def normalise_host_entry(entry: Any) -> str:
    """An extra allowed host, ``name`` or ``name:port``, in the one form the API compares."""
    if not isinstance(entry, str) or not entry.strip():
        raise ValueError("a host name cannot be empty")
    if "://" in entry or "/" in entry:
        raise ValueError(
            f"'{entry.strip()}' is a URL: give the host name alone (for example mybox.lan)"
        )
    host, port = _split_port(entry.strip())
    host = _normalise_hostname(host)
    return host if port is None else f"{host}:{port}"


def normalise_origin(entry: Any) -> str:
    """An allowed web origin as browsers send it: ``scheme://host[:port]``, default port dropped."""
    if not isinstance(entry, str) or not entry.strip():
        raise ValueError("an origin cannot be empty")
    text = entry.strip().rstrip("/")
    scheme, separator, rest = text.partition("://")
    scheme = scheme.lower()
    if not separator or not _SCHEME.match(scheme) or not rest:
        raise ValueError(
            f"'{text}' is not an origin: write scheme://host[:port], "
            "for example http://localhost:3000"
        )
    if any(mark in rest for mark in "/?#@*"):
        raise ValueError(
            f"'{text}' is not an origin: no path, query, user or '*' "
            "(for example http://localhost:3000)"
        )
    host, port = _split_port(rest)
    host = _normalise_hostname(host)
    if port is not None and _DEFAULT_PORTS.get(scheme) == port:
        port = None
    return f"{scheme}://{host}" if port is None else f"{scheme}://{host}:{port}"


def normalise_server_url(entry: Any) -> str:
    """An OpenAI-compatible server's base address, ``http(s)://host[:port]/path`` (``/v1`` when no path is given)."""
    if not isinstance(entry, str) or not entry.strip():
        raise ValueError("the address is empty")
    typed = entry.strip()
    text = typed if "://" in typed else "http://" + typed
    parts = urlsplit(text)
    scheme = parts.scheme.lower()
    if scheme not in ("http", "https"):
        raise ValueError(
            f"'{typed}' is not an http:// or https:// address (for example http://gpu-box:8000/v1)"
        )
    if parts.query or parts.fragment or "@" in parts.netloc or " " in text:
        raise ValueError(
            f"'{typed}' is not a server address: no spaces, user, query or '#' "
            "(for example http://gpu-box:8000/v1)"
        )
    try:
        port = parts.port
    except ValueError:
        raise ValueError(f"'{typed}' has no valid port (1-65535)") from None
    if port == 0 or parts.netloc.endswith(":"):
        raise ValueError(f"'{typed}' has no valid port (1-65535)")
    host = _normalise_hostname(parts.hostname or "")
    netloc = host if port is None else f"{host}:{port}"
    return f"{scheme}://{netloc}{parts.path.rstrip('/') or '/v1'}"


class ServerSettings(BaseModel):
    """The OpenAI-compatible HTTP API."""

    enabled: bool = Field(False, description="Serve the API while the app runs")
    host: str = Field(
        "127.0.0.1", description="Address to bind (anything but loopback needs an API key)"
    )
    port: int = Field(8000, ge=0, le=65535, description="TCP port (0: any free port)")
    api_key: str | None = Field(None, description="Bearer key clients must send")
    rate_limit_per_minute: int = Field(
        0, ge=0, description="Requests per minute per key (0: unlimited)"
    )
    max_queued_requests: int = Field(
        16,
        ge=1,
        le=1024,
        description="API requests allowed to wait for the model; more are refused with 429",
    )
    max_body_mb: float = Field(32.0, gt=0, description="Largest request body in MiB")
    max_audio_seconds: float = Field(600.0, gt=0, description="Longest audio input in seconds")
    allowed_image_dir: str | None = Field(
        None, description="Local folder image_url may read file:// images from"
    )
    allowed_hosts: list[str] = Field(
        default_factory=list,
        description="Extra names clients may reach the API by (Host header), besides localhost and the bound address; "
        "'name' allows any port, 'name:port' one port",
    )
    allowed_origins: list[str] = Field(
        default_factory=list,
        validation_alias=AliasChoices("allowed_origins", "cors_origins"),
        description="Web pages (origins such as http://localhost:3000) allowed to call the API from a browser; "
        "empty: none",
    )
    require_key_on_loopback: bool | None = Field(
        None,
        description="Clients on this computer must send the API key too (unset: only while desktop control "
        "or MCP tools are allowed)",
    )
    allow_desktop_control: bool = Field(
        False, description="API clients may make the assistant act on this desktop"
    )
    allow_mcp_tools: bool = Field(
        False, description="API clients may call the MCP tools the app is connected to"
    )

    @field_validator("allowed_hosts", mode="before")
    @classmethod
    def _check_hosts(cls, value: Any) -> Any:
        return (
            [normalise_host_entry(item) for item in value]
            if isinstance(value, list | tuple)
            else value
        )

    @field_validator("allowed_origins", mode="before")
    @classmethod
    def _check_origins(cls, value: Any) -> Any:
        return (
            [normalise_origin(item) for item in value] if isinstance(value, list | tuple) else value
        )

    @property
    def key_required_on_loopback(self) -> bool:
        """The chosen value, or on by default once the API can act or call tools."""
        if self.require_key_on_loopback is not None:
            return self.require_key_on_loopback
        return self.allow_desktop_control or self.allow_mcp_tools


class AppearanceSettings(BaseModel):
    """How the window looks."""

    theme: Literal["system", "light", "dark"] = Field("system", description="Colour theme")
    language: Literal["system", "en", "zh_CN"] = Field("system", description="Interface language")
    font_size: int = Field(11, ge=8, le=24, description="Chat text size in points")


class RemoteSettings(BaseModel):
    """An OpenAI-compatible server (vLLM, SGLang, llama.cpp's server) that answers instead of the local model."""

    url: str | None = Field(
        None,
        description="Address of an OpenAI-compatible server (…/v1) to chat with "
        "instead of the local model (empty: the local model)",
    )
    api_key: str | None = Field(None, description="API key the remote server expects")
    model: str | None = Field(
        None, description="Model to ask the server for (empty: the first one it serves)"
    )

    @field_validator("url", mode="before")
    @classmethod
    def _check_url(cls, value: Any) -> Any:
        if value is None or (isinstance(value, str) and not value.strip()):
            return None
        return normalise_server_url(value)

    @field_validator("api_key", "model", mode="before")
    @classmethod
    def _blank_is_unset(cls, value: Any) -> Any:
        return None if isinstance(value, str) and not value.strip() else value


def _migrate_saved(data: dict[str, Any]) -> dict[str, Any]:
    """Settings files written before the remote engine had its own group keep its address and key."""
    appearance = data.get("appearance")
    if not isinstance(appearance, dict) or not {"remote_url", "remote_api_key"} & appearance.keys():
        return data
    appearance = dict(appearance)
    remote = dict(data["remote"]) if isinstance(data.get("remote"), dict) else {}
    url, key = appearance.pop("remote_url", None), appearance.pop("remote_api_key", None)
    if url is not None and isinstance(url, str) and url.strip():
        try:
            remote.setdefault("url", normalise_server_url(url))
        except ValueError as exc:
            _LOGGER.warning("Dropping the saved remote server address: %s", exc)
    if key:
        remote.setdefault("api_key", key)
    return {**data, "appearance": appearance, "remote": remote}


class _SavedFileSource(PydanticBaseSettingsSource):
    """Reads the saved ``settings.json`` that ``load_settings`` points at."""

    def get_field_value(
        self, field: Any, field_name: str
    ) -> tuple[Any, str, bool]:  # pragma: no cover - unused
        return None, field_name, False

    def __call__(self) -> dict[str, Any]:
        path = _SETTINGS_FILE.get()
        if path is None or not path.is_file():
            return {}
        try:
            data = json.loads(path.read_text(encoding="utf-8"))
        except (OSError, ValueError) as exc:
            _LOGGER.warning("Ignoring unreadable settings file %s: %s", path, exc)
            return {}
        return _migrate_saved(data) if isinstance(data, dict) else {}


class DocumentSettings(BaseModel):
    """Projects' documents: how passages are cut and how many go into a question."""

    passages: int = Field(
        4, ge=1, le=20, description="Passages of the project's documents put into each question"
    )
    chunk_chars: int = Field(
        1000, ge=200, le=8000, description="Longest passage in characters (applies on re-index)"
    )
    hybrid: bool = Field(
        True, description="Rank passages by keywords and meaning together (off: keywords only)"
    )
    embedder_idle_unload_s: int = Field(
        600, ge=0, description="Unload the embedding model after this many idle seconds (0: never)"
    )


class UpdateSettings(BaseModel):
    """Where new versions come from; nothing is fetched unless the user asks or allowed it at start."""

    check_on_start: bool = Field(False, description="Look for a new version when the app starts")
    feed_url: str = Field(
        "", description="Release feed address (empty: the one this version was released with)"
    )
    public_key: str = Field(
        "", description="ed25519 key that signs the feed, base64 (empty: the release key)"
    )


class Settings(BaseSettings):
    """Every setting of the app, grouped as the Settings dialog shows them."""

    model_config = SettingsConfigDict(
        env_prefix="AUTOGLM_", env_nested_delimiter="__", extra="ignore"
    )

    model: ModelSettings = Field(default_factory=ModelSettings)
    generation: GenerationSettings = Field(default_factory=GenerationSettings)
    voice: VoiceSettings = Field(default_factory=VoiceSettings)
    vision: VisionSettings = Field(default_factory=VisionSettings)
    server: ServerSettings = Field(default_factory=ServerSettings)
    remote: RemoteSettings = Field(default_factory=RemoteSettings)
    appearance: AppearanceSettings = Field(default_factory=AppearanceSettings)
    documents: DocumentSettings = Field(default_factory=DocumentSettings)
    updates: UpdateSettings = Field(default_factory=UpdateSettings)

    @classmethod
    def settings_customise_sources(
        cls,
        settings_cls: type[BaseSettings],
        init_settings: PydanticBaseSettingsSource,
        env_settings: PydanticBaseSettingsSource,
        dotenv_settings: PydanticBaseSettingsSource,
        file_secret_settings: PydanticBaseSettingsSource,
    ) -> tuple[PydanticBaseSettingsSource, ...]:
        """Init kwargs beat the environment, which beats the saved file."""
        return (init_settings, env_settings, _SavedFileSource(settings_cls))


SETTINGS_GROUPS: tuple[str, ...] = (
    "model",
    "remote",
    "generation",
    "voice",
    "vision",
    "server",
    "appearance",
    "updates",
)


def load_settings(paths: AppPaths | None = None, **overrides: Any) -> Settings:
    """Settings from defaults, the saved file and the environment; a damaged file is ignored."""
    paths = paths or app_paths()
    token = _SETTINGS_FILE.set(paths.settings_path)
    try:
        try:
            return Settings(**overrides)
        except ValidationError as exc:
            _LOGGER.warning("Saved settings are invalid, using defaults: %s", exc)
            _SETTINGS_FILE.set(None)
            return Settings(**overrides)
    finally:
        _SETTINGS_FILE.reset(token)


def save_settings(settings: Settings, paths: AppPaths | None = None) -> Path:
    """Write the settings atomically to the config folder and return the file."""
    paths = (paths or app_paths()).ensure()
    target = paths.settings_path
    tmp = target.with_suffix(".json.tmp")
    tmp.write_text(
        json.dumps(settings.model_dump(mode="json"), indent=2, ensure_ascii=False), encoding="utf-8"
    )
    os.replace(tmp, target)
    return target


def updated(settings: Settings, group: str, **values: Any) -> Settings:
    """A copy of ``settings`` with fields of one group changed and validated."""
    current = getattr(settings, group)
    new_group = type(current).model_validate({**current.model_dump(), **values})
    return settings.model_copy(update={group: new_group})


def interface_language(settings: Settings) -> str:
    """The window's language code (``zh_CN``, ``en``): the system's where the setting says ``system``."""
    chosen = settings.appearance.language
    if chosen != "system":
        return chosen
    for variable in ("LC_ALL", "LC_MESSAGES", "LANG"):
        value = os.environ.get(variable)
        if value and value not in ("C", "POSIX"):
            return value.split(".")[0]
    return "en"
