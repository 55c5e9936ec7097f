"""Replies spoken in the language they are written in: one voice per language behind one synthesiser.

English sentences go to the piper voice, Chinese ones to the Chinese voice (espeak-ng's
Mandarin unless a piper zh_CN voice is chosen); a mixed sentence is spoken by the language
most of it is in. The reply speaker already cuts replies at Chinese punctuation, so each
sentence reaches here whole and is routed alone.
"""

from __future__ import annotations

import logging
import re
import threading

from autoglm.core.settings import VoiceSettings
from autoglm.core.speech import SpeechAudio
from autoglm.speech.espeak import EspeakSynthesizer
from autoglm.speech.models import CHINESE, ESPEAK_MANDARIN
from autoglm.speech.tts import PiperSynthesizer

_LOGGER = logging.getLogger(__name__)
ENGLISH = "en"
_HAN = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]")
_LATIN_WORD = re.compile(r"[A-Za-z]+(?:'[A-Za-z]+)?")


def written_language(text: str) -> str:
    """``zh`` when most of ``text`` is Chinese (a character against a Latin word), else ``en``."""
    han = len(_HAN.findall(text))
    return CHINESE if han and han >= len(_LATIN_WORD.findall(text)) else ENGLISH


def make_voice(
    spec: str, speech_rate: float, idle_unload_s: float
) -> PiperSynthesizer | EspeakSynthesizer:
    """The engine for a voice setting: espeak-ng's Mandarin by its id, else a piper voice."""
    if spec == ESPEAK_MANDARIN:
        return EspeakSynthesizer(speech_rate=speech_rate)
    return PiperSynthesizer(spec, speech_rate, idle_unload_s=idle_unload_s)


class SpokenVoices:
    """The app's ``Synthesizer``: routes each sentence to the voice of its language."""

    def __init__(self, settings: VoiceSettings):
        self._lock = threading.Lock()
        self._settings = settings
        self._voices = {
            ENGLISH: make_voice(settings.tts_voice, settings.speech_rate, settings.idle_unload_s),
            CHINESE: make_voice(
                settings.tts_voice_zh, settings.speech_rate, settings.idle_unload_s
            ),
        }

    def voice(self, language: str) -> PiperSynthesizer | EspeakSynthesizer:
        """The voice speaking ``language`` (English for any other)."""
        return self._voices.get(language, self._voices[ENGLISH])

    @property
    def voice_spec(self) -> str:
        """The English voice's catalog id or ``.onnx`` path (what Settings → Voice → English voice says)."""
        return self._settings.tts_voice

    @property
    def speech_rate(self) -> float:
        """The speaking speed of every voice."""
        return self._settings.speech_rate

    @property
    def loaded(self) -> bool:
        """Whether the English (default) voice is in memory."""
        return self._voices[ENGLISH].loaded

    @property
    def sample_rate(self) -> int:
        """The English voice's rate; other voices are resampled to it by the player."""
        return self._voices[ENGLISH].sample_rate

    def load(self) -> None:
        """Load the English voice now (the others load on their first sentence)."""
        self._voices[ENGLISH].load()

    def unload(self) -> None:
        """Free every voice."""
        for voice in self._voices.values():
            voice.unload()

    def synthesize(self, text: str) -> SpeechAudio:
        """Speak ``text`` with the voice of the language it is written in."""
        return self.voice(written_language(text)).synthesize(text)

    def apply_settings(self, settings: VoiceSettings) -> None:
        """Follow changed voices and speed from the next sentence on (``ModelError`` if one cannot load)."""
        with self._lock:
            applied = self._settings
            for language, spec in ((ENGLISH, settings.tts_voice), (CHINESE, settings.tts_voice_zh)):
                current = self._voices[language]
                if isinstance(current, PiperSynthesizer) and spec != ESPEAK_MANDARIN:
                    current.reconfigure(spec, settings.speech_rate)
                elif isinstance(current, EspeakSynthesizer) and spec == ESPEAK_MANDARIN:
                    current.speech_rate = settings.speech_rate
                else:
                    replacement = make_voice(spec, settings.speech_rate, settings.idle_unload_s)
                    if current.loaded:
                        replacement.load()
                    self._voices[language] = replacement
                    current.unload()
                field = "tts_voice" if language == ENGLISH else "tts_voice_zh"
                applied = applied.model_copy(
                    update={field: spec, "speech_rate": settings.speech_rate}
                )
                self._settings = applied  # a voice that failed to load keeps its old setting
            self._settings = settings
