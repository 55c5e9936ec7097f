"""The speech tests' real-audio fixtures (private PulseAudio, whisper, piper): see ``fixtures.audio``."""

from fixtures.audio import piper_voice, virtual_sound, whisper  # noqa: F401 - fixtures
