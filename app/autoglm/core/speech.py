"""The speech seams: what a recogniser and a synthesiser are, and what they hand back.

``Runtime`` owns one ``Recognizer`` and one ``Synthesizer`` for every front (the voice
loop, read-aloud, the API server), made by a ``SpeechFactory`` that the top layer gives it,
since the implementations (faster-whisper, piper, espeak-ng) live in ``autoglm.speech``
above this package.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Protocol

import numpy as np

if TYPE_CHECKING:
    from autoglm.core.settings import VoiceSettings


@dataclass
class Transcript:
    """What was said: the text, its language, and how long recognising it took."""

    text: str
    language: str
    audio_s: float
    elapsed_s: float
    window_frames: int = 3000  # mel frames the encoder saw: under 3000 when a short window sufficed
    end_confidence: float | None = (
        None  # the recogniser's probability for the final punctuation mark
    )

    @property
    def real_time_factor(self) -> float:
        """Recognition time divided by audio length (below 1: faster than real time)."""
        return self.elapsed_s / self.audio_s if self.audio_s else 0.0


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


class Recognizer(Protocol):
    """Speech to text, loaded on first use and unloaded when idle."""

    device_note: str  # a sentence: why it runs on the CPU although a GPU was found ("" if not)

    @property
    def loaded(self) -> bool:
        """Whether the model is in memory."""

    def load(self) -> None:
        """Load now (e.g. when the microphone opens)."""

    def unload(self) -> None:
        """Free the model; the next use loads it again."""

    def transcribe(self, audio: np.ndarray, short_window: bool | None = None) -> Transcript:
        """Recognise 16 kHz mono float32 speech."""

    def apply_settings(self, settings: VoiceSettings) -> None:
        """Follow changed voice settings from the next transcription on (``ModelError`` if unusable)."""


class Synthesizer(Protocol):
    """Text to speech, loaded on first use and unloaded when idle."""

    @property
    def loaded(self) -> bool:
        """Whether a voice is in memory."""

    @property
    def sample_rate(self) -> int:
        """The rate of the audio it makes (loads the default voice)."""

    def load(self) -> None:
        """Load now (e.g. before the first reply)."""

    def unload(self) -> None:
        """Free the voices; the next use loads them again."""

    def synthesize(self, text: str) -> SpeechAudio:
        """Speak ``text`` in the language it is written in."""

    def apply_settings(self, settings: VoiceSettings) -> None:
        """Follow changed voice settings from the next sentence on (``ModelError`` if unusable)."""


class SpeechFactory(Protocol):
    """Makes the speech models (given to ``Runtime`` by the front that starts the app)."""

    def recognizer(self, settings: VoiceSettings, interface_language: str) -> Recognizer:
        """A recogniser for these settings (not loaded yet)."""

    def synthesizer(self, settings: VoiceSettings) -> Synthesizer:
        """A synthesiser for these settings (not loaded yet)."""
