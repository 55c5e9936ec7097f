"""The speech models the app's ``Runtime`` owns: made here, above ``core``, and handed to it."""

from __future__ import annotations

from autoglm.core.settings import VoiceSettings
from autoglm.speech.asr import WhisperTranscriber
from autoglm.speech.voices import SpokenVoices


class SpeechModelFactory:
    """Makes the faster-whisper recogniser and the per-language voices (``core.speech.SpeechFactory``)."""

    def recognizer(self, settings: VoiceSettings, interface_language: str) -> WhisperTranscriber:
        """A whisper recogniser (loaded on first use)."""
        return WhisperTranscriber(
            settings.asr_model,
            settings.language,
            idle_unload_s=settings.idle_unload_s,
            interface_language=interface_language,
        )

    def synthesizer(self, settings: VoiceSettings) -> SpokenVoices:
        """The voices, one per language (loaded on first use)."""
        return SpokenVoices(settings)
