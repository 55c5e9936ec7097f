"""JSON schemas to llama.cpp grammars (GBNF), so a strict schema or a forced call cannot come out wrong.

The conversion itself is llama-cpp-python's (``llama_cpp.llama_grammar``, a port of
llama.cpp's ``json-schema-to-grammar``). It silently drops what it cannot express —
number ranges, ``not``, ``uniqueItems`` and the like — so every schema is checked first
and a part the grammar would not enforce is refused with a ``SchemaError`` naming its
path, instead of producing output that only looks valid.
"""

from __future__ import annotations

import json
import logging
import re
from collections.abc import Sequence
from typing import Any

from autoglm.core.errors import InputError
from autoglm.core.types import ToolSpec
from autoglm.tools.calls import Dialect

_LOGGER = logging.getLogger(__name__)

# Keywords that only describe (never constrain) a value: accepted and ignored.
_ANNOTATIONS = {
    "title",
    "description",
    "default",
    "examples",
    "example",
    "$schema",
    "$id",
    "$comment",
    "deprecated",
    "readOnly",
    "writeOnly",
    "nullable",
    "strict",
}
# Keywords the converter turns into grammar rules.
_ENFORCED = {
    "type",
    "properties",
    "required",
    "additionalProperties",
    "items",
    "prefixItems",
    "minItems",
    "maxItems",
    "enum",
    "const",
    "anyOf",
    "oneOf",
    "allOf",
    "$ref",
    "$defs",
    "definitions",
    "pattern",
    "format",
    "minLength",
    "maxLength",
}
_FORMATS = {"date", "time", "date-time", "uuid", "uuid1", "uuid2", "uuid3", "uuid4", "uuid5"}
_TYPES = {"string", "number", "integer", "boolean", "object", "array", "null"}
_SCHEMA_MAPS = ("properties", "$defs", "definitions")
_SCHEMA_LISTS = ("anyOf", "oneOf", "allOf", "prefixItems")
_MAX_DEPTH = 32


class SchemaError(InputError):
    """A JSON schema a grammar cannot enforce; ``path`` says which part (``#/properties/age/minimum``)."""

    def __init__(self, message: str, path: str = "#"):
        super().__init__(message)
        self.path = path


