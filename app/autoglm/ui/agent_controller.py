"""Act mode: the window runs the agent loop for a task and shows every step in the chat.

Off by default and turned on for a task (the Act button by the composer, Tools → Act on the
desktop): the next message is a task, not a question. Beside the Act button the picker
(``act_target``) chooses what it acts on: the whole desktop, one open window — whose
screenshots the model then sees, a click outside it asking first — or a phone. The loop (``agent.loop``) runs on its
own thread; each step arrives here as it happens and becomes a row of the chat — its
screenshot (with the place it acted marked), the model's thinking folded, the action and
what came of it — and is saved with the conversation at once, so a reopened chat shows the
run and can replay it. A sensitive tap and a suspected loop ask in a dialog first,
``Take_over`` waits for Continue, and Esc or Stop end the run within 200 ms. The window's
own frame is never clicked: the loop refuses any point on it.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import QCoreApplication, QObject, Qt, Signal
from PySide6.QtGui import QAction
from PySide6.QtWidgets import QMainWindow, QMenu, QMessageBox, QToolButton, QWidget

from autoglm.core.conversation import AgentStep, Turn
from autoglm.ui.agent_steps import step_item
from autoglm.ui.chat_model import MessageItem
from autoglm.ui.main_thread import run_on_main

if TYPE_CHECKING:
    from autoglm.agent.windows import DesktopWindow
    from autoglm.core.runtime import Runtime
    from autoglm.ui.chat_view import ChatViewWidget
    from autoglm.ui.composer import ComposerWidget
    from autoglm.ui.conversation_controller import ConversationController
    from autoglm.ui.notification import NotificationBannerWidget

_LOGGER = logging.getLogger(__name__)


def _tr(text: str) -> str:
    return QCoreApplication.translate("AgentController", text)


def replies_of(steps: list[AgentStep]) -> list[str]:
    """The model replies a run's steps were decided on, as ``autoglm act --replay`` reads them."""
    return [
        f"<think>{step.thought}</think><answer>{step.action}</answer>"
        for step in steps
        if step.action
    ]


