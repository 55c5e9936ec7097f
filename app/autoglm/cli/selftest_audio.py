"""The self-test's sound check: play a sentence on the speaker while the microphone records.

A packaged app can carry every speech model and still be mute because PortAudio, its
host API or the system's sound server is missing from the bundle; only opening real
devices shows that. The check plays the sentence piper spoke and records at the same
time, so both directions run through the same PortAudio the app uses. It says which
devices it used (on CI, a virtual one is fine) and how loud the recording was; it does
not require the microphone to hear the speaker, which is only true of a loopback.

Opening the sound system can hang rather than fail (on macOS, a microphone permission
prompt nobody answers), so the whole check runs on a worker thread under a deadline.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

from autoglm.core.errors import DeviceError, UserFacingError

DEADLINE_S = 45.0
MIN_RECORDED_SHARE = 0.5  # of the sentence's length: a stream that stalls is caught


class AudioCheckFailure(UserFacingError):
    """A sound device was there but did not play or record."""

    exit_code = 4


@dataclass(frozen=True)
class AudioResult:
    """What the sound check did, for its ``selftest: audio …`` line."""

    played_s: float
    speaker: str
    recorded_s: float
    microphone: str
    peak_dbfs: float
    unavailable: tuple[str, ...] = ()  # why a device could not be opened (--allow-no-audio)

    def summary(self) -> str:
        """The words inside ``selftest: audio ok (…)``."""
        played = f"played {self.played_s:.1f} s on {self.speaker!r}" if self.speaker else ""
        recorded = (
            f"recorded {self.recorded_s:.1f} s from {self.microphone!r}, "
            f"loudest block {self.peak_dbfs:.0f} dBFS"
            if self.microphone
            else ""
        )
        return "; ".join(part for part in (played, recorded, *self.unavailable) if part)


def play_and_record(
    samples: np.ndarray,
    sample_rate: int,
    speaker: str | None = None,
    microphone: str | None = None,
    allow_missing: bool = False,
    deadline_s: float = DEADLINE_S,
) -> AudioResult:
    """Play ``samples`` and record meanwhile; ``DeviceError``/``AudioCheckFailure`` when it fails.

    ``allow_missing`` lets a direction whose device cannot be opened at all pass (its part
    of the result is empty and ``unavailable`` says why; both, where the computer has no
    sound device); a device that opens but then does not play or record always fails.
    """
    results: list[AudioResult] = []
    errors: list[BaseException] = []

    def work() -> None:
        try:
            results.append(
                _play_and_record(samples, sample_rate, speaker, microphone, allow_missing)
            )
        except BaseException as exc:  # noqa: BLE001 - handed to the waiting thread
            errors.append(exc)

    worker = threading.Thread(target=work, name="autoglm-selftest-audio", daemon=True)
    worker.start()
    worker.join(deadline_s)
    if worker.is_alive():
        raise AudioCheckFailure(
            f"the sound system did not play and record within {deadline_s:.0f} s (on macOS a "
            "microphone permission prompt may be waiting for an answer)"
        )
    if errors:
        raise errors[0]
    return results[0]


def _opened(open_device: Callable[[], object], allow_missing: bool, missing: list[str]) -> bool:
    """Open one direction; with ``allow_missing``, a device that cannot be opened is noted instead."""
    try:
        open_device()
    except DeviceError as exc:
        if not allow_missing:
            raise
        missing.append(str(exc))
        return False
    return True


def _play_and_record(
    samples: np.ndarray,
    sample_rate: int,
    speaker: str | None,
    microphone: str | None,
    allow_missing: bool,
) -> AudioResult:
    from autoglm.speech.capture import MicrophoneCapture, level_dbfs
    from autoglm.speech.playback import AudioPlayer

    duration_s = len(samples) / sample_rate
    player = AudioPlayer(speaker, sample_rate=sample_rate)
    capture = MicrophoneCapture(microphone)
    missing: list[str] = []
    recorded = 0
    peak = -100.0
    try:
        recording = _opened(capture.start, allow_missing, missing)
        playing = _opened(player.start, allow_missing, missing)
        if playing:
            player.enqueue(samples, sample_rate)
        end = time.monotonic() + duration_s + 0.5
        while (recording or playing) and time.monotonic() < end:
            block = capture.read(timeout=0.1) if recording else None
            if block is None:
                time.sleep(0.0 if recording else 0.05)
                continue
            recorded += len(block)
            peak = max(peak, level_dbfs(block))
        if playing and not player.drain(timeout=duration_s + 5):
            raise AudioCheckFailure(
                f"the speaker took {duration_s:.1f} s of sound but did not finish playing it"
            )
        if recording and capture.lost_message:
            raise AudioCheckFailure(f"the microphone stopped: {capture.lost_message}")
    finally:
        player.close()
        capture.close()
    recorded_s = recorded / 16_000
    if recording and recorded_s < duration_s * MIN_RECORDED_SHARE:
        raise AudioCheckFailure(
            f"the microphone delivered {recorded_s:.1f} s of sound in {duration_s + 0.5:.1f} s"
        )
    return AudioResult(
        played_s=duration_s if playing else 0.0,
        speaker=player.device.label if playing and player.device else "",
        recorded_s=recorded_s,
        microphone=capture.device.label if recording and capture.device else "",
        peak_dbfs=peak,
        unavailable=tuple(missing),
    )
