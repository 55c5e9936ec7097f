"""Speech recognition with faster-whisper: int8 on CPU, float16 on CUDA, loaded on first use."""

from __future__ import annotations

import logging
import os
import time
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from autoglm.core.errors import InputError, ModelError
from autoglm.core.lazy_model import LazyModel
from autoglm.speech.models import resolve_asr_model
from autoglm.speech.short_window import transcribe_short

_LOGGER = logging.getLogger(__name__)
SAMPLE_RATE = 16_000


@dataclass
class Transcript:
    """What was said: the text, its language, and how long recognising it took."""

    text: str
    language: str
    audio_s: float
    elapsed_s: float
    window_frames: int = 3000  # mel frames the encoder saw: under 3000 when a short window sufficed

    @property
    def real_time_factor(self) -> float:
        """Recognition time divided by audio length (below 1: faster than real time)."""
        return self.elapsed_s / self.audio_s if self.audio_s else 0.0


def load_audio_file(path: Path) -> np.ndarray:
    """Decode any audio file to 16 kHz mono float32 (``InputError`` if it is not audio)."""
    if not path.is_file():
        raise InputError(f"No audio file at '{path}'.")
    from faster_whisper.audio import decode_audio  # heavy: PyAV

    try:
        return decode_audio(str(path), sampling_rate=SAMPLE_RATE)
    except Exception as exc:  # noqa: BLE001 - PyAV raises many kinds for a non-audio file
        reason = getattr(exc, "strerror", None) or str(exc)
        raise InputError(f"'{path.name}' could not be read as audio ({reason}).") from exc


def _compute_device() -> tuple[str, str]:
    import ctranslate2

    try:
        if ctranslate2.get_cuda_device_count() > 0:
            return "cuda", "float16"
    except Exception:  # noqa: BLE001 - a broken CUDA install means CPU
        _LOGGER.debug("CUDA probe failed", exc_info=True)
    return "cpu", "int8"


class WhisperTranscriber:
    """A faster-whisper model loaded on first use, unloaded when idle, switchable live."""

    def __init__(self, model: str = "whisper-tiny.en", language: str = "auto", cpu_threads: int = 0,
                 idle_unload_s: float = 600.0, beam_size: int = 1, short_window: bool = True):
        self.language = language
        self.cpu_threads = cpu_threads
        self.beam_size = beam_size
        self.short_window = short_window
        self.device = ""
        self._model = LazyModel(model, self._open, resolve_asr_model, idle_unload_s, "speech recognition model")

    @property
    def model_spec(self) -> str:
        """The catalog id or folder of the model in use."""
        return self._model.spec

    @property
    def loaded(self) -> bool:
        """Whether the model is in memory."""
        return self._model.loaded

    def _open(self, spec: str):  # noqa: ANN202 - faster_whisper.WhisperModel
        folder = resolve_asr_model(spec)
        from faster_whisper import WhisperModel  # heavy: CTranslate2

        device, compute_type = _compute_device()
        started = time.perf_counter()
        try:
            threads = self.cpu_threads or min(4, os.cpu_count() or 1)
            model = WhisperModel(str(folder), device=device, compute_type=compute_type,
                                 cpu_threads=threads, local_files_only=True)
        except Exception as exc:  # noqa: BLE001 - any load failure means a bad model folder
            raise ModelError(f"The speech recognition model in '{folder}' could not be loaded: {exc}") from exc
        self.device = f"{device}/{compute_type}"
        _LOGGER.info("Loaded whisper from %s on %s in %.2f s", folder, self.device, time.perf_counter() - started)
        return model

    def load(self) -> None:
        """Load the model now (e.g. in the background when the mic opens)."""
        self._model.load()

    def unload(self) -> None:
        """Free the model; the next transcription loads it again."""
        self._model.unload()

    def reconfigure(self, model: str, language: str) -> None:
        """Use another model or language from the next transcription on (``ModelError`` if it cannot load)."""
        self._model.switch(model)
        self.language = language

    def transcribe(self, audio: np.ndarray, short_window: bool | None = None) -> Transcript:
        """Recognise 16 kHz mono float32 speech.

        Utterances under 10 s first try an encoder window sized to them (``short_window``,
        about three times faster; see ``speech.short_window``) and fall back to whisper's
        30 s window when that result looks wrong.
        """
        samples = np.asarray(audio, dtype=np.float32).ravel()
        language = None if self.language in ("", "auto") else self.language
        audio_s = len(samples) / SAMPLE_RATE
        with self._model.busy() as model:
            started = time.perf_counter()  # after loading: this times recognition alone
            if self.short_window if short_window is None else short_window:
                short = transcribe_short(model, samples, language, self.beam_size)
                if short is not None:
                    return Transcript(short.text, short.language, audio_s, time.perf_counter() - started,
                                      short.window_frames)
                _LOGGER.info("The short-window transcript looked wrong; using the full window")
            segments, info = model.transcribe(
                samples, language=language, beam_size=self.beam_size, vad_filter=False,
                condition_on_previous_text=False, without_timestamps=True)
            text = " ".join(segment.text.strip() for segment in segments).strip()
        return Transcript(text, info.language, audio_s, time.perf_counter() - started)

    def transcribe_file(self, path: Path) -> Transcript:
        """Recognise the speech in an audio file."""
        return self.transcribe(load_audio_file(path))
