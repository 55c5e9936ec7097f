"""Reading tool calls out of model text, whole and streamed, in each model family's format."""

from __future__ import annotations

import json

import pytest

from autoglm.core.types import ChatMessage, ToolCall, ToolSpec
from autoglm.tools.calls import (
    Dialect,
    ToolCallStream,
    dialect_for_template,
    parse_tool_calls,
    template_renders_tools,
)
from autoglm.tools.prompt import fit_to_template, inline_tools

WEATHER = ToolSpec(
    "get_weather",
    "Weather in a city",
    {
        "type": "object",
        "properties": {"city": {"type": "string"}, "days": {"type": "integer"}},
        "required": ["city"],
    },
)
TIME = ToolSpec("get_time", "The time now")
TOOLS = [WEATHER, TIME]
GLM_TEMPLATE = (
    "[gMASK]<sop>{% for m in messages %}<|{{ m.role }}|>\n{{ m.content }}{% endfor %}<|assistant|>"
)
GLM45_TEMPLATE = "{% for tool in tools %}{{ tool | tojson }}{% endfor %}<arg_key>"
QWEN_TEMPLATE = "{%- if tools %}<tools>{% for tool in tools %}{{ tool | tojson }}{% endfor %}</tools>{% endif %}"


def args(call: ToolCall) -> dict[str, object]:
    return json.loads(call.arguments)


def test_dialect_follows_the_template() -> None:
    assert dialect_for_template(QWEN_TEMPLATE) is Dialect.HERMES
    assert dialect_for_template(GLM_TEMPLATE) is Dialect.GLM4
    assert dialect_for_template(GLM45_TEMPLATE) is Dialect.GLM45
    assert dialect_for_template("") is Dialect.HERMES
    assert template_renders_tools(QWEN_TEMPLATE) and not template_renders_tools(GLM_TEMPLATE)


def test_hermes_calls_as_qwen_writes_them() -> None:
    text = (
        'Let me check.\n<tool_call>\n{"name": "get_weather", "arguments": {"city": "Paris", "days": 2}}\n'
        '</tool_call>\n<tool_call>\n{"name": "get_time", "arguments": {}}\n</tool_call>'
    )
    reply = parse_tool_calls(text, Dialect.HERMES, TOOLS)
    assert reply.content == "Let me check."
    assert [c.name for c in reply.calls] == ["get_weather", "get_time"]
    assert args(reply.calls[0]) == {"city": "Paris", "days": 2}
    assert reply.calls[0].id.startswith("call_") and reply.calls[0].id != reply.calls[1].id


def test_unclosed_block_at_the_end_and_string_arguments_still_parse() -> None:
    text = '<tool_call>\n{"name": "get_weather", "arguments": "{\\"city\\": \\"Oslo\\"}"}'
    reply = parse_tool_calls(text, Dialect.HERMES, TOOLS)
    assert [args(c) for c in reply.calls] == [{"city": "Oslo"}]


@pytest.mark.parametrize(
    "text",
    [
        '<tool_call>\n{"name": "delete_everything", "arguments": {}}\n</tool_call>',  # not an offered tool
        '<tool_call>\n{"name": "get_weather", "arguments": {"city": }\n</tool_call>',  # broken JSON
        '<tool_call>\n{"name": "get_weather", "arguments": [1, 2]}\n</tool_call>',  # arguments not an object
        "The weather is sunny.",
    ],
)
def test_what_is_not_a_valid_call_stays_content(text: str) -> None:
    reply = parse_tool_calls(text, Dialect.HERMES, TOOLS)
    assert reply.calls == [] and reply.content == text


def test_bare_json_and_fenced_json_are_calls() -> None:
    for text in (
        '{"name": "get_time", "arguments": {}}',
        '```json\n{"name": "get_weather", "arguments": {"city": "Rome"}}\n```',
    ):
        reply = parse_tool_calls(text, Dialect.HERMES, TOOLS)
        assert len(reply.calls) == 1 and reply.content == ""


def test_glm4_name_line_then_arguments() -> None:
    reply = parse_tool_calls('get_weather\n{"city": "北京"}', Dialect.GLM4, TOOLS)
    assert reply.calls[0].name == "get_weather" and args(reply.calls[0]) == {"city": "北京"}
    assert parse_tool_calls("get_weather is a tool\n{}", Dialect.GLM4, TOOLS).calls == []


