"""Model resolution by catalog id or path, and that speech stays unloaded until used."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from autoglm.core.errors import ModelError
from autoglm.speech.models import (
    PIPER_JOE_MEDIUM,
    WHISPER_TINY_EN,
    resolve_asr_model,
    resolve_tts_voice,
)


def test_bundled_ids_resolve_to_real_files() -> None:
    assert (resolve_asr_model(WHISPER_TINY_EN) / "model.bin").is_file()
    voice = resolve_tts_voice(PIPER_JOE_MEDIUM)
    assert voice.model.suffix == ".onnx" and voice.config.is_file()


def test_user_voice_next_to_its_json_resolves(tmp_path: Path) -> None:
    model = tmp_path / "zh_CN-test.onnx"
    model.write_bytes(b"onnx")
    (tmp_path / "zh_CN-test.onnx.json").write_text("{}")
    assert resolve_tts_voice(str(model)).config == tmp_path / "zh_CN-test.onnx.json"


def test_missing_models_are_explained(tmp_path: Path) -> None:
    with pytest.raises(ModelError, match="No whisper model"):
        resolve_asr_model(str(tmp_path))
    lonely = tmp_path / "voice.onnx"
    lonely.write_bytes(b"onnx")
    with pytest.raises(ModelError, match="no configuration"):
        resolve_tts_voice(str(lonely))
    with pytest.raises(ModelError, match="No piper voice"):
        resolve_tts_voice(str(tmp_path / "missing.onnx"))


HEAVY = ["faster_whisper", "ctranslate2", "onnxruntime", "piper", "sounddevice"]


def test_importing_speech_modules_loads_no_speech_engine() -> None:
    code = (
        "import json, sys\n"
        "import autoglm.speech, autoglm.speech.conversation, autoglm.speech.capture\n"
        "import autoglm.speech.asr, autoglm.speech.tts, autoglm.speech.vad, autoglm.speech.playback\n"
        f"print(json.dumps([m for m in {HEAVY!r} if m in sys.modules]))\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True
    )
    assert json.loads(result.stdout.strip().splitlines()[-1]) == []
