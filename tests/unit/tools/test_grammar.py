"""JSON schemas to GBNF: what llama.cpp accepts, what matches, and what is refused by name."""

from __future__ import annotations

import pytest

from autoglm.core.types import ToolSpec
from autoglm.tools.calls import Dialect
from autoglm.tools.grammar import (
    SchemaError,
    check_schema,
    json_object_grammar,
    schema_grammar,
    tool_call_grammar,
)

WEATHER = ToolSpec(
    "get_weather",
    "",
    {
        "type": "object",
        "properties": {"city": {"type": "string"}, "unit": {"enum": ["c", "f"]}},
        "required": ["city"],
    },
)


def _llama_accepts(grammar: str) -> bool:
    """Whether llama.cpp's own grammar parser takes ``grammar`` (no model needed)."""
    import llama_cpp

    from autoglm.tools.grammar import grammar_parses

    assert llama_cpp is not None
    return grammar_parses(grammar)


@pytest.mark.parametrize(
    "schema",
    [
        {
            "type": "object",
            "properties": {"name": {"type": "string"}, "age": {"type": "integer"}},
            "required": ["name", "age"],
            "additionalProperties": False,
        },
        {"type": "array", "items": {"type": "number"}, "minItems": 1, "maxItems": 3},
        {"anyOf": [{"type": "string", "format": "date"}, {"type": "null"}]},
        {
            "type": "object",
            "properties": {"next": {"$ref": "#/$defs/node"}},
            "$defs": {"node": {"type": "object", "properties": {"v": {"const": 1}}}},
        },
        {"type": "string", "pattern": "^[A-Z]{2}-[0-9]+$", "description": "a code"},
    ],
)
def test_expressible_schemas_become_grammars_llama_cpp_parses(schema: dict) -> None:
    grammar = schema_grammar(schema)
    assert grammar.startswith("root ::= ")
    assert _llama_accepts(grammar)


@pytest.mark.parametrize(
    ("schema", "path"),
    [
        (
            {"type": "object", "properties": {"age": {"type": "integer", "minimum": 0}}},
            "#/properties/age/minimum",
        ),
        ({"type": "array", "items": {"type": "string"}, "uniqueItems": True}, "#/uniqueItems"),
        ({"not": {"type": "null"}}, "#/not"),
        ({"type": "string", "format": "email"}, "#/format"),
        ({"type": "string", "pattern": "[a-z]+"}, "#/pattern"),
        ({"$ref": "https://example.com/schema.json"}, "#/$ref"),
        ({"type": "thing"}, "#/type"),
        ({"type": "object", "properties": {"x": False}}, "#/properties/x"),
    ],
)
def test_parts_a_grammar_cannot_enforce_are_refused_by_path(schema: dict, path: str) -> None:
    with pytest.raises(SchemaError) as caught:
        check_schema(schema)
    assert caught.value.path == path
    assert path.rsplit("/", 1)[-1] in str(caught.value) or "false" in str(caught.value)


def test_json_object_grammar_parses() -> None:
    assert _llama_accepts(json_object_grammar())


@pytest.mark.parametrize("dialect", list(Dialect))
def test_forced_call_grammars_parse_in_every_dialect(dialect: Dialect) -> None:
    grammar = tool_call_grammar([WEATHER, ToolSpec("now")], dialect, parallel=True)
    assert _llama_accepts(grammar)
    assert "get_weather" in grammar and "now" in grammar


def test_tool_schema_errors_name_the_tool() -> None:
    bad = ToolSpec(
        "f", "", {"type": "object", "properties": {"n": {"type": "integer", "maximum": 3}}}
    )
    with pytest.raises(SchemaError) as caught:
        tool_call_grammar([bad], Dialect.HERMES)
    assert (
        "'f'" in str(caught.value)
        and caught.value.path == "tools/f/parameters/properties/n/maximum"
    )
    with pytest.raises(SchemaError):
        tool_call_grammar([], Dialect.HERMES)


def test_broken_grammar_text_is_detected() -> None:
    assert not _llama_accepts('root ::= "a" undefined-rule')
