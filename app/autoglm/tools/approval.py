"""Asking before a tool runs: the three answers, who may skip the question, and spoken answers.

A call the model makes runs only after the user approves it — once, or always for that
tool (kept in ``mcp.json`` as ``autoApprove``, the key Cline uses) — or when the front was
started with ``--approve-all``. A denied call is not run; the model is told so in a
``tool`` result, so it can answer without it.
"""

from __future__ import annotations

import enum
import json
import re
import threading
import unicodedata
from dataclasses import dataclass, field
from typing import Any

from autoglm.tools.mcp_client import McpTool, ToolResult
from autoglm.tools.mcp_config import McpConfig


class Decision(enum.Enum):
    """What the user answered."""

    ONCE = "once"
    ALWAYS = "always"
    DENY = "deny"

    @property
    def approved(self) -> bool:
        """Whether the call may run."""
        return self is not Decision.DENY


@dataclass(frozen=True)
class PendingCall:
    """A call waiting for approval: what the model asked for, exactly."""

    call_id: str
    function_name: str
    arguments: dict[str, Any]
    tool: McpTool | None = None

    @property
    def arguments_text(self) -> str:
        """The arguments as the user sees them: the exact JSON, indented."""
        return json.dumps(self.arguments, indent=2, ensure_ascii=False)

    @property
    def server(self) -> str:
        """The server the tool belongs to ('' for an unknown tool)."""
        return self.tool.server if self.tool else ""


def denied_result(call: PendingCall) -> ToolResult:
    """What the model is told about a call the user did not allow."""
    return ToolResult(
        f"The user did not allow the call of {call.function_name}; it was not run. "
        "Answer without it, or ask the user.",
        is_error=True,
    )


@dataclass
class ApprovalPolicy:
    """Which calls run without asking: ``approve_all``, the config's ``autoApprove``, this session's "Always"."""

    approve_all: bool = False
    _always: set[tuple[str, str]] = field(default_factory=set)
    _lock: threading.Lock = field(default_factory=threading.Lock)

    def needs_asking(self, call: PendingCall, config: McpConfig) -> bool:
        """Whether the user must be asked before ``call`` runs."""
        if self.approve_all:
            return False
        if call.tool is None:
            return (
                False  # an unknown tool is not run at all: the hub answers that it does not exist
            )
        server = config.servers.get(call.tool.server)
        with self._lock:
            if (call.tool.server, call.tool.name) in self._always:
                return False
        return not (server is not None and call.tool.name in server.auto_approve)

    def remember(self, call: PendingCall, decision: Decision, config: McpConfig) -> McpConfig:
        """Note the answer; "Always" returns a configuration that keeps it (to save)."""
        if decision is not Decision.ALWAYS or call.tool is None:
            return config
        with self._lock:
            self._always.add((call.tool.server, call.tool.name))
        server = config.servers.get(call.tool.server)
        if server is None:
            return config
        return config.with_server(server.with_auto_approve(call.tool.name))


_YES = {
    "yes",
    "yeah",
    "yep",
    "yup",
    "sure",
    "ok",
    "okay",
    "approve",
    "approved",
    "allow",
    "go ahead",
    "do it",
    "please do",
    "run it",
    "是",
    "是的",
    "好",
    "好的",
    "可以",
    "行",
    "对",
    "同意",
    "允许",
    "确认",
    "嗯",
}
_NO = {
    "no",
    "nope",
    "nah",
    "don't",
    "do not",
    "deny",
    "denied",
    "stop",
    "cancel",
    "never",
    "not now",
    "不",
    "不要",
    "不行",
    "不用",
    "不可以",
    "否",
    "拒绝",
    "取消",
    "别",
}


def spoken_decision(text: str) -> Decision | None:
    """A spoken answer to "may I run it?": ``ONCE`` for yes, ``DENY`` for no, ``None`` if neither.

    The words are compared after lower-casing and stripping punctuation, so "Yes." and
    "是。" count; "no" wins over "yes" when both are heard ("yes, no, don't").
    """
    words = unicodedata.normalize("NFKC", text).lower()
    words = re.sub(r"[^\w\s']", " ", words).strip()
    if not words:
        return None
    if words in _NO or any(
        re.search(rf"(^|\s){re.escape(no)}($|\s)", words) for no in _NO if " " in no or no.isascii()
    ):
        return Decision.DENY
    if words[0] in "不别否" or words.startswith(("拒绝", "取消")):
        return Decision.DENY
    if words in _YES or any(
        re.search(rf"(^|\s){re.escape(yes)}($|\s)", words) for yes in _YES if yes.isascii()
    ):
        return Decision.ONCE
    if words.startswith(("是", "好", "可以", "行", "对", "同意", "允许", "确认", "嗯")):
        return Decision.ONCE
    return None
