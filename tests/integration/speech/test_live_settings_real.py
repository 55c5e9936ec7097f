"""Changing the voice, its speed or the whisper model takes effect at once, with the real models."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from autoglm.core.errors import ModelError
from autoglm.speech.asr import WhisperTranscriber
from autoglm.speech.models import resolve_asr_model, resolve_tts_voice
from autoglm.speech.resample import resample
from autoglm.speech.tts import PiperSynthesizer

SENTENCE = "The quick brown fox jumps over the lazy dog."


def test_speed_and_voice_change_without_a_restart_and_a_bad_voice_changes_nothing(
    tmp_path: Path,
) -> None:
    synthesizer = PiperSynthesizer(idle_unload_s=0)
    normal = synthesizer.synthesize(SENTENCE).duration_s
    bundled = resolve_tts_voice(synthesizer.voice_spec)
    copy = tmp_path / "my-voice.onnx"
    shutil.copy(bundled.model, copy)
    shutil.copy(bundled.config, tmp_path / "my-voice.onnx.json")

    synthesizer.reconfigure(str(copy), speech_rate=2.0)
    assert synthesizer.voice_spec == str(copy)
    fast = synthesizer.synthesize(SENTENCE).duration_s
    assert fast < normal * 0.7, (fast, normal)

    broken = tmp_path / "broken.onnx"
    broken.write_bytes(b"not a network")
    (tmp_path / "broken.onnx.json").write_text((tmp_path / "my-voice.onnx.json").read_text())
    with pytest.raises(ModelError, match="broken.onnx' could not be loaded"):
        synthesizer.reconfigure(str(broken), speech_rate=2.0)
    with pytest.raises(ModelError, match="No piper voice"):
        synthesizer.reconfigure(str(tmp_path / "absent.onnx"), speech_rate=2.0)
    assert synthesizer.voice_spec == str(copy)
    assert synthesizer.synthesize(SENTENCE).duration_s == pytest.approx(fast, rel=0.15)


def test_a_whisper_folder_that_cannot_load_keeps_the_working_model(tmp_path: Path) -> None:
    transcriber = WhisperTranscriber(idle_unload_s=0)
    transcriber.load()
    folder = tmp_path / "whisper-copy"
    shutil.copytree(resolve_asr_model(transcriber.model_spec), folder)
    speech = PiperSynthesizer(idle_unload_s=0).synthesize(SENTENCE)
    audio = resample(speech.samples, speech.sample_rate, 16_000)
    transcriber.reconfigure(str(folder), "en")
    assert transcriber.model_spec == str(folder)
    assert "fox" in transcriber.transcribe(audio).text.lower()

    other = tmp_path / "whisper-broken"
    shutil.copytree(folder, other)
    (other / "model.bin").write_bytes(b"truncated")
    with pytest.raises(ModelError, match="could not be loaded"):
        transcriber.reconfigure(str(other), "en")
    assert transcriber.model_spec == str(folder)
    assert "fox" in transcriber.transcribe(audio).text.lower()