class AgentController(QObject):
    """Runs one task at a time from the window; the window routes sends and Esc here in Act mode."""

    enabledChanged = Signal(bool)
    runningChanged = Signal(bool)
    stepShown = Signal(object)
    """A step's row (``MessageItem``) was added to the chat."""
    runFinished = Signal(object)
    """The ``agent.loop.AgentRun``, once it has ended and been saved."""
    questionAsked = Signal(object)
    """A dialog (``QMessageBox``) asks the user: a sensitive tap, a loop, a take-over."""
    progress = Signal(str, bool)
    """Words for the user on how the run goes, and whether they are its last (spoken when the task was spoken)."""

    def __init__(
        self,
        window: QMainWindow,
        *,
        runtime: Runtime,
        conversation: ConversationController,
        composer: ComposerWidget,
        chat_view: ChatViewWidget,
        banner: NotificationBannerWidget,
        tools_menu: QMenu,
        speak: Callable[[str, bool], None],
    ) -> None:
        """Runs in ``window`` (whose frame it never clicks): steps go into ``conversation``'s
        chat and scroll ``chat_view``; ``install`` puts the Act button by ``composer``'s and the
        toggle in ``tools_menu``; a spoken run's progress is said through ``speak(words, last)``."""
        super().__init__(window)
        self.window = window
        self.runtime = runtime
        self.controller = conversation
        self.composer = composer
        self.chat_view = chat_view
        self.banner = banner
        self._tools_menu = tools_menu
        self._speak = speak
        self.enabled = False
        self._icon_colour = "#1f2328"
        self.device = "desktop"
        self.window_target: DesktopWindow | None = None
        """The open window the next task acts within (on the desktop), or ``None``: the whole screen."""
        self.max_steps = 20
        self.settle_s = 1.0
        self.repeats_for_loop = 3
        """The same action on the same screen this many times stops the run as a suspected loop."""
        self.grammar: str | None = None
        """A llama.cpp grammar holding the model to the protocol (for models not trained to act)."""
        self.stop_event = threading.Event()
        self.stop_requested_at: float | None = None
        self.finished_at: float | None = None
        """When the loop returned (``time.monotonic``), before the window heard of it."""
        self.question: QMessageBox | None = None
        self.spoken = False
        """The running task was spoken: its progress and its last message are spoken too."""
        self._conversation: Any = None
        self._thread: threading.Thread | None = None
        self.button = QToolButton(window)
        self.button.setObjectName("actButton")
        self.button.setCheckable(True)
        self.button.setAutoRaise(True)
        self.button.setStyleSheet(
            "QToolButton#actButton:checked { background: palette(highlight); "
            "color: palette(highlighted-text); border-radius: 6px; padding: 2px 6px; }"
        )
        self.action = QAction(window)
        self.action.setCheckable(True)
        self.button.toggled.connect(self.set_enabled)
        self.action.toggled.connect(self.set_enabled)
        from autoglm.ui.act_target import ActTargetPicker

        self.picker = ActTargetPicker(self, window)
        """What the next task acts on: its button beside the Act button, its list in Tools too."""

    def install(self) -> None:
        """Put the Act button and the target picker by the composer, the toggle and the list in Tools."""
        self.composer.add_input_button(self.button)
        self.composer.add_input_button(self.picker.button)
        self._tools_menu.addAction(self.action)
        self._tools_menu.addMenu(self.picker.menu)
        self.runningChanged.connect(
            lambda _running: self.composer.set_busy(self.running or self.controller.busy)
        )
        self.progress.connect(lambda words, last: self._speak(words, last) if self.spoken else None)
        self.retranslate()

    def retranslate(self) -> None:
        """Set every text in the current language."""
        self.button.setText(_tr("Act"))
        self.button.setToolTip(
            _tr("Act mode: AutoGLM does the next task on the desktop or a phone, step by step")
        )
        self.button.setAccessibleName(_tr("Act mode"))
        self.action.setText(_tr("Act mode"))
        self.picker.retranslate()
        self.set_icon_colour(self.composer.icon_colour)

    def set_icon_colour(self, colour: str) -> None:
        """Tint the button for the theme."""
        from autoglm.ui.icons import icon

        self.button.setIcon(icon("act", "#ffffff" if self.enabled else colour))
        self._icon_colour = colour
        self.button.setToolButtonStyle(Qt.ToolButtonStyle.ToolButtonTextBesideIcon)

    # -- state -------------------------------------------------------------------------------
    @property
    def running(self) -> bool:
        """Whether a run is under way."""
        return self._thread is not None

    def set_enabled(self, enabled: bool) -> None:
        """Act mode on or off (the button and the menu entry follow each other)."""
        if enabled == self.enabled:
            return
        self.enabled = enabled
        for widget in (self.button, self.action):
            widget.blockSignals(True)
            widget.setChecked(enabled)
            widget.blockSignals(False)
        self.set_icon_colour(self._icon_colour)
        self.picker.button.setVisible(enabled)
        self.composer.set_placeholder(
            (lambda: _tr("Describe a task for AutoGLM to do…  (Enter to start, Esc to stop)"))
            if enabled
            else None
        )
        self.enabledChanged.emit(enabled)

    def set_device(self, device: str, window: DesktopWindow | None = None) -> None:
        """Act on ``desktop`` (within ``window`` if given), ``adb`` (the one phone connected) or
        ``adb:SERIAL`` from the next task."""
        self.device = device
        self.window_target = window if device == "desktop" else None
        self.picker.choose_shown()

    # -- a run -------------------------------------------------------------------------------
    def start(self, task: str, replies: list[str] | None = None, spoken: bool = False) -> bool:
        """Run ``task`` (with ``replies``: the recorded replies instead of the model); False if it cannot start."""
        chat = self.controller
        task = task.strip()
        if self.running or chat.busy or not task:
            return False
        if replies is None and self.runtime.model_info is None:
            self.banner.show_message(_tr("Load a model first: the agent needs one that can see."))
            return False
        from autoglm.agent.coordinates import ScreenRect

        frame = self.window.frameGeometry()
        own = (
            [ScreenRect(frame.x(), frame.y(), frame.width(), frame.height())]
            if self.device == "desktop"
            else []
        )
        window_target = self.window_target if self.device == "desktop" else None
        chat.add_task_message(task, origin="spoken" if spoken else "typed")
        conversation = self._conversation = chat.conversation
        turn = conversation.begin_reply(chat.model_id(), origin="agent")
        self.stop_event = threading.Event()
        self.stop_requested_at = self.finished_at = None
        self.spoken = spoken
        self._thread = threading.Thread(
            target=self._run,
            args=(task, replies, own, window_target, conversation, turn),
            name="agent-run",
            daemon=True,
        )
        self._thread.start()
        self.runningChanged.emit(True)
        self.progress.emit(_tr("Working on it."), False)
        return True

    def replay(self, item: MessageItem) -> bool:
        """Run a stored run's steps again, through the real parser and executor."""
        replies = replies_of(list(getattr(item, "agent_steps", [])))
        if not replies:
            return False
        return self.start(
            _tr("Replay: {0}").format(item.content[:80] or _tr("the steps above")), replies
        )

    def stop(self) -> None:
        """End the run now (Esc, Stop, the spoken word "stop")."""
        if not self.running:
            return
        self.stop_requested_at = time.monotonic()
        self.stop_event.set()
        if self.question is not None:
            self.question.reject()

    def _run(
        self,
        task: str,
        replies: list[str] | None,
        own: Any,
        window_target: DesktopWindow | None,
        conversation: Any,
        turn: Turn,
    ) -> None:
        """The loop on its thread; every outcome, a failure in words included, ends in ``_finished``.

        With a window chosen, its screenshots are taken where it lies when the run starts, and
        every action is checked against where it lies then (``TrackedWindow``)."""
        from autoglm.agent.devices import open_executor
        from autoglm.agent.loop import AgentCallbacks, AgentLoop, AgentRun
        from autoglm.agent.model import ReplayModel, RuntimeModel
        from autoglm.agent.prompts import prompt_language
        from autoglm.core.errors import UserFacingError

        run = AgentRun(task=task, device=self.device)
        numbered = [0]

        def on_step(step: Any) -> None:
            sha = conversation.keep_image(step.screenshot_png, ".png")
            kept = AgentStep(
                action=step.action_text or step.reply.strip()[:200],
                thought=step.thinking,
                screenshot=sha,
                outcome=step.result,
                ok=step.ok,
            )
            conversation.record_agent_step(turn, kept)
            numbered[0] += 1
            number = numbered[0]
            run_on_main(lambda: self._show_step(kept, number, turn.message_id))

        try:
            target, bbox = self._window_bounds(window_target)
            executor = open_executor(self.device, bbox)
            try:
                model: Any = (
                    ReplayModel(replies)
                    if replies is not None
                    else RuntimeModel(self.runtime, grammar=self.grammar)
                )
                callbacks = AgentCallbacks(
                    confirm=self._confirm,
                    take_over=self._take_over,
                    loop_detected=self._loop_detected,
                    on_step=on_step,
                )
                loop = AgentLoop(
                    model,
                    executor,
                    language=prompt_language(task),
                    max_steps=self.max_steps,
                    settle_s=self.settle_s,
                    callbacks=callbacks,
                    stop=self.stop_event,
                    repeats_for_loop=self.repeats_for_loop,
                    exclusions=own,
                    vision=self.runtime.settings.vision,
                    target=target,
                )
                run = loop.run(task)
            finally:
                executor.close()
        except UserFacingError as exc:
            run.outcome, run.message = "failed", str(exc)
        except (
            Exception
        ) as exc:  # a device library's error: the run ends in words, the window stays
            _LOGGER.exception("The agent run failed")
            run.outcome, run.message = "failed", _tr("The agent stopped: {0}").format(exc)
        self.finished_at = time.monotonic()
        message = run.message or _tr("Stopped.")
        conversation.finish_reply(turn, message, timings={"agent_outcome": run.outcome})
        run_on_main(lambda: self._finished(run, message, turn))

    @staticmethod
    def _window_bounds(
        window: DesktopWindow | None,
    ) -> tuple[Any, tuple[int, int, int, int] | None]:
        """The loop's target and the screenshots' box for a chosen window (loop thread: asks X)."""
        if window is None:
            return None, None
        from autoglm.agent.windows import TrackedWindow, window_rect
        from autoglm.core.errors import DeviceError

        rect = window_rect(window.id)
        if rect is None:
            raise DeviceError(
                _tr("The window “{0}” is closed or hidden: choose another in Act on.").format(
                    window.title
                )
            )
        return TrackedWindow(window), (rect.x, rect.y, rect.width, rect.height)

    def _show_step(self, step: AgentStep, number: int, message_id: int) -> None:
        item = step_item(step, number, message_id)
        if self.controller.conversation is self._conversation:  # the chat the run was started in
            self.controller.model.append(item)
            self.chat_view.scroll_to_end()
        self.stepShown.emit(item)
        if step.action:
            self.progress.emit(
                _tr("Step {0}: {1}").format(number, step.outcome or step.action), False
            )

    def _finished(self, run: Any, message: str, turn: Turn) -> None:
        self._thread = None
        self._close_question()
        item = MessageItem(role="assistant", content=message, message_id=turn.message_id)
        item.agent_steps = list(turn.agent_steps)
        item.stopped = run.outcome == "stopped"
        if self.controller.conversation is self._conversation:
            self.controller.model.append(item)
            self.chat_view.scroll_to_end()
        self._conversation = None
        self.controller.conversationsChanged.emit()
        self.runningChanged.emit(False)
        self.progress.emit(message, True)
        self.runFinished.emit(run)

    # -- asking the user (called on the loop's thread; the loop waits) -------------------------
    def _confirm(self, message: str) -> bool:
        return self._ask(
            _tr("Sensitive action"),
            _tr("The agent wants to tap something sensitive: {0}\n\nGo ahead?").format(message),
        )

    def _loop_detected(self, reason: str) -> bool:
        return self._ask(_tr("The agent may be stuck"), _tr("{0}\n\nKeep going?").format(reason))

    def _take_over(self, message: str, stop: threading.Event) -> None:
        resumed = threading.Event()
        self._show_question(
            _tr("Your turn"),
            _tr("{0}\n\nDo it yourself, then press Continue.").format(message),
            lambda _yes: resumed.set(),
            continue_only=True,
        )
        while not resumed.wait(0.02):
            if stop.is_set():
                break
        run_on_main(self._close_question)

    def _ask(self, title: str, text: str) -> bool:
        answer: dict[str, bool] = {}
        answered = threading.Event()

        def decided(yes: bool) -> None:
            answer["yes"] = yes
            answered.set()

        self._show_question(title, text, decided)
        while not answered.wait(0.02):
            if self.stop_event.is_set():
                run_on_main(self._close_question)
                return False
        return answer.get("yes", False)

    def _show_question(
        self, title: str, text: str, decided: Callable[[bool], None], continue_only: bool = False
    ) -> None:
        def show() -> None:
            parent: QWidget = self.window
            box = QMessageBox(
                QMessageBox.Icon.Question, title, text, QMessageBox.StandardButton.NoButton, parent
            )
            if continue_only:
                yes = box.addButton(_tr("Continue"), QMessageBox.ButtonRole.AcceptRole)
                box.addButton(_tr("Stop"), QMessageBox.ButtonRole.RejectRole)
            else:
                yes = box.addButton(_tr("Go ahead"), QMessageBox.ButtonRole.YesRole)
                box.addButton(_tr("Stop"), QMessageBox.ButtonRole.NoRole)

            def done(_code: int) -> None:
                agreed = box.clickedButton() is yes
                if self.question is box:
                    self.question = None
                decided(agreed)
                if not agreed:
                    self.stop_event.set()

            box.finished.connect(done)
            self.question = box
            box.open()
            self.questionAsked.emit(box)

        run_on_main(show)

    def _close_question(self) -> None:
        if self.question is not None:
            box, self.question = self.question, None
            box.reject()

    def shutdown(self) -> None:
        """Stop a run and wait briefly for its thread."""
        thread = self._thread
        self.stop()
        if thread is not None:
            thread.join(1.0)
