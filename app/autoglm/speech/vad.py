"""Endpointing: when the user starts speaking, when they have probably finished, and when surely.

``Endpointer`` is the decision logic alone, fed one speech probability per frame, so it is
tested with plain numbers. ``SileroFrameVad`` is the Silero VAD network that ships with
faster-whisper, run frame by frame with its recurrent state carried between calls.
``TurnDetector`` joins the two with a pre-roll ring buffer and the audio of the turn.
"""

from __future__ import annotations

import enum
import logging
from collections import deque
from dataclasses import dataclass, field
from typing import Protocol

import numpy as np

SAMPLE_RATE = 16_000
FRAME_SAMPLES = 512  # 32 ms: the window the Silero network is trained on at 16 kHz
_CONTEXT_SAMPLES = 64

_LOGGER = logging.getLogger(__name__)


class TurnEventKind(enum.Enum):
    """What the endpointer decided after a frame."""

    SPEECH_STARTED = "speech_started"
    LIKELY_END = "likely_end"  # silence long enough to start transcribing speculatively
    SPEECH_RESUMED = "speech_resumed"  # the likely end was wrong: speech came back
    TURN_ENDED = "turn_ended"  # silence reached the configured end: the turn is over
    TURN_DISCARDED = "turn_discarded"  # too short to be speech (a click, a cough)


@dataclass
class EndpointConfig:
    """Timings of the endpointer, in milliseconds (probabilities for thresholds)."""

    threshold: float = 0.5
    end_silence_ms: int = 600
    likely_end_ms: int = 250
    min_speech_ms: int = 150
    max_turn_ms: int = 30_000
    frame_ms: float = FRAME_SAMPLES * 1000 / SAMPLE_RATE

    @property
    def negative_threshold(self) -> float:
        """Below this a frame counts as silence (hysteresis, as Silero recommends)."""
        return max(self.threshold - 0.15, 0.01)


class Endpointer:
    """Turns per-frame speech probabilities into turn events; pure logic, no audio."""

    def __init__(self, config: EndpointConfig | None = None):
        self.config = config or EndpointConfig()
        self.ended_after_silence_ms = 0.0  # the silence that ended the last turn
        self._end_silence_ms: float | None = None
        self.reset()

    @property
    def end_silence_ms(self) -> float:
        """The silence that ends the current turn: the configured one unless ``extend_or_shorten`` changed it."""
        return (
            self._end_silence_ms if self._end_silence_ms is not None else self.config.end_silence_ms
        )

    def extend_or_shorten(self, silence_ms: float | None) -> None:
        """End this pause after ``silence_ms`` of silence instead (``None``: the configured silence again).

        Called by the turn detector once the words before the pause are known; it lasts
        until speech resumes or the turn ends. Safe from another thread (one attribute).
        """
        self._end_silence_ms = silence_ms

    def reset(self) -> None:
        """Back to waiting for speech."""
        self._end_silence_ms = None
        self.in_speech = False
        self._speech_ms = 0.0
        self._silence_ms = 0.0
        self._turn_ms = 0.0
        self._likely_end_sent = False

    def update(self, probability: float) -> TurnEventKind | None:
        """Account for one frame with this speech probability; return the event it causes."""
        config = self.config
        frame = config.frame_ms
        if not self.in_speech:
            if probability >= config.threshold:
                self.in_speech = True
                self._end_silence_ms = None
                self._speech_ms, self._silence_ms, self._turn_ms = frame, 0.0, frame
                self._likely_end_sent = False
                return TurnEventKind.SPEECH_STARTED
            return None
        self._turn_ms += frame
        is_speech = probability >= config.threshold or (
            probability >= config.negative_threshold and self._silence_ms == 0.0
        )
        if is_speech:
            self._speech_ms += frame
            self._silence_ms = 0.0
            if self._likely_end_sent:
                self._likely_end_sent = False
                self._end_silence_ms = None
                return TurnEventKind.SPEECH_RESUMED
        else:
            self._silence_ms += frame
        if self._turn_ms >= config.max_turn_ms:
            return self._finish()
        if self._silence_ms >= self.end_silence_ms:
            return self._finish()
        if (
            not self._likely_end_sent
            and self._silence_ms >= config.likely_end_ms
            and self._speech_ms >= config.min_speech_ms
        ):
            self._likely_end_sent = True
            return TurnEventKind.LIKELY_END
        return None

    def _finish(self) -> TurnEventKind:
        long_enough = self._speech_ms >= self.config.min_speech_ms
        self.ended_after_silence_ms = self._silence_ms
        self._end_silence_ms = None
        self.in_speech = False
        self._likely_end_sent = False
        return TurnEventKind.TURN_ENDED if long_enough else TurnEventKind.TURN_DISCARDED


