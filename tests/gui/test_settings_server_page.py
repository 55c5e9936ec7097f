"""Settings → Server: who may reach the API (host names, web origins, keys, capabilities), validated."""

from __future__ import annotations

import os
from pathlib import Path

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QCheckBox, QComboBox, QDialogButtonBox, QLineEdit
from pytestqt.qtbot import QtBot

from autoglm.core.settings import Settings
from autoglm.ui.settings_dialog import SettingsDialog


def _dialog(qtbot: QtBot, settings: Settings | None = None) -> SettingsDialog:
    dialog = SettingsDialog(settings or Settings())
    qtbot.addWidget(dialog)
    dialog.show()
    dialog.show_page("server")
    return dialog


def _apply(qtbot: QtBot, dialog: SettingsDialog) -> None:
    button = dialog.findChild(QDialogButtonBox).button(QDialogButtonBox.StandardButton.Apply)
    qtbot.mouseClick(button, Qt.MouseButton.LeftButton)


def test_the_page_has_the_access_fields(qtbot: QtBot) -> None:
    dialog = _dialog(qtbot)
    assert isinstance(dialog.editor("server", "allowed_hosts"), QLineEdit)
    assert isinstance(dialog.editor("server", "allowed_origins"), QLineEdit)
    assert isinstance(dialog.editor("server", "allow_desktop_control"), QCheckBox)
    assert isinstance(dialog.editor("server", "allow_mcp_tools"), QCheckBox)
    require = dialog.editor("server", "require_key_on_loopback")
    assert isinstance(require, QComboBox) and require.currentText().startswith("Automatic")
    assert not dialog.editor("server", "allow_desktop_control").isChecked()
    assert "browser" in dialog.editor("server", "allowed_origins").toolTip()


def test_garbage_host_names_and_origins_are_not_saved(qtbot: QtBot) -> None:
    dialog = _dialog(qtbot)
    dialog.editor("server", "allowed_origins").setText("http://localhost:3000, *")
    dialog.editor("server", "allowed_hosts").setText("http://mybox.lan")
    with qtbot.assertNotEmitted(dialog.settingsApplied):
        _apply(qtbot, dialog)
    problems = dialog.problem_text
    assert "Allowed web origins" in problems and "'*' is not an origin" in problems
    assert "Allowed host names" in problems and "give the host name alone" in problems
    assert "Value error" not in problems

    dialog.editor("server", "allowed_origins").setText(
        "http://localhost:3000/, https://chat.example:443"
    )
    dialog.editor("server", "allowed_hosts").setText("MyBox.lan")
    with qtbot.waitSignal(dialog.settingsApplied, timeout=2000) as applied:
        _apply(qtbot, dialog)
    server = applied.args[0].server
    assert server.allowed_origins == ["http://localhost:3000", "https://chat.example"]
    assert server.allowed_hosts == ["mybox.lan"]
    assert dialog.editor("server", "allowed_origins").text() != ""  # what was typed stays shown


def test_a_capability_needs_a_key_and_makes_it_required(qtbot: QtBot) -> None:
    dialog = _dialog(qtbot)
    dialog.editor("server", "allow_desktop_control").setChecked(True)
    with qtbot.assertNotEmitted(dialog.settingsApplied):
        _apply(qtbot, dialog)
    assert "API key" in dialog.problem_text and "desktop control" in dialog.problem_text

    dialog.editor("server", "api_key").setText("s3cret-key")
    with qtbot.waitSignal(dialog.settingsApplied, timeout=2000) as applied:
        _apply(qtbot, dialog)
    server = applied.args[0].server
    assert server.allow_desktop_control and server.require_key_on_loopback is None
    assert server.key_required_on_loopback


def test_require_key_choice_round_trips(qtbot: QtBot) -> None:
    dialog = _dialog(qtbot)
    require = dialog.editor("server", "require_key_on_loopback")
    require.setCurrentIndex(require.findText("No"))
    dialog.editor("server", "allow_mcp_tools").setChecked(True)
    with qtbot.waitSignal(dialog.settingsApplied, timeout=2000) as applied:
        _apply(qtbot, dialog)  # the user chose no key on loopback: allowed, their call
    server = applied.args[0].server
    assert server.require_key_on_loopback is False and not server.key_required_on_loopback
    again = _dialog(qtbot, applied.args[0])
    assert again.editor("server", "require_key_on_loopback").currentText() == "No"
    again.editor("server", "require_key_on_loopback").setCurrentIndex(
        0
    )  # back to automatic: now a key is needed
    assert not again.apply() and "API key" in again.problem_text
    again.editor("server", "allow_mcp_tools").setChecked(False)
    assert again.collect().server.require_key_on_loopback is None


def test_screenshot_of_the_server_page(qtbot: QtBot, tmp_path: Path) -> None:
    """Saved for a look (set AUTOGLM_SCREENSHOT_DIR to keep it)."""
    dialog = _dialog(
        qtbot,
        Settings().model_copy(
            update={
                "server": Settings().server.model_copy(
                    update={
                        "allowed_origins": ["http://localhost:3000"],
                        "allowed_hosts": ["mybox.lan"],
                    }
                )
            }
        ),
    )
    dialog.resize(820, 700)
    qtbot.wait(50)
    target = Path(os.environ.get("AUTOGLM_SCREENSHOT_DIR", tmp_path)) / "settings-server.png"
    assert dialog.grab().save(str(target))
    assert target.stat().st_size > 10_000
