"""Settings → Tools: MCP servers (added by hand or imported from an ``mcp.json``) and their tools.

Each server shows whether it is connected and each of its tools has a switch. Changes are
kept in the page until the dialog's Apply or OK, which saves them in the app's own
``mcp.json`` (the Claude Desktop format, so the file can be shared with other clients).
"""

from __future__ import annotations

import logging
import shlex
from pathlib import Path
from typing import TYPE_CHECKING

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QFileDialog,
    QFormLayout,
    QGroupBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QPlainTextEdit,
    QPushButton,
    QTreeWidget,
    QTreeWidgetItem,
    QVBoxLayout,
    QWidget,
)

from autoglm.core.errors import UserFacingError
from autoglm.tools.mcp_client import ServerStatus
from autoglm.tools.mcp_config import McpConfig, load_mcp_config, server_from_fields

if TYPE_CHECKING:
    from autoglm.ui.tool_controller import ToolController

_LOGGER = logging.getLogger(__name__)
SERVER_ROLE = Qt.ItemDataRole.UserRole + 1
TOOL_ROLE = Qt.ItemDataRole.UserRole + 2


def _pairs(text: str) -> dict[str, str]:
    """``KEY=VALUE`` (or ``Header: value``) lines as a dictionary; blank lines are skipped."""
    result = {}
    for number, line in enumerate(text.splitlines(), 1):
        line = line.strip()
        if not line:
            continue
        separator = (
            "=" if "=" in line and (":" not in line or line.index("=") < line.index(":")) else ":"
        )
        key, found, value = line.partition(separator)
        if not found or not key.strip():
            raise UserFacingError(
                f"Line {number} of the environment or headers is not KEY=VALUE: {line}"
            )
        result[key.strip()] = value.strip()
    return result


