"""``autoglm mcp list`` as a user runs it: servers, their tools and what is wrong, never a traceback."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from autoglm.tools.mcp_config import McpConfig, parse_server, save_mcp_config
from fixtures.mcp_fixtures import McpTestServer
from integration.test_cli import assert_one_clear_line, autoglm

pytestmark = pytest.mark.timeout(180)


def test_mcp_list_shows_each_server_its_state_and_its_tools(
    tmp_path: Path, mcp_stdio: McpTestServer
) -> None:
    switched = mcp_stdio.config.with_tool_enabled("wait_forever", False)
    ghost = parse_server("ghost", {"command": str(tmp_path / "no-such-server")})
    path = tmp_path / "mcp.json"
    save_mcp_config(McpConfig({switched.name: switched, "ghost": ghost}), path)
    result = autoglm(
        "mcp", "list", "--mcp", str(path), "--json", home=tmp_path / "home", timeout=120
    )
    assert result.returncode == 0, result.stderr
    servers = {server["name"]: server for server in json.loads(result.stdout)["servers"]}
    assert servers["testtools"]["state"] == "ready"
    tools = {tool["name"]: tool["enabled"] for tool in servers["testtools"]["tools"]}
    assert tools["get_weather"] and not tools["wait_forever"]
    assert servers["ghost"]["state"] == "failed" and "not found" in servers["ghost"]["message"]
    text = autoglm("mcp", "list", "--mcp", str(path), home=tmp_path / "home", timeout=120)
    assert "[off] wait_forever" in text.stdout and "ghost (stdio" in text.stdout


def test_mcp_list_explains_a_bad_file_in_one_line(tmp_path: Path) -> None:
    path = tmp_path / "mcp.json"
    path.write_text('{"mcpServers": {"x": {"url": "ftp://nowhere"}}}')
    assert_one_clear_line(
        autoglm("mcp", "list", "--mcp", str(path), home=tmp_path, timeout=60),
        2,
        "must start with http",
    )
    empty = autoglm("mcp", "list", home=tmp_path, timeout=60)
    assert empty.returncode == 0 and "No MCP servers are configured" in empty.stdout


@pytest.mark.slow
@pytest.mark.timeout(900)
def test_chat_with_mcp_asks_on_the_terminal_and_answers_with_the_result(
    tmp_path: Path, starter_gguf: Path
) -> None:
    from fixtures.mcp_fixtures import stdio_server

    server = stdio_server(tmp_path, only=("get_weather",))
    path = tmp_path / "mcp.json"
    save_mcp_config(server.mcp_config, path)
    result = autoglm(
        "chat",
        "--model",
        str(starter_gguf),
        "--mcp",
        str(path),
        "--no-think",
        "--temperature",
        "0",
        "--json",
        "What is the weather in Paris right now?",
        home=tmp_path / "home",
        stdin="y\n",
        timeout=500,
    )
    assert result.returncode == 0, result.stderr
    reply = json.loads(result.stdout)
    assert (
        reply["tool_calls"][0]["name"] == "get_weather"
        and reply["tool_calls"][0]["decision"] == "once"
    )
    assert (
        "The model wants to run get_weather" in result.stderr and '"city": "Paris"' in result.stderr
    )
    assert server.calls() == ["get_weather Paris"]
    assert "31" in reply["content"]
