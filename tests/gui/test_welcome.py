"""The first-run welcome assembling the real starter model from its packages."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from PySide6.QtCore import Qt, QThreadPool
from PySide6.QtWidgets import QDialog, QLabel, QPushButton
from pytestqt.qtbot import QtBot

from autoglm.core.catalog import STARTER_MODEL_ID
from autoglm.core.gguf_file import sha256_file
from autoglm.core.runtime import Runtime
from autoglm.ui.welcome import WelcomeDialog

ASSEMBLY_TIMEOUT_MS = 240_000


@pytest.fixture
def runtime() -> Iterator[Runtime]:
    fresh = Runtime()
    yield fresh
    QThreadPool.globalInstance().waitForDone(ASSEMBLY_TIMEOUT_MS)  # no assembly outlives its test
    fresh.close()


def _starter_target(runtime: Runtime) -> tuple[Path, int, str]:
    entry = runtime.repository.catalog.get(STARTER_MODEL_ID)
    spec = entry.file("model")
    return runtime.paths.models_dir / entry.id / spec.filename, spec.size, spec.sha256


def test_first_run_prepares_the_starter_model_with_progress(qtbot: QtBot, runtime: Runtime) -> None:
    target, size, _sha = _starter_target(runtime)
    assert not target.exists()
    dialog = WelcomeDialog(runtime)
    qtbot.addWidget(dialog)
    seen: list[int] = []
    dialog.progress.valueChanged.connect(seen.append)
    assert not dialog.start_button.isEnabled()

    with qtbot.waitSignal(dialog.starterReady, timeout=ASSEMBLY_TIMEOUT_MS) as ready:
        dialog.show()
        texts = " ".join(label.text() for label in dialog.findChildren(QLabel))
        assert "AutoGLM-Phone-9B" in texts and "Q4_K_M" in texts and "mmproj" in texts
        assert "Import GGUF" in texts and "Download" in texts
        with qtbot.waitSignal(dialog.modelManagerRequested, timeout=2000):
            qtbot.mouseClick(dialog.manager_button, Qt.MouseButton.LeftButton)

    assert ready.args == [target] and dialog.starter_path == target
    assert target.stat().st_size == size
    assert any(0 < value < 1000 for value in seen), "no intermediate progress was shown"
    assert dialog.progress.value() == 1000 and "ready" in dialog.status.text()
    assert dialog.start_button.isEnabled() and dialog.message_text == ""
    for button in dialog.findChildren(QPushButton):
        assert button.accessibleName(), f"{button.text()} has no accessible name"

    qtbot.mouseClick(dialog.start_button, Qt.MouseButton.LeftButton)
    assert dialog.result() == QDialog.DialogCode.Accepted


def test_a_damaged_starter_copy_is_rebuilt(qtbot: QtBot, runtime: Runtime) -> None:
    target, size, sha = _starter_target(runtime)
    target.parent.mkdir(parents=True)
    with target.open("wb") as damaged:  # the right size, the wrong bytes
        damaged.truncate(size)
    dialog = WelcomeDialog(runtime)
    qtbot.addWidget(dialog)

    with qtbot.waitSignal(dialog.starterReady, timeout=ASSEMBLY_TIMEOUT_MS):
        dialog.show()

    assert sha256_file(target) == sha


def test_a_failure_is_explained_and_try_again_recovers(qtbot: QtBot, runtime: Runtime) -> None:
    target, _size, _sha = _starter_target(runtime)
    blocker = target.parent
    blocker.parent.mkdir(parents=True, exist_ok=True)
    blocker.write_text("a file where the model folder should be", encoding="utf-8")
    dialog = WelcomeDialog(runtime)
    qtbot.addWidget(dialog)
    dialog.show()

    qtbot.waitUntil(lambda: dialog.message_text != "", timeout=ASSEMBLY_TIMEOUT_MS)
    assert "could not be written" in dialog.message_text and "Traceback" not in dialog.message_text
    assert dialog.retry_button.isVisible() and not dialog.start_button.isEnabled()

    blocker.unlink()
    with qtbot.waitSignal(dialog.starterReady, timeout=ASSEMBLY_TIMEOUT_MS):
        qtbot.mouseClick(dialog.retry_button, Qt.MouseButton.LeftButton)
    assert dialog.message_text == "" and not dialog.retry_button.isVisible()
    assert target.is_file()


def test_closing_the_welcome_midway_lets_the_assembly_finish(
    qtbot: QtBot, runtime: Runtime
) -> None:
    target, size, sha = _starter_target(runtime)
    dialog = WelcomeDialog(runtime)
    dialog.show()
    qtbot.waitUntil(lambda: dialog.progress.value() > 0, timeout=ASSEMBLY_TIMEOUT_MS)

    dialog.close()
    dialog.deleteLater()
    qtbot.wait(50)  # the dialog is gone while the pool thread still reports progress
    assert QThreadPool.globalInstance().waitForDone(ASSEMBLY_TIMEOUT_MS)

    assert target.stat().st_size == size
    assert (
        runtime.repository.status(runtime.repository.catalog.get(STARTER_MODEL_ID)).verified is True
    )
