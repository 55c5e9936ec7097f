"""Voice in the main window: mic button, hands-free and push-to-talk turns, reading aloud, devices.

Nothing of speech is imported until voice is first used (the device list only touches
PortAudio). The one ``VoiceConversation`` is built, started and fed on a one-thread pool,
because loading whisper and piper and opening devices block. Its callbacks arrive on
speech threads and reach widgets only through this object's signals (queued to the GUI
thread); reply text is buffered and shown at most ~30 times a second. Spoken turns go
into the open conversation through the controller's ``begin_spoken_turn`` /
``add_spoken_delta`` / ``finish_spoken_turn``, so they are stored like typed ones, the
reply cut to what was actually said when the user spoke over it.

A spoken request may use the window's MCP tools: the reply that calls one becomes its
turn with a card per call (as a typed one does), the voice loop asks aloud and listens
for a yes or no, and a click on the card answers it too; the reply in words after the
results streams into a new item.

Push-to-talk: hold the mic button (≥ 300 ms) or F9; a click toggles hands-free.

The microphone is open only while it is used: in hands-free mode, and in push-to-talk
mode from a press until ``MIC_IDLE_CLOSE_MS`` after the last release (so back-to-back
turns keep their pre-roll). Turning hands-free off closes it at once, and with it the
system's recording indicator.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

import shiboken6
from PySide6.QtCore import QEvent, QObject, Qt, QThreadPool, QTimer, Signal
from PySide6.QtGui import QAction, QActionGroup, QKeyEvent
from PySide6.QtWidgets import QLabel, QMainWindow, QMenu

from autoglm.core.settings import Settings, VoiceSettings, updated
from autoglm.ui.error_funnel import describe_error
from autoglm.ui.spoken_replies import BufferedReply, SpokenText
from autoglm.ui.tasks import BackgroundTask
from autoglm.ui.voice_widgets import LevelMeterWidget, MicButtonWidget

if TYPE_CHECKING:
    from autoglm.core.runtime import Runtime
    from autoglm.core.scheduler import ReplyStream
    from autoglm.speech.conversation import VoiceConversation
    from autoglm.speech.devices import AudioDevice
    from autoglm.tools.spoken import SpokenTools
    from autoglm.ui.agent_controller import AgentController
    from autoglm.ui.chat_view import ChatViewWidget
    from autoglm.ui.composer import ComposerWidget
    from autoglm.ui.conversation_controller import ConversationController
    from autoglm.ui.notification import NotificationBannerWidget
    from autoglm.ui.speech_hook import SpeechHook
    from autoglm.ui.tool_controller import ToolController

_LOGGER = logging.getLogger(__name__)
PUSH_TO_TALK_KEY = Qt.Key.Key_F9
HANDS_FREE_SHORTCUT = "Ctrl+Shift+V"
DELTA_INTERVAL_MS = 33
MIC_IDLE_CLOSE_MS = 20_000
SILENCE_DBFS = -100.0
NOTHING_HEARD_S = 4.0
PROGRESS_QUIET_S = 5.0
"""An agent run's progress is spoken only after this long without anything said aloud."""


