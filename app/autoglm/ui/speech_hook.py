"""Reading replies aloud: the chat's Speak action calls ``SpeechHook.speak``.

The speech feature connects a real speaker with ``set_speaker``; until then, or when
speech cannot start, the user gets a sentence saying why.
"""

from __future__ import annotations

import logging
from collections.abc import Callable

from PySide6.QtCore import QCoreApplication, QObject, Signal

_LOGGER = logging.getLogger(__name__)
Speaker = Callable[[str], None]


class SpeechHook(QObject):
    """Where the Speak action goes; ``problem`` carries a message when it cannot speak."""

    problem = Signal(str)

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._speaker: Speaker | None = None

    def set_speaker(self, speaker: Speaker | None) -> None:
        """Use ``speaker(text)`` (called on the GUI thread; it must not block) for Speak."""
        self._speaker = speaker

    @property
    def available(self) -> bool:
        """Whether a speaker is connected."""
        return self._speaker is not None

    def speak(self, text: str) -> None:
        """Read ``text`` aloud, or explain why that is not possible."""
        if not text.strip():
            return
        if self._speaker is None:
            self.problem.emit(
                QCoreApplication.translate(
                    "SpeechHook", "Reading aloud is not available in this build yet."
                )
            )
            return
        try:
            self._speaker(text)
        except Exception as exc:  # reported in words
            _LOGGER.exception("Speaking failed")
            self.problem.emit(
                QCoreApplication.translate("SpeechHook", "Could not read aloud: {0}").format(exc)
            )
