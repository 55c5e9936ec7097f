"""Fixtures for the agent's desktop tests: an Xvfb display and the click-target window on it."""

from __future__ import annotations

import json
import subprocess
import sys
import threading
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

HERE = Path(__file__).parent
TESTS = HERE.parents[1]
sys.path.insert(0, str(TESTS))  # fixtures

import fixtures.adb  # noqa: E402
import fixtures.projector  # noqa: E402
import fixtures.xvfb  # noqa: E402

xvfb_display = fixtures.xvfb.xvfb_display
display_env = fixtures.xvfb.display_env
projector_gguf = fixtures.projector.projector_gguf
private_adb_server = fixtures.adb.private_adb_server

TARGET_SCRIPT = HERE / "click_target.py"


@pytest.fixture
def click_target(xvfb_display: str, tmp_path: Path) -> Iterator[Callable[[], list[dict[str, Any]]]]:
    """The click-target window shown on Xvfb; yields a function returning the events it recorded."""
    yield from _click_target(xvfb_display, tmp_path, [])


@pytest.fixture
def full_screen_click_target(
    xvfb_display: str, tmp_path: Path
) -> Iterator[Callable[[], list[dict[str, Any]]]]:
    """The click-target window covering the whole screen, so every click lands on it."""
    yield from _click_target(xvfb_display, tmp_path, ["full"])


@pytest.fixture
def shrinking_click_target(
    xvfb_display: str, tmp_path: Path
) -> Iterator[Callable[[], list[dict[str, Any]]]]:
    """The click-target window that shrinks when alpha is clicked (a window that changes under the agent)."""
    yield from _click_target(xvfb_display, tmp_path, ["shrink"])


def _click_target(
    display: str, tmp_path: Path, args: list[str]
) -> Iterator[Callable[[], list[dict[str, Any]]]]:
    events = tmp_path / "events.jsonl"
    events.touch()
    process = subprocess.Popen(
        [sys.executable, str(TARGET_SCRIPT), str(events), *args],
        env=display_env(display),
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    ready = threading.Event()
    threading.Thread(
        target=lambda: process.stdout and process.stdout.readline() and ready.set(), daemon=True
    ).start()
    if not ready.wait(60):
        process.kill()
        raise AssertionError(
            f"the click target did not start: {process.stderr.read() if process.stderr else ''}"
        )

    def recorded() -> list[dict[str, Any]]:
        return [
            json.loads(line)
            for line in events.read_text(encoding="utf-8").splitlines()
            if line.strip()
        ]

    yield recorded
    process.terminate()
    try:
        process.wait(10)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait(10)
