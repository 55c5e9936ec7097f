"""Tool names the model sees, and MCP results turned into text and images."""

from __future__ import annotations

import base64

from mcp_types import (
    CallToolResult,
    EmbeddedResource,
    ImageContent,
    TextContent,
    TextResourceContents,
)

from autoglm.tools.mcp_client import McpTool, ToolResult, _result_from_mcp, function_names


def test_clashing_tool_names_get_their_server_in_front() -> None:
    names = function_names([("a", "search"), ("b", "search"), ("b", "fetch web"), ("c", "x" * 80)])
    assert names[("a", "search")] == "a_search" and names[("b", "search")] == "b_search"
    assert names[("b", "fetch web")] == "fetch_web"
    assert len(names[("c", "x" * 80)]) == 64


def test_a_result_keeps_text_images_and_the_error_flag() -> None:
    png = b"\x89PNG fake"
    result = _result_from_mcp(
        CallToolResult(
            content=[
                TextContent(text="one"),
                ImageContent(data=base64.b64encode(png).decode(), mime_type="image/png"),
                EmbeddedResource(resource=TextResourceContents(uri="file:///a.txt", text="two")),
            ],
            is_error=True,
        )
    )
    assert result.text == "one\ntwo" and result.images[0].data == png and result.is_error


def test_structured_content_is_used_when_there_is_no_text() -> None:
    result = _result_from_mcp(CallToolResult(content=[], structured_content={"temp": 31}))
    assert result.text == '{"temp": 31}'
    assert ToolResult("").for_model() == "(the tool returned nothing)"


def test_a_tool_is_offered_to_the_model_as_an_openai_function() -> None:
    tool = McpTool(
        "s", "get", "Get it.", {"properties": {"q": {"type": "string"}}}, function_name="s_get"
    )
    assert tool.openai_tool() == {
        "type": "function",
        "function": {
            "name": "s_get",
            "description": "Get it.",
            "parameters": {"properties": {"q": {"type": "string"}}, "type": "object"},
        },
    }
