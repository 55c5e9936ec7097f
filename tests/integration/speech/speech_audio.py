"""Spoken test material made by code (espeak-ng), shared by the speech integration tests."""

from __future__ import annotations

import time
import wave
from collections.abc import Callable
from pathlib import Path

import numpy as np

from autoglm.speech.asr import load_audio_file
from fixtures.audio import espeak_wav  # re-exported for the speech tests


def wait_for(condition: Callable[[], object], timeout: float) -> bool:
    """Poll ``condition`` every 50 ms until it holds or ``timeout`` seconds pass; its last answer."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if condition():
            return True
        time.sleep(0.05)
    return bool(condition())


def read_wav(path: Path) -> tuple[np.ndarray, int]:
    """A 16-bit mono WAV as float32 samples and its rate."""
    with wave.open(str(path), "rb") as wav:
        data = np.frombuffer(wav.readframes(wav.getnframes()), dtype=np.int16)
        return data.astype(np.float32) / 32768.0, wav.getframerate()


QUESTION = "What is the capital of France?"


def spoken_question_16k(folder: Path, text: str = QUESTION) -> np.ndarray:
    """``text`` spoken by espeak-ng, as 16 kHz float32."""
    return load_audio_file(espeak_wav(text, folder / "question.wav"))
