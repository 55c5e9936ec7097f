"""One typed settings model for the whole app.

Values come, lowest priority first, from the defaults below, the saved
``settings.json`` in the config folder, ``AUTOGLM_<GROUP>__<FIELD>`` environment
variables, and finally command-line flags, which the CLI generates from these same
fields (see ``autoglm.core.settings_cli``) so nothing is written twice.
"""

from __future__ import annotations

import json
import logging
import os
from contextvars import ContextVar
from pathlib import Path
from typing import Any, Literal

from pydantic import BaseModel, Field, ValidationError
from pydantic_settings import BaseSettings, PydanticBaseSettingsSource, SettingsConfigDict

from autoglm.core.paths import AppPaths, app_paths

_LOGGER = logging.getLogger(__name__)
_SETTINGS_FILE: ContextVar[Path | None] = ContextVar("autoglm_settings_file", default=None)


class ModelSettings(BaseModel):
    """Which model runs and how llama.cpp runs it."""

    active_model: str = Field("qwen2.5-coder-0.5b", description="Catalog id or path of the GGUF to chat with")
    mmproj_path: str | None = Field(None, description="Vision projector GGUF for a model given by path")
    n_ctx: int = Field(8192, ge=512, le=262144, description="Context size in tokens")
    n_gpu_layers: int = Field(-1, ge=-1, le=1000, description="Layers offloaded to the GPU (-1: all; ignored on CPU builds)")
    n_threads: int | None = Field(None, ge=1, le=256, description="CPU threads for decoding (default: physical cores)")
    n_batch: int = Field(512, ge=8, le=8192, description="Prompt evaluation batch size")
    flash_attn: bool = Field(False, description="Use flash attention where the backend has it")
    projector_idle_unload_s: int = Field(600, ge=0, description="Unload the vision projector after this many idle seconds (0: never)")


class GenerationSettings(BaseModel):
    """How replies are sampled."""

    temperature: float = Field(0.7, ge=0.0, le=2.0, description="Sampling temperature (0: greedy)")
    top_p: float = Field(0.9, gt=0.0, le=1.0, description="Nucleus sampling threshold")
    top_k: int = Field(40, ge=0, le=1000, description="Top-k sampling (0: off)")
    repeat_penalty: float = Field(1.05, ge=1.0, le=2.0, description="Penalty for repeated tokens")
    max_tokens: int = Field(1024, ge=1, le=32768, description="Longest reply in tokens")
    seed: int | None = Field(None, description="Random seed (unset: a new one each reply)")
    system_prompt: str = Field("You are AutoGLM, a helpful assistant running privately on this computer.",
                               description="System prompt put before every conversation")
    thinking: bool = Field(True, description="Let the model think before answering (reasoning shown folded)")


class VoiceSettings(BaseModel):
    """Microphone, speech recognition and speech synthesis."""

    input_device: str | None = Field(None, description="Microphone name (unset: system default)")
    output_device: str | None = Field(None, description="Speaker name (unset: system default)")
    asr_model: str = Field("whisper-tiny.en", description="Catalog id or folder of a CTranslate2 whisper model")
    language: str = Field("auto", description="Spoken language code, or 'auto'")
    tts_voice: str = Field("piper-en_US-joe-medium", description="Catalog id or .onnx path of a piper voice")
    speech_rate: float = Field(1.0, ge=0.5, le=2.0, description="Speaking speed (1.0: the voice's own)")
    end_silence_ms: int = Field(600, ge=200, le=5000, description="Silence that ends a spoken turn")
    preroll_ms: int = Field(300, ge=0, le=2000, description="Audio kept from before speech starts")
    vad_threshold: float = Field(0.5, gt=0.0, lt=1.0, description="Speech probability that counts as speech")
    headset: bool = Field(False, description="Using a headset: allows barge-in while the assistant speaks")
    barge_in: bool = Field(False, description="Speaking over the assistant interrupts it (needs a headset)")
    read_aloud: bool = Field(False, description="Read typed chats' replies aloud")
    idle_unload_s: int = Field(600, ge=0, description="Unload speech models after this many idle seconds (0: never)")


