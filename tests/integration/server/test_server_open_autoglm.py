"""Open-AutoGLM's phone agent client, request for request, against ``autoglm serve`` on the stand-in.

Its ``phone_agent/model/client.py`` sends, through the openai SDK: a system prompt as a
string, a user turn whose image part comes before its text part, ``max_tokens=3000,
temperature=0.0, top_p=0.85, frequency_penalty=0.2``, an empty ``extra_body``, and
``stream=True``; it reads only ``delta.content`` and splits the thinking from the action
itself (``_parse_response`` below is its logic). The server must answer that shape as a
vLLM deployment without a reasoning parser does, and never die of what a client sends.
"""

from __future__ import annotations

import base64
import io
import json

import httpx
import openai
import pytest
from PIL import Image

SYSTEM = "今天的日期是: 2026年12月01日 星期二\n你是一个智能体分析专家，可以根据操作历史和当前状态图执行一系列操作来完成任务。"


def _screenshot_uri(width: int = 108, height: int = 240) -> str:
    image = Image.new("RGB", (width, height), (250, 250, 250))
    image.paste((30, 120, 220), (10, 20, width - 10, 60))
    buffer = io.BytesIO()
    image.save(buffer, format="PNG")
    return "data:image/png;base64," + base64.b64encode(buffer.getvalue()).decode()


def _parse_response(content: str) -> tuple[str, str]:
    """Open-AutoGLM's split of a reply into thinking and action."""
    for marker in ("finish(message=", "do(action="):
        if marker in content:
            thinking, action = content.split(marker, 1)
            return thinking.strip(), marker + action
    if "<answer>" in content:
        thinking, action = content.split("<answer>", 1)
        return (
            thinking.replace("<think>", "").replace("</think>", "").strip(),
            action.replace("</answer>", "").strip(),
        )
    return "", content


@pytest.fixture(scope="module")
def client(autoglm_serve_url: str) -> openai.OpenAI:
    return openai.OpenAI(
        base_url=f"{autoglm_serve_url}/v1", api_key="EMPTY", max_retries=0, timeout=300
    )


def _messages(task: str) -> list[dict]:
    screen_info = json.dumps({"current_app": "System Home"}, ensure_ascii=False)
    return [
        {"role": "system", "content": SYSTEM},
        {
            "role": "user",
            "content": [
                {"type": "image_url", "image_url": {"url": _screenshot_uri()}},
                {"type": "text", "text": f"{task}\n\n{screen_info}"},
            ],
        },
    ]


def test_the_phone_agents_streamed_request_is_answered(client: openai.OpenAI) -> None:
    model = client.models.list().data[0].id
    stream = client.chat.completions.create(
        messages=_messages("打开设置"),
        model=model,
        max_tokens=3000,
        temperature=0.0,
        top_p=0.85,
        frequency_penalty=0.2,
        extra_body={},
        stream=True,
    )
    chunks = list(stream)
    content = "".join(c.choices[0].delta.content or "" for c in chunks if c.choices)
    finishes = [
        c.choices[0].finish_reason for c in chunks if c.choices and c.choices[0].finish_reason
    ]
    assert finishes and finishes[-1] in ("stop", "length")
    for token in (
        "<|assistant|>",
        "<|user|>",
        "<|begin_of_image|>",
        "<|image|>",
        "[gMASK]",
        "</answer>",
    ):
        assert token not in content
    thinking, action = _parse_response(content)
    assert isinstance(thinking, str) and isinstance(action, str)


def test_a_follow_up_step_with_history_and_a_new_screenshot(client: openai.OpenAI) -> None:
    model = client.models.list().data[0].id
    history = _messages("打开设置")
    history[1]["content"] = [history[1]["content"][1]]  # the client drops the old screenshot
    history.append(
        {
            "role": "assistant",
            "content": '<think>打开设置</think><answer>do(action="Launch", app="设置")</answer>',
        }
    )
    history.append(
        {
            "role": "user",
            "content": [
                {"type": "image_url", "image_url": {"url": _screenshot_uri(216, 480)}},
                {
                    "type": "text",
                    "text": "** Screen Info **\n\n"
                    + json.dumps({"current_app": "设置"}, ensure_ascii=False),
                },
            ],
        }
    )
    reply = client.chat.completions.create(
        messages=history,
        model=model,
        max_tokens=3000,
        temperature=0.0,
        top_p=0.85,
        frequency_penalty=0.2,
        extra_body={},
    )
    assert reply.choices[0].finish_reason in ("stop", "length")
    assert reply.usage.prompt_tokens > (216 // 28) * (480 // 28)


def test_reasoning_content_comes_apart_only_when_asked(client: openai.OpenAI) -> None:
    model = client.models.list().data[0].id
    asked = client.chat.completions.create(
        messages=_messages("返回"),
        model=model,
        max_tokens=8,
        temperature=0,
        extra_body={"return_reasoning": True},
    )
    assert "reasoning_content" in asked.choices[0].message.model_dump()
    plain = client.chat.completions.create(
        messages=_messages("返回"), model=model, max_tokens=8, temperature=0
    )
    assert "reasoning_content" not in (plain.choices[0].message.model_extra or {})


def test_bad_images_are_4xx_and_the_server_lives_on(
    client: openai.OpenAI, autoglm_serve_url: str
) -> None:
    model = client.models.list().data[0].id
    for url in ("data:image/png;base64,AAAA", "data:image/png;base64,!!!", "file:///etc/passwd"):
        response = httpx.post(
            f"{autoglm_serve_url}/v1/chat/completions",
            timeout=60,
            json={
                "model": model,
                "max_tokens": 4,
                "messages": [
                    {
                        "role": "user",
                        "content": [
                            {"type": "image_url", "image_url": {"url": url}},
                            {"type": "text", "text": "hi"},
                        ],
                    }
                ],
            },
        )
        assert 400 <= response.status_code < 500, response.text
        assert response.json()["error"]["message"]
    assert httpx.get(f"{autoglm_serve_url}/health", timeout=10).status_code == 200


def test_the_image_token_budget_is_a_request_parameter(client: openai.OpenAI) -> None:
    model = client.models.list().data[0].id
    costs = {}
    for budget in (64, 256):
        reply = client.chat.completions.create(
            messages=_messages("返回")[:1]
            + [
                {
                    "role": "user",
                    "content": [
                        {"type": "image_url", "image_url": {"url": _screenshot_uri(1080, 2400)}},
                        {"type": "text", "text": "x"},
                    ],
                }
            ],
            model=model,
            max_tokens=1,
            temperature=0,
            extra_body={"image_tokens": budget},
        )
        costs[budget] = reply.usage.prompt_tokens
    assert 150 < costs[256] - costs[64] <= 256 - 50
    with pytest.raises(openai.BadRequestError):
        client.chat.completions.create(
            messages=_messages("x"), model=model, max_tokens=1, extra_body={"image_tokens": 3}
        )
