"""Speech recognition with faster-whisper: int8 on CPU, float16 on CUDA, loaded on first use.

With a multilingual model and the language on ``auto``, each turn's language is detected
among the languages the app speaks (English and Chinese): espeak-ng's Mandarin, for one,
is heard as Thai or English by an unrestricted detector. Chinese comes out in simplified
characters (whisper often writes traditional ones; OpenCC converts them) with whisper's own
punctuation; an ``initial_prompt`` in simplified Chinese was tried instead and made whisper
base repeat the prompt on short questions (4 of 8 espeak-ng questions).
"""

from __future__ import annotations

import logging
import os
import time
from functools import cache
from pathlib import Path
from typing import Any

import numpy as np

from autoglm.core.errors import InputError, ModelError
from autoglm.core.lazy_model import LazyModel
from autoglm.core.settings import VoiceSettings
from autoglm.core.speech import Transcript
from autoglm.speech.models import CHINESE, choose_asr_model, resolve_asr_model
from autoglm.speech.short_window import transcribe_short

__all__ = [
    "SAMPLE_RATE",
    "SPOKEN_LANGUAGES",
    "Transcript",
    "WhisperTranscriber",
    "load_audio_file",
    "simplified",
]
_LOGGER = logging.getLogger(__name__)
SAMPLE_RATE = 16_000
SPOKEN_LANGUAGES = ("en", "zh")  # what ``auto`` detects among with a multilingual model
PREFERRED_WEIGHT = 4.0  # Chinese interface: Chinese counts this many times its probability
LAST_TURN_WEIGHT = 2.0  # the language of the previous turn counts double (people rarely switch)


def choose_language(ranked: list[tuple[str, float]], preferred: str = "", last: str = "") -> str:
    """English or Chinese from whisper's language probabilities, weighted by the context.

    Whisper base is unsure of synthetic or accented Mandarin: espeak-ng's "中国的首都是哪里"
    scores English 0.41 against Chinese 0.15, "今天天气怎么样" scores Thai highest, while
    English questions score English 0.28–0.98 and Chinese under 0.01. So Chinese weighs
    more with a Chinese interface or after a Chinese turn, and speech whisper hears as
    neither (Thai, Vietnamese…) with English unlikely counts as Chinese.
    """
    scores = dict(ranked)

    def weight(code: str) -> float:
        return (PREFERRED_WEIGHT if code == preferred else 1.0) * (
            LAST_TURN_WEIGHT if code == last else 1.0
        )

    english, chinese = (
        scores.get("en", 0.0) * weight("en"),
        scores.get(CHINESE, 0.0) * weight(CHINESE),
    )
    top = ranked[0][0] if ranked else "en"
    if top not in SPOKEN_LANGUAGES and scores.get("en", 0.0) < 0.5:
        return CHINESE
    return CHINESE if chinese > english else "en"


@cache
def _t2s() -> Any:  # opencc.OpenCC
    import opencc

    return opencc.OpenCC("t2s")


def simplified(text: str) -> str:
    """``text`` with traditional Chinese characters written in simplified ones."""
    return _t2s().convert(text) if text else text


def load_audio_file(path: Path) -> np.ndarray:
    """Decode any audio file to 16 kHz mono float32 (``InputError`` if it is not audio)."""
    if not path.is_file():
        raise InputError(f"No audio file at '{path}'.")
    from faster_whisper.audio import decode_audio  # heavy: PyAV

    try:
        return decode_audio(str(path), sampling_rate=SAMPLE_RATE)
    except Exception as exc:  # PyAV raises many kinds for a non-audio file
        reason = getattr(exc, "strerror", None) or str(exc)
        raise InputError(f"'{path.name}' could not be read as audio ({reason}).") from exc


def _compute_device() -> tuple[str, str]:
    import ctranslate2

    try:
        if ctranslate2.get_cuda_device_count() > 0:
            return "cuda", "float16"
    except Exception:  # a broken CUDA install means CPU
        _LOGGER.debug("CUDA probe failed", exc_info=True)
    return "cpu", "int8"


