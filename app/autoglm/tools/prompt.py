"""Tools in the prompt: left to the chat template when it renders them, written here when it does not.

Qwen's template (the starter model) lays out ``tools``, assistant ``tool_calls`` and
``tool`` results itself, so the request goes to the engine unchanged. Templates without
tools (GLM-4.1V's, AutoGLM-Phone-9B's) get the tool list in the system message, earlier
calls written back in the model's own format and results as user turns, in the same
words the model family's own templates use.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Sequence
from typing import Any

from autoglm.core.chat_template import tool_dicts
from autoglm.core.types import ChatMessage, ToolCall, ToolSpec
from autoglm.tools.calls import (
    Dialect,
    arguments_object,
    dialect_for_template,
    template_renders_tools,
)

_LOGGER = logging.getLogger(__name__)

_HERMES_INTRO = (
    "# Tools\n\nYou may call one or more functions to assist with the user query.\n\n"
    "You are provided with function signatures within <tools></tools> XML tags:\n<tools>\n{tools}\n</tools>\n\n"
    "For each function call, return a json object with function name and arguments within "
    '<tool_call></tool_call> XML tags:\n<tool_call>\n{{"name": <function-name>, "arguments": '
    "<args-json-object>}}\n</tool_call>"
)
_GLM4_INTRO = "# 可用工具\n\n{tools}"
_GLM4_TOOL = "## {name}\n\n{schema}\n在调用上述函数时，请使用 Json 格式表示调用的参数。"


def tool_json(tool: ToolSpec) -> dict[str, Any]:
    """A tool in OpenAI's ``{"type": "function", "function": {...}}`` shape (what templates expect)."""
    return tool_dicts([tool])[0]


def tools_system_text(tools: Sequence[ToolSpec], dialect: Dialect) -> str:
    """The system-prompt section that tells the model which tools it has and how to call them."""
    if dialect is Dialect.GLM4:
        sections = [
            _GLM4_TOOL.format(
                name=tool.name,
                schema=json.dumps(tool_json(tool)["function"], ensure_ascii=False, indent=4),
            )
            for tool in tools
        ]
        return _GLM4_INTRO.format(tools="\n\n".join(sections))
    lines = "\n".join(json.dumps(tool_json(tool), ensure_ascii=False) for tool in tools)
    return _HERMES_INTRO.format(tools=lines)


def call_text(call: ToolCall, dialect: Dialect) -> str:
    """An earlier call written back the way the model writes one."""
    arguments = arguments_object(call.arguments)
    if dialect is Dialect.GLM4:
        return f"{call.name}\n{json.dumps(arguments, ensure_ascii=False)}"
    if dialect is Dialect.GLM45:
        pairs = "".join(
            f"<arg_key>{key}</arg_key>\n<arg_value>"
            f"{value if isinstance(value, str) else json.dumps(value, ensure_ascii=False)}</arg_value>\n"
            for key, value in arguments.items()
        )
        return f"<tool_call>{call.name}\n{pairs}</tool_call>"
    body = json.dumps({"name": call.name, "arguments": arguments}, ensure_ascii=False)
    return f"<tool_call>\n{body}\n</tool_call>"


def _result_text(message: ChatMessage, dialect: Dialect, names: dict[str, str]) -> str:
    if dialect is Dialect.GLM4:
        name = message.name or names.get(message.tool_call_id, "")
        return (
            f"工具 {name} 的结果：\n{message.content}"
            if name
            else f"工具的结果：\n{message.content}"
        )
    return f"<tool_response>\n{message.content}\n</tool_response>"


def inline_tools(
    messages: Sequence[ChatMessage], tools: Sequence[ToolSpec], dialect: Dialect
) -> list[ChatMessage]:
    """The conversation with tools, calls and results written as plain system, user and assistant text."""
    names = {call.id: call.name for m in messages for call in m.tool_calls}
    out: list[ChatMessage] = []
    for message in messages:
        if message.role == "tool":
            text = _result_text(message, dialect, names)
            if (
                out
                and out[-1].role == "user"
                and out[-1].content.endswith("</tool_response>")
                and dialect is not Dialect.GLM4
            ):
                out[-1] = ChatMessage("user", f"{out[-1].content}\n{text}", out[-1].images)
            else:
                out.append(ChatMessage("user", text, list(message.images)))
        elif message.role == "assistant" and message.tool_calls:
            parts = [message.content] if message.content else []
            parts += [call_text(call, dialect) for call in message.tool_calls]
            out.append(ChatMessage("assistant", "\n".join(parts), list(message.images)))
        else:
            out.append(ChatMessage(message.role, message.content, list(message.images)))
    if tools:
        section = tools_system_text(tools, dialect)
        if out and out[0].role == "system":
            out[0] = ChatMessage(
                "system",
                f"{out[0].content}\n\n{section}" if out[0].content else section,
                out[0].images,
            )
        else:
            out.insert(0, ChatMessage("system", section))
    return out


def fit_to_template(
    messages: Sequence[ChatMessage], tools: Sequence[ToolSpec], template_source: str
) -> tuple[list[ChatMessage], list[ToolSpec]]:
    """``(messages, tools)`` for an engine whose chat template is ``template_source``.

    Unchanged when the template renders tools itself; otherwise the tools are written
    into the messages and the returned tool list is empty.
    """
    uses_tools = bool(tools) or any(m.role == "tool" or m.tool_calls for m in messages)
    if not uses_tools or template_renders_tools(template_source):
        return list(messages), list(tools)
    return inline_tools(messages, tools, dialect_for_template(template_source)), []
