"""The voice loop: listen → transcribe → ask the model → speak → listen.

Push-to-talk (``press()``/``release()``) or hands-free (the VAD ends each turn). The loop
talks to the engine only through the scheduler (``submit`` → ``ReplyStream``), and asks
with the history of a ``core.conversation.Conversation``: the window's open chat (images
included) or, in the terminal, one of its own. While the
assistant speaks, the microphone is muted unless the user wears a headset and allows
barge-in; with barge-in, speaking over the assistant cancels the reply and stops the
voice, and the stored reply is cut to what was actually spoken.

A spoken request may use tools (MCP) when the front gives a ``tools.spoken.SpokenTools``
(this package cannot import that one, so it is taken as a plain object). A call that
needs approval is asked aloud ("May I run get_weather?"); the microphone then listens
for a yes or no (是 / 不), and the front may answer it instead (a click on its card,
``answer_tool_call``). The call runs only after a yes; a no, or no answer within
``TOOL_ANSWER_TIMEOUT_S``, leaves it unrun and the model is told. The spoken reply is
the model's answer from the results.

Every callback in ``VoiceCallbacks`` is called from a worker thread: a Qt front must
hand them to its GUI thread (signals or ``run_on_main``).
"""

from __future__ import annotations

import enum
import logging
import queue
import threading
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field, replace
from typing import Any, Protocol

import numpy as np

from autoglm.core.conversation import (
    SPOKEN,
    VOICE_SYSTEM_PROMPT,
    Citation,
    Conversation,
    answering_in,
    cited_sources,
    spoken_attribution,
)
from autoglm.core.errors import UserFacingError
from autoglm.core.foreground import FOREGROUND
from autoglm.core.settings import GenerationSettings, VoiceSettings
from autoglm.core.speech import Recognizer, Synthesizer
from autoglm.core.types import (
    Completion,
    Delta,
    GenerationRequest,
    Notice,
    SamplingParams,
    StreamEvent,
)
from autoglm.speech.playback import AudioPlayer
from autoglm.speech.reply_speaker import ReplySpeaker
from autoglm.speech.turn_rules import TurnVerdict, end_silence_ms, judge
from autoglm.speech.vad import (
    MIN_SPEECH_S,
    EndpointConfig,
    FrameVad,
    SileroFrameVad,
    TurnDetector,
    TurnEvent,
    TurnEventKind,
    has_words,
    speech_seconds,
)

_LOGGER = logging.getLogger(__name__)
# Speculative answering starts after this much silence (three 32 ms VAD frames). The reply
# pipeline (ASR, first words, TTS) takes longer than the rest of the end-of-turn silence, so
# every millisecond earlier is a millisecond sooner to the first audio: 160 ms → 96 ms took
# ``first_audio_p50_s`` from 0.85 to 0.81 s. A pause the user fills again only costs the
# dropped speculative work (``speculative_answers_dropped`` in ``autoglm bench voice``).
LIKELY_END_MS = 96
DEFAULT_SYSTEM_PROMPT = VOICE_SYSTEM_PROMPT
TOOL_ANSWER_TIMEOUT_S = 60.0
"""How long a question about a tool call waits for a yes or no before the call is left unrun."""
TOOL_ASK_AGAIN_LIMIT = 2
"""How often an answer that is neither yes nor no gets "Please say yes or no" before the call is denied."""


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
    on_nothing_heard: Callable[[], None] | None = None
    """A turn ended without a word in it (a silent push-to-talk, a cough): nothing is asked."""
    on_tool_calls: Callable[[str, list[Any]], None] | None = None
    """The reply called tools: its visible text and the calls (``core.types.ToolCall``), before any is asked."""
    on_tool_question: Callable[[Any], None] | None = None
    """A call (``PendingCall``) is being asked about aloud; ``answer_tool_call`` may answer it too."""
    on_tool_result: Callable[[Any], None] | None = None
    """A call was decided and run or left unrun (``ToolExchange``: call, decision, result)."""
    takes_over: Callable[[str], bool] | None = None
    """Whether the front acts on these words itself (a task for the agent, "stop" during its run):
    the loop then asks the model nothing for them, and is free at once to hear the next words."""


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
    first_synthesized_at: float | None = None
    first_audio_at: float | None = None
    asr_s: float = 0.0
    asr_audio_s: float = 0.0
    tts_s: float = 0.0
    tts_audio_s: float = 0.0
    tool_exchanges: list[Any] = field(default_factory=list)
    citations: list[Citation] = field(default_factory=list)
    """The project's passages the reply drew on (spoken as "According to <file>")."""
    """The tool calls of the turn (``ToolExchange``), in order."""

    @property
    def first_audio_s(self) -> float | None:
        """From the end of the user's speech to the first sample played."""
        if self.first_audio_at is None:
            return None
        return self.first_audio_at - self.speech_ended_at


