"""Settings → Tools: servers added by hand or imported, tool switches, saved in the app's mcp.json."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QDialogButtonBox, QListWidget
from pytestqt.qtbot import QtBot

from autoglm.core.paths import app_paths
from autoglm.core.settings import Settings
from autoglm.tools.mcp_config import app_mcp_path, load_mcp_config
from autoglm.ui.settings_dialog import SettingsDialog
from autoglm.ui.tool_controller import ToolController
from fixtures.mcp_fixtures import McpTestServer

pytestmark = pytest.mark.timeout(180)


@pytest.fixture
def tools(qtbot: QtBot) -> Iterator[ToolController]:
    """The window's tool controller over the test's own app home."""
    controller = ToolController(app_paths().ensure())
    yield controller
    controller.shutdown()


def _dialog(qtbot: QtBot, tools: ToolController) -> SettingsDialog:
    dialog = SettingsDialog(Settings(), tools=tools)
    qtbot.addWidget(dialog)
    dialog.show()
    dialog.show_page("tools")
    return dialog


def _apply(qtbot: QtBot, dialog: SettingsDialog) -> None:
    button = dialog.findChild(QDialogButtonBox).button(QDialogButtonBox.StandardButton.Apply)
    qtbot.mouseClick(button, Qt.MouseButton.LeftButton)


def test_a_server_added_in_the_form_connects_and_its_tools_can_be_switched_off(
    qtbot: QtBot, tools: ToolController, mcp_stdio: McpTestServer
) -> None:
    dialog = _dialog(qtbot, tools)
    pages = dialog.findChild(QListWidget)
    assert pages.item(pages.count() - 1).text() == "Tools"
    page = dialog.tools_page
    assert page.isVisible()
    server = mcp_stdio.config
    qtbot.keyClicks(page.name_edit, "testtools")
    qtbot.keyClicks(page.target_edit, server.command)
    page.args_edit.setText(" ".join(server.args))
    page.pairs_edit.setPlainText("\n".join(f"{k}={v}" for k, v in server.env.items()))
    qtbot.mouseClick(page.add_button, Qt.MouseButton.LeftButton)
    assert page.message.isHidden(), page.message.text()
    _apply(qtbot, dialog)
    qtbot.waitUntil(lambda: page.tool_item("testtools", "get_weather") is not None, timeout=60_000)
    assert page.tree.topLevelItem(0).text(1).startswith("Connected · 4 tools")
    item = page.tool_item("testtools", "get_weather")
    assert item.checkState(0) == Qt.CheckState.Checked
    item.setCheckState(0, Qt.CheckState.Unchecked)
    _apply(qtbot, dialog)
    saved = json.loads(app_mcp_path(app_paths()).read_text())
    assert saved["mcpServers"]["testtools"]["disabledTools"] == ["get_weather"]
    assert saved["mcpServers"]["testtools"]["args"] == list(server.args)
    assert "get_weather" not in [t["function"]["name"] for t in tools.openai_tools()]


def test_importing_an_mcp_json_adds_its_servers_and_a_bad_one_is_explained(
    qtbot: QtBot, tools: ToolController, tmp_path: Path
) -> None:
    dialog = _dialog(qtbot, tools)
    page = dialog.tools_page
    bad = tmp_path / "bad.json"
    bad.write_text('{"mcpServers": {"x": {"args": []}}}')
    assert not page.import_file(bad)
    assert "needs a “command”" in page.message.text() and page.message.isVisible()
    good = tmp_path / "claude_desktop_config.json"
    good.write_text(
        json.dumps(
            {
                "mcpServers": {
                    "ghost": {"command": str(tmp_path / "missing-program")},
                    "web": {
                        "url": "http://127.0.0.1:9/mcp",
                        "headers": {"Authorization": "Bearer t"},
                    },
                }
            }
        )
    )
    assert page.import_file(good)
    assert [page.tree.topLevelItem(i).text(0) for i in range(page.tree.topLevelItemCount())] == [
        "ghost",
        "web",
    ]
    _apply(qtbot, dialog)
    qtbot.waitUntil(
        lambda: all(
            page.tree.topLevelItem(i).text(1).startswith("Not available") for i in range(2)
        ),
        timeout=60_000,
    )
    assert "not found" in page.tree.topLevelItem(0).text(1)
    assert set(load_mcp_config(app_mcp_path(app_paths())).servers) == {"ghost", "web"}
    page.tree.setCurrentItem(page.tree.topLevelItem(0))
    qtbot.mouseClick(page.remove_button, Qt.MouseButton.LeftButton)
    _apply(qtbot, dialog)
    assert set(load_mcp_config(app_mcp_path(app_paths())).servers) == {"web"}


def test_the_form_refuses_a_server_without_a_name_or_target(
    qtbot: QtBot, tools: ToolController
) -> None:
    dialog = _dialog(qtbot, tools)
    page = dialog.tools_page
    qtbot.mouseClick(page.add_button, Qt.MouseButton.LeftButton)
    assert page.message.text() == "Give the server a name."
    qtbot.keyClicks(page.name_edit, "x")
    qtbot.mouseClick(page.add_button, Qt.MouseButton.LeftButton)
    assert "command to run" in page.message.text()
    page.target_edit.setText("python")
    page.pairs_edit.setPlainText("no separator here")
    qtbot.mouseClick(page.add_button, Qt.MouseButton.LeftButton)
    assert "not KEY=VALUE" in page.message.text()
    assert page.tree.topLevelItemCount() == 0
