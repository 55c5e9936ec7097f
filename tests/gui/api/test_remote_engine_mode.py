"""The real window over a remote engine: a second ``autoglm serve`` on loopback, then back to the local model."""

from __future__ import annotations

from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from autoglm.core.llama.client import WorkerEngine
from autoglm.core.remote_engine import RemoteEngine
from autoglm.core.settings import load_settings, updated

MODEL_LOAD_TIMEOUT_MS = 180_000


def test_remote_mode_streams_into_the_view_and_the_store_then_a_local_model_takes_over(
    qtbot: Any,
    make_window: Any,
    gui_settings: Any,
    autoglm_serve: str,
    starter_gguf: Path,
    send_and_wait: Any,
) -> None:
    settings = updated(
        updated(gui_settings, "remote", url=autoglm_serve), "generation", max_tokens=24
    )
    window = make_window(settings)
    engine = window.runtime.engine
    assert isinstance(engine, RemoteEngine) and engine.base_url == f"{autoglm_serve}/v1"
    assert (
        window.status.model_label.text()
        == f"Remote: {urlsplit(autoglm_serve).netloc} · {engine.info.model_id}"
    )

    model = window.controller.model
    shown: list[str] = []
    model.dataChanged.connect(
        lambda *_: shown.append(model.item(1).content) if model.rowCount() == 2 else None
    )
    completion = send_and_wait(window, "Count from one to ten.")
    reply = model.item(1)
    assert reply.content.strip() and reply.content == completion.content
    partial = [text for text in shown if text.strip() and text != reply.content]
    assert partial, "the reply arrived in one piece instead of streaming"
    assert all(reply.content.startswith(text.strip()) for text in partial)
    store = window.runtime.store
    qtbot.waitUntil(lambda: store.get_message(reply.message_id).finished)
    stored = store.messages(window.controller.conversation_id)
    assert [(m.role, m.content) for m in stored] == [
        ("user", "Count from one to ten."),
        ("assistant", reply.content),
    ]

    # Choosing a local model (the model manager's "Use for chat") leaves remote mode.
    with qtbot.waitSignal(window.modelLoaded, timeout=MODEL_LOAD_TIMEOUT_MS):
        window.switch_model(str(starter_gguf))
    assert window.runtime.settings.remote.url is None
    assert load_settings(window.runtime.paths).remote.url is None
    assert isinstance(window.runtime.engine, WorkerEngine) and not engine.loaded
    assert "q4_k_m" in window.status.model_label.text().lower()


def test_a_bad_remote_address_is_told_in_words_and_clearing_it_brings_the_local_model_back(
    qtbot: Any, make_window: Any, gui_settings: Any, free_port: Any, send_and_wait: Any
) -> None:
    port = free_port()
    window = make_window(updated(gui_settings, "remote", url=f"127.0.0.1:{port}"), load=False)
    with qtbot.waitSignal(window.modelLoadFailed, timeout=60_000) as failure:
        window.start()
    message = failure.args[0]
    assert message.startswith(f"Cannot reach the server at http://127.0.0.1:{port}/v1")
    assert "Traceback" not in message and window.banner.messages[-1] == message
    assert window.runtime.engine is None and window.status.model_label.text() == "No model loaded"

    window.composer.input.setPlainText("still there?")
    assert window.composer.isEnabled()
    with qtbot.waitSignal(window.modelLoaded, timeout=MODEL_LOAD_TIMEOUT_MS):
        window.apply_settings(updated(window.runtime.settings, "remote", url=None))
    assert isinstance(window.runtime.engine, WorkerEngine)
    assert send_and_wait(window, "Hi").content.strip()
