"""The act loop: screenshot → model → action → settle → screenshot, within a step budget.

Safety lives here, the same for every executor: a sensitive tap asks first, ``Take_over``
hands control to the user until they continue, the same screen and action three times
stops and asks, the app's own window is never clicked, and a stop ends the run within
200 ms (while the model thinks, while it settles, while it waits). Every step is recorded
as plain data: its screenshot, the model's thinking, the action and what came of it.
"""

from __future__ import annotations

import json
import logging
import threading
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal

from autoglm.agent.coordinates import Region, ScreenRect
from autoglm.agent.executor import DEVICE_ACTIONS, ActionResult, Executor, Screenshot
from autoglm.agent.model import AgentModel
from autoglm.agent.prompts import Language, first_user_text, next_user_text, system_prompt
from autoglm.agent.protocol import (
    CallApi,
    DoubleTap,
    Finish,
    GridPoint,
    Interact,
    LongPress,
    Note,
    ParsedReply,
    Swipe,
    TakeOver,
    Tap,
    Wait,
    parse_reply,
)
from autoglm.core.errors import UserFacingError
from autoglm.core.settings import VisionSettings
from autoglm.core.types import ChatMessage

_LOGGER = logging.getLogger(__name__)

Outcome = Literal["finished", "stopped", "budget", "loop", "declined", "refused", "failed"]
STOP_POLL_S = 0.02
MAX_WAIT_S = 60.0


@dataclass
class AgentStep:
    """One step as it happened; ``to_dict`` is plain data for JSON (the screenshot apart)."""

    index: int
    screenshot_png: bytes
    screen_size: tuple[int, int]
    screen_hash: str
    reply: str = ""
    thinking: str = ""
    action: dict[str, Any] | None = None
    action_text: str = ""
    points: list[tuple[int, int]] = field(default_factory=list)  # where it lands, input coordinates
    ok: bool = False
    result: str = ""
    seconds: dict[str, float] = field(default_factory=dict)

    def to_dict(self, screenshot_file: str | None = None) -> dict[str, Any]:
        """The step as plain data; ``screenshot_file`` names where its PNG was saved."""
        return {
            "index": self.index,
            "screenshot": screenshot_file,
            "screen_size": list(self.screen_size),
            "screen_hash": self.screen_hash,
            "reply": self.reply,
            "thinking": self.thinking,
            "action": self.action,
            "action_text": self.action_text,
            "points": [list(p) for p in self.points],
            "ok": self.ok,
            "result": self.result,
            "seconds": self.seconds,
        }


@dataclass
class AgentRun:
    """A whole run: the task, its steps, how it ended and why."""

    task: str
    device: str
    steps: list[AgentStep] = field(default_factory=list)
    outcome: Outcome = "stopped"
    message: str = ""

    def to_dict(self) -> dict[str, Any]:
        """The run as plain data (screenshots by file name, as ``save`` writes them)."""
        return {
            "task": self.task,
            "device": self.device,
            "outcome": self.outcome,
            "message": self.message,
            "steps": [step.to_dict(f"step-{step.index:02d}.png") for step in self.steps],
        }

    def save(self, folder: Path) -> Path:
        """Write ``run.json`` and one PNG per step into ``folder``; the JSON file's path."""
        folder.mkdir(parents=True, exist_ok=True)
        for step in self.steps:
            (folder / f"step-{step.index:02d}.png").write_bytes(step.screenshot_png)
        path = folder / "run.json"
        path.write_text(json.dumps(self.to_dict(), ensure_ascii=False, indent=2), encoding="utf-8")
        return path


def _refuse(_message: str) -> bool:
    return False


def _continue_at_once(_message: str, _stop: threading.Event) -> None:
    return None


def _ignore(_step: AgentStep) -> None:
    return None


@dataclass
class AgentCallbacks:
    """How the loop reaches the user; each may block (the loop waits) and is called on its thread."""

    confirm: Callable[[str], bool] = _refuse  # a sensitive tap: True to go ahead
    take_over: Callable[[str, threading.Event], None] = (
        _continue_at_once  # returns when the user continues
    )
    loop_detected: Callable[[str], bool] = (
        _refuse  # the same screen and action again: True to go on
    )
    on_step: Callable[[AgentStep], None] = _ignore  # after each step, for progress


class ContinueSignal:
    """A take-over callback that waits until ``resume()`` is called (the Continue button) or a stop."""

    def __init__(self, notify: Callable[[str], None] | None = None) -> None:
        self._resumed = threading.Event()
        self._notify = notify
        self.waiting = threading.Event()

    def __call__(self, message: str, stop: threading.Event) -> None:
        """Block until the user continues or the run is stopped."""
        self._resumed.clear()
        self.waiting.set()
        if self._notify is not None:
            self._notify(message)
        try:
            while not self._resumed.wait(STOP_POLL_S):
                if stop.is_set():
                    return
        finally:
            self.waiting.clear()

    def resume(self) -> None:
        """The user has done their part; the agent goes on."""
        self._resumed.set()


