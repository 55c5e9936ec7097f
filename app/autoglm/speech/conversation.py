"""The voice loop: listen → transcribe → ask the model → speak → listen.

Push-to-talk (``press()``/``release()``) or hands-free (the VAD ends each turn). The loop
talks to the engine only through the scheduler (``submit`` → ``ReplyStream``). While the
assistant speaks, the microphone is muted unless the user wears a headset and allows
barge-in; with barge-in, speaking over the assistant cancels the reply and stops the
voice, and the stored reply is cut to what was actually spoken.

Every callback in ``VoiceCallbacks`` is called from a worker thread: a Qt front must
hand them to its GUI thread (signals or ``run_on_main``).
"""

from __future__ import annotations

import enum
import logging
import queue
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Protocol

import numpy as np

from autoglm.core.errors import UserFacingError
from autoglm.core.settings import VoiceSettings
from autoglm.core.types import (
    ChatMessage,
    Completion,
    Delta,
    GenerationRequest,
    Notice,
    Priority,
    SamplingParams,
    StreamEvent,
)
from autoglm.speech.asr import SpeculativeTranscriber, WhisperTranscriber
from autoglm.speech.playback import AudioPlayer
from autoglm.speech.reply_speaker import ReplySpeaker
from autoglm.speech.tts import PiperSynthesizer
from autoglm.speech.vad import (
    EndpointConfig,
    FrameVad,
    SileroFrameVad,
    TurnDetector,
    TurnEvent,
    TurnEventKind,
)

_LOGGER = logging.getLogger(__name__)
DEFAULT_SYSTEM_PROMPT = (
    "You are a helpful voice assistant. Answer in one to three short spoken sentences, "
    "in plain words, without lists, code or markdown."
)


class VoiceState(enum.Enum):
    """What the voice loop is doing, for the mic button and status line."""

    IDLE = "idle"
    LISTENING = "listening"
    HEARING = "hearing"
    TRANSCRIBING = "transcribing"
    THINKING = "thinking"
    SPEAKING = "speaking"


class AudioSource(Protocol):
    """Where 16 kHz mono audio comes from: the microphone, or a file in tests and benchmarks."""

    def read(self, timeout: float = 0.1) -> np.ndarray | None:
        """The next block, or ``None`` after ``timeout`` seconds without one."""

    def drain(self) -> None:
        """Drop what was captured but not read."""

    def close(self) -> None:
        """Release the device."""


class ReplySource(Protocol):
    """A reply being generated (``core.scheduler.ReplyStream``)."""

    def __iter__(self): ...  # noqa: ANN204, D105

    def cancel(self) -> None:
        """Stop the reply."""

    def result(self, timeout: float | None = None) -> Completion:
        """The finished reply."""


class ReplyScheduler(Protocol):
    """What the voice loop needs of ``core.scheduler.Scheduler``."""

    def submit(self, request: GenerationRequest) -> ReplySource:
        """Queue a request and return its stream."""


@dataclass
class VoiceCallbacks:
    """What the front wants to hear about; every callback runs on a worker thread."""

    on_state: Callable[[VoiceState], None] | None = None
    on_level: Callable[[float], None] | None = None
    on_transcript: Callable[[str], None] | None = None
    on_reply_delta: Callable[[str], None] | None = None
    on_turn_done: Callable[[VoiceTurn], None] | None = None
    on_error: Callable[[str], None] | None = None
    on_notice: Callable[[str], None] | None = None


@dataclass
class VoiceTurn:
    """One exchange: what the user said, the reply as stored, and where the time went."""

    user_text: str
    reply_text: str
    full_reply: str
    interrupted: bool
    completion: Completion | None
    speech_ended_at: float = 0.0
    endpointed_at: float = 0.0
    transcribed_at: float = 0.0
    first_token_at: float | None = None
    first_sentence_at: float | None = None
    first_audio_at: float | None = None
    asr_s: float = 0.0
    asr_audio_s: float = 0.0
    tts_s: float = 0.0
    tts_audio_s: float = 0.0
    extra: dict[str, float] = field(default_factory=dict)

    @property
    def first_audio_s(self) -> float | None:
        """From the end of the user's speech to the first sample played."""
        if self.first_audio_at is None:
            return None
        return self.first_audio_at - self.speech_ended_at


