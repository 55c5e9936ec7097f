"""The act loop's safety and records, driven by scripted replies on a recording executor."""

from __future__ import annotations

import json
import threading
import time
from pathlib import Path

from PIL import Image

from autoglm.agent.coordinates import ScreenGeometry, ScreenRect
from autoglm.agent.executor import ActionResult, Executor, Screenshot
from autoglm.agent.loop import AgentCallbacks, AgentLoop, ContinueSignal
from autoglm.agent.model import ReplayModel
from autoglm.agent.protocol import Action

TAP = '<think>点按钮</think><answer>do(action="Tap", element=[500,500])</answer>'
FINISH = '<think>好了</think><answer>finish(message="完成")</answer>'


class RecordingScreen(Executor):
    """A 200×100 screen whose colour changes after each action unless ``frozen``."""

    kind = "recording"

    def __init__(self, frozen: bool = False) -> None:
        self.frozen = frozen
        self.performed: list[tuple[str, float]] = []

    def screenshot(self) -> Screenshot:
        shade = 0 if self.frozen else (len(self.performed) * 40) % 256
        return Screenshot(
            Image.new("RGB", (200, 100), (shade, 0, 0)), ScreenGeometry(200, 100), "Test"
        )

    def perform(self, action: Action, geometry: ScreenGeometry) -> ActionResult:
        self.performed.append((self.describe(action, geometry), time.monotonic()))
        return ActionResult(True, "done")


def _loop(replies: list[str], screen: Executor, **kwargs: object) -> AgentLoop:
    return AgentLoop(ReplayModel(replies), screen, settle_s=0, **kwargs)  # type: ignore[arg-type]


def _run_in_thread(loop: AgentLoop, task: str = "task") -> tuple[threading.Thread, dict]:
    box: dict = {}
    thread = threading.Thread(target=lambda: box.setdefault("run", loop.run(task)))
    thread.start()
    return thread, box


def _until(condition, timeout: float = 5.0) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        assert time.monotonic() < deadline, "condition not reached"
        time.sleep(0.01)


def test_a_finished_run_is_recorded_as_plain_data(tmp_path: Path) -> None:
    screen = RecordingScreen()
    run = _loop([TAP, FINISH], screen).run("点一下")
    assert run.outcome == "finished" and run.message == "完成"
    assert [p for p, _ in screen.performed] == ["Tap (100, 50)"]
    first = run.steps[0]
    assert first.thinking == "点按钮" and first.action == {
        "action": "Tap",
        "element": {"x": 500, "y": 500},
        "message": None,
    }
    assert first.points == [(100, 50)] and first.ok and first.result == "done"
    assert set(first.seconds) == {"screenshot", "model", "action"}
    saved = json.loads(run.save(tmp_path).read_text(encoding="utf-8"))
    assert saved["outcome"] == "finished" and saved["steps"][1]["action"]["action"] == "finish"
    assert Image.open(tmp_path / saved["steps"][0]["screenshot"]).size == (200, 100)


def test_loop_detection_stops_and_asks_on_the_third_repeat() -> None:
    screen = RecordingScreen(frozen=True)
    asked: list[str] = []
    callbacks = AgentCallbacks(loop_detected=lambda reason: asked.append(reason) is not None)
    run = _loop([TAP, TAP, TAP, TAP, FINISH], screen, callbacks=callbacks).run("task")
    assert run.outcome == "loop" and len(asked) == 1 and "3 times" in asked[0]
    assert len(screen.performed) == 2, "the third repeat is not performed"


def test_loop_detection_lets_the_user_go_on() -> None:
    screen = RecordingScreen(frozen=True)
    run = _loop(
        [TAP, TAP, TAP, FINISH], screen, callbacks=AgentCallbacks(loop_detected=lambda _: True)
    ).run("t")
    assert run.outcome == "finished" and len(screen.performed) == 3


def test_a_changing_screen_is_not_a_loop() -> None:
    run = _loop([TAP] * 4 + [FINISH], RecordingScreen()).run("t")
    assert run.outcome == "finished"


def test_a_sensitive_tap_waits_for_confirmation() -> None:
    screen = RecordingScreen()
    answer = threading.Event()
    questions: list[str] = []

    def confirm(message: str) -> bool:
        questions.append(message)
        answer.wait(5)
        return True

    sensitive = 'do(action="Tap", element=[100,100], message="确认支付")'
    thread, box = _run_in_thread(
        _loop([sensitive, FINISH], screen, callbacks=AgentCallbacks(confirm=confirm))
    )
    _until(lambda: questions)
    time.sleep(0.2)
    assert questions == ["确认支付"] and screen.performed == [], (
        "nothing is tapped before the user says yes"
    )
    confirmed_at = time.monotonic()
    answer.set()
    thread.join(5)
    assert box["run"].outcome == "finished"
    assert len(screen.performed) == 1 and screen.performed[0][1] >= confirmed_at


def test_a_declined_sensitive_tap_ends_the_run() -> None:
    screen = RecordingScreen()
    run = _loop(['do(action="Tap", element=[1,1], message="支付")', FINISH], screen).run("t")
    assert run.outcome == "declined" and "支付" in run.message and screen.performed == []


def test_take_over_waits_for_continue() -> None:
    screen = RecordingScreen()
    signal = ContinueSignal()
    replies = ['do(action="Take_over", message="请登录")', TAP, FINISH]
    thread, box = _run_in_thread(_loop(replies, screen, callbacks=AgentCallbacks(take_over=signal)))
    _until(signal.waiting.is_set)
    time.sleep(0.3)
    assert thread.is_alive() and screen.performed == [], (
        "the agent waits while the user has control"
    )
    resumed_at = time.monotonic()
    signal.resume()
    thread.join(5)
    run = box["run"]
    assert run.outcome == "finished" and run.steps[0].result == "the user continued after: 请登录"
    assert len(screen.performed) == 1 and screen.performed[0][1] >= resumed_at