class AgentLoop:
    """Runs one task on one executor with one model."""

    def __init__(
        self,
        model: AgentModel,
        executor: Executor,
        *,
        language: Language = "zh",
        max_steps: int = 20,
        settle_s: float = 1.0,
        callbacks: AgentCallbacks | None = None,
        stop: threading.Event | None = None,
        exclusions: Sequence[ScreenRect] = (),
        repeats_for_loop: int = 3,
        vision: VisionSettings | None = None,
        target: Region | None = None,
    ) -> None:
        if max_steps < 1:
            raise ValueError("max_steps must be at least 1")
        self.model = model
        self.executor = executor
        self.language: Language = language
        self.max_steps = max_steps
        self.settle_s = settle_s
        self.callbacks = callbacks or AgentCallbacks()
        self.stop = stop or threading.Event()
        self.exclusions = list(exclusions)
        self.target = target
        """The window the task is about (input coordinates, or a ``TrackedWindow``); a point outside it asks first. ``None``: anywhere."""
        self.repeats_for_loop = repeats_for_loop
        self.vision = vision or VisionSettings.model_validate({})

    # -- the run -----------------------------------------------------------------------
    def run(self, task: str) -> AgentRun:
        """Act until the model finishes, the budget is spent, the user stops it or safety does.

        A device or model failure in words (a phone unplugged, a refused request) ends the run
        as ``failed`` with that message; the steps so far are kept.
        """
        run = AgentRun(task=task, device=self.executor.kind)
        try:
            return self._run(task, run)
        except UserFacingError as exc:
            return self._end(run, "failed", str(exc))

    def _run(self, task: str, run: AgentRun) -> AgentRun:
        messages = [ChatMessage("system", system_prompt(self.language))]
        repeats: list[tuple[str, str]] = []
        for index in range(1, self.max_steps + 1):
            if self.stop.is_set():
                return self._end(run, "stopped", "Stopped.")
            started = time.monotonic()
            screenshot = self.executor.screenshot()
            step = AgentStep(
                index,
                screenshot.png(),
                (screenshot.image.width, screenshot.image.height),
                screenshot.screen_hash(),
            )
            step.seconds["screenshot"] = round(time.monotonic() - started, 4)
            text = (
                first_user_text(task, screenshot.current_app)
                if index == 1
                else next_user_text(screenshot.current_app)
            )
            messages = [_without_images(m) for m in messages]
            messages.append(ChatMessage("user", text, [self._image(screenshot)]))

            asked = time.monotonic()
            reply = self._ask_model(messages)
            step.seconds["model"] = round(time.monotonic() - asked, 4)
            if reply is None:
                run.steps.append(step)
                return self._end(run, "stopped", "Stopped while the model was answering.")
            parsed = parse_reply(reply)
            step.reply, step.thinking, step.action_text = reply, parsed.thinking, parsed.action_text
            step.action = parsed.action.to_dict() if parsed.action else None
            messages.append(ChatMessage("assistant", parsed.history_text() if parsed.ok else reply))
            run.steps.append(step)
            if parsed.action is None:
                step.result = f"not an action: {parsed.error}"
                self.callbacks.on_step(step)
                return self._end(
                    run, "failed", f"The model's reply is not an action: {parsed.error}"
                )

            key = (step.screen_hash, json.dumps(step.action, sort_keys=True, ensure_ascii=False))
            repeats = [*repeats, key] if repeats and repeats[-1] == key else [key]
            if len(repeats) >= self.repeats_for_loop:
                reason = (
                    f"The same action ({parsed.action_text}) on the same screen "
                    f"{len(repeats)} times: the agent may be stuck."
                )
                if not self.callbacks.loop_detected(reason):
                    step.result = "stopped: " + reason
                    self.callbacks.on_step(step)
                    return self._end(run, "loop", reason)
                repeats = []

            acted = time.monotonic()
            outcome = self._act(parsed, screenshot, step)
            step.seconds["action"] = round(time.monotonic() - acted, 4)
            self.callbacks.on_step(step)
            if outcome is not None:
                return self._end(run, *outcome)
            if not self._sleep(self.settle_s):
                return self._end(run, "stopped", "Stopped.")
        return self._end(
            run, "budget", f"The step budget ({self.max_steps}) is spent before the task finished."
        )

    def _end(self, run: AgentRun, outcome: Outcome, message: str) -> AgentRun:
        run.outcome, run.message = outcome, message
        _LOGGER.info("Agent run ended (%s) after %d steps: %s", outcome, len(run.steps), message)
        return run

    # -- one action --------------------------------------------------------------------
    def _act(
        self, parsed: ParsedReply, screenshot: Screenshot, step: AgentStep
    ) -> tuple[Outcome, str] | None:
        """Perform the step's action; ``(outcome, message)`` when the run ends here."""
        action = parsed.action
        assert action is not None  # the caller ended the run on a reply without one
        geometry = screenshot.geometry
        if isinstance(action, Finish):
            step.ok, step.result = True, "finished"
            return "finished", action.message
        if isinstance(action, TakeOver | Interact):
            message = (
                action.message
                if isinstance(action, TakeOver)
                else ("Several options fit: choose one yourself, then continue.")
            )
            step.result = f"handed to the user: {message}"
            self.callbacks.take_over(message, self.stop)
            if self.stop.is_set():
                return "stopped", "Stopped while the user had control."
            step.ok, step.result = True, f"the user continued after: {message}"
            return None
        if isinstance(action, Wait):
            seconds = min(action.seconds, MAX_WAIT_S)
            if not self._sleep(seconds):
                return "stopped", "Stopped while waiting."
            step.ok, step.result = True, f"waited {seconds:g} s"
            return None
        if isinstance(action, Note | CallApi):
            step.ok, step.result = True, "noted"
            return None
        if not isinstance(action, DEVICE_ACTIONS):
            step.result = f"{action.name} is not handled"
            return "failed", step.result
        points = _grid_points(action)
        step.points = [self.executor.target(p, geometry) for p in points]
        for x, y in step.points:
            if any(rect.contains(x, y) for rect in self.exclusions):
                step.result = f"refused: ({x}, {y}) is on AutoGLM's own window"
                return None
        outside = [
            (x, y)
            for x, y in step.points
            if self.target is not None and not self.target.contains(x, y)
        ]
        if outside:
            where = f"({outside[0][0]}, {outside[0][1]})"
            if not self.callbacks.confirm(f"{action.name} at {where} is outside the target window"):
                step.result = f"declined by the user: {where} is outside the target window"
                return (
                    "declined",
                    f"The user declined an action outside the target window at {where}.",
                )
        if isinstance(action, Tap) and action.message is not None:
            if not self.callbacks.confirm(action.message):
                step.result = f"declined by the user: {action.message}"
                return "declined", f"The user declined a sensitive tap: {action.message}"
        if self.stop.is_set():
            return "stopped", "Stopped."
        try:
            result: ActionResult = self.executor.perform(action, geometry)
        except UserFacingError:
            raise
        except (
            Exception
        ) as exc:  # a device library's error (logged with its trace) ends the run in words
            _LOGGER.exception("Performing %s failed", action.name)
            step.result = f"failed: {exc}"
            return "failed", f"{action.name} failed on the {self.executor.kind}: {exc}"
        step.ok, step.result = result.ok, result.message
        return None

    # -- waiting that a stop cuts short --------------------------------------------------
    def _sleep(self, seconds: float) -> bool:
        """Wait ``seconds``; False as soon as the run is stopped."""
        return not self.stop.wait(seconds)

    def _ask_model(self, messages: list[ChatMessage]) -> str | None:
        """The model's reply, or ``None`` once stopped (the reply, if it comes later, is dropped)."""
        box: dict[str, Any] = {}
        done = threading.Event()

        def ask() -> None:
            try:
                box["reply"] = self.model.reply(messages, self.stop)
            except BaseException as exc:  # noqa: BLE001 - handed to the loop's thread below
                box["error"] = exc
            finally:
                done.set()

        threading.Thread(target=ask, name="agent-model", daemon=True).start()
        while not done.wait(STOP_POLL_S):
            if self.stop.is_set():
                return None
        if self.stop.is_set():
            return None
        if "error" in box:
            raise box["error"]
        return str(box["reply"])

    def _image(self, screenshot: Screenshot) -> Any:
        from autoglm.vision.image import image_from_rgb

        image = screenshot.image
        return image_from_rgb(image.width, image.height, image.tobytes(), self.vision)


def _grid_points(action: Any) -> list[GridPoint]:
    if isinstance(action, Tap | DoubleTap | LongPress):
        return [action.element]
    if isinstance(action, Swipe):
        return [action.start, action.end]
    return []


def _without_images(message: ChatMessage) -> ChatMessage:
    """Only the newest screenshot goes to the model (Open-AutoGLM drops the older ones)."""
    if not message.images:
        return message
    return ChatMessage(
        message.role, message.content, [], message.tool_calls, message.tool_call_id, message.name
    )
