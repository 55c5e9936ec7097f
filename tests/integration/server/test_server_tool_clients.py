"""Tools, structured output, logprobs and seeds through real clients, unchanged, on the real starter model."""

from __future__ import annotations

import json

import openai
import pytest
from pydantic import BaseModel

WEATHER = {
    "type": "function",
    "function": {
        "name": "get_weather",
        "description": "Get the current weather in a city",
        "parameters": {
            "type": "object",
            "properties": {"city": {"type": "string"}},
            "required": ["city"],
        },
    },
}
ASK = [{"role": "user", "content": "What is the weather in Paris?"}]


@pytest.fixture(scope="module")
def client(api) -> openai.OpenAI:
    return openai.OpenAI(base_url=api.v1, api_key="EMPTY", max_retries=0, timeout=600)


def test_openai_streams_a_forced_tool_call_with_json_arguments(client: openai.OpenAI, api) -> None:
    stream = client.chat.completions.create(
        model=api.model_id,
        messages=ASK,
        tools=[WEATHER],
        tool_choice="required",
        max_tokens=40,
        temperature=0,
        stream=True,
    )
    calls: dict[int, dict[str, str]] = {}
    finish = None
    for chunk in stream:
        choice = chunk.choices[0]
        for delta in choice.delta.tool_calls or []:
            entry = calls.setdefault(delta.index, {"name": "", "arguments": ""})
            entry["name"] += delta.function.name or ""
            entry["arguments"] += delta.function.arguments or ""
        finish = choice.finish_reason or finish
    assert finish == "tool_calls"
    assert calls[0]["name"] == "get_weather"
    assert isinstance(json.loads(calls[0]["arguments"])["city"], str)


def test_openai_tool_round_trip_uses_the_result(client: openai.OpenAI, api) -> None:
    first = client.chat.completions.create(
        model=api.model_id,
        messages=ASK,
        tools=[WEATHER],
        tool_choice={"type": "function", "function": {"name": "get_weather"}},
        max_tokens=40,
        temperature=0,
    )
    call = first.choices[0].message.tool_calls[0]
    assert first.choices[0].finish_reason == "tool_calls" and call.function.name == "get_weather"
    messages = [
        *ASK,
        first.choices[0].message.model_dump(exclude_none=True),
        {"role": "tool", "tool_call_id": call.id, "content": "It is 31 degrees and sunny."},
    ]
    second = client.chat.completions.create(
        model=api.model_id, messages=messages, tools=[WEATHER], max_tokens=16, temperature=0
    )
    # the tool message is taken as the SDK sends it; what the 0.5B starter makes of the result varies
    # (it often repeats the call), so the exchange itself is checked
    reply = second.choices[0]
    assert reply.finish_reason in ("stop", "length", "tool_calls")
    assert reply.message.content or reply.message.tool_calls
    assert second.usage.prompt_tokens > first.usage.prompt_tokens


def test_openai_json_schema_response_format(client: openai.OpenAI, api) -> None:
    schema = {
        "type": "object",
        "properties": {"name": {"type": "string"}, "age": {"type": "integer"}},
        "required": ["name", "age"],
        "additionalProperties": False,
    }
    reply = client.chat.completions.create(
        model=api.model_id,
        max_tokens=40,
        temperature=0,
        messages=[{"role": "user", "content": "Invent a person."}],
        response_format={
            "type": "json_schema",
            "json_schema": {"name": "person", "schema": schema, "strict": True},
        },
    )
    person = json.loads(reply.choices[0].message.content)
    assert set(person) == {"name", "age"} and isinstance(person["age"], int)
    with pytest.raises(openai.BadRequestError) as caught:
        client.chat.completions.create(
            model=api.model_id,
            max_tokens=4,
            messages=ASK,
            response_format={
                "type": "json_schema",
                "json_schema": {"name": "n", "schema": {"type": "number", "maximum": 3}},
            },
        )
    assert (
        caught.value.body["param"] == "response_format"
        and "maximum" in caught.value.body["message"]
    )


def test_openai_logprobs_and_seed(client: openai.OpenAI, api) -> None:
    reply = client.chat.completions.create(
        model=api.model_id, messages=ASK, max_tokens=5, temperature=0, logprobs=True, top_logprobs=3
    )
    tokens = reply.choices[0].logprobs.content
    assert len(tokens) == reply.usage.completion_tokens
    assert all(t.logprob <= 0 and len(t.top_logprobs) == 3 for t in tokens)
    assert "".join(t.token for t in tokens).strip() == reply.choices[0].message.content.strip()

    def sample(seed: int) -> str:
        return (
            client.chat.completions.create(
                model=api.model_id,
                messages=[{"role": "user", "content": "Write a haiku about rivers."}],
                max_tokens=16,
                temperature=1.0,
                seed=seed,
            )
            .choices[0]
            .message.content
        )

    first = sample(42)
    assert sample(42) == first
    assert any(sample(seed) != first for seed in (7, 8))


def test_openai_refuses_a_parameter_by_name(client: openai.OpenAI, api) -> None:
    with pytest.raises(openai.BadRequestError) as caught:
        client.chat.completions.create(model=api.model_id, messages=ASK, max_tokens=2, n=2)
    assert caught.value.body["param"] == "n"


def test_langchain_bind_tools_and_structured_output(api) -> None:
    from langchain_openai import ChatOpenAI

    chat_model = ChatOpenAI(
        model=api.model_id, base_url=api.v1, api_key="EMPTY", max_tokens=40, temperature=0
    )

    class Person(BaseModel):
        """A person."""

        name: str
        age: int

    person = chat_model.with_structured_output(Person).invoke("Invent a person.")
    assert isinstance(person, Person) and isinstance(person.age, int)
    message = chat_model.bind_tools([WEATHER], tool_choice="get_weather").invoke(
        "What is the weather in Paris?"
    )
    assert message.tool_calls and message.tool_calls[0]["name"] == "get_weather"
    assert isinstance(message.tool_calls[0]["args"]["city"], str)