@dataclass
class _PendingTurn:
    """A turn being answered, possibly before it is sure the user has finished speaking."""

    audio: np.ndarray
    speech_ended_at: float
    confirmed: threading.Event = field(default_factory=threading.Event)
    abandoned: threading.Event = field(default_factory=threading.Event)
    lock: threading.Lock = field(default_factory=threading.Lock)
    text: str | None = None
    transcribed_at: float = 0.0
    endpointed_at: float = 0.0
    stream: ReplySource | None = None
    holding: bool = False
    announced: bool = False
    speaking: bool = False
    held_deltas: list[str] = field(default_factory=list)
    verdict: TurnVerdict | None = None
    end_confidence: float | None = None  # how sure the recogniser was of the mark ending ``text``


class _TurnAbandoned(Exception):
    """The user went on speaking, or stopped the reply, before its tool calls were asked about."""


@dataclass
class _SpokenReply:
    """What one turn's replies showed and spoke: the last reply's text, and when the first came."""

    content: list[str] = field(default_factory=list)
    first_token_at: float | None = None
    rounds: int = 0


def _endpoint_config(settings: VoiceSettings) -> EndpointConfig:
    """Endpointing timings from the settings; a likely end is announced early, to answer speculatively.

    With the turn detector on, a pause lasts at most ``unfinished_silence_ms`` until the
    words before it are known; then ``turn_rules`` shortens or keeps it (``_judge_pause``).
    """
    end = settings.unfinished_silence_ms if settings.turn_detector else settings.end_silence_ms
    shortest = min(end, settings.finished_silence_ms) if settings.turn_detector else end
    return EndpointConfig(
        threshold=settings.vad_threshold,
        end_silence_ms=end,
        likely_end_ms=min(LIKELY_END_MS, shortest // 2),
    )


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
        transcriber: Recognizer | None = None,
        synthesizer: Synthesizer | None = None,
        vad: FrameVad | None = None,
        system_prompt: str | None = None,
        sampling: SamplingParams | None = None,
        conversation: Callable[[], Conversation] | None = None,
        generation: Callable[[], GenerationSettings] | None = None,
        tools: Callable[[], Any] | None = None,
        passages: Callable[[str], Sequence[Citation]] | None = None,
        echo_tail_s: float = 0.3,
    ):
        self.scheduler = scheduler
        self.settings = settings
        self.callbacks = callbacks or VoiceCallbacks()
        self.source = source
        self.player = player
        if (
            transcriber is None or synthesizer is None
        ):  # standalone use; the app passes its Runtime's
            from autoglm.speech.factory import SpeechModelFactory

            factory = SpeechModelFactory()
            transcriber = transcriber or factory.recognizer(settings, "")
            synthesizer = synthesizer or factory.synthesizer(settings)
        self.transcriber: Recognizer = transcriber
        self.synthesizer: Synthesizer = synthesizer
        self._vad = vad
        self.style = (
            SPOKEN if system_prompt is None else replace(SPOKEN, system_prompt=system_prompt)
        )
        self.sampling = sampling
        """``None``: the generation settings' sampling (spoken replies capped short)."""
        self.own_conversation = Conversation()
        """The history when no front gives one (the terminal); the voice loop records its turns there."""
        self.conversation_source = conversation or (lambda: self.own_conversation)
        """The conversation each turn is asked in; a front that gives one records the turns itself."""
        self.generation_source = generation or GenerationSettings
        self.tools_source = tools or (lambda: None)
        """The tools a spoken request may use now (a ``tools.spoken.SpokenTools``), or ``None``."""
        self.passages_source = passages
        """The passages of a project's documents for a transcript (blocking), or ``None``: the reply is
        grounded in them and spoken starting "According to <file>"."""
        self.tool_answer_timeout_s = TOOL_ANSWER_TIMEOUT_S
        self._tool_answers: queue.Queue[tuple[str, Any]] = queue.Queue()
        self._early_answers: dict[str, Any] = {}
        self._awaiting_tool_answer = threading.Event()
        self.echo_tail_s = echo_tail_s
        self.hands_free = True
        self.state = VoiceState.IDLE
        self.turns: list[VoiceTurn] = []
        self.speculations = 0
        self.speculations_abandoned = 0
        self._detector: TurnDetector | None = None
        self._new_endpointing: VoiceSettings | None = None  # applied by the listening thread
        self._speaker: ReplySpeaker | None = None
        self._turns: queue.Queue[_PendingTurn | None] = queue.Queue()
        self._pending: _PendingTurn | None = None
        self._stop = threading.Event()
        self._pressed = False
        self._busy = threading.Event()  # a turn is being answered
        self._reading_aloud = threading.Event()  # a typed chat's reply is being read out
        self._read_aloud_ended_at = float("-inf")
        self._muted_until = 0.0
        self._interrupted = threading.Event()
        self._stream: ReplySource | None = None
        self._threads: list[threading.Thread] = []

    # -- control (any thread) --------------------------------------------------------------
    def start_over(self) -> None:
        """Forget the voice loop's own history (a front's conversation is the front's business)."""
        self.own_conversation = Conversation()

    @property
    def barge_in_allowed(self) -> bool:
        """Barge-in needs a headset, or the assistant would interrupt itself."""
        return self.settings.headset and self.settings.barge_in

    @property
    def hearing_user(self) -> bool:
        """Whether the microphone is live now (not muted while the assistant speaks)."""
        return self.state in (VoiceState.LISTENING, VoiceState.HEARING) and not self._muted()

    def start(self, hands_free: bool = True) -> VoiceConversation:
        """Open the microphone and speaker, load the models, and start listening."""
        self.hands_free = hands_free
        self.open_microphone()
        try:
            self._prepare()
        except BaseException:
            self.close_microphone()
            raise
        source = self.source
        if source is not None:
            source.drain()  # what was captured while the models loaded is stale
        self._stop.clear()
        for target, name in (
            (self._listen, "autoglm-voice-listen"),
            (self._answer, "autoglm-voice-turns"),
        ):
            thread = threading.Thread(target=target, name=name, daemon=True)
            thread.start()
            self._threads.append(thread)
        self._set_state(VoiceState.LISTENING)
        return self

    def open_microphone(self) -> None:
        """Open the microphone the settings name, unless one is open (blocking; ``DeviceError`` if none)."""
        if self.source is not None:
            return
        from autoglm.speech.capture import MicrophoneCapture

        self.source = MicrophoneCapture(
            self.settings.input_device,
            on_level=self.callbacks.on_level,
            on_device_lost=self._report_error,
            on_device_back=self._notice,
        ).start()

    def close_microphone(self) -> None:
        """Release the microphone (the system's recording indicator goes off) until ``open_microphone``.

        Listening pauses and a turn being heard is dropped; replies go on being spoken.
        """
        source, self.source = self.source, None
        if source is not None:
            source.close()

    @property
    def microphone_open(self) -> bool:
        """Whether a microphone is open."""
        return self.source is not None

    def _prepare(self) -> None:
        """Load the models, open the speaker and set up endpointing (blocking)."""
        self.transcriber.load()
        if self.transcriber.device_note:
            self._notice(self.transcriber.device_note)
        self.synthesizer.load()
        self._detector = TurnDetector(
            self._vad or SileroFrameVad(), _endpoint_config(self.settings), self.settings.preroll_ms
        )
        self._reply_speaker()

    def apply_settings(self, settings: VoiceSettings) -> None:
        """Follow changed settings from the next turn on, without a restart.

        The recognition model and language, the voice and its speed, and the endpointing
        timings change live. A changed model or voice that was in use is loaded now
        (blocking: call this off the GUI thread); one that cannot be loaded raises
        ``ModelError`` in words and the old one stays. Devices are the front's business
        (``source``/``player`` are swapped there).
        """
        self.settings = settings
        self._new_endpointing = settings
        problem: UserFacingError | None = None
        try:
            self.transcriber.apply_settings(settings)
        except UserFacingError as exc:
            problem = exc  # the voice still changes; the recognition problem is reported after
        self.synthesizer.apply_settings(settings)
        if problem is not None:
            raise problem

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

    @property
    def awaiting_tool_answer(self) -> bool:
        """Whether a tool call is waiting for the user's yes or no."""
        return self._awaiting_tool_answer.is_set()

    def answer_tool_call(self, call_id: str, decision: Any) -> None:
        """Answer a call (a click on its card: an ``approval.Decision``); it counts when that call is asked."""
        self._tool_answers.put((call_id, decision))

    def read_aloud(self, stream: ReplySource) -> ReplySpeaker:
        """Speak a typed chat's reply as it streams; call right after ``submit``.

        The caller keeps consuming the stream as usual. The first call loads the voice and
        opens the speaker, so call it off the GUI thread. Returns the speaker, whose
        ``stop()`` silences it and whose ``wait_done()`` waits for the end.
        """
        speaker = self._reply_speaker()
        speaker.begin()

        def listen(event: StreamEvent) -> None:
            if isinstance(event, Delta) and event.content:
                speaker.feed(event.content)

        def finish() -> None:
            stream.result()
            speaker.finish()
            speaker.wait_done()
            self._muted_until = time.monotonic() + self.echo_tail_s
            self._read_aloud_ended_at = time.monotonic()
            self._reading_aloud.clear()

        self._reading_aloud.set()
        stream.add_listener(listen)  # type: ignore[attr-defined]
        threading.Thread(target=finish, name="autoglm-read-aloud", daemon=True).start()
        return speaker

    @property
    def quiet_s(self) -> float:
        """Seconds since something read aloud ended (0 while something is, infinite before any)."""
        if self._reading_aloud.is_set():
            return 0.0
        return time.monotonic() - self._read_aloud_ended_at

    def stop_speaking(self) -> None:
        """Silence whatever is being spoken (a reply read aloud, or the voice turn's answer)."""
        if self._busy.is_set():
            self.interrupt()
        elif self._speaker is not None:
            self._speaker.stop()

    def _reply_speaker(self) -> ReplySpeaker:
        if self.player is None:
            self.player = AudioPlayer(
                self.settings.output_device, self.synthesizer.sample_rate
            ).start()
        if self._speaker is None:
            self._speaker = ReplySpeaker(self.synthesizer, self.player, on_error=self._report_error)
        return self._speaker

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
        self.close_microphone()
        if self.player is not None:
            self.player.close()
        self._set_state(VoiceState.IDLE)

    # -- listening thread ------------------------------------------------------------------------
    def _muted(self) -> bool:
        if self.barge_in_allowed:
            return False
        if (
            self._awaiting_tool_answer.is_set()
        ):  # the question was asked: the answer is listened for
            return self._reading_aloud.is_set() or time.monotonic() < self._muted_until
        return (
            self._busy.is_set()
            or self._reading_aloud.is_set()
            or time.monotonic() < self._muted_until
        )

    def _listen(self) -> None:
        assert self._detector is not None
        detector = self._detector
        was_pressed = False
        while not self._stop.is_set():
            source = self.source
            if source is None:  # the microphone is closed: nothing to hear until it opens again
                if was_pressed or detector.in_speech:
                    detector.reset()
                    was_pressed = False
                self._stop.wait(0.05)
                continue
            try:
                block = source.read(0.1)
            except UserFacingError as exc:
                self._report_error(str(exc))
                time.sleep(0.5)
                continue
            if block is None:
                continue
            if self._new_endpointing is not None:
                settings, self._new_endpointing = self._new_endpointing, None
                detector.configure(_endpoint_config(settings), settings.preroll_ms)
            if not self.hands_free:
                was_pressed = self._push_to_talk(detector, block, was_pressed)
                continue
            if self._muted():
                if detector.in_speech:
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
            if (
                event is not None
                and event.audio is not None
                and speech_seconds(event.audio, detector.vad, self.settings.vad_threshold)
                >= MIN_SPEECH_S
            ):
                turn = _PendingTurn(event.audio, time.monotonic())
                self._turns.put(turn)
                self._confirm(turn)
            else:  # held without a word: nothing to ask, back to waiting
                self._set_state(VoiceState.LISTENING)
                if self.callbacks.on_nothing_heard is not None:
                    self.callbacks.on_nothing_heard()
        else:
            detector.hold(block)
        return pressed

    def _on_turn_event(self, event: TurnEvent) -> None:
        detector = self._detector
        assert detector is not None, "turn events come from the detector"
        kind = event.kind
        pending = self._pending
        if kind is TurnEventKind.SPEECH_STARTED:
            if (
                self._busy.is_set()
                and self.barge_in_allowed
                and not self._awaiting_tool_answer.is_set()
            ):
                _LOGGER.info("Barge-in: the user spoke over the reply")
                self.interrupt()
            self._set_state(VoiceState.HEARING)
        elif kind is TurnEventKind.LIKELY_END and event.audio is not None:
            # Answer speculatively: transcribe and start the reply now, play it only once confirmed.
            self._abandon(pending)
            self.speculations += 1
            speech_ended_at = time.monotonic() - detector.endpointer.config.likely_end_ms / 1000
            self._pending = _PendingTurn(event.audio, speech_ended_at)
            self._turns.put(self._pending)
        elif kind is TurnEventKind.SPEECH_RESUMED:
            self._abandon(pending)
        elif kind is TurnEventKind.TURN_ENDED and event.audio is not None:
            if pending is None or pending.abandoned.is_set():
                silence_s = detector.endpointer.ended_after_silence_ms / 1000
                pending = _PendingTurn(event.audio, time.monotonic() - silence_s)
                self._turns.put(pending)
            self._pending = None
            self._confirm(pending)
        elif kind is TurnEventKind.TURN_DISCARDED:
            self._abandon(pending)
            self._set_state(VoiceState.LISTENING)

    def _abandon(self, pending: _PendingTurn | None) -> None:
        """Speech went on after a likely end: drop the speculative answer."""
        self._pending = None
        if pending is None or pending.confirmed.is_set():
            return
        pending.abandoned.set()
        self.speculations_abandoned += 1
        stream = pending.stream
        if stream is not None:
            stream.cancel()

    def _confirm(self, pending: _PendingTurn) -> None:
        """The turn surely ended: let its reply play and be shown.

        Confirming and announcing happen under the turn's lock, which the answering thread
        takes before it ends the turn. A turn the front takes over (Act mode) may already be
        transcribed and waiting for this confirmation; without the lock its end ("listening",
        the mic unmuted) could come between ``confirmed`` and the announcement, which then
        set "thinking" after it (the state stayed there) and ``_busy`` again after it was
        cleared (the mic stayed muted: the next words, "stop" included, were never heard).
        """
        with pending.lock:
            pending.endpointed_at = time.monotonic()
            self._busy.set()
            pending.confirmed.set()
            if pending.holding and self.player is not None:
                self.player.release()
                pending.holding = False
            self._announce_locked(pending)

    def _announce(self, pending: _PendingTurn) -> None:
        """Tell the front about a confirmed turn's words and any reply text held back so far."""
        with pending.lock:
            self._announce_locked(pending)

    def _announce_locked(self, pending: _PendingTurn) -> None:
        """``_announce`` with the turn's lock held."""
        if pending.announced or not pending.confirmed.is_set() or pending.text is None:
            if pending.confirmed.is_set() and pending.text is None:
                self._set_state(VoiceState.TRANSCRIBING)
            return
        pending.announced = True
        held, pending.held_deltas = pending.held_deltas, []
        if pending.text and self.callbacks.on_transcript is not None:
            self.callbacks.on_transcript(pending.text)
        if pending.text:
            self._set_state(VoiceState.SPEAKING if pending.speaking else VoiceState.THINKING)
        for delta in held:
            if self.callbacks.on_reply_delta is not None:
                self.callbacks.on_reply_delta(delta)

    def _deliver(self, pending: _PendingTurn, delta: str) -> None:
        with pending.lock:
            if not pending.announced:
                pending.held_deltas.append(delta)
                return
        if self.callbacks.on_reply_delta is not None:
            self.callbacks.on_reply_delta(delta)

    # -- answering thread ------------------------------------------------------------------------
    def _answer(self) -> None:
        while not self._stop.is_set():
            pending = self._turns.get()
            if pending is None:
                return
            try:
                self._answer_turn(pending)
            except UserFacingError as exc:
                self._report_error(str(exc))
            except Exception as exc:  # reported in words, logged with the trace
                _LOGGER.exception("The voice turn failed")
                self._report_error(f"The spoken turn failed: {exc}")
            finally:
                pending.stream = None
                if pending.confirmed.is_set():
                    with pending.lock:  # after its announcement, never between (see _confirm)
                        self._muted_until = time.monotonic() + self.echo_tail_s
                        self._busy.clear()
                        if not self._stop.is_set():
                            self._set_state(VoiceState.LISTENING)
                if self.player is not None and pending.holding:
                    self.player.stop()

    def _front_takes_over(self, text: str) -> bool:
        takes_over = self.callbacks.takes_over
        return takes_over is not None and takes_over(text)

    def _judge_pause(self, pending: _PendingTurn) -> None:
        """Turn detector: end this pause by what was said before it (finished: soon; mid-sentence: later)."""
        settings, detector = self.settings, self._detector
        if (
            not settings.turn_detector
            or not self.hands_free
            or detector is None
            or pending is not self._pending
            or pending.confirmed.is_set()
            or pending.abandoned.is_set()
        ):
            return
        verdict = judge(pending.text or "", pending.end_confidence)
        pending.verdict = verdict
        silence = end_silence_ms(
            verdict,
            settings.finished_silence_ms,
            settings.unfinished_silence_ms,
            min(settings.end_silence_ms, settings.unfinished_silence_ms),
        )
        _LOGGER.debug(
            "Turn detector: %r is %s; the pause ends after %d ms",
            pending.text,
            verdict.value,
            silence,
        )
        detector.endpointer.extend_or_shorten(silence)

    def _wait_confirmed(self, pending: _PendingTurn) -> bool:
        """Block until the turn is confirmed (``True``) or abandoned/stopped (``False``)."""
        while not pending.confirmed.wait(0.05):
            if pending.abandoned.is_set() or self._stop.is_set():
                return False
        return True

    def _answer_turn(self, pending: _PendingTurn) -> None:
        assert self._speaker is not None and self.player is not None
        if pending.abandoned.is_set():
            return
        with FOREGROUND.running():  # the model, busy with other work, waits for the user's words
            transcript = self.transcriber.transcribe(pending.audio)
        pending.transcribed_at = time.monotonic()
        with pending.lock:
            pending.text = transcript.text.strip() if has_words(transcript.text) else ""
            pending.end_confidence = transcript.end_confidence
        self._judge_pause(pending)
        self._announce(pending)
        if (
            not pending.text
            and not pending.abandoned.is_set()
            and self.callbacks.on_nothing_heard is not None
        ):
            self.callbacks.on_nothing_heard()
        if not pending.text or pending.abandoned.is_set() or self._front_takes_over(pending.text):
            self._wait_confirmed(pending)
            return
        self._interrupted.clear()
        speaker = self._speaker
        speaker.begin()
        with pending.lock:
            if not pending.confirmed.is_set():
                self.player.hold()
                pending.holding = True
        conversation = self.conversation_source()
        style = answering_in(self.style, transcript.language)
        passages = self._passages(pending.text)
        request = conversation.request(
            self.generation_source(),
            style,
            draft=pending.text,
            sampling=self.sampling,
            passages=passages,
        )
        spoken = _SpokenReply()
        if passages:
            speaker.feed(
                spoken_attribution(passages[:1], transcript.language or self.settings.language)
            )
        tools = self.tools_source()
        tool_turn = None
        if tools is None:
            completion = self._stream_reply(pending, request, None, spoken)
        else:
            try:
                tool_turn = tools.reply(
                    request,
                    lambda offered, reader: self._stream_reply(pending, offered, reader, spoken),
                    lambda call: self._ask_about_tool(pending, tools, call, transcript.language),
                    on_calls=lambda made, parsed: self._tool_calls_made(pending, parsed),
                    on_exchange=self._tool_exchanged,
                )
            except _TurnAbandoned:
                speaker.stop()
                _LOGGER.info(
                    "The turn %r ended before its tool calls were asked about", pending.text
                )
                return
            completion = tool_turn.completion
        if not self._wait_confirmed(pending):
            speaker.stop()
            _LOGGER.info("Speech went on: the early answer to %r was dropped", pending.text)
            return
        if completion.error:
            self._report_error(completion.error)
        if not self._interrupted.is_set():
            speaker.finish()
            self._set_state(VoiceState.SPEAKING)
            while not speaker.wait_done(0.1):
                if self._stop.is_set() or self._interrupted.is_set():
                    break
        interrupted = self._interrupted.is_set()
        full_reply = "".join(spoken.content).strip()
        self.player.take_history()
        stored = speaker.last_stopped_text if interrupted else full_reply
        citations = cited_sources(passages, full_reply) if passages else []
        if conversation is self.own_conversation:
            conversation.add_user(pending.text, origin="spoken")
            if tools is not None and tool_turn is not None and tool_turn.exchanges:
                tools.record(conversation, tool_turn)
            reply = conversation.begin_reply(origin="spoken")
            conversation.finish_reply(reply, stored, completion=completion, citations=citations)
        turn = VoiceTurn(
            user_text=pending.text,
            reply_text=stored,
            full_reply=full_reply,
            interrupted=interrupted,
            completion=completion,
            speech_ended_at=pending.speech_ended_at,
            endpointed_at=pending.endpointed_at,
            transcribed_at=pending.transcribed_at,
            first_token_at=spoken.first_token_at,
            first_sentence_at=speaker.first_sentence_at,
            first_audio_at=speaker.first_audio_at,
            asr_s=transcript.elapsed_s,
            asr_audio_s=transcript.audio_s,
            tts_s=speaker.synthesis_s,
            tts_audio_s=speaker.audio_s,
            first_synthesized_at=speaker.first_synthesized_at,
            tool_exchanges=list(tool_turn.exchanges) if tool_turn is not None else [],
            citations=citations,
        )
        self.turns.append(turn)
        if self.callbacks.on_turn_done is not None:
            self.callbacks.on_turn_done(turn)

    def _passages(self, text: str) -> list[Citation]:
        """The project's passages for what was heard (none without a source, or when finding them fails)."""
        if self.passages_source is None:
            return []
        try:
            return list(self.passages_source(text))
        except Exception:
            _LOGGER.warning("Finding passages for a spoken question failed", exc_info=True)
            return []

    def _stream_reply(
        self, pending: _PendingTurn, request: GenerationRequest, reader: Any, spoken: _SpokenReply
    ) -> Completion:
        """Submit one request and stream it to the front and the speaker; ``reader`` holds back tool calls."""
        assert self._speaker is not None
        speaker = self._speaker
        if spoken.rounds:  # a reply after tool results: speak it as a reply of its own
            speaker.begin()
            pending.speaking = False
        spoken.rounds += 1
        spoken.content = []
        stream = pending.stream = self._stream = self.scheduler.submit(request)
        if pending.abandoned.is_set():
            stream.cancel()

        def show(text: str) -> None:
            if not text:
                return
            if spoken.first_token_at is None:
                spoken.first_token_at = time.monotonic()
            spoken.content.append(text)
            self._deliver(pending, text)
            if not self._interrupted.is_set():
                speaker.feed(text)
                if speaker.first_sentence_at is not None and not pending.speaking:
                    pending.speaking = True
                    if pending.announced:
                        self._set_state(VoiceState.SPEAKING)

        for event in stream:
            if isinstance(event, Notice):
                if self.callbacks.on_notice is not None:
                    self.callbacks.on_notice(event.message)
                continue
            if not event.content or pending.abandoned.is_set():
                continue
            show(reader.feed(event.content).content if reader is not None else event.content)
        if reader is not None and not pending.abandoned.is_set():
            show(reader.flush().content)
        completion = stream.result()
        self._stream = None
        return completion

    def _tool_calls_made(self, pending: _PendingTurn, parsed: Any) -> None:
        """The reply called tools: nothing runs unless the turn is surely over and was not stopped."""
        if not self._wait_confirmed(pending) or self._interrupted.is_set():
            raise _TurnAbandoned
        self._announce(pending)  # the front hears of the words before the calls they led to
        if self.callbacks.on_tool_calls is not None:
            self.callbacks.on_tool_calls(parsed.content, list(parsed.calls))

    def _tool_exchanged(self, exchange: Any) -> None:
        if self.callbacks.on_tool_result is not None:
            self.callbacks.on_tool_result(exchange)

    def _ask_about_tool(self, pending: _PendingTurn, tools: Any, call: Any, language: str) -> Any:
        """Ask aloud whether ``call`` may run and wait for a spoken yes or no, or the front's answer."""
        if not self._wait_confirmed(pending) or self._interrupted.is_set():
            return tools.unanswered()
        answered = self._front_answer(call.call_id)
        if answered is not None:  # clicked before the question was asked
            return answered
        self._say(tools.question(call, language))
        if self.callbacks.on_tool_question is not None:
            self.callbacks.on_tool_question(call)
        deadline = time.monotonic() + self.tool_answer_timeout_s
        asked_again = 0
        self._muted_until = time.monotonic() + self.echo_tail_s
        self._awaiting_tool_answer.set()
        self._set_state(VoiceState.LISTENING)
        try:
            while (
                time.monotonic() < deadline
                and not self._stop.is_set()
                and not self._interrupted.is_set()
            ):
                answered = self._front_answer(call.call_id)
                if answered is not None:
                    return answered
                try:
                    answer_turn = self._turns.get(timeout=0.1)
                except queue.Empty:
                    continue
                if answer_turn is None:  # the loop is closing
                    self._turns.put(None)
                    break
                heard = self._hear_answer(answer_turn)
                if not heard:
                    continue
                decision = tools.heard(heard)
                _LOGGER.info("Heard %r for the call of %s: %s", heard, call.function_name, decision)
                if decision is not None:
                    return decision
                if asked_again >= TOOL_ASK_AGAIN_LIMIT:
                    break
                asked_again += 1
                self._awaiting_tool_answer.clear()
                self._say(tools.ask_again(language))
                self._muted_until = time.monotonic() + self.echo_tail_s
                self._awaiting_tool_answer.set()
                self._set_state(VoiceState.LISTENING)
        finally:
            self._awaiting_tool_answer.clear()
            self._set_state(VoiceState.THINKING)
        answered = self._front_answer(call.call_id)  # a click that came with the timeout
        return answered if answered is not None else tools.unanswered()

    def _front_answer(self, call_id: str) -> Any:
        """The front's answer to ``call_id`` if one came (answers to other calls are kept for theirs)."""
        while True:
            try:
                answered_id, decision = self._tool_answers.get_nowait()
            except queue.Empty:
                break
            self._early_answers[answered_id] = decision
        return self._early_answers.pop(call_id, None)

    def _say(self, text: str) -> None:
        """Speak one line (a question about a tool) to its end, after what is being spoken."""
        speaker = self._speaker
        assert speaker is not None
        speaker.finish()
        while not speaker.wait_done(0.1):
            if self._stop.is_set() or self._interrupted.is_set():
                return
        self._set_state(VoiceState.SPEAKING)
        speaker.speak(text)
        while not speaker.wait_done(0.1):
            if self._stop.is_set() or self._interrupted.is_set():
                return

    def _hear_answer(self, answer: _PendingTurn) -> str:
        """The words of a turn spoken in answer to a question (never shown as a turn of its own)."""
        with answer.lock:
            answer.announced = True
        if answer.abandoned.is_set():
            return ""
        with FOREGROUND.running():
            transcript = self.transcriber.transcribe(answer.audio)
        text = transcript.text.strip() if has_words(transcript.text) else ""
        with answer.lock:
            answer.text = text
            answer.end_confidence = transcript.end_confidence
        self._judge_pause(answer)
        if not self._wait_confirmed(answer):
            return ""
        return text

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
