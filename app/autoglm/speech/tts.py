"""Speech synthesis with a piper voice: text in, float32 audio out.

``SpeechAudio`` lives in ``core.speech`` (the seam every front shares) and is re-exported here.
"""

from __future__ import annotations

import logging
import time
import wave
from pathlib import Path

import numpy as np

from autoglm.core.errors import ModelError
from autoglm.core.lazy_model import LazyModel
from autoglm.core.settings import VoiceSettings
from autoglm.core.speech import SpeechAudio
from autoglm.speech.models import resolve_tts_voice

__all__ = ["PiperSynthesizer", "SpeechAudio", "write_wav"]
_LOGGER = logging.getLogger(__name__)


def write_wav(path: Path, audio: SpeechAudio) -> None:
    """Save ``audio`` as a 16-bit mono WAV file; ``OSError`` if it cannot be written.

    The file is opened here, not by ``wave.open``, whose half-built writer prints a
    traceback when the folder does not exist.
    """
    with open(path, "wb") as file, wave.open(file, "wb") as wav:
        wav.setnchannels(1)
        wav.setsampwidth(2)
        wav.setframerate(audio.sample_rate)
        wav.writeframes(audio.int16().tobytes())


def _load_piper_voice(model: Path, config: Path, threads: int):  # noqa: ANN202 - piper.PiperVoice
    """A piper voice whose ONNX session uses ``threads`` threads and never spin-waits.

    Piper's own loader uses onnxruntime's defaults (every core, spinning between runs),
    which steals the CPU from the language model decoding the next sentence meanwhile.
    Two threads, not one: the first words of a reply are synthesised while the model is
    paused (``core.foreground``), and on two cores a three-word piece then takes 0.07 s
    instead of 0.12 s; while the model decodes beside it, two threads slowed neither side
    more than one did (both ~22 tok/s and ~0.4 s per sentence, measured on this 2-core CPU).
    """
    import json

    import onnxruntime
    from piper import PiperConfig, PiperVoice  # heavy: onnxruntime, espeak

    options = onnxruntime.SessionOptions()
    options.intra_op_num_threads = threads
    options.inter_op_num_threads = 1
    options.add_session_config_entry("session.intra_op.allow_spinning", "0")
    options.log_severity_level = 3
    session = onnxruntime.InferenceSession(
        str(model), sess_options=options, providers=["CPUExecutionProvider"]
    )
    with open(config, encoding="utf-8") as handle:
        return PiperVoice(config=PiperConfig.from_dict(json.load(handle)), session=session)


class PiperSynthesizer:
    """A piper voice loaded on first use, unloaded when idle, switchable live."""

    def __init__(
        self,
        voice: str = "piper-en_US-joe-medium",
        speech_rate: float = 1.0,
        idle_unload_s: float = 600.0,
        threads: int = 2,
    ):
        self.threads = threads
        self.speech_rate = speech_rate
        self._voice = LazyModel(voice, self._open, resolve_tts_voice, idle_unload_s, "voice")

    @property
    def voice_spec(self) -> str:
        """The catalog id or ``.onnx`` path of the voice in use."""
        return self._voice.spec

    @property
    def loaded(self) -> bool:
        """Whether the voice is in memory."""
        return self._voice.loaded

    @property
    def sample_rate(self) -> int:
        """The voice's output rate (loads the voice)."""
        return self._voice.get().config.sample_rate

    def _open(self, spec: str):  # noqa: ANN202 - piper.PiperVoice
        files = resolve_tts_voice(spec)
        started = time.perf_counter()
        try:
            voice = _load_piper_voice(files.model, files.config, self.threads)
        except Exception as exc:  # any load failure means a bad voice file
            raise ModelError(f"The voice '{files.model.name}' could not be loaded: {exc}") from exc
        _LOGGER.info("Loaded voice %s in %.2f s", files.model.name, time.perf_counter() - started)
        return voice

    def load(self) -> None:
        """Load the voice now (e.g. in the background before the first reply)."""
        self._voice.load()

    def unload(self) -> None:
        """Free the voice; the next synthesis loads it again."""
        self._voice.unload()

    def reconfigure(self, voice: str, speech_rate: float) -> None:
        """Speak with another voice or speed from the next sentence on (``ModelError`` if it cannot load)."""
        self._voice.switch(voice)
        self.speech_rate = speech_rate

    def apply_settings(self, settings: VoiceSettings) -> None:
        """Follow the voice settings' (English) voice and speed."""
        self.reconfigure(settings.tts_voice, settings.speech_rate)

    def synthesize(self, text: str) -> SpeechAudio:
        """Speak ``text``: all its sentences joined into one buffer."""
        from piper import SynthesisConfig

        with self._voice.busy() as voice:
            started = time.perf_counter()  # after loading: this times synthesis alone
            length_scale = voice.config.length_scale / self.speech_rate
            chunks = [
                chunk.audio_float_array
                for chunk in voice.synthesize(text, SynthesisConfig(length_scale=length_scale))
            ]
        samples = np.concatenate(chunks) if chunks else np.zeros(0, np.float32)
        return SpeechAudio(
            samples.astype(np.float32, copy=False),
            voice.config.sample_rate,
            time.perf_counter() - started,
        )
