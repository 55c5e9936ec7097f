"""The test MCP server, over stdio and Streamable HTTP, for the tests in this folder."""

from fixtures.mcp_fixtures import mcp_http, mcp_stdio  # noqa: F401 - fixtures
