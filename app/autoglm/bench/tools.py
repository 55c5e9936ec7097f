"""``autoglm bench tools``: how often the model makes a valid tool call, free vs grammar-constrained.

Each prompt asks for something one of three tools does. The model answers twice on the
same engine, alternating: once free (the tools are in its prompt, nothing else), once
with the grammar a forced call uses. A call is valid when it names an offered tool and
its arguments are a JSON object matching that tool's schema. The peer of the constrained
run is the free run in the same process, so the per-token cost of the grammar is the
ratio of the two decode times, whatever else the machine is doing.
"""

from __future__ import annotations

import argparse
import json
import statistics
import threading
import time
from pathlib import Path
from typing import Any

from autoglm.bench.report import print_table, write_json
from autoglm.core.types import ChatMessage, GenerationRequest, SamplingParams, ToolSpec
from autoglm.tools.calls import dialect_for_template, parse_tool_calls
from autoglm.tools.grammar import tool_call_grammar
from autoglm.tools.prompt import fit_to_template

TOOLS = [
    ToolSpec(
        "get_weather",
        "Get the current weather in a city",
        {
            "type": "object",
            "properties": {"city": {"type": "string"}, "unit": {"enum": ["celsius", "fahrenheit"]}},
            "required": ["city"],
        },
    ),
    ToolSpec(
        "calculate",
        "Evaluate an arithmetic expression",
        {
            "type": "object",
            "properties": {"expression": {"type": "string"}},
            "required": ["expression"],
        },
    ),
    ToolSpec(
        "send_email",
        "Send an email",
        {
            "type": "object",
            "properties": {
                "to": {"type": "string"},
                "subject": {"type": "string"},
                "body": {"type": "string"},
            },
            "required": ["to", "subject", "body"],
        },
    ),
]
PROMPTS = [
    "What's the weather like in Paris right now?",
    "Is it raining in Tokyo? Use fahrenheit.",
    "What is 17 times 23?",
    "Compute (128 + 256) / 3 for me.",
    "Email bob@example.com that the meeting moved to 3pm.",
    "Send alice@example.com an email with the subject 'Lunch' asking if she is free on Friday.",
    "北京今天天气怎么样？",
    "How much is 2 to the power of 10?",
]
_JSON_TYPES: dict[str, tuple[type, ...]] = {
    "string": (str,),
    "integer": (int,),
    "number": (int, float),
    "boolean": (bool,),
    "object": (dict,),
    "array": (list,),
}


def register(subparsers: Any) -> None:
    """Add ``bench tools``."""
    parser = subparsers.add_parser(
        "tools", help="Valid tool calls free vs grammar-constrained, and the grammar's cost"
    )
    parser.add_argument(
        "--model", default=None, help="Catalog id or .gguf path (default: the starter model)"
    )
    parser.add_argument("--json", type=Path, help="Write the figures to this JSON file")
    parser.add_argument(
        "--prompts", type=int, default=len(PROMPTS), help="How many of the prompts to run"
    )
    parser.add_argument("--max-tokens", type=int, default=64, help="Tokens per answer")
    parser.add_argument(
        "--threads", type=int, default=None, help="CPU threads (default: physical cores)"
    )
    parser.set_defaults(handler=run)


def _matches(value: Any, schema: dict[str, Any]) -> bool:
    """Whether ``value`` fits the parts of ``schema`` these tools use (type, enum, required, properties)."""
    if "enum" in schema and value not in schema["enum"]:
        return False
    kind = schema.get("type")
    if kind in _JSON_TYPES and (
        not isinstance(value, _JSON_TYPES[kind])
        or (kind in ("integer", "number") and isinstance(value, bool))
    ):
        return False
    if isinstance(value, dict):
        properties = schema.get("properties") or {}
        if any(name not in value for name in schema.get("required") or []):
            return False
        if (
            any(name not in properties for name in value)
            and schema.get("additionalProperties") is False
        ):
            return False
        return all(
            _matches(item, properties[name]) for name, item in value.items() if name in properties
        )
    return True


def valid_call(text: str, template: str) -> tuple[bool, str]:
    """Whether ``text`` holds a call to one of the tools with arguments that fit its schema; the tool's name."""
    parsed = parse_tool_calls(text, dialect_for_template(template), TOOLS)
    if not parsed.calls:
        return False, ""
    call = parsed.calls[0]
    spec = next(tool for tool in TOOLS if tool.name == call.name)
    return _matches(json.loads(call.arguments), spec.parameters), call.name


def _answer(engine: Any, prompt: str, grammar: str | None, max_tokens: int) -> dict[str, Any]:
    template = engine.info.chat_template
    messages, tools = fit_to_template([ChatMessage("user", prompt)], TOOLS, template)
    request = GenerationRequest(
        messages,
        SamplingParams(temperature=0.0, max_tokens=max_tokens, grammar=grammar),
        thinking=False,
        tools=tools,
    )
    started = time.perf_counter()
    completion = engine.generate(request, lambda event: None, threading.Event())
    elapsed = time.perf_counter() - started
    valid, name = valid_call(completion.content, template)
    tokens = max(1, completion.usage.completion_tokens)
    return {
        "valid": valid,
        "tool": name,
        "tokens": completion.usage.completion_tokens,
        "total_s": elapsed,
        "ms_per_token": 1000 * completion.timings.decode_s / tokens,
        "text": completion.content,
    }


def run(args: argparse.Namespace) -> int:
    """Run the benchmark, print the table, write JSON."""
    from autoglm.bench.text import _engine

    engine = _engine(args)
    engine.load()
    dialect = dialect_for_template(engine.info.chat_template)
    grammar = tool_call_grammar(TOOLS, dialect)
    engine.generate(
        GenerationRequest([ChatMessage("user", "Hi")], SamplingParams(max_tokens=4)),
        lambda event: None,
        threading.Event(),
    )  # warm-up
    free: list[dict[str, Any]] = []
    constrained: list[dict[str, Any]] = []
    for index, prompt in enumerate(PROMPTS[: max(1, args.prompts)]):
        runs = [("free", None), ("constrained", grammar)]
        for mode, constraint in (
            runs if index % 2 == 0 else runs[::-1]
        ):  # alternate which goes first
            (free if mode == "free" else constrained).append(
                _answer(engine, prompt, constraint, args.max_tokens)
            )
    engine.unload()

    def rate(results: list[dict[str, Any]]) -> float:
        return sum(r["valid"] for r in results) / len(results)

    free_ms = statistics.median(r["ms_per_token"] for r in free)
    constrained_ms = statistics.median(r["ms_per_token"] for r in constrained)
    figures = {
        "model": engine.info.model_id,
        "dialect": dialect.value,
        "prompts": len(free),
        "valid_calls_free": rate(free),
        "valid_calls_constrained": rate(constrained),
        "ms_per_token_free": free_ms,
        "ms_per_token_constrained": constrained_ms,
        "grammar_cost_ratio": constrained_ms / free_ms if free_ms else 0.0,
        "grammar_added_ms_per_token": constrained_ms - free_ms,
        "median_call_s_free": statistics.median(r["total_s"] for r in free),
        "median_call_s_constrained": statistics.median(r["total_s"] for r in constrained),
        "free": free,
        "constrained": constrained,
    }
    print_table(
        f"autoglm bench tools — {figures['model']}",
        [(k, v) for k, v in figures.items() if not isinstance(v, list)],
    )
    write_json(args.json, figures)
    return 0