def check_runs(model: Any) -> str:
    """Decode half a second of silence (its text returned), so a device that cannot run the model fails now.

    A driver alone makes CTranslate2 report a CUDA device, but cuBLAS and cuDNN are loaded
    only at the first encode: on a PC with an NVIDIA card and no CUDA toolkit (the bundle
    carries neither library) the user's first question would be the thing that fails.
    """
    silence = np.zeros(SAMPLE_RATE // 2, dtype=np.float32)
    segments, _info = model.transcribe(
        silence, language="en", beam_size=1, vad_filter=False, without_timestamps=True
    )
    return "".join(segment.text for segment in segments)


class WhisperTranscriber:
    """A faster-whisper model loaded on first use, unloaded when idle, switchable live."""

    def __init__(
        self,
        model: str = "whisper-tiny.en",
        language: str = "auto",
        cpu_threads: int = 0,
        idle_unload_s: float = 600.0,
        beam_size: int = 1,
        short_window: bool = True,
        interface_language: str = "",
    ):
        self.language = language
        self.interface_language = interface_language
        self.cpu_threads = cpu_threads
        self.beam_size = beam_size
        self.short_window = short_window
        self.device = ""
        self.device_note = ""  # the sentence saying why it runs on the CPU although a GPU was found
        self.last_language = ""
        self._model = LazyModel(
            choose_asr_model(model, language, interface_language),
            self._open,
            resolve_asr_model,
            idle_unload_s,
            "speech recognition model",
        )

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
        threads = self.cpu_threads or min(4, os.cpu_count() or 1)

        def load(device: str, compute_type: str) -> Any:
            return WhisperModel(
                str(folder),
                device=device,
                compute_type=compute_type,
                cpu_threads=threads,
                local_files_only=True,
            )

        try:
            if device == "cuda":
                try:
                    model = load(device, compute_type)
                    check_runs(model)
                except Exception as exc:  # noqa: BLE001 - missing cuBLAS/cuDNN, an old driver, no memory: the CPU then
                    self.device_note = (
                        f"Speech recognition runs on the CPU: the GPU could not run it ({exc})."
                    )
                    _LOGGER.warning("Whisper: %s", self.device_note)
                    device, compute_type = "cpu", "int8"
            if device == "cpu":
                model = load(device, compute_type)
        except Exception as exc:  # any load failure means a bad model folder
            raise ModelError(
                f"The speech recognition model in '{folder}' could not be loaded: {exc}"
            ) from exc
        self.device = f"{device}/{compute_type}"
        _LOGGER.info(
            "Loaded whisper from %s on %s in %.2f s",
            folder,
            self.device,
            time.perf_counter() - started,
        )
        return model

    def load(self) -> None:
        """Load the model now (e.g. in the background when the mic opens)."""
        self._model.load()

    def unload(self) -> None:
        """Free the model; the next transcription loads it again."""
        self._model.unload()

    def reconfigure(self, model: str, language: str) -> None:
        """Use another model or language from the next transcription on (``ModelError`` if it cannot load)."""
        self._model.switch(choose_asr_model(model, language, self.interface_language))
        self.language = language

    def apply_settings(self, settings: VoiceSettings) -> None:
        """Follow the voice settings' model and language (``ModelError`` if the model cannot load)."""
        self.reconfigure(settings.asr_model, settings.language)

    def _language(self, model: Any, samples: np.ndarray) -> str | None:
        """The language to decode in: the one set, else (multilingual) the likelier spoken one."""
        if self.language not in ("", "auto"):
            return self.language
        if not model.model.is_multilingual:
            return None
        _, _, probabilities = model.detect_language(samples)
        return self._choose(probabilities)

    def _choose(self, ranked: list[tuple[str, float]]) -> str:
        preferred = CHINESE if self.interface_language.startswith(CHINESE) else ""
        return choose_language(ranked, preferred, self.last_language)

    def transcribe(self, audio: np.ndarray, short_window: bool | None = None) -> Transcript:
        """Recognise 16 kHz mono float32 speech.

        Utterances under 10 s first try an encoder window sized to them (``short_window``,
        about three times faster; see ``speech.short_window``) and fall back to whisper's
        30 s window when that result looks wrong.
        """
        samples = np.asarray(audio, dtype=np.float32).ravel()
        audio_s = len(samples) / SAMPLE_RATE
        if not len(samples):
            return Transcript("", self.language if self.language != "auto" else "en", 0.0, 0.0)
        with self._model.busy() as model:
            started = time.perf_counter()  # after loading: this times recognition alone
            use_short = self.short_window if short_window is None else short_window
            language = (
                None
                if use_short and model.model.is_multilingual and self.language in ("", "auto")
                else self._language(model, samples)
            )
            result = (
                transcribe_short(model, samples, language, self.beam_size, self._choose)
                if use_short
                else None
            )
            end_confidence = None
            if result is not None:
                text, detected, frames = result.text, result.language, result.window_frames
                end_confidence = result.end_confidence
            else:
                if use_short:
                    _LOGGER.info("The short-window transcript looked wrong; using the full window")
                    language = language or self._language(model, samples)
                segments, info = model.transcribe(
                    samples,
                    language=language,
                    beam_size=self.beam_size,
                    vad_filter=False,
                    condition_on_previous_text=False,
                    without_timestamps=True,
                )
                text = " ".join(segment.text.strip() for segment in segments).strip()
                detected, frames = info.language, 3000
        text = text.replace("\ufffd", "")  # a character cut between two byte tokens
        if detected == CHINESE:
            text = simplified(text)
        if text:
            self.last_language = detected
        return Transcript(
            text, detected, audio_s, time.perf_counter() - started, frames, end_confidence
        )

    def transcribe_file(self, path: Path) -> Transcript:
        """Recognise the speech in an audio file."""
        return self.transcribe(load_audio_file(path))
