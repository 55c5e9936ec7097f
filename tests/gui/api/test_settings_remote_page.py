"""The Remote engine page: its own group, the address checked before saving, a connection test off the GUI thread."""

from __future__ import annotations

import http.server
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QDialogButtonBox, QLabel, QLineEdit, QPushButton

from autoglm.core.remote_engine import RemoteEngine
from autoglm.core.settings import load_settings, updated
from autoglm.ui.settings_dialog import SettingsDialog

TEST_TIMEOUT_MS = 30_000
SCREENSHOTS = Path(__file__).resolve().parents[3] / "build" / "screenshots"


@pytest.fixture
def not_openai() -> Iterator[str]:
    """A loopback HTTP server that answers every request with an HTML page (not an OpenAI server)."""

    class Handler(http.server.BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            body = b"<html><body>router login</body></html>"
            self.send_response(200)
            self.send_header("Content-Type", "text/html")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *_args: Any) -> None:
            pass

    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()


def _open_remote_page(qtbot: Any, window: Any) -> SettingsDialog:
    window.open_settings()
    dialog = window._dialogs[-1]
    assert isinstance(dialog, SettingsDialog)
    qtbot.waitExposed(dialog)
    dialog.show_page("remote")
    return dialog


def _test(qtbot: Any, dialog: SettingsDialog, url: str) -> str:
    dialog.editor("remote", "url").setText(url)
    button = dialog.findChild(QPushButton, "remote.test")
    with qtbot.waitSignal(dialog.testFinished, timeout=TEST_TIMEOUT_MS) as found:
        qtbot.mouseClick(button, Qt.MouseButton.LeftButton)
        if not url.startswith("ftp"):  # a real request: the click returned before it was answered
            assert not button.isEnabled() and dialog.findChild(
                QLabel, "remote.test_result"
            ).text().startswith("Connecting to ")
    assert button.isEnabled()
    return str(found.args[0])


def test_the_remote_page_tests_the_address_and_saves_it_only_when_valid(
    qtbot: Any,
    make_window: Any,
    gui_settings: Any,
    autoglm_serve: str,
    free_port: Any,
    not_openai: str,
) -> None:
    window = make_window(gui_settings)
    dialog = _open_remote_page(qtbot, window)
    assert isinstance(dialog.editor("remote", "url"), QLineEdit)
    assert dialog.editor("remote", "api_key").echoMode() == QLineEdit.EchoMode.PasswordEchoOnEdit

    served = _test(qtbot, dialog, autoglm_serve)
    assert (
        served.startswith(f"Connected to {autoglm_serve}/v1: it serves ")
        and "chats will use" in served
    )
    port = free_port()
    assert _test(qtbot, dialog, f"127.0.0.1:{port}").startswith(
        f"Cannot reach the server at http://127.0.0.1:{port}/v1"
    )
    assert (
        _test(qtbot, dialog, not_openai)
        == f"{not_openai}/v1 did not answer like an OpenAI-compatible server."
    )
    assert _test(qtbot, dialog, "ftp://gpu-box").startswith(
        "This is not a server address: 'ftp://gpu-box' is not"
    )
    assert "Traceback" not in dialog.findChild(QLabel, "remote.test_result").text()

    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    dialog.editor("remote", "url").setText(autoglm_serve)
    _test(qtbot, dialog, autoglm_serve)
    dialog.grab().save(str(SCREENSHOTS / "settings-remote-engine.png"))

    # A bad address is refused in words and nothing is saved.
    dialog.editor("remote", "url").setText("http://gpu box:8000")
    apply = dialog.findChild(QDialogButtonBox).button(QDialogButtonBox.StandardButton.Apply)
    qtbot.mouseClick(apply, Qt.MouseButton.LeftButton)
    assert (
        "Remote engine → Server address: 'http://gpu box:8000' is not a server address"
        in dialog.problem_text
    )
    assert (
        load_settings(window.runtime.paths).remote.url is None
        and window.runtime.settings.remote.url is None
    )

    # A good one is saved (normalised) and the window starts chatting with that server.
    dialog.editor("remote", "url").setText(autoglm_serve + "/")
    with qtbot.waitSignal(window.modelLoaded, timeout=TEST_TIMEOUT_MS):
        qtbot.mouseClick(apply, Qt.MouseButton.LeftButton)
    assert dialog.problem_text == ""
    assert load_settings(window.runtime.paths).remote.url == f"{autoglm_serve}/v1"
    assert isinstance(window.runtime.engine, RemoteEngine)
    assert (
        load_settings(window.runtime.paths).appearance
        == updated(gui_settings, "appearance").appearance
    )
