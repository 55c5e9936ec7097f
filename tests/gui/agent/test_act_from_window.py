"""Act mode in the window: the agent runs a task on a real X server and every step shows in the
chat and is kept with the conversation; a sensitive tap and a take-over ask in a dialog, a
loop stops and asks, the window's own frame is never clicked, and Esc ends a run within 200 ms.

The window is the real one (offscreen Qt); the desktop it acts on is Xvfb, where the
click-target window records every click. Recorded replies go through the window's own
replay (the same path as a stored run's Replay link); the Esc test runs the real starter
model with the test projector, held to taps by the action grammar."""

from __future__ import annotations

import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from PySide6.QtCore import Qt, QTimer
from test_act_on_desktop import ALPHA, BETA, PAY, SCREEN, _g, _one, _screen

from autoglm.agent.coordinates import pixels_to_grid
from autoglm.core.settings import updated

pytestmark = pytest.mark.display
RUN_TIMEOUT_MS = 60_000
OWN_WINDOW = (950, 0, 720, 600)
"""Where the app's window lies on the Xvfb screen: right of the click target, partly past the edge."""


@pytest.fixture
def act_window(
    make_window: Callable[..., Any],
    gui_settings: Any,
    xvfb_display: str,
    monkeypatch: pytest.MonkeyPatch,
) -> Any:
    """The window in Act mode, acting on the Xvfb desktop (no model loaded: replies are replayed)."""
    monkeypatch.setenv("DISPLAY", xvfb_display)
    monkeypatch.setenv("XDG_SESSION_TYPE", "x11")
    monkeypatch.delenv("WAYLAND_DISPLAY", raising=False)
    window = make_window(gui_settings, load=False)
    window.setGeometry(*OWN_WINDOW)
    window.agent.settle_s = 0.3
    window.agent.button.click()
    assert window.agent.enabled and window.agent.action.isChecked()
    return window


def _answer_with(window: Any, qtbot: Any, answers: list[str]) -> list[str]:
    """Click ``answers`` (button texts) in the dialogs the agent opens, in order; returns their texts."""
    asked: list[str] = []

    def answer(box: Any) -> None:
        asked.append(box.text())
        wanted = answers[len(asked) - 1] if len(asked) <= len(answers) else "Stop"
        [button] = [b for b in box.buttons() if b.text() == wanted]
        QTimer.singleShot(150, button.click)

    window.agent.questionAsked.connect(answer)
    return asked


def _run(
    window: Any, qtbot: Any, replies: list[str], task: str = "Click through the target window"
) -> Any:
    with qtbot.waitSignal(window.agent.runFinished, timeout=RUN_TIMEOUT_MS) as finished:
        assert window.agent.start(task, replies)
        assert window.composer.send_button.text() == "Stop", "the composer's button stops the run"
    return finished.args[0]


def test_a_run_shows_each_step_asks_before_a_sensitive_tap_and_a_take_over_and_is_kept(
    act_window: Any, click_target: Callable[[], list], qtbot: Any
) -> None:
    window = act_window
    own = pixels_to_grid(1000, 300, SCREEN)  # a point on the app's own window
    replies = [
        f'<think>先点 alpha。</think><answer>do(action="Tap", element={_g(ALPHA)})</answer>',
        f'<think>付款。</think><answer>do(action="Tap", element={_g(PAY)}, message="确认支付")</answer>',
        '<think>需要登录。</think><answer>do(action="Take_over", message="请登录")</answer>',
        f"<think>My own window.</think><answer>do(action='Tap', element=[{own.x},{own.y}])</answer>",
        '<think>完成。</think><answer>finish(message="全部完成")</answer>',
    ]
    asked = _answer_with(window, qtbot, ["Go ahead", "Continue"])
    run = _run(window, qtbot, replies)

    assert run.outcome == "finished" and run.message == "全部完成"
    assert "确认支付" in asked[0] and "请登录" in asked[1] and len(asked) == 2
    presses = [(e["x"], e["y"], e["widget"]) for e in _one(click_target(), event="press")]
    assert presses == [(*_screen(ALPHA), "alpha"), (*_screen(PAY), "pay")], (
        "the app's own window is never clicked"
    )

    items = window.controller.model.items()
    steps = [item for item in items if item.agent_step]
    assert len(steps) == 5 and items[-1].content == "全部完成" and len(items[-1].agent_steps) == 5
    assert items[0].role == "user" and items[0].content == "Click through the target window"
    first = steps[0]
    assert (
        "Step 1" in first.content
        and 'do(action="Tap"' in first.content
        and first.reasoning == "先点 alpha。"
    )
    assert first.pointed is not None and first.pointed.pointing.points == (ALPHA,), (
        "its screenshot, marked"
    )
    assert "on AutoGLM's own window" in steps[3].content
    assert steps[4].attachments, "a step that points nowhere shows its screenshot as it was"
    path = window.runtime.store.attachment_path(first.pointed.image_sha)
    from PIL import Image

    with Image.open(path) as shot:
        assert shot.size == (SCREEN.width, SCREEN.height)

    # kept with the conversation: reopened, the same steps and the run's last message with Replay
    conversation_id = window.controller.conversation_id
    window.new_chat()
    with qtbot.waitSignal(window.controller.loaded, timeout=30_000):
        window.open_conversation(conversation_id)
    again = window.controller.model.items()
    assert [i.content for i in again] == [i.content for i in items]
    assert (
        "Replay these 5 steps" in window.chat_view.delegate.document(again[-1], 600).toPlainText()
    )

    # replayed from the chat: the same clicks again, through the same parser and executor
    window.agent.questionAsked.disconnect()
    _answer_with(window, qtbot, ["Go ahead", "Continue"])
    with qtbot.waitSignal(window.agent.runFinished, timeout=RUN_TIMEOUT_MS) as replayed:
        window.message_anchor("agent-replay:0", again[-1])
    assert replayed.args[0].outcome == "finished"
    assert [e["widget"] for e in _one(click_target(), event="press")] == [
        "alpha",
        "pay",
        "alpha",
        "pay",
    ]


