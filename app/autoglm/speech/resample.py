"""Sample-rate conversion for audio streams (a device at 48 kHz, whisper at 16 kHz)."""

from __future__ import annotations

import numpy as np


class StreamResampler:
    """Converts consecutive blocks from one rate to another without clicks at block edges.

    A short windowed-sinc low-pass (when going down) followed by linear interpolation;
    the filter history and the fractional read position carry over between blocks.
    """

    def __init__(self, source_rate: int, target_rate: int, taps: int = 31):
        if source_rate <= 0 or target_rate <= 0:
            raise ValueError("sample rates must be positive")
        self.source_rate = source_rate
        self.target_rate = target_rate
        self._step = source_rate / target_rate
        self._filter = _lowpass(target_rate / source_rate, taps) if target_rate < source_rate else None
        self._history = np.zeros(0 if self._filter is None else taps - 1, dtype=np.float32)
        self._last = np.zeros(1, dtype=np.float32)  # last filtered sample of the previous block
        self._position = 1.0  # read position in [last, *block] coordinates

    def process(self, block: np.ndarray) -> np.ndarray:
        """Resample the next block (float32 mono) and return what is ready."""
        samples = np.asarray(block, dtype=np.float32).ravel()
        if self.source_rate == self.target_rate:
            return samples.copy()
        if self._filter is not None:
            padded = np.concatenate([self._history, samples])
            self._history = padded[len(padded) - len(self._history):].copy()
            samples = np.convolve(padded, self._filter, mode="valid").astype(np.float32)
        source = np.concatenate([self._last, samples])
        count = int(np.floor((len(source) - 1 - self._position) / self._step)) + 1
        if count <= 0:
            self._position -= len(samples)
            self._last = source[-1:]
            return np.zeros(0, dtype=np.float32)
        positions = self._position + np.arange(count) * self._step
        result = np.interp(positions, np.arange(len(source)), source).astype(np.float32)
        self._position = positions[-1] + self._step - len(samples)
        self._last = source[-1:]
        return result


def _lowpass(cutoff_ratio: float, taps: int) -> np.ndarray:
    """A Hann-windowed sinc low-pass with its cutoff at ``cutoff_ratio`` of Nyquist (0.9 margin)."""
    cutoff = 0.9 * cutoff_ratio / 2
    n = np.arange(taps) - (taps - 1) / 2
    kernel = 2 * cutoff * np.sinc(2 * cutoff * n) * np.hanning(taps)
    return (kernel / kernel.sum()).astype(np.float32)


def resample(samples: np.ndarray, source_rate: int, target_rate: int) -> np.ndarray:
    """Resample a whole signal."""
    return StreamResampler(source_rate, target_rate).process(samples)
