"""The API server started from the real window: settings, Tools menu, status bar, real HTTP, the openai SDK."""

from __future__ import annotations

import socket
from typing import Any

import openai
import pytest
from PySide6.QtCore import Qt
from PySide6.QtGui import QGuiApplication

from autoglm.core.settings import load_settings, updated

STATE_TIMEOUT_MS = 30_000


def _settings_dialog(window: Any) -> Any:
    from autoglm.ui.settings_dialog import SettingsDialog

    window.open_settings()
    return next(d for d in window._dialogs if isinstance(d, SettingsDialog))


def test_enabled_in_settings_serves_the_windows_own_model_and_stops_from_the_menu(
    qtbot: Any, window: Any
) -> None:
    engine = window.runtime.engine
    label = window.api_status
    assert label.text() == "API off"
    assert window.api_server.toggle_action.text() == "Start the &API server"
    assert window.api_server.toggle_action in window.tools_menu.actions()

    dialog = _settings_dialog(window)
    dialog.editor("server", "enabled").setChecked(True)
    dialog.editor("server", "port").setValue(0)
    assert dialog.apply(), dialog.problem_text
    dialog.close()
    qtbot.waitUntil(lambda: window.api_server.state.running, timeout=STATE_TIMEOUT_MS)
    port = window.api_server.state.port
    assert port > 0
    assert label.text() == f"API: http://127.0.0.1:{port}"
    assert window.api_server.toggle_action.text() == "Stop the &API server"
    assert load_settings(window.runtime.paths).server.enabled is True

    client = openai.OpenAI(
        base_url=f"http://127.0.0.1:{port}/v1", api_key="EMPTY", max_retries=0, timeout=120
    )
    served = [model.id for model in client.models.list().data]
    assert served == [window.runtime.model_info.model_id]
    prompts = engine.stats().prompts
    reply = client.chat.completions.create(
        model=served[0],
        max_tokens=4,
        temperature=0,
        messages=[{"role": "user", "content": "Repeat the word quokkaberry."}],
    )
    assert reply.choices[0].message.content.strip()
    # The app's own engine answered: it is still the window's engine, and its worker evaluated the API prompt.
    assert window.runtime.engine is engine
    assert window.api_server.server.runtime is window.runtime
    assert engine.stats().prompts == prompts + 1

    qtbot.mouseClick(label, Qt.MouseButton.LeftButton)
    assert QGuiApplication.clipboard().text() == f"http://127.0.0.1:{port}/v1"

    window.api_server.toggle_action.trigger()
    qtbot.waitUntil(lambda: window.api_server.state.phase == "off", timeout=STATE_TIMEOUT_MS)
    assert label.text() == "API off"
    assert load_settings(window.runtime.paths).server.enabled is False
    with pytest.raises(ConnectionRefusedError):
        socket.create_connection(("127.0.0.1", port), timeout=5).close()
    with pytest.raises(openai.APIConnectionError):
        client.models.list()


def test_port_in_use_is_told_in_words_and_the_app_keeps_working(
    qtbot: Any, window: Any, send_and_wait: Any
) -> None:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen(1)
        port = taken.getsockname()[1]
        window.apply_settings(updated(window.runtime.settings, "server", enabled=True, port=port))
        qtbot.waitUntil(lambda: window.api_server.state.phase == "failed", timeout=STATE_TIMEOUT_MS)
        assert window.api_status.text() == f"API: port {port} in use"
        assert window.banner.isVisible()
        message = window.banner.messages[-1]
        assert f"port {port} is already in use" in message and "Settings → Server" in message
        assert "Traceback" not in message and "--port" not in message
        assert send_and_wait(window, "Hi").content.strip()
        assert window.api_server.state.phase == "failed"
        assert window.api_status.text() == f"API: port {port} in use"  # still taken: still said
    # Once the port is free the server starts by itself; the status bar and the banner follow.
    qtbot.waitUntil(lambda: window.api_server.state.running, timeout=STATE_TIMEOUT_MS)
    assert window.api_server.state.port == port
    assert window.api_status.text() == f"API: http://127.0.0.1:{port}"
    assert not window.banner.isVisible() and not window.banner.messages
    assert window.api_server.toggle_action.text() == "Stop the &API server"
    # Quitting stops the server first (inputs before generation and the store).
    window.shutdown()
    with pytest.raises(ConnectionRefusedError):
        socket.create_connection(("127.0.0.1", port), timeout=5).close()