class ToolsSettingsPageWidget(QWidget):
    """The Tools page of the Settings dialog."""

    changed = Signal()

    def __init__(self, tools: ToolController, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("toolsSettingsPage")
        self.tools = tools
        self.config: McpConfig = tools.config
        self._statuses: dict[str, ServerStatus] = {}

        self.intro = QLabel()
        self.intro.setWordWrap(True)
        self.tree = QTreeWidget()
        self.tree.setObjectName("toolsTree")
        self.tree.setColumnCount(2)
        self.tree.header().setSectionResizeMode(0, QHeaderView.ResizeMode.ResizeToContents)
        self.tree.header().setStretchLastSection(True)
        self.tree.itemChanged.connect(self._item_changed)
        self.tree.currentItemChanged.connect(lambda *_args: self._update_buttons())
        self.import_button = QPushButton()
        self.import_button.clicked.connect(self._choose_import)
        self.remove_button = QPushButton()
        self.remove_button.clicked.connect(self.remove_selected)
        buttons = QHBoxLayout()
        buttons.addWidget(self.import_button)
        buttons.addWidget(self.remove_button)
        buttons.addStretch(1)

        self.form_box = QGroupBox()
        self.name_edit = QLineEdit()
        self.name_edit.setObjectName("toolsServerName")
        self.target_edit = QLineEdit()
        self.target_edit.setObjectName("toolsServerTarget")
        self.args_edit = QLineEdit()
        self.args_edit.setObjectName("toolsServerArgs")
        self.pairs_edit = QPlainTextEdit()
        self.pairs_edit.setObjectName("toolsServerPairs")
        self.pairs_edit.setTabChangesFocus(True)
        self.pairs_edit.setFixedHeight(self.pairs_edit.fontMetrics().lineSpacing() * 3 + 12)
        self.add_button = QPushButton()
        self.add_button.setObjectName("toolsAddServer")
        self.add_button.clicked.connect(self.add_from_form)
        self.form = QFormLayout(self.form_box)
        self.name_label, self.target_label = QLabel(), QLabel()
        self.args_label, self.pairs_label = QLabel(), QLabel()
        for label, edit in (
            (self.name_label, self.name_edit),
            (self.target_label, self.target_edit),
            (self.args_label, self.args_edit),
            (self.pairs_label, self.pairs_edit),
        ):
            label.setBuddy(edit)
            self.form.addRow(label, edit)
        self.form.addRow("", self.add_button)
        self.message = QLabel()
        self.message.setObjectName("toolsMessage")
        self.message.setWordWrap(True)
        self.message.hide()

        layout = QVBoxLayout(self)
        layout.addWidget(self.intro)
        layout.addWidget(self.tree, 1)
        layout.addLayout(buttons)
        layout.addWidget(self.message)
        layout.addWidget(self.form_box)
        tools.statusesChanged.connect(self.refresh)
        self.retranslate()
        if tools.load_problem:
            self.show_problem(tools.load_problem)

    # -- texts --------------------------------------------------------------------------
    def retranslate(self) -> None:
        """Set every text in the current language."""
        self.intro.setText(
            self.tr(
                "Tool servers (MCP) give the model tools it can call: it asks, you approve each call. "
                "Switch off the tools you never want offered."
            )
        )
        self.tree.setHeaderLabels([self.tr("Server or tool"), self.tr("Status")])
        self.tree.setAccessibleName(self.tr("Tool servers and their tools"))
        self.import_button.setText(self.tr("Import mcp.json…"))
        self.import_button.setToolTip(
            self.tr("Add the servers of a Claude Desktop, Cursor or LM Studio mcp.json")
        )
        self.remove_button.setText(self.tr("Remove server"))
        self.form_box.setTitle(self.tr("Add a server"))
        self.name_label.setText(self.tr("Name"))
        self.target_label.setText(self.tr("Command or URL"))
        self.target_edit.setPlaceholderText(
            self.tr("npx, uvx, python … or http://127.0.0.1:8931/mcp")
        )
        self.args_label.setText(self.tr("Arguments"))
        self.args_edit.setPlaceholderText(
            self.tr("-y @modelcontextprotocol/server-filesystem ~/Documents")
        )
        self.pairs_label.setText(self.tr("Environment or headers"))
        self.pairs_edit.setPlaceholderText(self.tr("KEY=value, one per line (headers for a URL)"))
        self.add_button.setText(self.tr("Add server"))
        self.refresh()

    def _status_text(self, name: str) -> str:
        server = self.config.servers[name]
        status = self._statuses.get(name)
        if not server.enabled:
            return self.tr("Off")
        if status is None or status.state == "stopped":
            return self.tr("Connects when applied")
        if status.state == "connecting":
            return self.tr("Connecting…")
        if status.state == "failed":
            return self.tr("Not available: {0}").format(status.message)
        return self.tr("Connected · {0} tools").format(len(status.tools))

    # -- the tree -----------------------------------------------------------------------
    def refresh(self) -> None:
        """Show the configured servers with their current status and tools."""
        self._statuses = {status.name: status for status in self.tools.statuses()}
        selected = self._selected_server()
        self.tree.blockSignals(True)
        self.tree.clear()
        for name, server in self.config.servers.items():
            item = QTreeWidgetItem([name, self._status_text(name)])
            item.setData(0, SERVER_ROLE, name)
            item.setToolTip(0, server.summary)
            item.setToolTip(1, item.text(1))
            status = self._statuses.get(name)
            for tool in status.tools if status else ():
                child = QTreeWidgetItem(
                    [tool.function_name, tool.description.strip().split("\n")[0]]
                )
                child.setData(0, SERVER_ROLE, name)
                child.setData(0, TOOL_ROLE, tool.name)
                child.setFlags(child.flags() | Qt.ItemFlag.ItemIsUserCheckable)
                enabled = server.tool_enabled(tool.name)
                child.setCheckState(
                    0, Qt.CheckState.Checked if enabled else Qt.CheckState.Unchecked
                )
                if tool.name in server.auto_approve:
                    child.setToolTip(
                        0, self.tr("Runs without asking (you chose “Always for this tool”)")
                    )
                else:
                    child.setToolTip(0, self.tr("Asks before each call"))
                child.setToolTip(1, tool.description)
                item.addChild(child)
            self.tree.addTopLevelItem(item)
            item.setExpanded(True)
            if name == selected:
                self.tree.setCurrentItem(item)
        self.tree.blockSignals(False)
        self._update_buttons()

    def _selected_server(self) -> str:
        item = self.tree.currentItem()
        return str(item.data(0, SERVER_ROLE)) if item is not None else ""

    def _update_buttons(self) -> None:
        self.remove_button.setEnabled(bool(self._selected_server()))

    def _item_changed(self, item: QTreeWidgetItem, column: int) -> None:
        tool = item.data(0, TOOL_ROLE)
        if column != 0 or not tool:
            return
        server = self.config.servers[str(item.data(0, SERVER_ROLE))]
        enabled = item.checkState(0) == Qt.CheckState.Checked
        self.config = self.config.with_server(server.with_tool_enabled(str(tool), enabled))
        self.changed.emit()

    def tool_item(self, server: str, tool: str) -> QTreeWidgetItem | None:
        """The tree row of one tool (tests and focus)."""
        for index in range(self.tree.topLevelItemCount()):
            top = self.tree.topLevelItem(index)
            for child_index in range(top.childCount() if top is not None else 0):
                child = top.child(child_index) if top is not None else None
                if (
                    child is not None
                    and child.data(0, SERVER_ROLE) == server
                    and child.data(0, TOOL_ROLE) == tool
                ):
                    return child
        return None

    # -- changes --------------------------------------------------------------------------
    def show_problem(self, text: str) -> None:
        """Say what could not be done (an empty text hides the message)."""
        self.message.setText(text)
        self.message.setVisible(bool(text))

    def add_from_form(self) -> bool:
        """Add the server described in the form; ``False`` (and a message) if it cannot be used."""
        name = self.name_edit.text().strip()
        try:
            if not name:
                raise UserFacingError(self.tr("Give the server a name."))
            if name in self.config.servers:
                raise UserFacingError(
                    self.tr("There is already a server called “{0}”.").format(name)
                )
            if not self.target_edit.text().strip():
                raise UserFacingError(self.tr("Give the command to run, or the server's URL."))
            try:
                arguments = shlex.split(self.args_edit.text())
            except ValueError as exc:
                raise UserFacingError(
                    self.tr("The arguments cannot be read: {0}.").format(exc)
                ) from exc
            pairs = _pairs(self.pairs_edit.toPlainText())
            server = server_from_fields(
                name, self.target_edit.text(), arguments, env=pairs, headers=pairs
            )
        except UserFacingError as exc:
            self.show_problem(str(exc))
            return False
        self.config = self.config.with_server(server)
        for edit in (self.name_edit, self.target_edit, self.args_edit):
            edit.clear()
        self.pairs_edit.clear()
        self.show_problem("")
        self.refresh()
        self.changed.emit()
        return True

    def _choose_import(self) -> None:
        path, _filter = QFileDialog.getOpenFileName(
            self,
            self.tr("Import an mcp.json"),
            str(Path.home()),
            self.tr("MCP configuration (*.json)"),
        )
        if path:
            self.import_file(Path(path))

    def import_file(self, path: Path) -> bool:
        """Add every server of an ``mcp.json``; ``False`` (and a message) if the file cannot be used."""
        try:
            imported = load_mcp_config(path)
        except UserFacingError as exc:
            self.show_problem(str(exc))
            return False
        self.config = self.config.merged(imported)
        self.show_problem(
            self.tr("Imported {0} server(s) from {1}; Apply connects them.").format(
                len(imported.servers), path.name
            )
        )
        self.refresh()
        self.changed.emit()
        return True

    def remove_selected(self) -> None:
        """Remove the selected server."""
        name = self._selected_server()
        if name:
            self.config = self.config.without_server(name)
            self.refresh()
            self.changed.emit()

    def apply(self) -> None:
        """Save and use the page's servers and switches."""
        if self.config != self.tools.config:
            self.tools.set_config(self.config)
