"""/v1/completions, /v1/embeddings and Anthropic's /v1/messages through the real SDKs on the starter model."""

from __future__ import annotations

import json

import anthropic
import openai
import pytest

WEATHER = {
    "name": "get_weather",
    "description": "Get the current weather in a city",
    "input_schema": {
        "type": "object",
        "properties": {"city": {"type": "string"}},
        "required": ["city"],
    },
}


@pytest.fixture(scope="module")
def client(api) -> openai.OpenAI:
    return openai.OpenAI(base_url=api.v1, api_key="EMPTY", max_retries=0, timeout=600)


@pytest.fixture(scope="module")
def claude(api) -> anthropic.Anthropic:
    return anthropic.Anthropic(base_url=api.url, api_key="EMPTY", max_retries=0, timeout=600)


def test_completions_of_a_raw_prompt(client: openai.OpenAI, api) -> None:
    reply = client.completions.create(
        model=api.model_id,
        prompt="def add(a, b):\n    return",
        max_tokens=4,
        temperature=0,
        logprobs=2,
    )
    choice = reply.choices[0]
    assert choice.text and choice.finish_reason in ("stop", "length")
    assert len(choice.logprobs.tokens) == reply.usage.completion_tokens
    streamed = "".join(
        c.choices[0].text
        for c in client.completions.create(
            model=api.model_id,
            prompt="def add(a, b):\n    return",
            max_tokens=4,
            temperature=0,
            stream=True,
        )
        if c.choices
    )
    assert streamed == choice.text
    with pytest.raises(openai.BadRequestError):
        client.completions.create(model=api.model_id, prompt="x", max_tokens=2, echo=True)
    with pytest.raises(openai.BadRequestError) as caught:
        client.completions.create(
            model=api.model_id, prompt="", max_tokens=2
        )  # nothing to sample from
    assert caught.value.body["param"] == "prompt"


def test_embeddings_are_unit_vectors_that_tell_texts_apart(client: openai.OpenAI, api) -> None:
    texts = [
        "The cat sat on the mat.",
        "A cat was sitting on a rug.",
        "Quarterly tax filing deadlines.",
    ]
    vectors = [
        d.embedding for d in client.embeddings.create(model=api.model_id, input=texts).data
    ]  # base64
    assert len(vectors) == 3 and len(vectors[0]) > 100

    def cosine(a: list[float], b: list[float]) -> float:
        return sum(x * y for x, y in zip(a, b))

    assert abs(cosine(vectors[0], vectors[0]) - 1) < 1e-3
    assert cosine(vectors[0], vectors[1]) > cosine(vectors[0], vectors[2])
    alone = client.embeddings.create(model=api.model_id, input=texts[0]).data[0].embedding  # base64
    floats = client.embeddings.create(
        model=api.model_id, input=texts[0], encoding_format="float"
    ).data[0]
    assert max(abs(x - y) for x, y in zip(floats.embedding, alone)) < 1e-6
    assert (
        max(abs(x - y) for x, y in zip(alone, vectors[0])) < 1e-2
    )  # batched with others: same up to rounding


def test_anthropic_messages_text_and_stream(claude: anthropic.Anthropic, api) -> None:
    message = claude.messages.create(
        model=api.model_id,
        max_tokens=8,
        system="Be brief.",
        messages=[{"role": "user", "content": "Say hello."}],
    )
    assert message.content[0].type == "text" and message.content[0].text
    assert message.stop_reason in ("end_turn", "max_tokens") and message.usage.output_tokens > 0
    with claude.messages.stream(
        model=api.model_id, max_tokens=8, messages=[{"role": "user", "content": "Say hello."}]
    ) as stream:
        text = "".join(stream.text_stream)
        final = stream.get_final_message()
    assert text and final.content[0].text == text


def test_anthropic_tool_use_round_trip(claude: anthropic.Anthropic, api) -> None:
    ask = [{"role": "user", "content": "What is the weather in Paris?"}]
    first = claude.messages.create(
        model=api.model_id,
        max_tokens=40,
        tools=[WEATHER],
        messages=ask,
        tool_choice={"type": "tool", "name": "get_weather"},
        extra_body={"temperature": 0},
    )
    (use,) = [block for block in first.content if block.type == "tool_use"]
    assert (
        first.stop_reason == "tool_use"
        and use.name == "get_weather"
        and isinstance(use.input["city"], str)
    )
    with claude.messages.stream(
        model=api.model_id,
        max_tokens=40,
        tools=[WEATHER],
        messages=ask,
        tool_choice={"type": "any"},
        extra_body={"temperature": 0},
    ) as stream:
        streamed = stream.get_final_message()
    assert [b.name for b in streamed.content if b.type == "tool_use"] == ["get_weather"]
    second = claude.messages.create(
        model=api.model_id,
        max_tokens=16,
        extra_body={"temperature": 0},
        messages=[
            *ask,
            {"role": "assistant", "content": first.content},
            {
                "role": "user",
                "content": [
                    {
                        "type": "tool_result",
                        "tool_use_id": use.id,
                        "content": "It is 31 degrees and sunny.",
                    }
                ],
            },
        ],
    )
    # the tool result is taken as Claude sends it; what the 0.5B starter makes of it varies (it often
    # repeats the call), so only the exchange itself is checked here
    assert second.content and second.stop_reason in ("end_turn", "max_tokens", "tool_use")
    assert second.usage.input_tokens > 0 and second.usage.output_tokens > 0


def test_responses_text_stream_and_function_call(client: openai.OpenAI, api) -> None:
    reply = client.responses.create(
        model=api.model_id, input="Say hello.", instructions="Be brief.", max_output_tokens=8
    )
    assert reply.output_text and reply.usage.output_tokens > 0
    with client.responses.stream(
        model=api.model_id, input="Say hello.", max_output_tokens=8
    ) as stream:
        deltas = "".join(e.delta for e in stream if e.type == "response.output_text.delta")
        final = stream.get_final_response()
    assert deltas and final.output_text == deltas
    tool = {
        "type": "function",
        "name": "get_weather",
        "description": "Get the current weather in a city",
        "parameters": {
            "type": "object",
            "properties": {"city": {"type": "string"}},
            "required": ["city"],
        },
    }
    called = client.responses.create(
        model=api.model_id,
        input="What is the weather in Paris?",
        tools=[tool],
        tool_choice="required",
        max_output_tokens=40,
        extra_body={"temperature": 0},
    )
    (call,) = [item for item in called.output if item.type == "function_call"]
    assert call.name == "get_weather" and isinstance(json.loads(call.arguments)["city"], str)
