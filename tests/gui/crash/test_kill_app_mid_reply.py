"""SIGKILL of the real ``autoglm`` app in the middle of a streaming reply.

The app runs as its own process under Xvfb with its own AUTOGLM home; the question is typed
into its window with xdotool (real X key events). Once the reply has streamed into the store
for a while, the process is killed. The database must pass ``PRAGMA integrity_check``, hold
the partial reply marked unfinished, and the app opened again shows it as stopped.
"""

from __future__ import annotations

import os
import shutil
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import pytest

from autoglm.core.paths import AppPaths
from autoglm.core.settings import GenerationSettings, ModelSettings, Settings, save_settings

pytestmark = pytest.mark.slow
APP = Path(__file__).resolve().parents[3] / "app"
QUESTION = "Write the numbers from 1 to 400, separated by commas."
START_TIMEOUT_S = 240.0
STREAM_TIMEOUT_S = 300.0
PARTIAL_CHARS = 80


def _paths(home: Path) -> AppPaths:
    return AppPaths(home / "config", home / "data", home / "cache", home / "logs")


def _env(display: str, home: Path) -> dict[str, str]:
    env = dict(
        os.environ,
        DISPLAY=display,
        QT_QPA_PLATFORM="xcb",
        XDG_SESSION_TYPE="x11",
        AUTOGLM_HOME=str(home),
    )
    env.pop("WAYLAND_DISPLAY", None)
    env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(APP), env.get("PYTHONPATH")]))
    return env


def _xdotool(env: dict[str, str], *argv: str, timeout: float = 30.0) -> str:
    done = subprocess.run(
        ["xdotool", *argv], env=env, capture_output=True, text=True, timeout=timeout, check=False
    )
    assert done.returncode == 0, f"xdotool {' '.join(argv)}: {done.stderr}"
    return done.stdout.strip()


def _rows(database: Path, sql: str) -> list[tuple[Any, ...]]:
    """A read of the live database beside the app (WAL lets a reader in while it writes)."""
    if not database.exists():
        return []
    with sqlite3.connect(f"file:{database}?mode=ro", uri=True, timeout=5) as connection:
        try:
            return connection.execute(sql).fetchall()
        except sqlite3.OperationalError:
            return []  # the schema is still being created


def _wait(
    condition: Any, timeout: float, process: subprocess.Popen[bytes], what: str, log: Path
) -> Any:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        assert process.poll() is None, (
            f"the app exited ({process.returncode}) before {what}:\n"
            f"{log.read_text(errors='replace')[-3000:]}"
        )
        value = condition()
        if value:
            return value
        time.sleep(0.1)
    raise AssertionError(
        f"timed out waiting for {what}:\n{log.read_text(errors='replace')[-3000:]}"
    )


def test_sigkill_mid_reply_keeps_an_intact_database_and_the_partial_reply(
    xvfb_display: str,
    starter_gguf: Path,
    tmp_path: Path,
    make_window: Any,
    qtbot: Any,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    if shutil.which("xdotool") is None:
        pytest.skip("xdotool is not installed (apt install xdotool)")
    home = tmp_path / "app-home"
    paths = _paths(home).ensure()
    save_settings(
        Settings(
            model=ModelSettings(active_model=str(starter_gguf), n_ctx=2048, n_threads=2),
            generation=GenerationSettings(max_tokens=2000, temperature=0.0, seed=3, thinking=False),
        ),
        paths,
    )
    env = _env(xvfb_display, home)
    log = tmp_path / "app.log"
    with log.open("wb") as output:
        process = subprocess.Popen(
            [sys.executable, "-m", "autoglm", "gui"],
            env=env,
            stdout=output,
            stderr=subprocess.STDOUT,
        )
    try:
        window_id = _wait(
            lambda: _search_window(env, process.pid), START_TIMEOUT_S, process, "the window", log
        )
        _wait(lambda: _model_loaded(paths, log), START_TIMEOUT_S, process, "the model to load", log)
        _xdotool(env, "windowfocus", "--sync", window_id)
        time.sleep(1.5)
        _xdotool(env, "type", "--delay", "30", QUESTION)
        _xdotool(env, "key", "Return")
        database = paths.database_path
        partial = _wait(
            lambda: _rows(
                database,
                "SELECT id, content FROM messages WHERE role = 'assistant' "
                f"AND finished = 0 AND length(content) >= {PARTIAL_CHARS}",
            ),
            STREAM_TIMEOUT_S,
            process,
            "the reply to stream into the store",
            log,
        )
        process.send_signal(signal.SIGKILL)
        assert process.wait(30) == -signal.SIGKILL
    finally:
        if process.poll() is None:
            process.kill()
            process.wait(30)
    [(reply_id, seen)] = partial

    with sqlite3.connect(database) as connection:
        assert connection.execute("PRAGMA integrity_check").fetchall() == [("ok",)]
        stored = connection.execute(
            "SELECT role, content, finished FROM messages ORDER BY id"
        ).fetchall()
    assert [(role, finished) for role, _content, finished in stored] == [
        ("user", 1),
        ("assistant", 0),
    ]
    assert stored[0][1] and QUESTION.endswith(
        stored[0][1]
    )  # X may drop the first keys as the window takes the focus
    assert (
        stored[1][1].startswith(seen) and len(stored[1][1]) >= PARTIAL_CHARS
    )  # the part written, kept

    # Opened again, the app shows the chat at that reply, stopped, and says why.
    monkeypatch.setenv("AUTOGLM_HOME", str(home))
    window = make_window(load=False)
    with qtbot.waitSignal(window.controller.loaded, timeout=60_000):
        window.start()
    reply = window.controller.model.item(1)
    assert reply.message_id == reply_id and reply.content == stored[1][1]
    assert reply.stopped and not reply.streaming
    assert "closed while this reply was being written" in window.statusBar().currentMessage()
    window.grab().save(str(tmp_path / "reopened.png"))


def _search_window(env: dict[str, str], pid: int) -> str:
    """This app's window: by its process too, since an earlier test's window may share the display."""
    found = subprocess.run(
        [
            "xdotool",
            "search",
            "--all",
            "--onlyvisible",
            "--pid",
            str(pid),
            "--name",
            "^AutoGLM Desktop$",
        ],
        env=env,
        capture_output=True,
        text=True,
        timeout=30,
        check=False,
    )
    return found.stdout.split()[0] if found.returncode == 0 and found.stdout.split() else ""


def _model_loaded(paths: AppPaths, log: Path) -> bool:
    """Whether the app's log says llama.cpp has loaded the model (``Loaded NAME (…)``)."""
    files = [log, *paths.log_dir.glob("*.log")]
    return any(
        " Loaded " in file.read_text(errors="replace")
        or "\nLoaded " in file.read_text(errors="replace")
        for file in files
        if file.exists()
    )