def _check(schema: Any, path: str, depth: int = 0) -> None:
    if depth > _MAX_DEPTH:
        raise SchemaError(
            f"The schema is nested more than {_MAX_DEPTH} levels deep at {path}.", path
        )
    if isinstance(schema, bool):
        if schema is False:
            raise SchemaError(
                f"The schema at {path} is 'false' (nothing matches), which no grammar can produce.",
                path,
            )
        return
    if not isinstance(schema, dict):
        raise SchemaError(
            f"The schema at {path} must be an object, not {type(schema).__name__}.", path
        )
    for key in schema:
        if key not in _ENFORCED and key not in _ANNOTATIONS:
            raise SchemaError(
                f"'{key}' at {path} cannot be enforced by the grammar; "
                f"remove it or check the value yourself.",
                f"{path}/{key}",
            )
    kind = schema.get("type")
    kinds = kind if isinstance(kind, list) else [kind] if kind is not None else []
    for item in kinds:
        if item not in _TYPES:
            raise SchemaError(
                f"'type' at {path} is {item!r}, which is not a JSON schema type.", f"{path}/type"
            )
    if "format" in schema and schema["format"] not in _FORMATS:
        raise SchemaError(
            f"'format': {schema['format']!r} at {path} cannot be enforced by the grammar "
            f"(only {', '.join(sorted(_FORMATS))}).",
            f"{path}/format",
        )
    if "pattern" in schema:
        pattern = schema["pattern"]
        if not isinstance(pattern, str) or not pattern.startswith("^") or not pattern.endswith("$"):
            raise SchemaError(
                f"'pattern' at {path} must be anchored with ^ and $ for the grammar to enforce it.",
                f"{path}/pattern",
            )
        try:
            re.compile(pattern)
        except re.error as exc:
            raise SchemaError(
                f"'pattern' at {path} is not a valid regular expression: {exc}.", f"{path}/pattern"
            ) from exc
    ref = schema.get("$ref")
    if ref is not None and (not isinstance(ref, str) or not ref.startswith("#/")):
        raise SchemaError(
            f"'$ref' at {path} must point inside the schema ('#/…'); {ref!r} is not fetched.",
            f"{path}/$ref",
        )
    if "allOf" in schema and kind not in (None, "object"):
        raise SchemaError(f"'allOf' at {path} is only enforced for objects.", f"{path}/allOf")
    if "additionalProperties" in schema and not isinstance(schema["additionalProperties"], bool):
        _check(schema["additionalProperties"], f"{path}/additionalProperties", depth + 1)
    items = schema.get("items")
    if isinstance(items, list):
        for index, item in enumerate(items):
            _check(item, f"{path}/items/{index}", depth + 1)
    elif items is not None:
        _check(items, f"{path}/items", depth + 1)
    for key in _SCHEMA_MAPS:
        children = schema.get(key)
        if children is None:
            continue
        if not isinstance(children, dict):
            raise SchemaError(f"'{key}' at {path} must be an object.", f"{path}/{key}")
        for name, child in children.items():
            _check(child, f"{path}/{key}/{name}", depth + 1)
    for key in _SCHEMA_LISTS:
        children = schema.get(key)
        if children is None:
            continue
        if not isinstance(children, list) or not children:
            raise SchemaError(f"'{key}' at {path} must be a non-empty list.", f"{path}/{key}")
        for index, child in enumerate(children):
            _check(child, f"{path}/{key}/{index}", depth + 1)
    for key in ("minItems", "maxItems", "minLength", "maxLength"):
        if key in schema and (
            not isinstance(schema[key], int) or isinstance(schema[key], bool) or schema[key] < 0
        ):
            raise SchemaError(f"'{key}' at {path} must be a non-negative integer.", f"{path}/{key}")
    if "required" in schema and not (
        isinstance(schema["required"], list) and all(isinstance(r, str) for r in schema["required"])
    ):
        raise SchemaError(
            f"'required' at {path} must be a list of property names.", f"{path}/required"
        )
    if "enum" in schema and not (isinstance(schema["enum"], list) and schema["enum"]):
        raise SchemaError(f"'enum' at {path} must be a non-empty list.", f"{path}/enum")


def check_schema(schema: Any) -> None:
    """Raise ``SchemaError`` for the first part of ``schema`` a grammar cannot enforce."""
    _check(schema, "#")


class _Converter:
    """llama-cpp-python's converter, one instance per grammar so rule names never clash."""

    def __init__(self) -> None:
        from llama_cpp.llama_grammar import SchemaConverter

        self._converter = SchemaConverter(
            prop_order={}, allow_fetch=False, dotall=False, raw_pattern=False
        )

    def rule(self, schema: Any, name: str) -> str:
        """Add the rules for ``schema`` and return the name of the one that matches it."""
        check_schema(schema)
        schema = json.loads(json.dumps(schema))  # the converter rewrites $ref in place
        try:
            resolved = self._converter.resolve_refs(schema, name)
            return self._converter.visit(resolved, name)
        except (AssertionError, ValueError, KeyError, TypeError, RecursionError) as exc:
            raise SchemaError(f"The schema cannot be made into a grammar: {exc}.") from exc

    def literal(self, text: str) -> str:
        """``text`` as a GBNF string literal."""
        return self._converter._format_literal(text)  # noqa: SLF001 - the converter's own escaping

    def add(self, name: str, body: str) -> str:
        """Add a rule written by hand."""
        return self._converter._add_rule(name, body)  # noqa: SLF001

    def grammar(self, root: str) -> str:
        """The whole grammar, ``root`` first."""
        rules = self._converter.format_grammar()
        return f"root ::= {root}\n{rules}\n"


def schema_grammar(schema: Any) -> str:
    """GBNF for one JSON value matching ``schema`` (``response_format: json_schema``)."""
    converter = _Converter()
    return converter.grammar(converter.rule(schema, "value"))