def test_the_same_action_on_the_same_screen_stops_and_asks(
    act_window: Any, click_target: Callable[[], list], qtbot: Any
) -> None:
    beta = f'<think>beta</think><answer>do(action="Tap", element={_g(BETA)})</answer>'
    asked = _answer_with(act_window, qtbot, ["Stop"])
    run = _run(act_window, qtbot, [beta] * 6)
    assert run.outcome == "loop" and "may be stuck" in run.message
    assert "3 times" in asked[0]
    assert run.steps[-1].result.startswith("stopped:"), (
        "the repeated tap waited for the answer, which was Stop"
    )
    clicks = [
        e for e in click_target() if e["event"] in ("press", "double")
    ]  # Qt merges quick repeats
    assert len(clicks) == len(run.steps) - 1


def test_a_task_needs_act_mode_and_a_model(act_window: Any, qtbot: Any) -> None:
    window = act_window
    window.composer.input.setPlainText("Open the settings")
    window.composer.submit()
    assert not window.agent.running and window.banner.isVisible(), (
        "no model loaded: said in words, nothing runs"
    )
    window.agent.button.click()
    assert not window.agent.enabled and not window.agent.action.isChecked()


@pytest.mark.slow
def test_a_spoken_task_runs_the_real_model_and_esc_ends_it_within_200_ms(
    make_window: Callable[..., Any],
    gui_settings: Any,
    projector_gguf: Path,
    xvfb_display: str,
    click_target: Callable[[], list],
    monkeypatch: pytest.MonkeyPatch,
    qtbot: Any,
) -> None:
    from autoglm.agent.grammar import POINT_GBNF

    monkeypatch.setenv("DISPLAY", xvfb_display)
    monkeypatch.setenv("XDG_SESSION_TYPE", "x11")
    window = make_window(
        updated(
            updated(gui_settings, "model", mmproj_path=str(projector_gguf)),
            "generation",
            max_tokens=200,
        )
    )
    window.setGeometry(*OWN_WINDOW)
    agent = window.agent
    agent.grammar, agent.max_steps, agent.settle_s = (
        POINT_GBNF,
        20,
        0.0,
    )  # taps only: it never finishes itself
    agent.set_enabled(True)
    said: list[str] = []
    # what would be read aloud (piper is not the subject here)
    window.voice.speak_progress = lambda words, last=False: said.append(words)
    window.voice._on_transcript(
        "Tap the alpha button."
    )  # a spoken task, as the voice loop hands it over
    assert agent.running and agent.spoken and said == ["Working on it."]
    assert window.controller.conversation.turns()[0].origin == "spoken"
    qtbot.waitUntil(
        lambda: window.runtime.scheduler.busy, timeout=30_000
    )  # the model reads the screenshot
    qtbot.wait(300)
    with qtbot.waitSignal(agent.runFinished, timeout=10_000) as finished:
        started = time.monotonic()
        qtbot.keyClick(window.composer.input, Qt.Key.Key_Escape)
    assert finished.args[0].outcome == "stopped"
    assert agent.stop_requested_at is not None and agent.stop_requested_at >= started
    assert agent.finished_at is not None
    print(f"the run ended {agent.finished_at - agent.stop_requested_at:.3f} s after Esc")
    assert agent.finished_at - agent.stop_requested_at < 0.2, (
        f"the run ended {agent.finished_at - agent.stop_requested_at:.3f} s after Esc"
    )
    assert not agent.running and window.composer.send_button.text() == "Send"
    assert said[-1] == finished.args[0].message, "the end of the run is spoken"


def test_the_spoken_word_stop_ends_a_run(
    act_window: Any, click_target: Callable[[], list], qtbot: Any
) -> None:
    window = act_window
    replies = [
        f'do(action="Tap", element={_g(ALPHA)})',
        'do(action="Wait", duration="30 seconds")',
        f'do(action="Tap", element={_g(BETA)})',
    ]
    with qtbot.waitSignal(window.agent.runFinished, timeout=RUN_TIMEOUT_MS) as finished:
        assert window.agent.start("Tap alpha, wait, tap beta", replies)
        qtbot.waitUntil(lambda: len(_one(click_target(), event="press")) == 1, timeout=30_000)
        window.voice._on_transcript("Open the settings")  # while acting, other words are not a task
        assert window.agent.running
        started = time.monotonic()
        window.voice._on_transcript("Stop!")
    assert finished.args[0].outcome == "stopped" and time.monotonic() - started < 5
    assert [e["widget"] for e in _one(click_target(), event="press")] == ["alpha"]


def test_acting_on_a_phone_with_none_connected_ends_in_words(
    act_window: Any, private_adb_server: str, qtbot: Any
) -> None:
    from autoglm.agent.adb import NO_DEVICE

    window = act_window
    window.agent.set_device("adb")
    assert window.agent.device == "adb" and window.agent.window_target is None
    assert "Android phone" in window.agent.picker.button.text()
    run = _run(window, qtbot, ['do(action="Home")'], task="Go to the home screen")
    assert run.outcome == "failed" and run.message == NO_DEVICE
    assert window.controller.model.items()[-1].content == NO_DEVICE