class VisionSettings(BaseModel):
    """Images given to the model."""

    max_image_pixels: int = Field(5_000_000, ge=10_000, le=50_000_000, description="Images are downscaled to at most this many pixels")
    max_source_pixels: int = Field(200_000_000, ge=1_000_000, description="Larger images are refused as decompression bombs")
    hide_window_on_capture: bool = Field(True, description="Hide the app while taking a screenshot")


class ServerSettings(BaseModel):
    """The OpenAI-compatible HTTP API."""

    enabled: bool = Field(False, description="Serve the API while the app runs")
    host: str = Field("127.0.0.1", description="Address to bind (anything but loopback needs an API key)")
    port: int = Field(8000, ge=0, le=65535, description="TCP port (0: any free port)")
    api_key: str | None = Field(None, description="Bearer key clients must send")
    rate_limit_per_minute: int = Field(0, ge=0, description="Requests per minute per key (0: unlimited)")
    max_queued_requests: int = Field(16, ge=1, le=1024, description="API requests allowed to wait for the model; more are refused with 429")
    max_body_mb: float = Field(32.0, gt=0, description="Largest request body in MiB")
    max_audio_seconds: float = Field(600.0, gt=0, description="Longest audio input in seconds")
    allowed_image_dir: str | None = Field(None, description="Local folder image_url may read file:// images from")
    cors_origins: list[str] = Field(default_factory=list, description="Origins allowed by CORS (empty: CORS off)")


class AppearanceSettings(BaseModel):
    """How the window looks."""

    theme: Literal["system", "light", "dark"] = Field("system", description="Colour theme")
    language: Literal["system", "en", "zh_CN"] = Field("system", description="Interface language")
    font_size: int = Field(11, ge=8, le=24, description="Chat text size in points")
    remote_url: str | None = Field(None, description="Use this OpenAI-compatible server instead of the local engine")
    remote_api_key: str | None = Field(None, description="API key for the remote server")


class _SavedFileSource(PydanticBaseSettingsSource):
    """Reads the saved ``settings.json`` that ``load_settings`` points at."""

    def get_field_value(self, field: Any, field_name: str) -> tuple[Any, str, bool]:  # pragma: no cover - unused
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
        return data if isinstance(data, dict) else {}


class Settings(BaseSettings):
    """Every setting of the app, grouped as the Settings dialog shows them."""

    model_config = SettingsConfigDict(env_prefix="AUTOGLM_", env_nested_delimiter="__", extra="ignore")

    model: ModelSettings = Field(default_factory=ModelSettings)
    generation: GenerationSettings = Field(default_factory=GenerationSettings)
    voice: VoiceSettings = Field(default_factory=VoiceSettings)
    vision: VisionSettings = Field(default_factory=VisionSettings)
    server: ServerSettings = Field(default_factory=ServerSettings)
    appearance: AppearanceSettings = Field(default_factory=AppearanceSettings)

    @classmethod
    def settings_customise_sources(cls, settings_cls, init_settings, env_settings,
                                   dotenv_settings, file_secret_settings):
        """Init kwargs beat the environment, which beats the saved file."""
        return (init_settings, env_settings, _SavedFileSource(settings_cls))


SETTINGS_GROUPS: tuple[str, ...] = ("model", "generation", "voice", "vision", "server", "appearance")


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
    tmp.write_text(json.dumps(settings.model_dump(mode="json"), indent=2, ensure_ascii=False), encoding="utf-8")
    os.replace(tmp, target)
    return target


def updated(settings: Settings, group: str, **values: Any) -> Settings:
    """A copy of ``settings`` with fields of one group changed and validated."""
    current = getattr(settings, group)
    new_group = type(current).model_validate({**current.model_dump(), **values})
    return settings.model_copy(update={group: new_group})
