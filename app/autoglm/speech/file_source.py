"""An audio file played into the voice loop as if it came from a microphone, in real time."""

from __future__ import annotations

import threading
import time

import numpy as np

SAMPLE_RATE = 16_000


class FileAudioSource:
    """Yields 16 kHz blocks of given audio paced at real time, then silence (or ends)."""

    def __init__(self, block_ms: int = 32, realtime: bool = True):
        self.block = int(SAMPLE_RATE * block_ms / 1000)
        self.realtime = realtime
        self._audio = np.zeros(0, dtype=np.float32)
        self._position = 0
        self._lock = threading.Lock()
        self._next_at = time.monotonic()
        self.finished_at: float | None = None
        self.level = -100.0
        self.sample_rate = SAMPLE_RATE

    def play(self, audio: np.ndarray) -> None:
        """Queue ``audio`` (16 kHz mono float32) to be read after what is queued."""
        with self._lock:
            rest = self._audio[self._position :]
            self._audio = np.concatenate([rest, np.asarray(audio, dtype=np.float32).ravel()])
            self._position = 0
            self.finished_at = None

    @property
    def pending_s(self) -> float:
        """Seconds of queued audio not read yet."""
        return (len(self._audio) - self._position) / SAMPLE_RATE

    def read(self, timeout: float = 0.1) -> np.ndarray | None:
        """The next block: queued audio, or silence when none is queued."""
        if self.realtime:
            delay = self._next_at - time.monotonic()
            if delay > timeout:
                time.sleep(timeout)
                return None
            if delay > 0:
                time.sleep(delay)
            self._next_at = max(self._next_at, time.monotonic() - 0.5) + self.block / SAMPLE_RATE
        with self._lock:
            block = self._audio[self._position : self._position + self.block]
            self._position += len(block)
            if len(block) and self._position >= len(self._audio):
                self.finished_at = time.monotonic()
        if len(block) < self.block:
            block = np.concatenate([block, np.zeros(self.block - len(block), dtype=np.float32)])
        return block

    def drain(self) -> None:
        """Nothing to drop: queued audio is what the caller asked to play."""

    def close(self) -> None:
        """Nothing to release."""