def test_a_public_address_without_a_key_is_refused(
    qtbot: Any, make_window: Any, gui_settings: Any
) -> None:
    window = make_window(gui_settings, load=False)
    window.apply_settings(updated(gui_settings, "server", enabled=True, host="0.0.0.0", port=0))
    qtbot.waitUntil(lambda: window.api_server.state.phase == "failed", timeout=STATE_TIMEOUT_MS)
    assert window.api_server.server is None
    assert window.api_status.text() == "API: not started"
    assert "without an API key" in window.banner.messages[-1]


def test_the_api_state_follows_the_language(
    qtbot: Any, make_window: Any, gui_settings: Any
) -> None:
    window = make_window(gui_settings, load=False)
    window.apply_settings(updated(gui_settings, "appearance", language="zh_CN"))
    qtbot.waitUntil(lambda: window.api_status.text() == "API 已关闭")
    assert window.api_server.toggle_action.text() == "启动 API 服务器(&A)"
    window.apply_settings(updated(window.runtime.settings, "appearance", language="en"))
    qtbot.waitUntil(lambda: window.api_status.text() == "API off")


def test_an_api_call_that_acts_is_shown_in_the_status_bar_and_kept_across_restarts(
    qtbot: Any, window: Any
) -> None:
    import httpx
    from fastapi import Depends

    from autoglm.server.capabilities import Capability, requires_capability

    window.apply_settings(
        updated(
            window.runtime.settings,
            "server",
            enabled=True,
            port=0,
            allow_desktop_control=True,
            api_key="sesame",
        )
    )
    qtbot.waitUntil(lambda: window.api_server.state.running, timeout=STATE_TIMEOUT_MS)
    port = window.api_server.state.port

    # A route that acts on the desktop, declared the way such routes are (the served app is real).
    async def press() -> dict[str, str]:
        return {"pressed": "yes"}

    window.api_server.server.app.add_api_route(
        "/v1/test/press",
        press,
        methods=["POST"],
        dependencies=[Depends(requires_capability(Capability.DESKTOP_CONTROL))],
    )
    url = f"http://127.0.0.1:{port}/v1/test/press"
    assert httpx.post(url, timeout=30).status_code == 401  # the key is required on loopback now
    assert window.api_server.capability_log.recent() == []

    with qtbot.waitSignal(window.api_server.capabilityUsed, timeout=STATE_TIMEOUT_MS) as used:
        reply = httpx.post(url, headers={"Authorization": "Bearer sesame"}, timeout=30)
    assert reply.status_code == 200, reply.text
    assert used.args[0].capability is Capability.DESKTOP_CONTROL
    message = window.status.currentMessage()
    assert (
        "used desktop control" in message and "/v1/test/press" in message and "127.0.0.1" in message
    )

    # A restart of the server (a changed port) keeps the record.
    window.apply_settings(
        updated(
            window.runtime.settings, "server", port=0, allowed_origins=["http://127.0.0.9:3000"]
        )
    )
    qtbot.waitUntil(
        lambda: window.api_server.state.running and window.api_server.state.port != port,
        timeout=STATE_TIMEOUT_MS,
    )
    assert [use.path for use in window.api_server.capability_log.recent()] == ["/v1/test/press"]


def test_a_request_for_another_installed_model_loads_it_and_the_window_follows(
    qtbot: Any, window: Any, starter_gguf: Any
) -> None:
    window.runtime.repository.import_model(starter_gguf, model_id="second-model")
    window.apply_settings(updated(window.runtime.settings, "server", enabled=True, port=0))
    qtbot.waitUntil(lambda: window.api_server.state.running, timeout=STATE_TIMEOUT_MS)
    client = openai.OpenAI(
        base_url=window.api_server.state.api_url, api_key="EMPTY", max_retries=0, timeout=180
    )
    first = window.runtime.model_info.model_id
    assert "second-model" in [model.id for model in client.models.list().data]
    reply = client.chat.completions.create(
        model="second-model",
        max_tokens=4,
        temperature=0,
        messages=[{"role": "user", "content": "Say hi."}],
    )
    assert reply.model == "second-model" and reply.choices[0].message.content.strip()
    assert window.runtime.model_info.model_id == "second-model" != first
    qtbot.waitUntil(lambda: "loaded for an API request" in window.statusBar().currentMessage())
    qtbot.waitUntil(lambda: window.model_picker.combo.currentData() == "second-model")
    with pytest.raises(openai.NotFoundError) as missing:
        client.chat.completions.create(
            model="no-such-model", max_tokens=4, messages=[{"role": "user", "content": "Hi"}]
        )
    assert "does not exist" in str(missing.value)