class FrameVad(Protocol):
    """Anything giving a speech probability for each 512-sample frame at 16 kHz."""

    def probability(self, frame: np.ndarray) -> float:
        """Speech probability of one frame."""

    def reset(self) -> None:
        """Forget the recurrent state (a new stream)."""


class SileroFrameVad:
    """faster-whisper's Silero VAD, one 32 ms frame at a time, state carried across frames."""

    def __init__(self) -> None:
        from faster_whisper.vad import get_vad_model  # heavy: onnxruntime

        self._session = get_vad_model().session
        self.reset()

    def reset(self) -> None:
        """Zero the LSTM state and the context window."""
        self._h = np.zeros((1, 1, 128), dtype=np.float32)
        self._c = np.zeros((1, 1, 128), dtype=np.float32)
        self._context = np.zeros((1, _CONTEXT_SAMPLES), dtype=np.float32)

    def probability(self, frame: np.ndarray) -> float:
        """Speech probability of ``frame`` (512 float32 samples at 16 kHz)."""
        window = np.asarray(frame, dtype=np.float32).reshape(1, FRAME_SAMPLES)
        batch = np.concatenate([self._context, window], axis=1)
        output, self._h, self._c = self._session.run(
            None, {"input": batch, "h": self._h, "c": self._c}
        )
        self._context = window[:, -_CONTEXT_SAMPLES:]
        return float(np.asarray(output).ravel()[0])


@dataclass
class TurnEvent:
    """An endpointing event; ``audio`` is the turn so far for LIKELY_END and TURN_ENDED."""

    kind: TurnEventKind
    audio: np.ndarray | None = None
    stream_time_s: float = 0.0


@dataclass
class _Turn:
    frames: list[np.ndarray] = field(default_factory=list)

    def audio(self) -> np.ndarray:
        return np.concatenate(self.frames) if self.frames else np.zeros(0, np.float32)


