"""A download cut off by quitting carries on by itself when the app starts again.

The first run is a real ``autoglm models download`` process killed midway (as a quit,
a crash or a power cut ends it); the second is the window over a new ``Runtime`` on the
same data folder. The hub is ``tests/hub_http_server.py`` on 127.0.0.1 through the real
``huggingface_hub`` client; the resumed request must ask only for the missing bytes.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QLabel
from pytestqt.qtbot import QtBot

from autoglm.core.download_journal import DownloadJournal, PendingDownload
from autoglm.core.paths import app_paths
from hub_http_server import serving_hub

REPO = "someone/AutoGLM-Phone-9B-GGUF"
MODEL = "AutoGLM-Phone-9B-Q4_K_M.gguf"


def _banner(window: Any) -> str:
    return " ".join(label.text() for label in window.banner.findChildren(QLabel))


def _kill_midway(endpoint: str, partial: Path) -> None:
    """Start the command-line download and kill it once part of the file has arrived."""
    child = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "autoglm",
            "models",
            "download",
            f"{REPO}:{MODEL}",
            "--endpoint",
            endpoint,
        ],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        env={**os.environ, "AUTOGLM_HOME": os.environ["AUTOGLM_HOME"]},
    )
    deadline = time.monotonic() + 120
    while not (partial.exists() and partial.stat().st_size >= 128 * 1024):
        assert child.poll() is None, child.communicate()
        assert time.monotonic() < deadline, "the download never started"
        time.sleep(0.05)
    child.send_signal(signal.SIGKILL)
    child.wait(30)


def test_a_download_cut_off_by_quitting_resumes_when_the_app_starts(
    qtbot: QtBot, make_window: Callable[..., Any], gui_settings: Any, glm_standin
) -> None:
    files = {
        MODEL: glm_standin.model.read_bytes(),
        "mmproj-AutoGLM-Phone-9B-f16.gguf": glm_standin.mmproj.read_bytes(),
    }
    paths = app_paths()
    partial = paths.models_dir / "autoglm-phone-9b-gguf" / f"{MODEL}.partial"
    with serving_hub({REPO: files}) as hub:
        hub.state.chunk_delay_s = 0.25  # slow enough to be cut off midway
        _kill_midway(hub.endpoint, partial)
        kept = partial.stat().st_size
        assert 0 < kept < len(files[MODEL])
        [pending] = DownloadJournal(paths.data_dir).pending()
        assert (pending.model, pending.filename, pending.paused) == (REPO, MODEL, False)

        hub.state.chunk_delay_s = 0.0
        hub.state.requests.clear()
        window = make_window(gui_settings, load=False)
        with (
            qtbot.waitSignal(window.downloads.downloaded, timeout=120_000) as finished,
            qtbot.waitSignal(window.modelLoaded, timeout=120_000),
        ):
            window.start()
        ranges = [
            r for method, path, r in hub.state.requests if method == "GET" and path.endswith(MODEL)
        ]
    assert ranges and ranges[0] == f"bytes={kept}-"  # only what was missing
    model_id = finished.args[0]
    record = window.runtime.repository.imported()[model_id]
    assert Path(record["model"]).read_bytes() == files[MODEL] and record["mmproj"].endswith(".gguf")
    assert DownloadJournal(paths.data_dir).pending() == []
    assert "Downloaded and verified" in _banner(window)
    qtbot.waitUntil(
        lambda: model_id in window.model_picker.models(), timeout=30_000
    )  # on the picker at once


def test_a_paused_download_is_offered_not_resumed_and_discover_resumes_it(
    qtbot: QtBot, make_window: Callable[..., Any], gui_settings: Any, glm_standin
) -> None:
    from autoglm.ui.discover import DiscoverDialog

    files = {
        MODEL: glm_standin.model.read_bytes(),
        "mmproj-AutoGLM-Phone-9B-f16.gguf": glm_standin.mmproj.read_bytes(),
    }
    with serving_hub({REPO: files}) as hub:
        journal = DownloadJournal(app_paths().data_dir)
        journal.started(PendingDownload("hf", hub.endpoint, REPO, MODEL))
        journal.pause(REPO, MODEL)
        window = make_window(gui_settings, load=False)
        assert window.downloads.resume_pending() == []
        assert not hub.state.requests
        assert "is paused" in _banner(window) and MODEL in _banner(window)
        assert journal.pending()[0].paused

        dialog = DiscoverDialog(window.runtime, window, memory=(12 * 2**30, 16 * 2**30, None))
        dialog.show()
        assert dialog.resume_button.isVisible() and MODEL in dialog.resume_button.text()
        with qtbot.waitSignal(dialog.jobFinished, timeout=60_000):
            qtbot.mouseClick(
                dialog.resume_button, Qt.MouseButton.LeftButton
            )  # from its own hub, no search needed
        assert "Downloaded and verified" in dialog.progress_label.text()
        assert not dialog.resume_button.isVisible()
    assert journal.pending() == []


def test_quitting_the_window_mid_download_stops_it_and_the_next_window_finishes_it(
    qtbot: QtBot, make_window: Callable[..., Any], gui_settings: Any, glm_standin
) -> None:
    from autoglm.core.settings import updated
    from autoglm.ui.discover import DiscoverDialog

    files = {
        MODEL: glm_standin.model.read_bytes(),
        "mmproj-AutoGLM-Phone-9B-f16.gguf": glm_standin.mmproj.read_bytes(),
    }
    paths = app_paths()
    partial = paths.models_dir / "autoglm-phone-9b-gguf" / f"{MODEL}.partial"
    with serving_hub({REPO: files}) as hub:
        first = make_window(updated(gui_settings, "model", hub_endpoint=hub.endpoint), load=False)
        dialog = DiscoverDialog(first.runtime, first, memory=(12 * 2**30, 16 * 2**30, None))
        dialog.show()
        dialog.query.setText("autoglm")
        with qtbot.waitSignal(dialog.resultsShown, timeout=30_000):
            dialog.search()
        with qtbot.waitSignal(dialog.filesShown, timeout=30_000):
            dialog.results.setCurrentRow(0)
        hub.state.chunk_delay_s = 0.25
        dialog.start_download()
        qtbot.waitUntil(
            lambda: partial.exists() and partial.stat().st_size >= 128 * 1024, timeout=60_000
        )
        quit_started = time.monotonic()
        with qtbot.waitSignal(dialog.jobFinished, timeout=10_000):
            first.shutdown()  # what quitting runs: the transfer stops now, not when the file is complete
        assert time.monotonic() - quit_started < 10
        kept = partial.stat().st_size
        assert 0 < kept < len(files[MODEL])
        assert [p.paused for p in DownloadJournal(paths.data_dir).pending()] == [False]

        hub.state.chunk_delay_s = 0.0
        hub.state.requests.clear()
        second = make_window(gui_settings, load=False)
        with qtbot.waitSignal(second.downloads.downloaded, timeout=120_000):
            second.downloads.resume_pending()
        ranges = [
            r for method, path, r in hub.state.requests if method == "GET" and path.endswith(MODEL)
        ]
    assert ranges and ranges[0] == f"bytes={kept}-"
    assert DownloadJournal(paths.data_dir).pending() == []
