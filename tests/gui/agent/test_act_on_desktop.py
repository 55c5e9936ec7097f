"""``autoglm act --replay`` on a real X server: the real parser and the real pynput executor click
a window whose buttons lie at known places, and the window says where it was clicked."""

from __future__ import annotations

import json
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from click_target import BUTTONS, FIELD, WINDOW
from PIL import Image

from autoglm.agent.coordinates import ScreenGeometry, grid_to_screen
from autoglm.agent.protocol import GridPoint
from fixtures.xvfb import display_env

pytestmark = pytest.mark.display

SCREEN = ScreenGeometry(1280, 800)  # the Xvfb screen, captured whole


def _grid(x: int, y: int) -> GridPoint:
    """The grid point of a spot in the click-target window."""
    return GridPoint(
        round((WINDOW[0] + x) * 1000 / SCREEN.width), round((WINDOW[1] + y) * 1000 / SCREEN.height)
    )


def _centre(rect: tuple[int, int, int, int]) -> GridPoint:
    return _grid(rect[0] + rect[2] // 2, rect[1] + rect[3] // 2)


def _g(point: GridPoint) -> str:
    return f"[{point.x},{point.y}]"


def _screen(point: GridPoint) -> tuple[int, int]:
    return grid_to_screen(point, SCREEN)


ALPHA, BETA, PAY, GAMMA, FIELD_AT = (
    _centre(BUTTONS["alpha"]),
    _centre(BUTTONS["beta"]),
    _centre(BUTTONS["pay"]),
    _centre(BUTTONS["gamma"]),
    _centre(FIELD),
)
SWIPE_FROM, SWIPE_TO = _grid(400, 400), _grid(700, 330)

REPLIES = [
    f'<think>先点击 alpha 按钮。</think><answer>do(action="Tap", element={_g(ALPHA)})</answer>',
    f"<think>Now the beta button.</think><answer>do(action='Tap', element={_g(BETA)})</answer>",
    f'<think>这是付款按钮，需要确认。</think><answer>do(action="Tap", element={_g(PAY)}, message="确认支付")</answer>',
    f'<think>双击 gamma。</think>\n<answer>do(action="Double Tap", element={_g(GAMMA)})',
    f"<think>Hold alpha.</think><answer>do(action='Long Press', element={_g(ALPHA)})</answer>",
    f'I drag across the window. do(action="Swipe", start={_g(SWIPE_FROM)}, end={_g(SWIPE_TO)})',
    f'<think>点输入框。</think><answer>do(action="Tap", element={_g(FIELD_AT)}) </answer> 好的',
    '<think>输入文字。</think><answer>do(action="Type", text="你好 agent")</answer>',
    "<think>A name now.</think><answer>do(action='Type_Name', text='Zhang San')</answer>",
    '<think>返回。</think><answer>do(action="Back")</answer>',
    '<think>记录页面。</think><answer>do(action="Note", message="True")</answer>',
    '<think>总结。</think><answer>do(action="Call_API", instruction="总结页面内容")</answer>',
    '<think>等一下。</think><answer>do(action="Wait", duration="1 seconds")</answer>',
    '<think>需要用户登录。</think><answer>do(action="Take_over", message="请登录")</answer>',
    '<think>Several options.</think><answer>do(action="Interact")</answer>',
    '<think>回到桌面。</think><answer>do(action="Home")</answer>',
    '<think>打开设置。</think><answer>do(action="Launch", app="设置")</answer>',
    '<think>完成了。</think><answer>finish(message="全部完成")</answer>',
]


def _act(
    display: str, tmp_path: Path, *args: str, stdin: str = "", replies_list: list[str] = REPLIES
) -> subprocess.CompletedProcess:
    replies = tmp_path / "replies.json"
    replies.write_text(json.dumps(replies_list, ensure_ascii=False), encoding="utf-8")
    env = display_env(display, AUTOGLM_HOME=str(tmp_path / "home"))
    return subprocess.run(
        [
            sys.executable,
            "-m",
            "autoglm",
            "act",
            "--replay",
            str(replies),
            "--device",
            "desktop",
            "--settle",
            "0.3",
            *args,
        ],
        env=env,
        input=stdin,
        capture_output=True,
        text=True,
        timeout=300,
    )


def _one(events: list[dict[str, Any]], **match: Any) -> list[dict[str, Any]]:
    return [e for e in events if all(e.get(k) == v for k, v in match.items())]


def test_replayed_replies_click_where_the_grid_says(
    xvfb_display: str, click_target: Callable[[], list], tmp_path: Path
) -> None:
    record = tmp_path / "record"
    done = _act(
        xvfb_display, tmp_path, "--yes", "--record", str(record), "--max-steps", "30", stdin="\n\n"
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == "全部完成"
    assert "Traceback" not in done.stderr
    events = click_target()

    presses = [(e["x"], e["y"], e["widget"]) for e in _one(events, event="press")]
    assert presses[:3] == [
        (*_screen(ALPHA), "alpha"),
        (*_screen(BETA), "beta"),
        (*_screen(PAY), "pay"),
    ]
    assert [e["name"] for e in _one(events, event="clicked")][:3] == ["alpha", "beta", "pay"]
    double = [
        e for e in events if e.get("widget") == "gamma" and e["event"] in ("press", "double")
    ]  # Qt may merge
    assert [(e["x"], e["y"]) for e in double] == [_screen(GAMMA)] * 2
    assert double[1]["t"] - double[0]["t"] < 0.25, (
        "a double tap is two clicks within the double-click time"
    )

    long_press = [
        e for e in events if e.get("widget") == "alpha" and e["event"] in ("press", "release")
    ][-2:]
    assert [e["event"] for e in long_press] == ["press", "release"]
    assert (long_press[0]["x"], long_press[0]["y"]) == _screen(ALPHA)
    assert long_press[1]["t"] - long_press[0]["t"] >= 0.7, "a long press holds the button"

    swipe_press = _one(events, event="press", widget="window")
    swipe_release = _one(events, event="release", widget="window")
    assert (swipe_press[0]["x"], swipe_press[0]["y"]) == _screen(SWIPE_FROM)
    assert (swipe_release[0]["x"], swipe_release[0]["y"]) == _screen(SWIPE_TO)

    assert (
        _one(events, event="press", widget="field")[0]["x"],
        _one(events, event="press", widget="field")[0]["y"],
    ) == _screen(FIELD_AT)
    texts = [e["text"] for e in _one(events, event="text")]
    assert "你好 agent" in texts, texts
    assert texts[-1] == "Zhang San", "Type_Name replaces what the field held"
    back = [
        e for e in _one(events, event="key", widget="field") if e["key"] == 0x01000012
    ]  # Qt.Key_Left
    assert back and back[-1]["modifiers"] & 0x08000000, "Back is Alt+Left on the desktop"

    run = json.loads((record / "run.json").read_text(encoding="utf-8"))
    assert run["outcome"] == "finished" and len(run["steps"]) == len(REPLIES)
    results = {s["action"]["action"]: s for s in run["steps"]}
    assert results["Take_over"]["result"] == "the user continued after: 请登录"
    assert not results["Home"]["ok"] and "no Home button" in results["Home"]["result"]
    assert not results["Launch"]["ok"]
    assert results["Tap"]["points"] == [list(_screen(FIELD_AT))]
    first_shot = Image.open(record / run["steps"][0]["screenshot"]).convert("RGB")
    assert first_shot.size == (1280, 800)
    assert first_shot.getpixel((WINDOW[0] + 5, WINDOW[1] + 5)) == (0x20, 0x40, 0xC0), (
        "the screenshot shows the window"
    )
    assert '[3] do(action="Tap"' in done.stderr and "确认支付" in done.stderr


def test_dry_run_clicks_nothing(
    xvfb_display: str, click_target: Callable[[], list], tmp_path: Path
) -> None:
    done = _act(xvfb_display, tmp_path, "--yes", "--dry-run", "--json", stdin="\n\n")
    assert done.returncode == 0, done.stderr
    run = json.loads(done.stdout)
    assert run["device"] == "desktop (dry run)"
    assert run["steps"][0]["result"] == "dry run: would Tap ({}, {})".format(*_screen(ALPHA))
    assert _one(click_target(), event="press") == []


def test_a_sensitive_tap_nobody_confirms_ends_the_run(
    xvfb_display: str, click_target: Callable[[], list], tmp_path: Path
) -> None:
    done = _act(xvfb_display, tmp_path)
    assert done.returncode == 1
    assert "The user declined a sensitive tap: 确认支付" in done.stdout
    assert [e["name"] for e in _one(click_target(), event="clicked")] == ["alpha", "beta"]


def test_take_over_with_nobody_at_the_terminal_stops(
    xvfb_display: str, click_target: Callable[[], list], tmp_path: Path
) -> None:
    replies = ['do(action="Take_over", message="请登录")', f'do(action="Tap", element={_g(ALPHA)})']
    done = _act(xvfb_display, tmp_path, replies_list=replies)
    assert done.returncode == 130, done.stderr
    assert "Nobody is at the terminal to take over; stopping." in done.stderr
    assert _one(click_target(), event="press") == [], (
        "nothing is clicked after an unanswered take-over"
    )
