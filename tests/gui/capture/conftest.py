"""Fixtures for the capture tests: an Xvfb display, a video with known frames, the test projector.

The gui tests share one offscreen QApplication, and offscreen Qt cannot grab a screen. The
tests that need a real X server therefore run ``capture_app.py`` in a subprocess with
``DISPLAY`` pointing at an Xvfb started for this session and ``QT_QPA_PLATFORM=xcb``;
the script writes what it saw as JSON, and the tests check that.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

HERE = Path(__file__).parent
TESTS = HERE.parents[1]
sys.path.insert(0, str(HERE))  # media_samples, input_events
sys.path.insert(0, str(TESTS))  # fixtures
sys.path.insert(0, str(TESTS / "unit" / "vision"))  # vision_samples

from media_samples import write_two_colour_video  # noqa: E402

import fixtures.projector  # noqa: E402
import fixtures.xvfb  # noqa: E402

projector_gguf = (
    fixtures.projector.projector_gguf
)  # the projector fixture, shared with the vision tests
xvfb_display = fixtures.xvfb.xvfb_display  # the X server, shared with the agent tests


APP_SCRIPT = HERE / "capture_app.py"
SCRIPT_TIMEOUT_S = 420


@pytest.fixture(scope="session")
def sample_video(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A 3-second MPEG-4 video, red on the left and blue on the right."""
    return write_two_colour_video(tmp_path_factory.mktemp("video") / "two-colours.mp4")


@pytest.fixture
def run_capture_app(
    xvfb_display: str, tmp_path: Path, autoglm_home: Path
) -> Callable[..., dict[str, Any]]:
    """``run_capture_app(mode, *args, scale=1)``: run capture_app.py under Xvfb; returns its JSON report."""

    def run(mode: str, *args: str, scale: float = 1.0) -> dict[str, Any]:
        report = tmp_path / f"{mode}-report.json"
        env = dict(
            os.environ,
            DISPLAY=xvfb_display,
            QT_QPA_PLATFORM="xcb",
            AUTOGLM_HOME=str(autoglm_home),
            QT_SCALE_FACTOR=str(scale),
            QT_ENABLE_HIGHDPI_SCALING="0",
        )
        env["PYTHONPATH"] = os.pathsep.join(
            filter(None, [str(TESTS.parent / "app"), env.get("PYTHONPATH")])
        )
        env.pop("QT_SCREEN_SCALE_FACTORS", None)
        done = subprocess.run(
            [sys.executable, str(APP_SCRIPT), mode, "--report", str(report), *args],
            env=env,
            capture_output=True,
            text=True,
            timeout=SCRIPT_TIMEOUT_S,
        )
        if done.returncode != 0 or not report.exists():
            raise AssertionError(
                f"capture_app.py {mode} exited {done.returncode}:\n{done.stderr[-4000:]}"
            )
        return json.loads(report.read_text())

    return run
