"""The model's own tool-call formats: which one a model writes, and reading calls out of its text.

Models are trained to call tools in one format and no other, so the format follows the
chat template:

* ``hermes`` — Qwen 2.5 (the starter model) and Hermes-style templates:
  ``<tool_call>\\n{"name": "f", "arguments": {...}}\\n</tool_call>``, one block per call.
* ``glm45`` — GLM-4.5 and later: ``<tool_call>f\\n<arg_key>k</arg_key>\\n<arg_value>v</arg_value>\\n</tool_call>``
  (string values written raw, others as JSON).
* ``glm4`` — GLM-4 (``[gMASK]``/``<|observation|>`` templates, AutoGLM-Phone-9B's family):
  the reply starts with the function name on its own line, then the JSON arguments.

Small models also answer a forced call with the bare JSON object, sometimes in a code
fence; that is read as a call too when it names a known tool. Text that does not parse
stays ordinary content, so a malformed call is shown rather than lost.
"""

from __future__ import annotations

import enum
import json
import logging
import re
import uuid
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

from autoglm.core.types import ToolCall, ToolSpec

_LOGGER = logging.getLogger(__name__)

CALL_OPEN, CALL_CLOSE = "<tool_call>", "</tool_call>"
_HERMES_BLOCK = re.compile(r"<tool_call>\s*(.*?)\s*(?:</tool_call>|$)", re.DOTALL)
_GLM45_ARG = re.compile(r"<arg_key>(.*?)</arg_key>\s*<arg_value>(.*?)</arg_value>", re.DOTALL)
_FENCE = re.compile(r"^```[a-zA-Z0-9_-]*\s*\n?(.*?)\n?```$", re.DOTALL)


class Dialect(str, enum.Enum):
    """How a model family writes a tool call."""

    HERMES = "hermes"
    GLM45 = "glm45"
    GLM4 = "glm4"


def dialect_for_template(template_source: str) -> Dialect:
    """The tool-call format a model with this chat template was trained to write."""
    source = template_source or ""
    if "<arg_key>" in source:
        return Dialect.GLM45
    if "[gMASK]" in source or "<|observation|>" in source:
        return Dialect.GLM4
    return Dialect.HERMES


def template_renders_tools(template_source: str) -> bool:
    """Whether the chat template itself lays out a ``tools`` list (else the prompt is written here)."""
    return bool(re.search(r"\btools\b", template_source or ""))


def new_call_id() -> str:
    """An id in OpenAI's ``call_…`` shape."""
    return f"call_{uuid.uuid4().hex[:24]}"


def arguments_object(arguments: str) -> dict[str, Any]:
    """The argument object of a call's JSON text (``{}`` when it is not an object)."""
    try:
        value = json.loads(arguments) if arguments else {}
    except json.JSONDecodeError:
        return {}
    return value if isinstance(value, dict) else {}


@dataclass
class ParsedReply:
    """A finished reply split into visible text and the tool calls in it."""

    content: str
    calls: list[ToolCall] = field(default_factory=list)


def _call(name: Any, arguments: Any, names: set[str] | None) -> ToolCall | None:
    """A ``ToolCall`` if ``name`` is a tool's name and ``arguments`` an object (or its JSON text)."""
    if not isinstance(name, str) or not name or (names is not None and name not in names):
        return None
    if isinstance(arguments, str):
        try:
            arguments = json.loads(arguments) if arguments.strip() else {}
        except json.JSONDecodeError:
            return None
    if arguments is None:
        arguments = {}
    if not isinstance(arguments, dict):
        return None
    return ToolCall(new_call_id(), name, json.dumps(arguments, ensure_ascii=False))


def _json_call(text: str, names: set[str] | None) -> ToolCall | None:
    """A call written as ``{"name": ..., "arguments": ...}`` (``parameters`` is accepted too)."""
    try:
        value = json.loads(text)
    except json.JSONDecodeError:
        return None
    if not isinstance(value, dict):
        return None
    if isinstance(value.get("function"), dict):  # {"type": "function", "function": {...}}
        value = value["function"]
    arguments = value.get("arguments", value.get("parameters", {}))
    return _call(value.get("name"), arguments, names)


def _glm45_call(body: str, tools: dict[str, ToolSpec]) -> ToolCall | None:
    name, _, rest = body.partition("<arg_key>")
    name = name.strip()
    spec = tools.get(name)
    if spec is None:
        return None
    properties = (spec.parameters or {}).get("properties") or {}
    arguments: dict[str, Any] = {}
    for key, raw in _GLM45_ARG.findall("<arg_key>" + rest if rest else ""):
        key, raw = key.strip(), raw.strip()
        if (properties.get(key) or {}).get("type") == "string":
            arguments[key] = raw
            continue
        try:
            arguments[key] = json.loads(raw)
        except json.JSONDecodeError:
            arguments[key] = raw
    return ToolCall(new_call_id(), name, json.dumps(arguments, ensure_ascii=False))


def _glm4_call(text: str, names: set[str]) -> ToolCall | None:
    first, newline, rest = text.strip().partition("\n")
    if not newline or first.strip() not in names:
        return None
    return _call(first.strip(), rest.strip() or "{}", names)


