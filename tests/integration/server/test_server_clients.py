"""`autoglm serve` in its own process, driven by the official openai SDK and LangChain, unchanged."""

from __future__ import annotations

import base64
import io
import subprocess
import sys

import openai
import pytest
from PIL import Image

STARTER = "qwen2.5-coder-0.5b"


@pytest.fixture(scope="module")
def client(serve_url: str) -> openai.OpenAI:
    """The openai SDK pointed at the served API, as the model's guide configures it."""
    return openai.OpenAI(base_url=f"{serve_url}/v1", api_key="EMPTY", max_retries=0, timeout=120)


def test_models_lists_the_loaded_catalog_id(client: openai.OpenAI) -> None:
    ids = [model.id for model in client.models.list()]
    assert ids[0] == STARTER
    assert client.models.retrieve(STARTER).id == STARTER


def test_chat_without_streaming(client: openai.OpenAI) -> None:
    reply = client.chat.completions.create(
        model=STARTER,
        messages=[{"role": "user", "content": "Reply with the word: yes"}],
        max_tokens=6,
        temperature=0,
        seed=7,
    )
    choice = reply.choices[0]
    assert choice.message.role == "assistant"
    assert choice.message.content.strip()
    assert choice.finish_reason in ("stop", "length")
    assert 0 < reply.usage.completion_tokens <= 6
    assert reply.usage.prompt_tokens > 5
    assert reply.model == STARTER


def test_chat_streaming_matches_usage(client: openai.OpenAI) -> None:
    stream = client.chat.completions.create(
        model=STARTER,
        messages=[{"role": "user", "content": "Count: 1, 2, 3"}],
        max_tokens=8,
        temperature=0,
        stream=True,
        stream_options={"include_usage": True},
    )
    chunks = list(stream)
    text = "".join(c.choices[0].delta.content or "" for c in chunks if c.choices)
    finishes = [
        c.choices[0].finish_reason for c in chunks if c.choices and c.choices[0].finish_reason
    ]
    assert text.strip()
    assert finishes in (["stop"], ["length"])
    assert chunks[-1].usage is not None and 0 < chunks[-1].usage.completion_tokens <= 8


def test_reasoning_content_only_when_asked(client: openai.OpenAI) -> None:
    asked = client.chat.completions.create(
        model=STARTER,
        messages=[{"role": "user", "content": "Hi"}],
        max_tokens=4,
        extra_body={"enable_thinking": True, "return_reasoning": True},
    )
    assert "reasoning_content" in asked.choices[0].message.model_dump()
    plain = client.chat.completions.create(
        model=STARTER, messages=[{"role": "user", "content": "Hi"}], max_tokens=4
    )
    assert "reasoning_content" not in (plain.choices[0].message.model_extra or {})


def test_image_is_refused_clearly_without_a_projector(client: openai.OpenAI) -> None:
    """The starter model has no vision projector: the API says so as a 400, not a crash."""
    buffer = io.BytesIO()
    Image.new("RGB", (32, 32), (200, 30, 30)).save(buffer, format="PNG")
    uri = "data:image/png;base64," + base64.b64encode(buffer.getvalue()).decode()
    with pytest.raises(openai.BadRequestError) as caught:
        client.chat.completions.create(
            model=STARTER,
            max_tokens=4,
            messages=[
                {
                    "role": "user",
                    "content": [
                        {"type": "text", "text": "What colour is this?"},
                        {"type": "image_url", "image_url": {"url": uri}},
                    ],
                }
            ],
        )
    assert caught.value.body["code"] == "model_has_no_vision"
    assert "vision projector" in caught.value.body["message"]
    with pytest.raises(openai.BadRequestError):
        client.chat.completions.create(
            model=STARTER,
            max_tokens=4,
            messages=[{"role": "user", "content": "?"}],
            extra_body={"images": [uri]},
        )


def test_unknown_model_is_openai_404(client: openai.OpenAI) -> None:
    with pytest.raises(openai.NotFoundError) as caught:
        client.chat.completions.create(
            model="gpt-9", messages=[{"role": "user", "content": "hi"}], max_tokens=2
        )
    assert caught.value.body["code"] == "model_not_found"


def test_langchain_as_the_model_guide_uses_it(serve_url: str) -> None:
    from langchain_openai import ChatOpenAI

    chat_model = ChatOpenAI(
        model=STARTER,
        base_url=f"{serve_url}/v1",
        api_key="EMPTY",
        streaming=True,
        max_tokens=12,
        extra_body={"enable_thinking": True, "return_reasoning": True},
    )
    message = chat_model.invoke("你是谁?")
    assert isinstance(message.content, str) and message.content.strip()


def test_serve_on_all_interfaces_without_key_is_refused(child_env: dict[str, str]) -> None:
    result = subprocess.run(
        [sys.executable, "-m", "autoglm", "serve", "--host", "0.0.0.0"],
        env=child_env,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 2
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and "without an API key" in lines[0]
    assert "Traceback" not in result.stderr + result.stdout


def test_serve_refuses_web_pages(serve_url: str) -> None:
    """`autoglm serve` as a user runs it: a rebinding page's Host and a foreign Origin get 403."""
    import httpx

    port = serve_url.rsplit(":", 1)[1]
    with httpx.Client(base_url=serve_url, timeout=30) as http:
        rebound = http.get("/v1/models", headers={"Host": f"attacker.example:{port}"})
        assert rebound.status_code == 403 and rebound.json()["error"]["code"] == "host_not_allowed"
        foreign = http.post(
            "/v1/chat/completions",
            headers={"Origin": "http://attacker.example"},
            json={"messages": [{"role": "user", "content": "hi"}], "max_tokens": 2},
        )
        assert (
            foreign.status_code == 403 and foreign.json()["error"]["code"] == "origin_not_allowed"
        )
        assert http.get("/v1/models", headers={"Host": f"localhost:{port}"}).status_code == 200
