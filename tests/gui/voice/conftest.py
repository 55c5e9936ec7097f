"""The voice tests: the private PulseAudio (virtual mic and speaker) and the real whisper, shared with the speech tests."""

from fixtures.audio import virtual_sound, whisper  # noqa: F401 - fixtures