class VoiceConversation:
    """A spoken conversation over a scheduler; start it, then talk (or press and release)."""

    def __init__(
        self,
        scheduler: ReplyScheduler,
        settings: VoiceSettings,
        callbacks: VoiceCallbacks | None = None,
        *,
        source: AudioSource | None = None,
        player: AudioPlayer | None = None,
        transcriber: WhisperTranscriber | None = None,
        synthesizer: PiperSynthesizer | None = None,
        vad: FrameVad | None = None,
        system_prompt: str = DEFAULT_SYSTEM_PROMPT,
        sampling: SamplingParams | None = None,
        history: list[ChatMessage] | None = None,
        echo_tail_s: float = 0.3,
    ):
        self.scheduler = scheduler
        self.settings = settings
        self.callbacks = callbacks or VoiceCallbacks()
        self.source = source
        self.player = player
        self.transcriber = transcriber or WhisperTranscriber(
            settings.asr_model, settings.language, idle_unload_s=settings.idle_unload_s)
        self.synthesizer = synthesizer or PiperSynthesizer(
            settings.tts_voice, settings.speech_rate, idle_unload_s=settings.idle_unload_s)
        self._vad = vad
        self.system_prompt = system_prompt
        self.sampling = sampling or SamplingParams(temperature=0.3, max_tokens=160)
        self.messages: list[ChatMessage] = list(history or [])
        self.echo_tail_s = echo_tail_s
        self.hands_free = True
        self.state = VoiceState.IDLE
        self.turns: list[VoiceTurn] = []
        self._speculative = SpeculativeTranscriber(self.transcriber)
        self._detector: TurnDetector | None = None
        self._speaker: ReplySpeaker | None = None
        self._turns: queue.Queue[tuple[np.ndarray, float, float] | None] = queue.Queue()
        self._stop = threading.Event()
        self._pressed = False
        self._busy = threading.Event()   # a turn is being answered
        self._muted_until = 0.0
        self._interrupted = threading.Event()
        self._stream: ReplySource | None = None
        self._threads: list[threading.Thread] = []
        self._last_speech_end = 0.0

    # -- control (any thread) --------------------------------------------------------------
    @property
    def barge_in_allowed(self) -> bool:
        """Barge-in needs a headset, or the assistant would interrupt itself."""
        return self.settings.headset and self.settings.barge_in

    def start(self, hands_free: bool = True) -> VoiceConversation:
        """Open the microphone and speaker, load the models, and start listening."""
        self.hands_free = hands_free
        if self.source is None:
            from autoglm.speech.capture import MicrophoneCapture

            self.source = MicrophoneCapture(
                self.settings.input_device, on_level=self.callbacks.on_level,
                on_device_lost=self._report_error, on_device_back=self._notice).start()
        if self.player is None:
            self.player = AudioPlayer(self.settings.output_device, self.synthesizer.sample_rate).start()
        self.transcriber.load()
        self.synthesizer.load()
        config = EndpointConfig(threshold=self.settings.vad_threshold,
                                end_silence_ms=self.settings.end_silence_ms,
                                likely_end_ms=min(250, self.settings.end_silence_ms // 2))
        self._detector = TurnDetector(self._vad or SileroFrameVad(), config, self.settings.preroll_ms)
        self._speaker = ReplySpeaker(self.synthesizer, self.player, on_error=self._report_error)
        self._stop.clear()
        for target, name in ((self._listen, "autoglm-voice-listen"), (self._answer, "autoglm-voice-turns")):
            thread = threading.Thread(target=target, name=name, daemon=True)
            thread.start()
            self._threads.append(thread)
        self._set_state(VoiceState.LISTENING)
        return self

    def press(self) -> None:
        """Push-to-talk pressed: the turn starts now (with the pre-roll before it)."""
        self._pressed = True
        if self._busy.is_set():
            self.interrupt()

    def release(self) -> None:
        """Push-to-talk released: the turn ends now."""
        self._pressed = False

    def interrupt(self) -> None:
        """Stop the reply being spoken or generated (the stored reply keeps what was said)."""
        if not self._busy.is_set():
            return
        self._interrupted.set()
        stream = self._stream
        if stream is not None:
            stream.cancel()
        if self._speaker is not None:
            self._speaker.stop()

    def read_aloud(self, stream: ReplySource) -> None:
        """Speak a typed chat's reply as it streams (the caller keeps consuming it as usual)."""
        speaker = self._speaker or ReplySpeaker(
            self.synthesizer, self.player or AudioPlayer(self.settings.output_device).start(),
            on_error=self._report_error)
        self._speaker = speaker
        speaker.begin()

        def listen(event: StreamEvent) -> None:
            if isinstance(event, Delta) and event.content:
                speaker.feed(event.content)

        stream.add_listener(listen)  # type: ignore[attr-defined]
        threading.Thread(target=lambda: (stream.result(), speaker.finish()),
                         name="autoglm-read-aloud", daemon=True).start()

    def close(self) -> None:
        """Stop listening and speaking, and release the devices."""
        self._stop.set()
        self.interrupt()
        self._turns.put(None)
        for thread in self._threads:
            thread.join(timeout=5)
        self._threads.clear()
        if self._speaker is not None:
            self._speaker.close()
        if self.source is not None:
            self.source.close()
        if self.player is not None:
            self.player.close()
        self._speculative.close()
        self._set_state(VoiceState.IDLE)

    # -- listening thread ------------------------------------------------------------------------
    def _muted(self) -> bool:
        if self.barge_in_allowed:
            return False
        return self._busy.is_set() or time.monotonic() < self._muted_until

    def _listen(self) -> None:
        assert self._detector is not None and self.source is not None
        detector = self._detector
        was_pressed = False
        while not self._stop.is_set():
            try:
                block = self.source.read(0.1)
            except UserFacingError as exc:
                self._report_error(str(exc))
                time.sleep(0.5)
                continue
            if block is None:
                continue
            if not self.hands_free:
                was_pressed = self._push_to_talk(detector, block, was_pressed)
                continue
            if self._muted():
                if detector.in_speech or detector.frames_seen:
                    detector.reset()
                continue
            for event in detector.feed(block):
                self._on_turn_event(event)

    def _push_to_talk(self, detector: TurnDetector, block: np.ndarray, was_pressed: bool) -> bool:
        pressed = self._pressed
        if pressed and not was_pressed:
            detector.start_turn_now()
            self._set_state(VoiceState.HEARING)
        if pressed:
            detector.feed(block)
        elif was_pressed:
            event = detector.end_turn_now()
            if event is not None and event.audio is not None:
                now = time.monotonic()
                self._turns.put((event.audio, now, now))
        else:
            detector.hold(block)
        return pressed

    def _on_turn_event(self, event: TurnEvent) -> None:
        kind = event.kind
        if kind is TurnEventKind.SPEECH_STARTED:
            if self._busy.is_set() and self.barge_in_allowed:
                _LOGGER.info("Barge-in: the user spoke over the reply")
                self.interrupt()
            self._set_state(VoiceState.HEARING)
        elif kind is TurnEventKind.LIKELY_END and event.audio is not None:
            self._last_speech_end = time.monotonic() - self._silence_s()
            self._speculative.speculate(event.audio)
        elif kind is TurnEventKind.SPEECH_RESUMED:
            self._speculative.cancel()
        elif kind is TurnEventKind.TURN_ENDED and event.audio is not None:
            ended = self._last_speech_end or time.monotonic() - self.settings.end_silence_ms / 1000
            self._last_speech_end = 0.0
            self._turns.put((event.audio, ended, time.monotonic()))
        elif kind is TurnEventKind.TURN_DISCARDED:
            self._speculative.cancel()
            self._set_state(VoiceState.THINKING if self._busy.is_set() else VoiceState.LISTENING)

    def _silence_s(self) -> float:
        assert self._detector is not None
        return self._detector.endpointer.config.likely_end_ms / 1000

    # -- answering thread ------------------------------------------------------------------------
    def _answer(self) -> None:
        while not self._stop.is_set():
            item = self._turns.get()
            if item is None:
                return
            audio, speech_ended_at, endpointed_at = item
            self._busy.set()
            try:
                self._answer_turn(audio, speech_ended_at, endpointed_at)
            except UserFacingError as exc:
                self._report_error(str(exc))
            except Exception as exc:  # noqa: BLE001 - reported in words, logged with the trace
                _LOGGER.exception("The voice turn failed")
                self._report_error(f"The spoken turn failed: {exc}")
            finally:
                self._stream = None
                self._muted_until = time.monotonic() + self.echo_tail_s
                self._busy.clear()
                if not self._stop.is_set():
                    self._set_state(VoiceState.LISTENING)

    def _answer_turn(self, audio: np.ndarray, speech_ended_at: float, endpointed_at: float) -> None:
        assert self._speaker is not None
        self._interrupted.clear()
        self._set_state(VoiceState.TRANSCRIBING)
        transcript = (self._speculative.confirm(audio) if self.hands_free
                      else self.transcriber.transcribe(audio))
        transcribed_at = time.monotonic()
        text = transcript.text.strip()
        if not text:
            _LOGGER.info("Heard nothing to answer")
            return
        if self.callbacks.on_transcript is not None:
            self.callbacks.on_transcript(text)
        self.messages.append(ChatMessage("user", text))
        prompt = ([ChatMessage("system", self.system_prompt)] if self.system_prompt else []) + self.messages
        request = GenerationRequest(messages=prompt, sampling=self.sampling, thinking=False,
                                    priority=Priority.VOICE, label="voice")
        speaker = self._speaker
        speaker.begin()
        self._set_state(VoiceState.THINKING)
        stream = self._stream = self.scheduler.submit(request)
        first_token_at = None
        content: list[str] = []
        for event in stream:
            if isinstance(event, Notice):
                if self.callbacks.on_notice is not None:
                    self.callbacks.on_notice(event.message)
                continue
            if not event.content:
                continue
            if first_token_at is None:
                first_token_at = time.monotonic()
            content.append(event.content)
            if self.callbacks.on_reply_delta is not None:
                self.callbacks.on_reply_delta(event.content)
            if not self._interrupted.is_set():
                speaker.feed(event.content)
                if speaker.first_sentence_at is not None and self.state is VoiceState.THINKING:
                    self._set_state(VoiceState.SPEAKING)
        completion = stream.result()
        if completion.error:
            self._report_error(completion.error)
        if not self._interrupted.is_set():
            speaker.finish()
            self._set_state(VoiceState.SPEAKING)
            while not speaker.wait_done(0.1):
                if self._stop.is_set() or self._interrupted.is_set():
                    break
        interrupted = self._interrupted.is_set()
        full_reply = "".join(content).strip()
        speaker.player.take_history()
        stored = speaker.last_stopped_text if interrupted else full_reply
        self.messages.append(ChatMessage("assistant", stored))
        turn = VoiceTurn(
            user_text=text, reply_text=stored, full_reply=full_reply, interrupted=interrupted,
            completion=completion, speech_ended_at=speech_ended_at, endpointed_at=endpointed_at,
            transcribed_at=transcribed_at, first_token_at=first_token_at,
            first_sentence_at=speaker.first_sentence_at, first_audio_at=speaker.first_audio_at,
            asr_s=transcript.elapsed_s, asr_audio_s=transcript.audio_s,
            tts_s=speaker.synthesis_s, tts_audio_s=speaker.audio_s)
        self.turns.append(turn)
        if self.callbacks.on_turn_done is not None:
            self.callbacks.on_turn_done(turn)

    # -- reporting -------------------------------------------------------------------------------
    def _set_state(self, state: VoiceState) -> None:
        if state is self.state:
            return
        self.state = state
        if self.callbacks.on_state is not None:
            self.callbacks.on_state(state)

    def _report_error(self, message: str) -> None:
        _LOGGER.warning("%s", message)
        if self.callbacks.on_error is not None:
            self.callbacks.on_error(message)

    def _notice(self, message: str) -> None:
        if self.callbacks.on_notice is not None:
            self.callbacks.on_notice(message)