def _bare_call(text: str, names: set[str]) -> ToolCall | None:
    """The whole reply as one JSON call, perhaps in a code fence."""
    stripped = text.strip()
    fenced = _FENCE.match(stripped)
    if fenced:
        stripped = fenced.group(1).strip()
    if not stripped.startswith("{"):
        return None
    return _json_call(stripped, names)


def parse_tool_calls(text: str, dialect: Dialect, tools: Sequence[ToolSpec]) -> ParsedReply:
    """Split a reply into content and calls to ``tools`` (calls to unknown tools stay content)."""
    by_name = {tool.name: tool for tool in tools}
    names = set(by_name)
    if not names:
        return ParsedReply(text)
    if CALL_OPEN in text:
        calls: list[ToolCall] = []
        kept: list[str] = []
        position = 0
        for match in _HERMES_BLOCK.finditer(text):
            body = match.group(1)
            call = (
                _json_call(body, names)
                if body.lstrip().startswith("{")
                else _glm45_call(body, by_name)
            )
            if call is None:
                continue
            kept.append(text[position : match.start()])
            position = match.end()
            calls.append(call)
        kept.append(text[position:])
        if calls:
            return ParsedReply("".join(kept).strip(), calls)
        return ParsedReply(text)
    call = (_glm4_call(text, names) if dialect is Dialect.GLM4 else None) or _bare_call(text, names)
    if call is not None:
        return ParsedReply("", [call])
    return ParsedReply(text)


def _partial_suffix(text: str, marker: str) -> int:
    """Length of the longest tail of ``text`` that is a proper prefix of ``marker``."""
    for length in range(min(len(marker) - 1, len(text)), 0, -1):
        if text.endswith(marker[:length]):
            return length
    return 0


@dataclass
class StreamPiece:
    """What the stream parser releases: text to show now, and calls completed so far."""

    content: str = ""
    calls: list[ToolCall] = field(default_factory=list)


class ToolCallStream:
    """Reads calls out of a streamed reply: visible text as soon as it cannot be a call.

    Text before a ``<tool_call>`` is released at once (a possible start of the tag is held
    back); a block is released as a call when its closing tag arrives. A reply that starts
    like a bare JSON call, or (``glm4``) with a tool's name on its own line, is held until
    the end and then parsed whole.
    """

    def __init__(self, dialect: Dialect, tools: Iterable[ToolSpec]):
        self.dialect = dialect
        self._tools = list(tools)
        self._names = {tool.name for tool in self._tools}
        self._buffer = ""
        self._started = False
        self._hold_all = False
        self._in_call = False
        self.calls: list[ToolCall] = []

    def _parse_block(self, block: str) -> list[ToolCall]:
        return parse_tool_calls(block, self.dialect, self._tools).calls

    def _decide_start(self) -> bool:
        """At the start of the reply, decide whether it is held whole; ``False`` while it cannot be told yet."""
        stripped = self._buffer.lstrip()
        if not stripped:
            return False
        if stripped[0] in "{`":
            self._hold_all = True
        elif self.dialect is Dialect.GLM4:
            if "\n" not in stripped:
                first = stripped
                if any(name.startswith(first) for name in self._names):
                    return False  # could still be a tool's name: wait for the line to end
            elif stripped.split("\n", 1)[0].strip() in self._names:
                self._hold_all = True
        self._started = True
        return True

    def feed(self, text: str) -> StreamPiece:
        """More of the reply; returns what can be released now."""
        self._buffer += text
        if not self._names:
            out, self._buffer = self._buffer, ""
            return StreamPiece(out)
        if not self._started and not self._decide_start():
            return StreamPiece()
        if self._hold_all:
            return StreamPiece()
        piece = StreamPiece()
        while True:
            if self._in_call:
                end = self._buffer.find(CALL_CLOSE)
                if end < 0:
                    return piece
                block = self._buffer[: end + len(CALL_CLOSE)]
                self._buffer = self._buffer[end + len(CALL_CLOSE) :]
                self._in_call = False
                calls = self._parse_block(block)
                if calls:
                    piece.calls.extend(calls)
                    self.calls.extend(calls)
                else:
                    piece.content += block
                continue
            start = self._buffer.find(CALL_OPEN)
            if start >= 0:
                piece.content += self._buffer[:start]
                self._buffer = self._buffer[start:]
                self._in_call = True
                continue
            keep = _partial_suffix(self._buffer, CALL_OPEN)
            piece.content += self._buffer[: len(self._buffer) - keep]
            self._buffer = self._buffer[len(self._buffer) - keep :]
            return piece

    def flush(self) -> StreamPiece:
        """The end of the reply: whatever was held, as content or as calls."""
        rest, self._buffer = self._buffer, ""
        if not rest:
            return StreamPiece()
        parsed = (
            parse_tool_calls(rest, self.dialect, self._tools) if self._names else ParsedReply(rest)
        )
        self.calls.extend(parsed.calls)
        content = parsed.content
        if parsed.calls and self._hold_all:
            content = ""
        return StreamPiece(content, parsed.calls)