class TurnDetector:
    """Finds spoken turns in a 16 kHz stream: feed blocks of any size, get ``TurnEvent``s."""

    def __init__(self, vad: FrameVad, config: EndpointConfig | None = None, preroll_ms: int = 300):
        self.vad = vad
        self.endpointer = Endpointer(config)
        frame_ms = self.endpointer.config.frame_ms
        self._preroll: deque[np.ndarray] = deque(maxlen=max(0, round(preroll_ms / frame_ms)))
        self._pending = np.zeros(0, dtype=np.float32)
        self._turn: _Turn | None = None
        self._manual = False
        self._max_frames = int(self.endpointer.config.max_turn_ms / frame_ms) + 1
        self.frames_seen = 0
        self.last_probability = 0.0

    @property
    def in_speech(self) -> bool:
        """Whether a turn is being heard right now."""
        return self._turn is not None

    def configure(self, config: EndpointConfig, preroll_ms: int) -> None:
        """New timings and pre-roll from the next frame on (call between ``feed`` calls)."""
        self.endpointer.config = config
        frames = max(0, round(preroll_ms / config.frame_ms))
        if frames != self._preroll.maxlen:
            self._preroll = deque(self._preroll, maxlen=frames)
        self._max_frames = int(config.max_turn_ms / config.frame_ms) + 1

    def reset(self) -> None:
        """Drop any partial turn and the pre-roll (e.g. while the mic is muted)."""
        self.endpointer.reset()
        self.vad.reset()
        self._preroll.clear()
        self._pending = np.zeros(0, dtype=np.float32)
        self._turn = None
        self._manual = False

    def feed(self, block: np.ndarray) -> list[TurnEvent]:
        """Add captured samples; return the events they caused, in order."""
        data = np.concatenate([self._pending, np.asarray(block, dtype=np.float32).ravel()])
        usable = len(data) - len(data) % FRAME_SAMPLES
        self._pending = data[usable:].copy()
        events: list[TurnEvent] = []
        for start in range(0, usable, FRAME_SAMPLES):
            event = self._feed_frame(data[start : start + FRAME_SAMPLES].copy())
            if event is not None:
                events.append(event)
        return events

    def _feed_frame(self, frame: np.ndarray) -> TurnEvent | None:
        self.frames_seen += 1
        if self._manual and self._turn is not None:
            if len(self._turn.frames) < self._max_frames:
                self._turn.frames.append(frame)
            return None
        self.last_probability = probability = self.vad.probability(frame)
        kind = self.endpointer.update(probability)
        stream_time = self.frames_seen * FRAME_SAMPLES / SAMPLE_RATE
        if kind is TurnEventKind.SPEECH_STARTED:
            self._turn = _Turn(frames=[*self._preroll, frame])
            self._preroll.clear()
            return TurnEvent(kind, stream_time_s=stream_time)
        if self._turn is None:
            self._preroll.append(frame)
            return None
        if len(self._turn.frames) < self._max_frames:
            self._turn.frames.append(frame)
        if kind is None:
            return None
        if kind is TurnEventKind.LIKELY_END:
            return TurnEvent(kind, self._turn.audio(), stream_time)
        if kind in (TurnEventKind.TURN_ENDED, TurnEventKind.TURN_DISCARDED):
            audio = self._turn.audio()
            self._turn = None
            return TurnEvent(kind, audio if kind is TurnEventKind.TURN_ENDED else None, stream_time)
        return TurnEvent(kind, stream_time_s=stream_time)

    def hold(self, block: np.ndarray) -> None:
        """Keep ``block`` as pre-roll only, without running the VAD (push-to-talk not pressed)."""
        for start in range(0, len(block) - FRAME_SAMPLES + 1, FRAME_SAMPLES):
            self._preroll.append(np.asarray(block[start : start + FRAME_SAMPLES], dtype=np.float32))

    def end_turn_now(self) -> TurnEvent | None:
        """Push-to-talk release: close the turn being heard (if any) and return it."""
        turn, self._turn = self._turn, None
        self._manual = False
        self.endpointer.reset()
        if turn is None or not turn.frames:
            return None
        tail = self._pending
        self._pending = np.zeros(0, dtype=np.float32)
        return TurnEvent(TurnEventKind.TURN_ENDED, np.concatenate([turn.audio(), tail]))

    def start_turn_now(self) -> None:
        """Push-to-talk press: treat everything from now (plus pre-roll) as the turn."""
        self._turn = _Turn(frames=list(self._preroll))
        self._preroll.clear()
        self._manual = True


def has_words(text: str) -> bool:
    """Whether a transcript holds a word at all: for silence whisper writes "." or "…"."""
    return any(character.isalnum() for character in text)


MIN_SPEECH_S = 0.15
"""Less voiced audio than this is no question: whisper would invent "." or "You" for it."""


def speech_seconds(audio: np.ndarray, vad: FrameVad, threshold: float = 0.5) -> float:
    """How much of 16 kHz ``audio`` the VAD takes for speech: whisper invents words in silence and noise."""
    samples = np.asarray(audio, dtype=np.float32).ravel()
    vad.reset()
    frames = len(samples) // FRAME_SAMPLES
    voiced = sum(
        vad.probability(samples[i * FRAME_SAMPLES : (i + 1) * FRAME_SAMPLES]) >= threshold
        for i in range(frames)
    )
    return voiced * FRAME_SAMPLES / SAMPLE_RATE
