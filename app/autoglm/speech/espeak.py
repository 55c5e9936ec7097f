"""espeak-ng's Mandarin voice: the offline Chinese voice when no neural (piper zh_CN) one is installed.

No PyPI package carries a Chinese piper voice, while espeak-ng is a system package the
app's setup installs (piper itself depends on its data). Its ``cmn-latn-pinyin`` voice is
used rather than plain ``cmn``: espeak-ng 1.51's ``cmn`` turns each character into pinyin
and then reads the pinyin with English rules ("今天" comes out as English letters, which
whisper hears as "In one time…"); ``cmn-latn-pinyin`` says the same characters with
Mandarin sounds and tones.
"""

from __future__ import annotations

import io
import logging
import shutil
import subprocess
import time
import wave

import numpy as np

from autoglm.core.errors import ModelError
from autoglm.core.speech import SpeechAudio

_LOGGER = logging.getLogger(__name__)
MANDARIN_VOICE = "cmn-latn-pinyin"
WORDS_PER_MINUTE = (
    165  # espeak-ng's speed at ``speech_rate`` 1.0 (its own default, 175, rushes tones)
)


def _espeak() -> str:
    binary = shutil.which("espeak-ng")
    if binary is None:
        raise ModelError(
            "Speaking Chinese needs espeak-ng, which is not installed: install the "
            "'espeak-ng' package (apt-get or brew), or choose a piper zh_CN voice in Settings → Voice."
        )
    return binary


def read_wav_bytes(data: bytes) -> tuple[np.ndarray, int]:
    """A 16-bit mono WAV in memory as float32 samples and its rate."""
    with wave.open(io.BytesIO(data), "rb") as wav:
        frames = wav.readframes(wav.getnframes())
        return np.frombuffer(frames, dtype=np.int16).astype(
            np.float32
        ) / 32768.0, wav.getframerate()


class EspeakSynthesizer:
    """One espeak-ng voice, run as a process per sentence (nothing stays in memory)."""

    sample_rate = 22_050

    def __init__(self, voice: str = MANDARIN_VOICE, speech_rate: float = 1.0):
        self.voice = voice
        self.speech_rate = speech_rate
        self._binary: str | None = None

    @property
    def loaded(self) -> bool:
        """Whether espeak-ng was found (there is no model to keep in memory)."""
        return self._binary is not None

    def load(self) -> None:
        """Find espeak-ng now (``ModelError`` in words if it is missing)."""
        self._binary = _espeak()

    def unload(self) -> None:
        """Nothing stays loaded between sentences."""

    def synthesize(self, text: str) -> SpeechAudio:
        """Speak ``text`` with the voice (``ModelError`` if espeak-ng fails)."""
        if self._binary is None:
            self.load()
        assert self._binary is not None
        started = time.perf_counter()
        speed = str(max(80, min(450, round(WORDS_PER_MINUTE * self.speech_rate))))
        try:
            done = subprocess.run(
                [self._binary, "-v", self.voice, "-s", speed, "--stdout", "--", text],
                capture_output=True,
                timeout=60,
                check=True,
            )
            samples, rate = read_wav_bytes(done.stdout)
        except (OSError, subprocess.SubprocessError, wave.Error, EOFError) as exc:
            detail = getattr(exc, "stderr", b"") or b""
            raise ModelError(
                f"espeak-ng could not speak with the voice '{self.voice}': "
                f"{detail.decode(errors='replace').strip() or exc}"
            ) from exc
        self.sample_rate = rate
        return SpeechAudio(samples, rate, time.perf_counter() - started)
