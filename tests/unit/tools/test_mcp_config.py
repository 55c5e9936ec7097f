"""Reading and writing ``mcp.json`` as Claude Desktop, Cursor and LM Studio write it."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from autoglm.tools.mcp_config import (
    McpConfigError,
    load_mcp_config,
    parse_mcp_config,
    parse_mcp_text,
    save_mcp_config,
    server_from_fields,
)

CLAUDE_DESKTOP = {
    "mcpServers": {
        "filesystem": {
            "command": "npx",
            "args": ["-y", "@modelcontextprotocol/server-filesystem", "/tmp"],
            "env": {"DEBUG": "1"},
        },
        "remote": {
            "url": "https://example.com/mcp",
            "headers": {"Authorization": "Bearer x"},
            "type": "http",
        },
        "cline": {
            "command": "uvx",
            "args": ["mcp-server-git"],
            "disabled": True,
            "autoApprove": ["git_status"],
            "timeout": 60,
        },
    }
}


def test_a_claude_desktop_file_reads_every_kind_of_server() -> None:
    config = parse_mcp_config(CLAUDE_DESKTOP)
    files, remote, cline = (config.servers[name] for name in ("filesystem", "remote", "cline"))
    assert files.transport == "stdio" and files.command == "npx" and files.args[-1] == "/tmp"
    assert dict(files.env) == {"DEBUG": "1"}
    assert remote.transport == "http" and dict(remote.headers) == {"Authorization": "Bearer x"}
    assert not cline.enabled and cline.auto_approve == {"git_status"}
    assert [s.name for s in config.enabled_servers()] == ["filesystem", "remote"]


def test_saving_keeps_unknown_keys_and_the_tool_switches(tmp_path: Path) -> None:
    config = parse_mcp_config(CLAUDE_DESKTOP)
    files = (
        config.servers["filesystem"]
        .with_tool_enabled("write_file", False)
        .with_auto_approve("read_file")
    )
    path = tmp_path / "mcp.json"
    save_mcp_config(config.with_server(files), path)
    saved = json.loads(path.read_text())
    assert saved["mcpServers"]["cline"]["timeout"] == 60
    assert saved["mcpServers"]["filesystem"]["disabledTools"] == ["write_file"]
    again = load_mcp_config(path)
    assert not again.servers["filesystem"].tool_enabled("write_file")
    assert again.servers["filesystem"].tool_enabled("read_file")
    assert again.servers["filesystem"].auto_approve == {"read_file"}
    assert (
        again.servers["filesystem"].with_tool_enabled("write_file", True).tool_enabled("write_file")
    )


@pytest.mark.parametrize(
    ("document", "words"),
    [
        ("{", "not valid JSON (line 1"),
        ("[]", "must hold a JSON object"),
        ('{"servers": 3}', "must be an object of server names"),
        ('{"mcpServers": {"a": {}}}', "needs a “command”"),
        (
            '{"mcpServers": {"a": {"command": "x", "url": "http://h"}}}',
            "both a “command” and a “url”",
        ),
        ('{"mcpServers": {"a": {"url": "ftp://h"}}}', "must start with http"),
        ('{"mcpServers": {"a": {"url": "http://h/sse", "type": "sse"}}}', "old SSE transport"),
        ('{"mcpServers": {"a": {"command": "x", "args": "--flag"}}}', "must be a list of strings"),
        ('{"mcpServers": {"a": {"command": "x", "env": {"K": []}}}}', "env → K must be a string"),
    ],
)
def test_a_bad_file_is_refused_in_words(document: str, words: str) -> None:
    with pytest.raises(McpConfigError, match=re.escape(words)):
        parse_mcp_text(document)


def test_a_missing_file_is_empty_only_when_allowed(tmp_path: Path) -> None:
    assert not load_mcp_config(tmp_path / "none.json", missing_ok=True).servers
    with pytest.raises(McpConfigError, match="There is no file"):
        load_mcp_config(tmp_path / "none.json")


def test_a_form_makes_a_url_or_a_command_server() -> None:
    assert server_from_fields("w", "http://127.0.0.1:9/mcp").transport == "http"
    command = server_from_fields("c", "python", ["server.py"], {"A": "1"})
    assert command.command == "python" and command.args == ("server.py",)
    with pytest.raises(McpConfigError, match="needs a name"):
        server_from_fields(" ", "python")
