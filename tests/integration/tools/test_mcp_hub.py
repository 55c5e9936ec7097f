"""The MCP client against a real server written with the SDK, over stdio and Streamable HTTP."""

from __future__ import annotations

import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from autoglm.tools.mcp_client import McpHub
from autoglm.tools.mcp_config import McpConfig, parse_server
from fixtures.mcp_fixtures import McpTestServer

pytestmark = pytest.mark.timeout(180)


@pytest.fixture(params=["stdio", "http"])
def server(request: pytest.FixtureRequest) -> McpTestServer:
    """The test server over each transport."""
    return request.getfixturevalue("mcp_stdio" if request.param == "stdio" else "mcp_http")


@pytest.fixture
def hub(server: McpTestServer) -> Iterator[McpHub]:
    """A hub connected to the server, with a short call timeout."""
    hub = McpHub(server.mcp_config, call_timeout_s=3.0).start()
    assert hub.wait_ready(60)
    yield hub
    hub.close()


def test_the_tools_are_listed_once_and_a_call_returns_text_and_images(
    hub: McpHub, server: McpTestServer
) -> None:
    [status] = hub.statuses()
    assert status.state == "ready", status.message
    assert {tool.name for tool in status.tools} >= {"get_weather", "draw_square", "crash_server"}
    weather = hub.find("get_weather")
    assert weather is not None and weather.openai_tool()["function"]["parameters"]["required"] == [
        "city"
    ]
    result = hub.call("get_weather", {"city": "Paris"})
    assert not result.is_error and "31 degrees" in result.text
    square = hub.call("draw_square", {"colour": "red"})
    assert square.images and square.images[0].data.startswith(b"\x89PNG")
    assert server.calls() == ["get_weather Paris", "draw_square red"]


def test_a_hanging_tool_times_out_in_words_and_the_server_still_answers(hub: McpHub) -> None:
    started = time.monotonic()
    result = hub.call("wait_forever", {"reason": "test"})
    assert result.is_error and "did not answer within 3 s" in result.text
    assert time.monotonic() - started < 10
    assert "31 degrees" in hub.call("get_weather", {"city": "Oslo"}).text


def test_a_server_killed_mid_call_is_reported_and_the_next_call_restarts_it(
    hub: McpHub, server: McpTestServer
) -> None:
    result = hub.call("crash_server", {"reason": "test"})
    assert result.is_error and "stopped while running crash_server" in result.text
    assert hub.statuses()[0].state == "failed"
    if server.process is not None:  # an HTTP server does not come back by itself: start it again
        return
    again = hub.call("get_weather", {"city": "Rome"})
    assert not again.is_error and "Rome" in again.text
    assert hub.statuses()[0].state == "ready"


def test_a_switched_off_tool_is_not_offered_and_does_not_run(
    hub: McpHub, server: McpTestServer
) -> None:
    config = server.config.with_tool_enabled("get_weather", False)
    hub.apply_config(McpConfig({config.name: config}))
    deadline = time.monotonic() + 5
    while (
        hub.find("get_weather") is not None
        and hub.find("get_weather").enabled
        and time.monotonic() < deadline
    ):  # type: ignore[union-attr]
        time.sleep(0.05)
    assert "get_weather" not in [t["function"]["name"] for t in hub.openai_tools()]
    result = hub.call("get_weather", {"city": "Paris"})
    assert result.is_error and "switched off" in result.text
    assert server.calls() == []


def test_a_server_that_cannot_start_is_a_status_in_words(tmp_path: Path) -> None:
    missing = parse_server("ghost", {"command": str(tmp_path / "no-such-program")})
    garbage = parse_server(
        "garbage", {"command": sys.executable, "args": ["-c", "print('hello, not MCP')"]}
    )
    unreachable = parse_server("web", {"url": "http://127.0.0.1:9/mcp"})
    hub = McpHub(
        McpConfig({s.name: s for s in (missing, garbage, unreachable)}), connect_timeout_s=20
    ).start()
    try:
        assert hub.wait_ready(60)
        states = {status.name: status for status in hub.statuses()}
        assert all(status.state == "failed" and status.message for status in states.values()), (
            states
        )
        assert "not found" in states["ghost"].message
        assert "nothing answers" in states["web"].message
        assert hub.tools() == []
        assert "There is no tool called get_weather" in hub.call("get_weather", {}).text
    finally:
        hub.close()