class SlowModel:
    """A model that takes ``seconds`` for each reply and ignores the stop event."""

    def __init__(self, seconds: float) -> None:
        self.seconds = seconds

    def reply(self, messages: object, stop: threading.Event) -> str:
        time.sleep(self.seconds)
        return TAP


def _stopped_within(loop: AgentLoop, after: float) -> float:
    thread, box = _run_in_thread(loop)
    time.sleep(after)
    stopped_at = time.monotonic()
    loop.stop.set()
    thread.join(5)
    assert not thread.is_alive()
    assert box["run"].outcome == "stopped"
    return time.monotonic() - stopped_at


def test_stop_while_the_model_answers_ends_within_200_ms() -> None:
    loop = AgentLoop(SlowModel(10), RecordingScreen(), settle_s=0)
    assert _stopped_within(loop, 0.3) < 0.2


def test_stop_while_settling_ends_within_200_ms() -> None:
    screen = RecordingScreen()
    loop = _loop([TAP, FINISH], screen)
    loop.settle_s = 30
    elapsed = _stopped_within(loop, 0.3)
    assert elapsed < 0.2 and len(screen.performed) == 1


def test_stop_while_waiting_ends_within_200_ms() -> None:
    loop = _loop(['do(action="Wait", duration="30 seconds")', FINISH], RecordingScreen())
    assert _stopped_within(loop, 0.3) < 0.2


def test_stop_while_the_user_has_control_ends_within_200_ms() -> None:
    loop = _loop(
        ['do(action="Take_over", message="x")'],
        RecordingScreen(),
        callbacks=AgentCallbacks(take_over=ContinueSignal()),
    )
    assert _stopped_within(loop, 0.3) < 0.2


def test_the_apps_own_window_is_never_clicked() -> None:
    screen = RecordingScreen()
    own_window = ScreenRect(90, 40, 30, 30)
    run = _loop(
        [TAP, 'do(action="Tap", element=[100,100])', FINISH], screen, exclusions=[own_window]
    ).run("t")
    assert (
        run.steps[0].result == "refused: (100, 50) is on AutoGLM's own window"
        and not run.steps[0].ok
    )
    assert [p for p, _ in screen.performed] == ["Tap (20, 10)"]


def test_budget_and_bad_reply() -> None:
    budget = _loop([TAP] * 5, RecordingScreen(), max_steps=3).run("t")
    assert budget.outcome == "budget" and len(budget.steps) == 3
    bad = _loop(["I am not sure what to do."], RecordingScreen()).run("t")
    assert bad.outcome == "failed" and "no do(…) or finish(…)" in bad.message


def test_only_the_newest_screenshot_goes_to_the_model() -> None:
    seen: list[list[int]] = []

    class Recorder(ReplayModel):
        def reply(self, messages, stop):  # type: ignore[no-untyped-def]
            seen.append([len(m.images) for m in messages])
            return super().reply(messages, stop)

    loop = AgentLoop(Recorder([TAP, FINISH]), RecordingScreen(), settle_s=0)
    loop.run("任务")
    assert seen == [[0, 1], [0, 0, 0, 1]]


def test_the_same_action_written_differently_is_still_a_loop() -> None:
    spellings = [
        'do(action="Tap", element=[500,500])',
        "do(action='Tap', element=[500, 500])",
        '<answer>do(action="Tap",element=[500,500])</answer>',
    ]
    run = _loop(spellings + [FINISH], RecordingScreen(frozen=True)).run("t")
    assert run.outcome == "loop"


class UnpluggedScreen(RecordingScreen):
    """Its first action fails as a device library fails; its second screenshot is refused in words."""

    def perform(self, action: Action, geometry: ScreenGeometry) -> ActionResult:
        raise ConnectionResetError("device offline")


def test_a_failing_device_ends_the_run_in_words_with_its_steps() -> None:
    from autoglm.core.errors import DeviceError

    run = _loop([TAP, FINISH], UnpluggedScreen()).run("t")
    assert run.outcome == "failed" and run.message == "Tap failed on the recording: device offline"
    assert len(run.steps) == 1 and run.steps[0].result == "failed: device offline"

    class GoneScreen(RecordingScreen):
        def screenshot(self) -> Screenshot:
            raise DeviceError("The phone's screen could not be captured: gone")

    gone = _loop([TAP], GoneScreen()).run("t")
    assert gone.outcome == "failed" and "could not be captured" in gone.message


def test_an_action_outside_the_target_window_asks_first_and_a_no_ends_the_run() -> None:
    asked: list[str] = []
    inside = '<think>里面</think><answer>do(action="Tap", element=[250,250])</answer>'
    outside = '<think>外面</think><answer>do(action="Tap", element=[900,900])</answer>'
    screen = RecordingScreen()
    callbacks = AgentCallbacks(confirm=lambda message: asked.append(message) or False)
    run = _loop(
        [inside, outside, FINISH], screen, callbacks=callbacks, target=ScreenRect(0, 0, 100, 50)
    ).run("t")
    assert [performed for performed, _ in screen.performed] == ["Tap (50, 25)"]
    assert asked == ["Tap at (180, 90) is outside the target window"]
    assert run.outcome == "declined" and "(180, 90)" in run.message

    yes = RecordingScreen()
    agreed = _loop(
        [outside, FINISH],
        yes,
        callbacks=AgentCallbacks(confirm=lambda _m: True),
        target=ScreenRect(0, 0, 100, 50),
    ).run("t")
    assert agreed.outcome == "finished" and len(yes.performed) == 1