class VoiceController(QObject):
    """The window's voice features; build it after the composer and menus exist."""

    stateChanged = Signal(str)
    """What the voice shows now: off, loading, listening, hearing, transcribing, thinking, speaking, error."""
    devicesListed = Signal()
    voiceReady = Signal()
    _stateReported = Signal(str)
    _transcriptReported = Signal(str)
    _turnReported = Signal(object)
    _errorReported = Signal(str)
    _noticeReported = Signal(str)
    _nothingHeard = Signal()
    _toolCallsReported = Signal(str, object)
    _toolResultReported = Signal(object)
    nothingHeard = Signal()
    """A turn held no words, so nothing was asked."""

    def __init__(
        self,
        window: QMainWindow,
        *,
        runtime: Runtime,
        conversation: ConversationController,
        composer: ComposerWidget,
        chat_view: ChatViewWidget,
        banner: NotificationBannerWidget,
        speech: SpeechHook,
        stop_action: QAction,
        tools_menu: QMenu,
        tools: ToolController,
        apply_settings: Callable[[Settings], None],
    ) -> None:
        """Wire into ``window``: the mic, meter and state beside ``composer``'s buttons, a Voice
        menu before ``tools_menu``; Stop (``stop_action``, the composer's) silences the voice;
        spoken turns go through ``conversation`` and scroll ``chat_view``; ``speech`` reads
        messages aloud through this voice; problems go to ``banner``; device and read-aloud
        choices are saved through ``apply_settings``. ``tools`` are offered to spoken requests."""
        super().__init__(window)
        self.window = window
        self.runtime = runtime
        self.controller = conversation
        self.chat_view = chat_view
        self.banner = banner
        self.speech = speech
        self.tools = tools
        self._apply_settings = apply_settings
        self.agent: AgentController | None = None
        """Act mode's agent, once the window has one: spoken words then become its tasks."""
        self.voice: VoiceConversation | None = None
        """The ``VoiceConversation``, once voice was first used."""
        self.hands_free = False
        self.state = "off"
        self.input_devices: list[AudioDevice] = []
        self.output_devices: list[AudioDevice] = []
        self.no_input_reason = ""
        self._started = False
        self._loading = False
        self._talk_held = False
        self._heard_nothing_until = 0.0
        self._progress_at = float("-inf")
        self._closed = False
        self._level = SILENCE_DBFS
        self._deltas: list[str] = []
        self._deltas_lock = threading.Lock()
        self._voice_item: Any = None
        self._reading: Any = None
        self._pool = QThreadPool(self)
        self._pool.setMaxThreadCount(1)

        self.mic_button = MicButtonWidget(composer)
        self.device_menu = QMenu(self.mic_button)
        self.device_menu.aboutToShow.connect(self.refresh_devices)
        self.mic_button.setMenu(self.device_menu)
        self.meter = LevelMeterWidget(lambda: self._level, composer)
        self.meter.set_running(False)
        self.state_label = QLabel(composer)
        self.state_label.setObjectName("voiceStateLabel")
        for widget in (self.mic_button, self.meter, self.state_label):
            composer.add_input_button(widget)

        self.hands_free_action = QAction(self)
        self.hands_free_action.setCheckable(True)
        self.hands_free_action.setShortcut(HANDS_FREE_SHORTCUT)
        self.hands_free_action.triggered.connect(lambda checked: self.set_hands_free(checked))
        self.read_aloud_action = QAction(self)
        self.read_aloud_action.setCheckable(True)
        self.read_aloud_action.setChecked(self.runtime.settings.voice.read_aloud)
        self.read_aloud_action.toggled.connect(self.set_read_aloud)
        self.stop_speaking_action = QAction(self)
        self.stop_speaking_action.triggered.connect(self.stop_speaking)
        self.menu = QMenu(window)
        self.menu.addActions(
            [self.hands_free_action, self.read_aloud_action, self.stop_speaking_action]
        )
        self.menu.addSeparator()
        self.devices_submenu = self.menu.addMenu("")
        self.devices_submenu.aboutToShow.connect(self.refresh_devices)
        window.menuBar().insertMenu(tools_menu.menuAction(), self.menu)
        window.addAction(self.hands_free_action)

        self.mic_button.talkPressed.connect(self.press_to_talk)
        self.mic_button.talkReleased.connect(self.release_to_talk)
        self.mic_button.handsFreeToggled.connect(lambda: self.set_hands_free(not self.hands_free))
        self._stateReported.connect(self._on_voice_state)
        self._transcriptReported.connect(self._on_transcript)
        self._turnReported.connect(self._on_turn_done)
        self._errorReported.connect(self._on_error)
        self._noticeReported.connect(self._on_notice)
        self._nothingHeard.connect(self._on_nothing_heard)
        self._toolCallsReported.connect(self._on_tool_calls)
        self._toolResultReported.connect(self._on_tool_result)
        self.controller.replySubmitted.connect(self._on_reply_submitted)
        self.controller.busyChanged.connect(self._on_busy_changed)
        composer.stopRequested.connect(self.stop_speaking)  # Stop and Esc silence the voice too
        stop_action.triggered.connect(self.stop_speaking)
        speech.set_speaker(self.speak)
        window.installEventFilter(self)
        self._delta_timer = QTimer(self)
        self._delta_timer.setInterval(DELTA_INTERVAL_MS)
        self._delta_timer.timeout.connect(self._drain_deltas)
        self.mic_idle_timer = QTimer(self)
        """Closes the microphone when push-to-talk was not used for ``MIC_IDLE_CLOSE_MS``."""
        self.mic_idle_timer.setSingleShot(True)
        self.mic_idle_timer.setInterval(MIC_IDLE_CLOSE_MS)
        self.mic_idle_timer.timeout.connect(self._close_idle_microphone)
        self.retranslate()
        self._show_state("off")
        QTimer.singleShot(0, self.refresh_devices)

    # -- texts -----------------------------------------------------------------------------
    def retranslate(self) -> None:
        """Set every text in the current language."""
        self.menu.setTitle(self.tr("&Voice"))
        self.hands_free_action.setText(self.tr("&Hands-free conversation"))
        self.read_aloud_action.setText(self.tr("&Read replies aloud"))
        self.stop_speaking_action.setText(self.tr("&Stop speaking"))
        self.devices_submenu.setTitle(self.tr("&Devices"))
        self.mic_button.setAccessibleName(self.tr("Microphone"))
        self.device_menu.setTitle(self.tr("Sound devices"))
        self.device_menu.setAccessibleName(self.tr("Sound devices"))
        self.meter.setAccessibleName(self.tr("Microphone level"))
        self._show_state(self.state)

    def _state_text(self, state: str) -> str:
        texts = {
            "off": "",
            "loading": self.tr("Loading speech models…"),
            "listening": self.tr("Listening…"),
            "hearing": self.tr("Hearing you…"),
            "transcribing": self.tr("Transcribing…"),
            "thinking": self.tr("Thinking…"),
            "speaking": self.tr("Speaking…"),
            "error": self.tr("Voice is unavailable"),
            "ready": self.tr("Hold F9 or the mic to talk"),
        }
        return texts.get(state, "")

    def _show_state(self, state: str) -> None:
        self.state = state
        if not shiboken6.isValid(self.state_label):
            return  # a late timer or background result after the window was torn down
        text = self._state_text(state)
        if state in ("ready", "listening") and time.monotonic() < self._heard_nothing_until:
            text = self.tr("Didn't catch that: hold F9 and speak")
        self.state_label.setText(text)
        self.mic_button.set_voice_state({"off": "idle", "ready": "idle"}.get(state, state))
        self.meter.set_running(state in ("listening", "hearing"))
        self.hands_free_action.setChecked(self.hands_free)
        if self.no_input_reason:
            self.mic_button.setToolTip(self.no_input_reason)
        elif self.hands_free:
            self.mic_button.setToolTip(
                self.tr("Hands-free conversation is on: click to turn it off, or hold to talk now")
            )
        else:
            self.mic_button.setToolTip(
                self.tr(
                    "Hold to talk (or hold F9); click for a hands-free conversation (Ctrl+Shift+V)"
                )
            )
        self.stateChanged.emit(state)

    # -- devices -----------------------------------------------------------------------------
    def refresh_devices(self) -> None:
        """List microphones and speakers in the background, then rebuild the device menus."""
        if self._closed:
            return

        def scan() -> tuple[list[AudioDevice], list[AudioDevice]]:
            from autoglm.speech import devices

            devices.rescan()
            return devices.list_input_devices(), devices.list_output_devices()

        BackgroundTask(scan, name="list-sound-devices", owner=self).on_success(
            self._devices_listed
        ).on_failure(lambda error: self._devices_listed(([], []), describe_error(error))).start()

    def _devices_listed(
        self, found: tuple[list[AudioDevice], list[AudioDevice]], problem: str = ""
    ) -> None:
        self.input_devices, self.output_devices = found
        if self.input_devices:
            self.no_input_reason = ""
        else:
            self.no_input_reason = problem or self.tr(
                "No microphone was found: connect one, or check that the sound system is running."
            )
        self.mic_button.setEnabled(not self.no_input_reason)
        self.hands_free_action.setEnabled(not self.no_input_reason)
        for menu in (self.device_menu, self.devices_submenu):
            self._fill_device_menu(menu)
        self._show_state(self.state)
        self.devicesListed.emit()

    def _fill_device_menu(self, menu: QMenu) -> None:
        menu.clear()
        settings = self.runtime.settings.voice
        for title, devices, field, chosen in (
            (self.tr("Microphone"), self.input_devices, "input_device", settings.input_device),
            (self.tr("Speaker"), self.output_devices, "output_device", settings.output_device),
        ):
            menu.addSection(title)
            group = QActionGroup(menu)
            entries = [(self.tr("System default"), None)] + [
                (device.display_name, device.name) for device in devices
            ]
            for label, name in entries:
                action = menu.addAction(label)
                action.setCheckable(True)
                action.setChecked(name == chosen)
                action.setData((field, name))
                if name is not None and label != name:
                    action.setToolTip(name)  # the name PortAudio knows it by
                group.addAction(action)
                action.triggered.connect(
                    lambda _checked=False, f=field, n=name: self.choose_device(f, n)
                )
            if not devices:
                missing = menu.addAction(
                    self.no_input_reason
                    if field == "input_device"
                    else self.tr("No speaker was found.")
                )
                missing.setEnabled(False)

    def choose_device(self, field: str, name: str | None) -> None:
        """Use the device called ``name`` (``None``: the system default) for ``field``; saved."""
        settings = updated(self.runtime.settings, "voice", **{field: name})
        self._apply_settings(settings)

    def apply_settings(self, old: Settings, new: Settings) -> None:
        """Follow changed voice settings live: devices at once, models, voice and timings from the next turn."""
        self.read_aloud_action.setChecked(new.voice.read_aloud)
        if old.voice == new.voice or self.voice is None:
            return
        voice, old_voice, new_voice = self.voice, old.voice, new.voice
        started = self._started

        def switch() -> None:
            if new_voice.output_device != old_voice.output_device and voice.player is not None:
                voice.stop_speaking()
                voice.player.device_name = new_voice.output_device
                voice.player.close()  # the next sentence reopens it on the new device
            voice.apply_settings(new_voice)
            if (
                started
                and new_voice.input_device != old_voice.input_device
                and voice.microphone_open
            ):
                voice.close_microphone()
                voice.open_microphone()  # last: a model that fails to load must not keep the devices old

        self._run(switch, "apply-voice-settings")

    # -- the voice conversation (built and driven on the voice thread) -----------------------
    def _run(self, job: Any, name: str, on_success: Any = None, on_failure: Any = None) -> None:
        task = BackgroundTask(job, name=name, owner=self)
        if on_success is not None:
            task.on_success(on_success)
        task.on_failure(on_failure or (lambda error: self._on_error(describe_error(error))))
        task.start(self._pool)

    def _voice_settings(self) -> VoiceSettings:
        return self.runtime.settings.voice

    def _ensure_voice(self) -> VoiceConversation:
        """The conversation, built on first use (voice thread)."""
        if self.voice is None:
            from autoglm.speech.conversation import VoiceCallbacks, VoiceConversation

            callbacks = VoiceCallbacks(
                on_state=lambda state: self._stateReported.emit(state.value),
                on_level=self._set_level,
                on_transcript=self._transcriptReported.emit,
                on_reply_delta=self._add_delta,
                on_turn_done=self._turnReported.emit,
                on_error=self._errorReported.emit,
                on_notice=self._noticeReported.emit,
                on_nothing_heard=self._nothingHeard.emit,
                on_tool_calls=self._toolCallsReported.emit,
                on_tool_result=self._toolResultReported.emit,
                takes_over=self._agent_takes,
            )
            runtime, controller = self.runtime, self.controller
            # Spoken turns are asked in the open chat (its screenshots included) and recorded
            # there by the controller; the voice loop keeps no history of its own.
            self.voice = VoiceConversation(
                runtime.scheduler,
                self._voice_settings(),
                callbacks,
                transcriber=runtime.recognizer,
                synthesizer=runtime.synthesizer,
                conversation=lambda: controller.conversation,
                generation=lambda: runtime.settings.generation,
                tools=self._spoken_tools,
            )
        return self.voice

    def _spoken_tools(self) -> SpokenTools | None:
        """The window's tools for the next spoken request, or ``None`` when none is switched on (voice thread)."""
        tools = self.tools
        if not tools.hub.tools():
            return None
        from autoglm.tools.spoken import SpokenTools

        runtime = self.runtime
        session = tools.session(runtime)
        return SpokenTools(session, lambda: getattr(runtime.model_info, "chat_template", "") or "")

    def _start_listening(self, hands_free: bool) -> None:
        """Open the microphone and load the models if needed, then listen (pressing if held)."""
        if self.no_input_reason:
            self._on_error(self.no_input_reason)
            return
        if not self._started:
            self._loading = True
            self._show_state("loading")

        def start() -> None:
            voice = self._ensure_voice()
            if self._started:
                voice.open_microphone()
                voice.hands_free = hands_free
                return
            voice.start(hands_free=hands_free)
            self._started = True
            if self._closed:
                voice.close()

        def started(_result: object) -> None:
            self._loading = False
            self._delta_timer.start()
            if self._talk_held and self.voice is not None:
                self.voice.press()
                self._show_state("hearing")
            elif self.voice is not None:
                self._on_voice_state(self.voice.state.value)
            if not self.hands_free and not self._talk_held:
                self.mic_idle_timer.start()  # released while loading: close unless pressed again
            self.voiceReady.emit()

        def failed(error: BaseException) -> None:
            self._loading = False
            self.hands_free = False
            self._on_error(describe_error(error))

        self._run(start, "start-voice", started, failed)

    # -- user actions --------------------------------------------------------------------------
    def set_hands_free(self, on: bool) -> None:
        """Hands-free conversation on (listen → answer → listen) or off (push-to-talk only)."""
        if on == self.hands_free and (self._started or self._loading or not on):
            self._show_state(self.state)
            return
        self.hands_free = on
        if on:
            self._start_listening(True)
        elif self.voice is not None and self._started:
            voice = self.voice
            voice.hands_free = False

            def stop() -> None:
                voice.stop_speaking()
                if not self._talk_held:
                    voice.close_microphone()

            self._run(stop, "stop-hands-free")
            self._show_state("ready")
        else:
            self._show_state(self.state)

    def press_to_talk(self) -> None:
        """Push-to-talk pressed (mic button held or F9 down)."""
        if self._talk_held:
            return
        self._talk_held = True
        self.mic_idle_timer.stop()
        if self._started and self.voice is not None and self.voice.microphone_open:
            self.voice.press()
            if not self.hands_free:
                self._show_state("hearing")
        elif self._started and self.voice is not None:
            voice = self.voice

            def reopen() -> None:
                voice.open_microphone()
                if self._talk_held:
                    voice.press()

            self._show_state("hearing")
            self._run(reopen, "open-microphone")
        elif not self._loading:
            self._start_listening(self.hands_free)

    def release_to_talk(self) -> None:
        """Push-to-talk released: the turn ends now."""
        if not self._talk_held:
            return
        self._talk_held = False
        if self._started and self.voice is not None:
            self.voice.release()
            if not self.hands_free:
                self.mic_idle_timer.start()

    def _close_idle_microphone(self) -> None:
        """Push-to-talk unused for a while: release the microphone until the next press."""
        voice = self.voice
        if voice is not None and not self.hands_free and not self._talk_held and not self._closed:
            self._run(voice.close_microphone, "close-microphone")

    def set_read_aloud(self, on: bool) -> None:
        """Read typed chats' replies aloud (saved in settings)."""
        if self.runtime.settings.voice.read_aloud != on:
            self._apply_settings(updated(self.runtime.settings, "voice", read_aloud=on))

    def speak(self, text: str) -> None:
        """The Speak action: read ``text`` aloud, stopping whatever is being spoken."""
        self._read_aloud(SpokenText(text), stop_first=True)

    def speak_progress(self, words: str, last: bool = False) -> None:
        """Say how a spoken agent run goes, leaving the user room to say "stop".

        Without a headset the microphone is muted while the voice speaks, and a run steps
        every second or two: a line after every step kept it muted for the whole run, so a
        spoken "stop" was cut off and never heard. A line is said only after
        ``PROGRESS_QUIET_S`` of quiet and never while the user is speaking; the others are
        dropped (each step shows in the chat). The run's ``last`` words are always said.
        """
        voice = self.voice
        if last or voice is None or voice.barge_in_allowed:
            self.speak(words)
            return
        from autoglm.speech.conversation import VoiceState

        now = time.monotonic()
        if (
            voice.state in (VoiceState.HEARING, VoiceState.TRANSCRIBING)
            or voice.quiet_s < PROGRESS_QUIET_S
            or now - self._progress_at < PROGRESS_QUIET_S
        ):
            return
        self._progress_at = now
        self._read_aloud(SpokenText(words), stop_first=False)

    def stop_speaking(self) -> None:
        """Silence the voice now."""
        if self._reading is not None:
            self._reading.detach()
            self._reading = None
        if self.voice is not None:
            self._run(self.voice.stop_speaking, "stop-speaking")

    def _on_reply_submitted(self, stream: ReplyStream) -> None:
        if self.runtime.settings.voice.read_aloud and not self._closed:
            self._read_aloud(BufferedReply(stream), stop_first=False)

    def _read_aloud(self, reply: Any, stop_first: bool) -> None:
        if self._closed:
            return
        if self._reading is not None:
            self._reading.detach()
        self._reading = reply
        if self.voice is None or not self.voice.synthesizer.loaded:
            self.window.statusBar().showMessage(self.tr("Loading the voice…"), 3000)

        def start() -> None:
            voice = self._ensure_voice()
            if reply.detached:
                return
            if stop_first:
                voice.stop_speaking()
            voice.read_aloud(reply)

        self._run(start, "read-aloud", lambda _r: self._delta_timer.start())

    # -- callbacks from speech threads (arrive here through queued signals) -----------------
    def _set_level(self, dbfs: float) -> None:
        self._level = dbfs  # a float store; the meter polls it on its own ~30/s timer

    def _add_delta(self, text: str) -> None:
        with self._deltas_lock:
            self._deltas.append(text)

    def _drain_deltas(self) -> None:
        item = self._voice_item
        if item is None:
            return  # the reply's item opens with the transcript; keep its text until then
        with self._deltas_lock:
            text, self._deltas = "".join(self._deltas), []
        if text:
            self.controller.add_spoken_delta(item, text)

    def _on_transcript(self, text: str) -> None:
        if self._answer_tool_call(text) or self._act_on(text):
            return
        self._voice_item = self.controller.begin_spoken_turn(text)
        self.chat_view.scroll_to_end()
        self._drain_deltas()

    def _agent_takes(self, _text: str) -> bool:
        """(Voice thread.) Act mode: every spoken turn is the agent's — a task, or "stop" — never a chat turn."""
        agent = self.agent
        return agent is not None and (agent.running or agent.enabled)

    def _act_on(self, text: str) -> bool:
        """Act mode: spoken words are the agent's task, and "stop" ends its run (the loop's own reply is dropped)."""
        agent = self.agent
        if agent is None or not (agent.running or agent.enabled):
            return False
        if self.voice is not None:
            self.voice.interrupt()
        if agent.running:
            from autoglm.agent.prompts import is_stop_word

            if is_stop_word(text):
                agent.stop()
        else:
            agent.start(text, spoken=True)
        return True

    def _answer_tool_call(self, text: str) -> bool:
        """A spoken "yes" / "no" (是 / 不) answers the tool call waiting in the chat instead of starting a turn."""
        cards = self.controller.pending_tool_cards()
        if not cards:
            return False
        from autoglm.tools.approval import spoken_decision

        decision = spoken_decision(text)
        if decision is None:
            return False
        if self.voice is not None:
            self.voice.interrupt()  # the loop's own reply to "yes" is not wanted: the chat answers
        self.controller.decide_tool_call(cards[0], decision)
        return True

    def _on_tool_calls(self, content: str, calls: list[Any]) -> None:
        """The spoken reply called tools: it becomes their turn, each call a card the voice asks about."""
        self._drain_deltas()
        item, self._voice_item = (
            self._voice_item,
            None,
        )  # before it finishes: not a Stop by the user
        if item is None or self.voice is None or self._closed:
            return
        self.controller.spoken_tool_calls(item, content, calls, self.voice.answer_tool_call)
        self.chat_view.scroll_to_end()

    def _on_tool_result(self, exchange: Any) -> None:
        """A call was answered and run (or not): its card shows it; after the last, the answer in words follows.

        A result that arrives after the window closed (the store is shut) is dropped.
        """
        if self._closed:
            return
        if self.controller.spoken_tool_result(exchange) and self._voice_item is None:
            self._voice_item = self.controller.continue_spoken_turn()
            self.chat_view.scroll_to_end()
            self._drain_deltas()

    def _on_turn_done(self, turn: Any) -> None:
        item = self._voice_item
        if item is None or self._closed:
            return  # the user stopped it already, or the window closed
        self._drain_deltas()
        self._voice_item = None
        self.controller.finish_spoken_turn(item, turn.reply_text, turn.completion, turn.interrupted)

    def _on_voice_state(self, state: str) -> None:
        if state in ("listening", "idle") and self._voice_item is not None:
            item, self._voice_item = self._voice_item, None  # the turn failed before it finished
            self.controller.finish_spoken_turn(item, item.content, None, True)
        if state in ("listening", "idle"):
            with self._deltas_lock:
                self._deltas.clear()
        if self._loading:
            return
        if state == "listening" and not self.hands_free:
            state = "ready"
        elif state == "idle":
            state = "off"
        self._show_state(state)

    def _on_error(self, message: str) -> None:
        """Say what went wrong in the banner; the mic and its label go back to rest, not stuck on "Hearing you…"."""
        self.banner.show_message(message)
        self._talk_held = False
        self.mic_idle_timer.stop()
        self.mic_button.release_hold()
        self.state_label.setToolTip(message)
        if not self._started:
            self.hands_free = False
            self._show_state("off")
        elif not self.hands_free:
            self._show_state("ready")
        self.refresh_devices()  # a device that failed may be gone: the menus show what is left

    def _on_nothing_heard(self) -> None:
        """Say so for a few seconds instead of asking the model an empty question."""
        self._heard_nothing_until = time.monotonic() + NOTHING_HEARD_S
        self._show_state(self.state)
        # The label is the timer's context: a window closed in the meantime cancels the call.
        QTimer.singleShot(
            int(NOTHING_HEARD_S * 1000) + 50, self.state_label, lambda: self._show_state(self.state)
        )
        self.nothingHeard.emit()

    def _on_notice(self, message: str) -> None:
        self.banner.show_message(message)

    def _on_busy_changed(self, busy: bool) -> None:
        if busy:
            return
        if self._voice_item is not None and self.controller.busy is False:
            self._voice_item = None  # the user pressed Stop during a spoken reply
            if self.voice is not None:
                self.voice.interrupt()

    # -- keys and shutdown -------------------------------------------------------------------
    def eventFilter(self, watched: QObject, event: QEvent) -> bool:  # noqa: N802
        """F9 held anywhere in the window is push-to-talk (auto-repeats ignored); follow the language."""
        kind = event.type()
        if kind == QEvent.Type.LanguageChange and watched is self.window:
            self.retranslate()
        elif (
            kind in (QEvent.Type.KeyPress, QEvent.Type.KeyRelease)
            and isinstance(event, QKeyEvent)
            and event.key() == PUSH_TO_TALK_KEY
        ):
            if not event.isAutoRepeat() and self.mic_button.isEnabled():
                if kind == QEvent.Type.KeyPress:
                    self.press_to_talk()
                else:
                    self.release_to_talk()
            return True
        return super().eventFilter(watched, event)

    def shutdown(self) -> None:
        """Close the microphone first, then stop replies and the speaker (phased shutdown)."""
        if self._closed:
            return
        self._closed = True
        self.window.removeEventFilter(self)
        self._delta_timer.stop()
        self.mic_idle_timer.stop()
        self.meter.set_running(False)
        self.speech.set_speaker(None)
        if self._reading is not None:
            self._reading.detach()
        voice = self.voice
        if voice is not None:
            voice.close_microphone()
            voice.close()
        self._pool.clear()
