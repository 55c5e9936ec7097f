"""``autoglm bench agent`` runs the real loop end to end: time per step, and the prompt tokens the engine
reads again per step (the system prompt and history reused) next to the whole prompt."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from autoglm.agent.coordinates import ScreenGeometry
from autoglm.agent.protocol import Tap
from autoglm.bench.agent import GeneratedScreens


def test_generated_screens_change_every_step_and_perform_nothing() -> None:
    screens = GeneratedScreens(320, 240)
    first, second = screens.screenshot(), screens.screenshot()
    assert first.screen_hash() != second.screen_hash(), "no loop is detected on screens that change"
    result = screens.perform(Tap(), ScreenGeometry(320, 240))
    assert result.ok and result.message.startswith("not performed")


@pytest.mark.slow
def test_bench_agent_reuses_the_history_from_the_second_step(
    tmp_path: Path, starter_gguf: Path
) -> None:
    out = tmp_path / "agent.json"
    env = {**os.environ, "AUTOGLM_HOME": str(tmp_path / "home")}
    done = subprocess.run(
        [
            sys.executable,
            "-m",
            "autoglm",
            "bench",
            "agent",
            "--model",
            str(starter_gguf),
            "--steps",
            "2",
            "--threads",
            "2",
            "--no-peer",
            "--json",
            str(out),
        ],
        capture_output=True,
        text=True,
        env=env,
        timeout=900,
    )
    assert done.returncode == 0, done.stderr
    figures = json.loads(out.read_text())
    first, second = figures["steps_ours"]
    assert first["action"].startswith('do(action="Tap"') and second["action"].startswith(
        'do(action="Tap"'
    )
    assert second["prompt_tokens"] > first["prompt_tokens"], "the history grows"
    assert second["reused_tokens"] > 0 and second["read_tokens"] < second["prompt_tokens"]
    for key in ("screenshot_s", "prompt_s", "first_token_s", "execution_s"):
        assert second[key] >= 0
    assert "read_tokens_per_later_step_p50" in done.stdout
