"""The real starter model, held to the action protocol by a llama.cpp grammar, acts on a real X
server: the loop sends it the screenshot, parses its answer, and pynput clicks where it said."""

from __future__ import annotations

import json
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import pytest

from autoglm.agent.coordinates import ScreenGeometry, grid_to_screen
from autoglm.agent.protocol import Tap, parse_reply
from fixtures.xvfb import display_env

pytestmark = [pytest.mark.display, pytest.mark.slow]


def test_the_constrained_model_taps_and_the_click_lands_there(
    xvfb_display: str,
    full_screen_click_target: Callable[[], list],
    starter_gguf: Path,
    projector_gguf: Path,
    tmp_path: Path,
) -> None:
    record = tmp_path / "record"
    env = display_env(xvfb_display, AUTOGLM_HOME=str(tmp_path / "home"))
    done = subprocess.run(
        [
            sys.executable,
            "-m",
            "autoglm",
            "act",
            "Tap the red alpha button.",
            "--device",
            "desktop",
            "--max-steps",
            "1",
            "--settle",
            "0.3",
            "--constrained",
            "--model",
            str(starter_gguf),
            "--mmproj",
            str(projector_gguf),
            "--record",
            str(record),
        ],
        env=env,
        capture_output=True,
        text=True,
        timeout=900,
    )
    assert "Traceback" not in done.stderr, done.stderr
    run = json.loads((record / "run.json").read_text(encoding="utf-8"))
    step = run["steps"][0]
    parsed = parse_reply(step["reply"])
    assert isinstance(parsed.action, Tap), (
        f"the grammar allows a Tap or finish; the model wrote {step['reply']!r}"
    )
    assert run["outcome"] == "budget" and done.returncode == 1, done.stderr
    expected = grid_to_screen(parsed.action.element, ScreenGeometry(1280, 800))
    assert step["points"] == [list(expected)] and step["ok"]
    presses = [(e["x"], e["y"]) for e in full_screen_click_target() if e["event"] == "press"]
    assert presses == [expected], "the window was clicked exactly where the model pointed"
