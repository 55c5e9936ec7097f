"""The starter model's own chat template lays out tools, calls and results (real GGUF template)."""

from __future__ import annotations

from autoglm.core.types import ChatMessage, ToolCall, ToolSpec
from autoglm.tools.calls import Dialect, dialect_for_template, template_renders_tools
from autoglm.tools.prompt import fit_to_template

WEATHER = ToolSpec(
    "get_weather",
    "Weather in a city <metric>",
    {"type": "object", "properties": {"city": {"type": "string"}}, "required": ["city"]},
)


def test_starter_template_renders_tools_calls_and_results(llama_engine) -> None:
    source = llama_engine.info.chat_template
    assert template_renders_tools(source) and dialect_for_template(source) is Dialect.HERMES
    call = ToolCall("call_1", "get_weather", '{"city": "Paris"}')
    conversation = [
        ChatMessage("user", "Weather in Paris?"),
        ChatMessage("assistant", "", tool_calls=[call]),
        ChatMessage("tool", "18 C", tool_call_id="call_1"),
    ]
    messages, tools = fit_to_template(conversation, [WEATHER], source)
    text = llama_engine.render(messages, thinking=False, tools=tools).text
    assert "<tools>" in text and '"name": "get_weather"' in text
    assert "<metric>" in text  # tojson writes plain JSON, not HTML-escaped \u003c
    assert (
        '<tool_call>\n{"name": "get_weather", "arguments": {"city": "Paris"}}\n</tool_call>' in text
    )
    assert "<tool_response>\n18 C\n</tool_response>" in text
    assert text.endswith("<|im_start|>assistant\n")
    assert llama_engine.count_tokens(messages, False, tools) > llama_engine.count_tokens(
        messages, False
    )
