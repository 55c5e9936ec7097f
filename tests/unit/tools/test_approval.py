"""Who may skip the question before a tool runs, and yes/no answers spoken in English or Chinese."""

from __future__ import annotations

import pytest

from autoglm.tools.approval import (
    ApprovalPolicy,
    Decision,
    PendingCall,
    denied_result,
    spoken_decision,
)
from autoglm.tools.mcp_client import McpTool
from autoglm.tools.mcp_config import McpConfig, parse_server

TOOL = McpTool("files", "read_file", "Read a file.", {}, function_name="read_file")


def _config(auto_approve: list[str] | None = None) -> McpConfig:
    server = parse_server("files", {"command": "x", "autoApprove": auto_approve or []})
    return McpConfig({"files": server})


def test_a_call_is_asked_about_unless_approved_always_or_approve_all() -> None:
    call = PendingCall("call_1", "read_file", {"path": "/etc/hosts"}, TOOL)
    policy = ApprovalPolicy()
    assert policy.needs_asking(call, _config())
    assert not policy.needs_asking(call, _config(["read_file"]))
    assert not ApprovalPolicy(approve_all=True).needs_asking(call, _config())
    assert policy.remember(call, Decision.ONCE, _config()) == _config()
    kept = policy.remember(call, Decision.ALWAYS, _config())
    assert kept.servers["files"].auto_approve == {"read_file"}
    assert not policy.needs_asking(call, _config())  # and for the rest of the session
    assert call.arguments_text == '{\n  "path": "/etc/hosts"\n}'


def test_a_denied_call_tells_the_model_it_was_not_run() -> None:
    result = denied_result(PendingCall("call_1", "read_file", {}, TOOL))
    assert result.is_error and "not run" in result.text


@pytest.mark.parametrize(
    ("spoken", "decision"),
    [
        ("Yes.", Decision.ONCE),
        ("yeah, go ahead", Decision.ONCE),
        ("OK", Decision.ONCE),
        ("是", Decision.ONCE),
        ("是的。", Decision.ONCE),
        ("好的", Decision.ONCE),
        ("可以", Decision.ONCE),
        ("No.", Decision.DENY),
        ("no, don't", Decision.DENY),
        ("yes, no, don't", Decision.DENY),
        ("不", Decision.DENY),
        ("不要。", Decision.DENY),
        ("不行", Decision.DENY),
        ("取消", Decision.DENY),
        ("What is the weather?", None),
        ("", None),
        ("nothing", None),
    ],
)
def test_spoken_answers(spoken: str, decision: Decision | None) -> None:
    assert spoken_decision(spoken) is decision
