"""Speech synthesis with a piper voice: text in, float32 audio out."""

from __future__ import annotations

import logging
import threading
import time
import wave
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from autoglm.core.errors import ModelError
from autoglm.core.idle import IdleUnloader
from autoglm.speech.models import resolve_tts_voice

_LOGGER = logging.getLogger(__name__)


@dataclass
class SpeechAudio:
    """Synthesised speech: mono float32 samples in [-1, 1] at ``sample_rate``."""

    samples: np.ndarray
    sample_rate: int
    synthesis_s: float = 0.0

    @property
    def duration_s(self) -> float:
        """Length of the audio in seconds."""
        return len(self.samples) / self.sample_rate if self.sample_rate else 0.0

    def int16(self) -> np.ndarray:
        """The samples as 16-bit PCM."""
        return (np.clip(self.samples, -1.0, 1.0) * 32767).astype(np.int16)


def write_wav(path: Path, audio: SpeechAudio) -> None:
    """Save ``audio`` as a 16-bit mono WAV file."""
    with wave.open(str(path), "wb") as wav:
        wav.setnchannels(1)
        wav.setsampwidth(2)
        wav.setframerate(audio.sample_rate)
        wav.writeframes(audio.int16().tobytes())


def _load_piper_voice(model: Path, config: Path, threads: int):  # noqa: ANN202 - piper.PiperVoice
    """A piper voice whose ONNX session uses ``threads`` threads and never spin-waits.

    Piper's own loader uses onnxruntime's defaults (every core, spinning between runs),
    which steals the CPU from the language model decoding the next sentence meanwhile.
    """
    import json

    import onnxruntime
    from piper import PiperConfig, PiperVoice  # heavy: onnxruntime, espeak

    options = onnxruntime.SessionOptions()
    options.intra_op_num_threads = threads
    options.inter_op_num_threads = 1
    options.add_session_config_entry("session.intra_op.allow_spinning", "0")
    options.log_severity_level = 3
    session = onnxruntime.InferenceSession(str(model), sess_options=options, providers=["CPUExecutionProvider"])
    with open(config, encoding="utf-8") as handle:
        return PiperVoice(config=PiperConfig.from_dict(json.load(handle)), session=session)


class PiperSynthesizer:
    """A piper voice loaded on first use (under a lock) and unloaded after idle time."""

    def __init__(self, voice: str = "piper-en_US-joe-medium", speech_rate: float = 1.0,
                 idle_unload_s: float = 600.0, threads: int = 1):
        self.voice_spec = voice
        self.threads = threads
        self.speech_rate = speech_rate
        self._voice = None
        self._lock = threading.Lock()
        self._idle = IdleUnloader(idle_unload_s, self.unload, "voice")

    @property
    def loaded(self) -> bool:
        """Whether the voice is in memory."""
        return self._voice is not None

    @property
    def sample_rate(self) -> int:
        """The voice's output rate (loads the voice)."""
        return self._load().config.sample_rate

    def _load(self):  # noqa: ANN202 - piper.PiperVoice
        with self._lock:
            if self._voice is None:
                files = resolve_tts_voice(self.voice_spec)
                started = time.perf_counter()
                try:
                    self._voice = _load_piper_voice(files.model, files.config, self.threads)
                except Exception as exc:  # noqa: BLE001 - any load failure means a bad voice file
                    raise ModelError(f"The voice '{files.model.name}' could not be loaded: {exc}") from exc
                _LOGGER.info("Loaded voice %s in %.2f s", files.model.name, time.perf_counter() - started)
            return self._voice

    def load(self) -> None:
        """Load the voice now (e.g. in the background before the first reply)."""
        self._load()
        self._idle.touch()

    def unload(self) -> None:
        """Free the voice; the next synthesis loads it again."""
        with self._lock:
            self._voice = None

    def synthesize(self, text: str) -> SpeechAudio:
        """Speak ``text``: all its sentences joined into one buffer."""
        voice = self._load()
        from piper import SynthesisConfig

        length_scale = voice.config.length_scale / self.speech_rate
        started = time.perf_counter()
        with self._idle.busy():
            chunks = [chunk.audio_float_array for chunk in
                      voice.synthesize(text, SynthesisConfig(length_scale=length_scale))]
        samples = np.concatenate(chunks) if chunks else np.zeros(0, np.float32)
        return SpeechAudio(samples.astype(np.float32, copy=False), voice.config.sample_rate,
                           time.perf_counter() - started)
