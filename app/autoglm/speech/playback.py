"""The speaker: a PortAudio output stream fed from a queue, stoppable mid-word.

Segments (one per spoken sentence) are queued with a tag; the callback copies samples
out of the current segment and counts what it has played, so after ``stop()`` (barge-in)
the caller knows which sentences were spoken fully, partly, or not at all.
"""

from __future__ import annotations

import logging
import threading
import time
from collections import deque
from dataclasses import dataclass

import numpy as np

from autoglm.speech import devices
from autoglm.speech.resample import resample

_LOGGER = logging.getLogger(__name__)


@dataclass
class PlayedSegment:
    """One queued piece of audio and how much of it reached the speaker."""

    tag: object
    samples: np.ndarray
    played: int = 0

    @property
    def fraction_played(self) -> float:
        """0.0 (not started) … 1.0 (played to the end)."""
        return self.played / len(self.samples) if len(self.samples) else 1.0


class AudioPlayer:
    """Plays queued mono float32 audio on an output device until ``close()``.

    The stream asks for 100 ms of output latency. 50 ms would start replies 60 ms sooner,
    but through PulseAudio it lost most of a sentence played at once (``autoglm say``
    recorded 0.1 s of 1.8 s) without PortAudio reporting an underflow; 70 ms still
    worked. Sound that arrives is worth more than the margin.
    """

    def __init__(
        self,
        device_name: str | None = None,
        sample_rate: int = 22_050,
        block_ms: int = 20,
        latency_s: float = 0.1,
    ):
        self.device_name = device_name
        self.latency_s = latency_s
        self.requested_rate = sample_rate
        self.sample_rate = sample_rate
        self.block_ms = block_ms
        self._stream = None
        self._queue: deque[PlayedSegment] = deque()
        self._current: PlayedSegment | None = None
        self._history: list[PlayedSegment] = []
        self._idle = threading.Event()
        self._idle.set()
        self._held = False
        self._callbacks = 0
        self.underflows = 0  # callbacks that came too late while sound played: each one a click
        self._sounding = False  # whether the last callback handed out sound
        self._lock = threading.Lock()
        self.first_audio_at: float | None = None
        self.device: devices.AudioDevice | None = None
        self.failed_message: str | None = None

    def start(self, warmup_s: float = 0.3) -> AudioPlayer:
        """Open the output device (``DeviceError`` if there is none) and wait until it runs."""
        sd = devices._sounddevice()  # noqa: SLF001
        device = devices.find_output_device(self.device_name)
        rate = self.requested_rate
        if not devices.supports_rate(device, "output", rate):
            rate = int(device.default_samplerate)
        try:
            stream = sd.OutputStream(
                device=device.index,
                samplerate=rate,
                channels=1,
                dtype="float32",
                blocksize=int(rate * self.block_ms / 1000),
                latency=self.latency_s,
                callback=self._callback,
                finished_callback=self._finished,
            )
            stream.start()
        except (sd.PortAudioError, ValueError) as exc:
            raise devices.open_failure("speaker", device, exc) from exc
        devices.stream_opened()
        self._stream, self.sample_rate, self.device = stream, rate, device
        self.failed_message = None
        self._wait_until_flowing(warmup_s)
        _LOGGER.info("Speaker '%s' open at %d Hz", device.name, rate)
        return self

    def _wait_until_flowing(self, warmup_s: float) -> None:
        """Wait until the device pulls audio steadily: sound queued earlier loses its start."""
        needed = max(1, int(warmup_s * 1000 / self.block_ms))
        deadline = time.monotonic() + max(2.0, warmup_s * 4)
        while self._callbacks < needed and time.monotonic() < deadline:
            time.sleep(0.01)

    def drain(self, timeout: float | None = None) -> bool:
        """Wait until everything queued has left the speaker, output buffer included."""
        if not self.wait_until_idle(timeout):
            return False
        time.sleep(self.output_latency_s + self.block_ms / 1000)
        return True

    @property
    def output_latency_s(self) -> float:
        """How long a sample handed to the device takes to come out of it."""
        return float(getattr(self._stream, "latency", 0.0) or 0.0)

    @property
    def is_open(self) -> bool:
        """Whether the output stream is open and running."""
        return self._stream is not None and self.failed_message is None

    def enqueue(self, samples: np.ndarray, sample_rate: int, tag: object = None) -> PlayedSegment:
        """Queue audio to play after what is already queued; returns its playback record."""
        if not self.is_open:
            self.close()
            self.start()
        audio = np.asarray(samples, dtype=np.float32).ravel()
        if sample_rate != self.sample_rate:
            audio = resample(audio, sample_rate, self.sample_rate)
        segment = PlayedSegment(tag, audio)
        with self._lock:
            self._history.append(segment)
            self._queue.append(segment)
            self._idle.clear()
        return segment

    def hold(self) -> None:
        """Queue without playing until ``release()`` (a reply prepared before the turn is confirmed)."""
        self._held = True

    def release(self) -> None:
        """Start playing what is queued."""
        self._held = False

    @property
    def is_playing(self) -> bool:
        """Whether queued audio remains to be played."""
        return not self._idle.is_set()

    def wait_until_idle(self, timeout: float | None = None) -> bool:
        """Block until everything queued was played (``False`` on timeout)."""
        return self._idle.wait(timeout)

    def stop(self) -> list[PlayedSegment]:
        """Silence now, drop what is queued, and return the record of this utterance."""
        with self._lock:
            self._queue.clear()
            self._current = None
            self._held = False
            history, self._history = self._history, []
            self._idle.set()
        return history

    def segments(self) -> list[PlayedSegment]:
        """A copy of the record since the last ``stop()``/``take_history()``, left in place."""
        with self._lock:
            return list(self._history)

    def take_history(self) -> list[PlayedSegment]:
        """The record of everything queued since the last ``stop()``/``take_history()``."""
        with self._lock:
            history, self._history = self._history, []
        return history

    def close(self) -> None:
        """Stop playing and close the stream."""
        self.stop()
        stream, self._stream = self._stream, None
        if stream is None:
            return
        try:
            stream.abort()
            stream.close()
        except Exception:  # a vanished device may fail to close
            _LOGGER.debug("Closing the output stream failed", exc_info=True)
        devices.stream_closed()

    # -- PortAudio thread ------------------------------------------------------------------
    def _callback(
        self, outdata: np.ndarray, frames: int, time_info: object, status: object
    ) -> None:
        out = outdata[:, 0]
        filled = 0
        self._callbacks += 1
        if self._sounding and status and getattr(status, "output_underflow", False):
            self.underflows += 1  # a late callback between silent blocks is not heard
        with self._lock:
            while filled < frames and not self._held:
                segment = self._current
                if segment is None or segment.played >= len(segment.samples):
                    if not self._queue:
                        self._current = None
                        break
                    segment = self._current = self._queue.popleft()
                count = min(frames - filled, len(segment.samples) - segment.played)
                out[filled : filled + count] = segment.samples[
                    segment.played : segment.played + count
                ]
                segment.played += count
                filled += count
                if self.first_audio_at is None:
                    self.first_audio_at = time.monotonic()
            self._sounding = filled > 0
            if filled < frames:
                out[filled:] = 0.0
                if self._current is None and not self._queue and not self._held:
                    self._idle.set()

    def _finished(self) -> None:
        if self._stream is not None:
            self.failed_message = "The speaker stopped working (unplugged or switched off?)."
            self._idle.set()