def test_glm45_xml_arguments_typed_by_the_schema() -> None:
    text = (
        "<tool_call>get_weather\n<arg_key>city</arg_key>\n<arg_value>123</arg_value>\n"
        "<arg_key>days</arg_key>\n<arg_value>3</arg_value>\n</tool_call>"
    )
    reply = parse_tool_calls(text, Dialect.GLM45, TOOLS)
    assert args(reply.calls[0]) == {"city": "123", "days": 3}  # city is a string in the schema


def _stream(text: str, dialect: Dialect, size: int) -> tuple[str, list[ToolCall]]:
    parser = ToolCallStream(dialect, TOOLS)
    content, calls = "", []
    for start in range(0, len(text), size):
        piece = parser.feed(text[start : start + size])
        content += piece.content
        calls += piece.calls
    last = parser.flush()
    return content + last.content, calls + last.calls


@pytest.mark.parametrize("size", [1, 3, 7, 1000])
def test_streamed_text_and_calls_match_the_whole_parse(size: int) -> None:
    text = (
        'Checking <tool> tags.\n<tool_call>\n{"name": "get_weather", "arguments": {"city": "Lima"}}\n'
        "</tool_call>"
    )
    content, calls = _stream(text, Dialect.HERMES, size)
    assert content.strip() == "Checking <tool> tags."
    assert [args(c) for c in calls] == [{"city": "Lima"}]


def test_stream_releases_plain_text_before_the_end() -> None:
    parser = ToolCallStream(Dialect.HERMES, TOOLS)
    assert parser.feed("Hello there, ").content == "Hello there, "
    assert parser.feed("<tool").content == ""  # could be a call starting
    assert parser.feed("s are fun").content == "<tools are fun"


@pytest.mark.parametrize("size", [1, 5])
def test_stream_glm4_and_bare_json_are_held_then_parsed(size: int) -> None:
    assert [c.name for c in _stream("get_time\n{}", Dialect.GLM4, size)[1]] == ["get_time"]
    content, calls = _stream('{"name": "get_time", "arguments": {}}', Dialect.HERMES, size)
    assert content == "" and [c.name for c in calls] == ["get_time"]
    content, calls = _stream("{not a call}", Dialect.HERMES, size)
    assert content == "{not a call}" and calls == []


def test_without_tools_everything_is_content() -> None:
    parser = ToolCallStream(Dialect.HERMES, [])
    assert parser.feed('<tool_call>{"name": "x"}').content == '<tool_call>{"name": "x"}'


def _conversation() -> list[ChatMessage]:
    call = ToolCall("call_1", "get_weather", '{"city": "Paris"}')
    return [
        ChatMessage("user", "Weather in Paris?"),
        ChatMessage("assistant", "", tool_calls=[call]),
        ChatMessage("tool", "18 C, sunny", tool_call_id="call_1"),
    ]


def test_template_with_tools_gets_the_request_unchanged() -> None:
    messages, tools = fit_to_template(_conversation(), TOOLS, QWEN_TEMPLATE)
    assert tools == TOOLS and messages[1].tool_calls and messages[2].role == "tool"


def test_template_without_tools_gets_them_written_in_the_glm4_way() -> None:
    messages, tools = fit_to_template(_conversation(), TOOLS, GLM_TEMPLATE)
    assert tools == []
    assert (
        messages[0].role == "system"
        and "# 可用工具" in messages[0].content
        and "## get_weather" in messages[0].content
    )
    assert (
        messages[2].content == 'get_weather\n{"city": "Paris"}' and messages[2].role == "assistant"
    )
    assert (
        messages[3].role == "user"
        and "get_weather" in messages[3].content
        and "18 C" in messages[3].content
    )
    assert {m.role for m in messages} <= {"system", "user", "assistant"}


def test_hermes_inline_keeps_the_system_prompt_and_groups_results() -> None:
    conversation = [
        ChatMessage("system", "Be brief."),
        *_conversation(),
        ChatMessage("tool", "rain later", tool_call_id="call_1"),
    ]
    messages = inline_tools(conversation, TOOLS, Dialect.HERMES)
    assert (
        messages[0].content.startswith("Be brief.\n\n# Tools") and "<tools>" in messages[0].content
    )
    assert messages[2].content.startswith("<tool_call>\n{") and messages[2].content.endswith(
        "</tool_call>"
    )
    assert messages[3].content.count("<tool_response>") == 2 and len(messages) == 4
