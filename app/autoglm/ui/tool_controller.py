"""The window's MCP tools: the app's ``mcp.json``, the connected servers and the approval policy.

The hub connects servers on its own thread; this object only reads its status snapshot
(a timer notices changes and emits ``statusesChanged`` for Settings → Tools) and saves
configuration changes, so nothing here blocks the GUI thread.
"""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import QObject, QTimer, Signal

from autoglm.core.errors import UserFacingError
from autoglm.tools.approval import ApprovalPolicy, Decision, PendingCall
from autoglm.tools.mcp_client import McpHub, ServerStatus
from autoglm.tools.mcp_config import McpConfig, app_mcp_path, load_mcp_config, save_mcp_config
from autoglm.tools.tool_turns import ToolSession

if TYPE_CHECKING:
    from autoglm.core.paths import AppPaths
    from autoglm.core.runtime import Runtime

_LOGGER = logging.getLogger(__name__)
STATUS_POLL_MS = 500


class ToolController(QObject):
    """Owns the ``McpHub`` of the window and the file it is configured from."""

    statusesChanged = Signal()
    problem = Signal(str)

    def __init__(
        self, paths: AppPaths, parent: QObject | None = None, *, hub: McpHub | None = None
    ) -> None:
        super().__init__(parent)
        self.path = app_mcp_path(paths)
        self.load_problem = ""
        try:
            config = load_mcp_config(self.path, missing_ok=True)
        except UserFacingError as exc:
            self.load_problem = str(exc)
            _LOGGER.warning("The tool servers file cannot be used: %s", exc)
            config = McpConfig()
        self.hub = hub or McpHub(config)
        if hub is None and config.servers:
            self.hub.start()
        self.policy = ApprovalPolicy()
        self._last: list[ServerStatus] = self.hub.statuses()
        self._timer = QTimer(self)
        self._timer.setInterval(STATUS_POLL_MS)
        self._timer.timeout.connect(self._poll)
        self._timer.start()

    @property
    def config(self) -> McpConfig:
        """The servers configured now."""
        return self.hub.config

    def statuses(self) -> list[ServerStatus]:
        """Every server's state and tools."""
        return self.hub.statuses()

    def openai_tools(self) -> list[dict[str, Any]]:
        """The switched-on tools for the next request (empty: the model is offered none)."""
        return self.hub.openai_tools()

    def set_config(self, config: McpConfig) -> None:
        """Use and save a new configuration (Settings → Tools, an "Always" answer)."""
        try:
            save_mcp_config(config, self.path)
        except OSError as exc:
            self.problem.emit(self.tr("The tool servers could not be saved: {0}").format(exc))
        self.hub.apply_config(config)
        if config.servers:
            self.hub.start()
        self._poll()

    def pending(self, call_id: str, function_name: str, arguments: dict[str, Any]) -> PendingCall:
        """A call the model made, with the tool it names (``None`` if there is no such tool)."""
        return PendingCall(call_id, function_name, arguments, self.hub.find(function_name))

    def needs_asking(self, call: PendingCall) -> bool:
        """Whether this call waits for the user."""
        return self.policy.needs_asking(call, self.config)

    def remember(self, call: PendingCall, decision: Decision) -> None:
        """Keep an "Always for this tool" answer in ``mcp.json``."""
        updated = self.policy.remember(call, decision, self.config)
        if updated is not self.config:
            self.set_config(updated)

    def session(self, runtime: Runtime) -> ToolSession:
        """The tools for one reply; tool images go back as images when the model reads them."""
        info = runtime.model_info
        if info is None or not getattr(info, "has_vision", False):
            return ToolSession(self.hub, self.policy)
        from autoglm.vision.image import normalise

        settings = runtime.settings.vision
        return ToolSession(
            self.hub, self.policy, lambda data: normalise(data, settings, "The tool's image")
        )

    def _poll(self) -> None:
        current = self.hub.statuses()
        if current != self._last:
            self._last = current
            self.statusesChanged.emit()

    def shutdown(self) -> None:
        """Stop every server (the window closes)."""
        self._timer.stop()
        self.hub.close()
