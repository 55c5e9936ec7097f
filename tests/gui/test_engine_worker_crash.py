"""The real window over the engine worker: when the worker dies the window stays, says so, keeps the
partial reply and answers the next question."""

from __future__ import annotations

import os
import signal
from pathlib import Path
from typing import Any

import pytest
from PySide6.QtCore import Qt

from autoglm.core.llama.client import WorkerEngine
from autoglm.core.settings import updated

REPLY_TIMEOUT_MS = 240_000


@pytest.mark.slow
def test_a_killed_worker_mid_reply_is_told_and_the_next_question_answered(
    qtbot: Any, make_window: Any, gui_settings: Any, send_and_wait: Any
) -> None:
    window = make_window(updated(gui_settings, "generation", max_tokens=300))
    engine = window.runtime.engine
    assert isinstance(engine, WorkerEngine) and engine.pid != os.getpid()
    window.composer.input.setPlainText("Count from one to one hundred in words.")
    model = window.controller.model
    with qtbot.waitSignal(window.controller.replyFinished, timeout=REPLY_TIMEOUT_MS):
        qtbot.keyClick(window.composer.input, Qt.Key.Key_Return)
        qtbot.waitUntil(
            lambda: model.rowCount() == 2 and len(model.item(1).content) > 10,
            timeout=REPLY_TIMEOUT_MS,
        )
        os.kill(engine.pid, signal.SIGKILL)
    reply = model.item(1)
    assert window.isVisible()
    assert "engine stopped" in reply.error and "restarted" in reply.error
    assert any("engine stopped" in message for message in window.banner.messages)
    assert window.banner.isVisible()
    partial = reply.content
    assert len(partial) > 10, "the partial reply is kept"
    store = window.runtime.store
    qtbot.waitUntil(lambda: store.get_message(reply.message_id).content == partial, timeout=10_000)
    completion = send_and_wait(window, "Say hello.")
    assert completion.finish_reason in ("stop", "length") and completion.content.strip()
    assert engine.restarts == 1
    assert [model.item(row).role for row in range(model.rowCount())] == ["user", "assistant"] * 2


@pytest.mark.slow
def test_a_model_file_that_makes_llama_cpp_abort_is_refused_in_words(
    qtbot: Any, window: Any, aborting_gguf: Path, send_and_wait: Any
) -> None:
    before = window.runtime.engine
    with qtbot.waitSignal(window.modelLoadFailed, timeout=REPLY_TIMEOUT_MS) as failed:
        window.load_model(str(aborting_gguf))
    message = failed.args[0]
    assert "llama.cpp aborted" in message and "GGML_ASSERT" in message
    assert window.isVisible() and any("llama.cpp aborted" in m for m in window.banner.messages)
    assert window.runtime.engine is before, "the model in use stays"
    completion = send_and_wait(window, "Say hello.")
    assert completion.finish_reason in ("stop", "length") and completion.content.strip()
