"""The microphone: a PortAudio input stream delivering 16 kHz mono float32 blocks.

The PortAudio callback only copies the block and enqueues it. A supervisor thread
watches the stream: when the device disappears (the stream errors or simply stops
delivering sound) it reports that in words, then keeps trying to reopen it and says
so when sound flows again. ``read()`` resamples to 16 kHz and updates the level meter.
"""

from __future__ import annotations

import logging
import queue
import threading
import time
from collections.abc import Callable

import numpy as np

from autoglm.core.errors import DeviceError
from autoglm.speech import devices
from autoglm.speech.resample import StreamResampler

_LOGGER = logging.getLogger(__name__)
TARGET_RATE = 16_000
SILENCE_DBFS = -100.0


def level_dbfs(block: np.ndarray) -> float:
    """Root-mean-square level of ``block`` in dB relative to full scale (-100 for silence)."""
    if block.size == 0:
        return SILENCE_DBFS
    rms = float(np.sqrt(np.mean(np.square(block, dtype=np.float64))))
    return max(SILENCE_DBFS, 20.0 * np.log10(rms)) if rms > 0 else SILENCE_DBFS


class MicrophoneCapture:
    """Captures from a microphone until ``close()``; read 16 kHz blocks with ``read()``."""

    def __init__(
        self,
        device_name: str | None = None,
        block_ms: int = 32,
        on_level: Callable[[float], None] | None = None,
        on_device_lost: Callable[[str], None] | None = None,
        on_device_back: Callable[[str], None] | None = None,
        stall_timeout_s: float = 1.5,
        first_block_timeout_s: float = 5.0,
        retry_interval_s: float = 1.0,
        max_buffer_s: float = 10.0,
    ):
        self.device_name = device_name
        self.block_ms = block_ms
        self.on_level = on_level
        self.on_device_lost = on_device_lost
        self.on_device_back = on_device_back
        self.stall_timeout_s = stall_timeout_s
        self.first_block_timeout_s = first_block_timeout_s
        self.retry_interval_s = retry_interval_s
        self._max_blocks = max(4, int(max_buffer_s * 1000 / block_ms))
        self._queue: queue.Queue[tuple[int, np.ndarray]] = queue.Queue(self._max_blocks)
        self._stream = None
        self._stream_rate = TARGET_RATE
        self._stream_generation = 0
        self._resampler: StreamResampler | None = None
        self._resampler_generation = -1
        self._opened_at = 0.0
        self._last_block_at = 0.0
        self._blocks_since_open = 0
        self._stream_failed = threading.Event()
        self._stop = threading.Event()
        self._supervisor: threading.Thread | None = None
        self._lock = threading.Lock()
        self.lost_message: str | None = None
        self.device: devices.AudioDevice | None = None
        self.level = SILENCE_DBFS
        self.dropped_blocks = 0

    # -- public ------------------------------------------------------------------------
    def start(self) -> MicrophoneCapture:
        """Open the microphone (``DeviceError`` if there is none) and start watching it."""
        self._open()
        self._stop.clear()
        self._supervisor = threading.Thread(target=self._supervise, name="autoglm-mic", daemon=True)
        self._supervisor.start()
        return self

    @property
    def connected(self) -> bool:
        """Whether the microphone is delivering sound (not lost)."""
        return self.lost_message is None and self._stream is not None

    @property
    def blocks_since_open(self) -> int:
        """Blocks delivered by the current stream (0 until sound flows)."""
        return self._blocks_since_open

    @property
    def sample_rate(self) -> int:
        """The rate ``read()`` returns: always 16 kHz."""
        return TARGET_RATE

    def read(self, timeout: float = 0.1) -> np.ndarray | None:
        """The next 16 kHz block, or ``None`` if none arrived within ``timeout`` seconds."""
        try:
            generation, block = self._queue.get(timeout=timeout)
        except queue.Empty:
            return None
        if generation != self._resampler_generation or self._resampler is None:
            self._resampler = StreamResampler(self._stream_rate, TARGET_RATE)
            self._resampler_generation = generation
        samples = self._resampler.process(block)
        self.level = level_dbfs(samples)
        if self.on_level is not None:
            self.on_level(self.level)
        return samples

    def drain(self) -> None:
        """Throw away everything captured so far (the mic was muted)."""
        while True:
            try:
                self._queue.get_nowait()
            except queue.Empty:
                return

    def close(self) -> None:
        """Stop watching and close the stream."""
        self._stop.set()
        if self._supervisor is not None and self._supervisor is not threading.current_thread():
            self._supervisor.join(timeout=5)
        self._close_stream()

    def __enter__(self) -> MicrophoneCapture:
        """Start capturing."""
        return self.start()

    def __exit__(self, *exc_info: object) -> None:
        """Stop capturing and close the device."""
        self.close()

    # -- the PortAudio callback (keep it minimal) ----------------------------------------
    def _callback(self, indata: np.ndarray, frames: int, time_info: object, status: object) -> None:
        self._last_block_at = time.monotonic()
        self._blocks_since_open += 1
        try:
            self._queue.put_nowait((self._stream_generation, indata[:, 0].copy()))
        except queue.Full:
            self.dropped_blocks += 1

    def _finished(self) -> None:
        if not self._stop.is_set():
            self._stream_failed.set()

    # -- opening, watching, reopening ----------------------------------------------------
    def _open(self) -> None:
        sd = devices._sounddevice()  # noqa: SLF001
        device = devices.find_input_device(self.device_name)
        rate = (
            TARGET_RATE
            if devices.supports_rate(device, "input", TARGET_RATE)
            else int(device.default_samplerate)
        )
        with self._lock:
            self._stream_generation += 1
            self._stream_failed.clear()
            try:
                stream = sd.InputStream(
                    device=device.index,
                    samplerate=rate,
                    channels=1,
                    dtype="float32",
                    blocksize=int(rate * self.block_ms / 1000),
                    callback=self._callback,
                    finished_callback=self._finished,
                )
                stream.start()
            except (sd.PortAudioError, ValueError) as exc:
                raise devices.open_failure("microphone", device, exc) from exc
            devices.stream_opened()
            self._stream, self._stream_rate, self.device = stream, rate, device
            self._opened_at = time.monotonic()
            self._blocks_since_open = 0
        _LOGGER.info("Microphone '%s' open at %d Hz", device.name, rate)

    def _close_stream(self) -> None:
        with self._lock:
            stream, self._stream = self._stream, None
        if stream is None:
            return
        try:
            stream.abort()
            stream.close()
        except Exception:  # a vanished device may fail to close; it is gone anyway
            _LOGGER.debug("Closing the input stream failed", exc_info=True)
        devices.stream_closed()

    def _stalled(self) -> bool:
        now = time.monotonic()
        if self._stream_failed.is_set():
            return True
        if self._blocks_since_open == 0:
            return now - self._opened_at > self.first_block_timeout_s
        return now - self._last_block_at > self.stall_timeout_s

    def _supervise(self) -> None:
        while not self._stop.wait(0.2):
            if self._stream is not None:
                if self._stalled():
                    name = self.device.display_name if self.device else "microphone"
                    self._report_lost(
                        f"The microphone '{name}' stopped delivering sound "
                        "(unplugged or switched off?); waiting for it to come back."
                    )
                    self._close_stream()
                    continue
                if self.lost_message is not None and self._blocks_since_open > 0:
                    self._report_back()
                continue
            if self._stop.wait(self.retry_interval_s):
                return
            devices.rescan()
            try:
                self._open()
            except DeviceError as exc:
                self._report_lost(f"{exc} Waiting for a microphone to come back.")

    def _report_lost(self, message: str) -> None:
        if self.lost_message is None:
            _LOGGER.warning("%s", message)
            self.lost_message = message
            if self.on_device_lost is not None:
                self.on_device_lost(message)

    def _report_back(self) -> None:
        self.lost_message = None
        name = self.device.display_name if self.device else "microphone"
        message = f"The microphone '{name}' is back."
        _LOGGER.info("%s", message)
        if self.on_device_back is not None:
            self.on_device_back(message)
