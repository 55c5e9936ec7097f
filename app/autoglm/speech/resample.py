"""Sample-rate conversion for audio streams (a device at 48 kHz, whisper at 16 kHz), by libsoxr."""

from __future__ import annotations

import numpy as np
import soxr

QUALITY = "HQ"
"""libsoxr's high quality: a steep anti-alias filter, far below a millisecond per block."""


class StreamResampler:
    """Converts consecutive blocks from one rate to another without clicks at block edges.

    libsoxr keeps the filter state between blocks, so the blocks resampled one by one
    join into the same signal as the whole resampled at once.
    """

    def __init__(self, source_rate: int, target_rate: int):
        if source_rate <= 0 or target_rate <= 0:
            raise ValueError("sample rates must be positive")
        self.source_rate = source_rate
        self.target_rate = target_rate
        self._stream = (
            None
            if source_rate == target_rate
            else soxr.ResampleStream(source_rate, target_rate, 1, dtype="float32", quality=QUALITY)
        )

    def process(self, block: np.ndarray, last: bool = False) -> np.ndarray:
        """Resample the next block (float32 mono) and return what is ready; ``last`` flushes the filter."""
        samples = np.ascontiguousarray(np.asarray(block, dtype=np.float32).ravel())
        if self._stream is None:
            return samples.copy()
        return np.asarray(self._stream.resample_chunk(samples, last=last), dtype=np.float32)


def resample(samples: np.ndarray, source_rate: int, target_rate: int) -> np.ndarray:
    """Resample a whole signal."""
    if source_rate <= 0 or target_rate <= 0:
        raise ValueError("sample rates must be positive")
    audio = np.ascontiguousarray(np.asarray(samples, dtype=np.float32).ravel())
    if source_rate == target_rate:
        return audio.copy()
    return np.asarray(
        soxr.resample(audio, source_rate, target_rate, quality=QUALITY), dtype=np.float32
    )