def json_object_grammar() -> str:
    """GBNF for any JSON object (``response_format: json_object``)."""
    return schema_grammar({"type": "object"})


def _parameters(tool: ToolSpec) -> dict[str, Any]:
    parameters = tool.parameters or {"type": "object", "properties": {}}
    if parameters.get("type", "object") != "object":
        raise SchemaError(
            f"The parameters of '{tool.name}' must be an object schema.",
            f"tools/{tool.name}/parameters",
        )
    return parameters


def _tool_error(tool: ToolSpec, exc: SchemaError) -> SchemaError:
    return SchemaError(
        f"Tool '{tool.name}': {exc}", f"tools/{tool.name}/parameters{exc.path.lstrip('#')}"
    )


def _call_rule(converter: _Converter, tool: ToolSpec, index: int, dialect: Dialect) -> str:
    try:
        parameters = _parameters(tool)
        check_schema(parameters)
        if dialect is Dialect.HERMES:
            schema = {
                "type": "object",
                "properties": {"name": {"const": tool.name}, "arguments": parameters},
                "required": ["name", "arguments"],
                "additionalProperties": False,
            }
            call = converter.rule(schema, f"call{index}")
            return converter.add(f"block{index}", f'"<tool_call>\\n" {call} "\\n</tool_call>"')
        if dialect is Dialect.GLM45:
            return converter.add(f"block{index}", _glm45_rule(converter, tool, index))
        arguments = converter.rule(parameters, f"args{index}")
        return converter.add(
            f"block{index}", f"{converter.literal(tool.name + chr(10))} {arguments}"
        )
    except SchemaError as exc:
        raise _tool_error(tool, exc) from exc


def _glm45_rule(converter: _Converter, tool: ToolSpec, index: int) -> str:
    """``<tool_call>name`` then one ``<arg_key>``/``<arg_value>`` pair per argument, required ones first."""
    parameters = _parameters(tool)
    properties: dict[str, Any] = parameters.get("properties") or {}
    required = [name for name in properties if name in set(parameters.get("required") or [])]
    optional = [name for name in properties if name not in required]
    text = converter.add("glm-text", "[^<]*")
    pairs: dict[str, str] = {}
    for number, (name, schema) in enumerate(properties.items()):
        value = (
            text
            if isinstance(schema, dict)
            and schema.get("type") == "string"
            and not (set(schema) & {"enum", "const", "pattern", "format", "minLength", "maxLength"})
            else converter.rule(schema, f"args{index}-{number}")
        )
        key = converter.literal(f"<arg_key>{name}</arg_key>\n<arg_value>")
        pairs[name] = converter.add(f"pair{index}-{number}", f'{key} {value} "</arg_value>\\n"')
    body = " ".join(pairs[name] for name in required)
    body += "".join(f" {pairs[name]}?" for name in optional)
    return f'{converter.literal("<tool_call>" + tool.name + chr(10))} {body} "</tool_call>"'


def tool_call_grammar(
    tools: Sequence[ToolSpec], dialect: Dialect, *, parallel: bool = False
) -> str:
    """GBNF for a reply that is only calls to ``tools``, in the model's own format.

    One call, or with ``parallel`` (``hermes`` and ``glm45`` only) one or more, each
    block's arguments matching its tool's parameter schema.
    """
    if not tools:
        raise SchemaError(
            "A tool call can only be forced when 'tools' lists at least one function.", "tools"
        )
    converter = _Converter()
    blocks = [_call_rule(converter, tool, index, dialect) for index, tool in enumerate(tools)]
    block = converter.add("block", " | ".join(blocks))
    if parallel and dialect is not Dialect.GLM4:
        return converter.grammar(f'{block} ("\\n" {block})*')
    return converter.grammar(block)


def grammar_parses(grammar: str) -> bool:
    """Whether llama.cpp's own parser accepts ``grammar`` (undefined rules, left recursion and typos fail)."""
    import llama_cpp

    sampler = llama_cpp.llama_sampler_init_grammar(None, grammar.encode("utf-8"), b"root")
    if not sampler:
        return False
    llama_cpp.llama_sampler_free(sampler)
    return True
