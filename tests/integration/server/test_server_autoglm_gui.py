"""AutoGLM-GUI pointed at ``autoglm serve`` instead of a vLLM server, with its own model setting.

AutoGLM-GUI (the ``autoglm-gui`` package) keeps a model setting of ``base_url``
(``http://localhost:8000/v1``), ``api_key`` (``EMPTY``) and ``model_name``
(``autoglm-phone-9b``) and sends, through ``openai.AsyncOpenAI``: a system prompt as a
string, a user turn of image parts (the screen, then any reference images) before one
text part, ``max_tokens=3000, temperature=0.0, top_p=0.85, frequency_penalty=0.2``, its
``extra_body`` (empty by default) and ``stream=True``. Earlier turns keep their text
parts as a list once the screenshot is stripped. It reads ``delta.content`` and cuts the
thinking at ``do(action=`` / ``finish(message=``. Here the stand-in is installed under
the catalog id, so the setting's default model name is what the server serves.
"""

from __future__ import annotations

import asyncio
import base64
import io

import openai
import pytest
from PIL import Image

MODEL_SETTING = {
    "api_key": "EMPTY",
    "model_name": "autoglm-phone-9b",
    "max_tokens": 3000,
    "temperature": 0.0,
    "top_p": 0.85,
    "frequency_penalty": 0.2,
    "extra_body": {},
}
SYSTEM = "今天的日期是: 2026年12月01日\n你是一个智能体分析专家，可以根据操作历史和当前状态图执行一系列操作来完成任务。"


@pytest.fixture(scope="module")
def base_url(autoglm_serve_catalog_url: str) -> str:
    """The setting's form of the address: localhost, ending in /v1."""
    return autoglm_serve_catalog_url.replace("127.0.0.1", "localhost") + "/v1"


def _png(width: int, height: int, colour: tuple[int, int, int]) -> str:
    image = Image.new("RGB", (width, height), (250, 250, 250))
    image.paste(colour, (8, 16, width - 8, 48))
    buffer = io.BytesIO()
    image.save(buffer, format="PNG")
    return base64.b64encode(buffer.getvalue()).decode()


def _user(text: str, *screens: str) -> dict:
    """AutoGLM-GUI's user turn: every image part first, then the text."""
    parts: list[dict] = [
        {"type": "image_url", "image_url": {"url": f"data:image/png;base64,{data}"}}
        for data in screens
    ]
    return {"role": "user", "content": [*parts, {"type": "text", "text": text}]}


def _without_images(message: dict) -> dict:
    """What AutoGLM-GUI keeps of a sent user turn: its text parts, still as a list."""
    return {**message, "content": [p for p in message["content"] if p.get("type") == "text"]}


async def _stream(base_url: str, messages: list[dict]) -> tuple[str, str | None]:
    client = openai.AsyncOpenAI(
        base_url=base_url, api_key=MODEL_SETTING["api_key"], max_retries=0, timeout=300
    )
    try:
        stream = await client.chat.completions.create(
            messages=messages,
            model=MODEL_SETTING["model_name"],
            max_tokens=MODEL_SETTING["max_tokens"],
            temperature=MODEL_SETTING["temperature"],
            top_p=MODEL_SETTING["top_p"],
            frequency_penalty=MODEL_SETTING["frequency_penalty"],
            extra_body=MODEL_SETTING["extra_body"],
            stream=True,
        )
        content, finish = "", None
        async for chunk in stream:
            if not chunk.choices:
                continue
            content += chunk.choices[0].delta.content or ""
            finish = chunk.choices[0].finish_reason or finish
        return content, finish
    finally:
        await client.close()


def test_the_setting_names_the_served_model(base_url: str) -> None:
    listed = openai.OpenAI(base_url=base_url, api_key="EMPTY", max_retries=0).models.list()
    assert MODEL_SETTING["model_name"] in [model.id for model in listed.data]


def test_a_task_with_a_reference_image_then_a_follow_up_step(base_url: str) -> None:
    screen, reference = _png(216, 480, (30, 120, 220)), _png(112, 112, (220, 60, 30))
    first = _user("打开设置\n\n** Screen Info **\n\nCurrent App: System Home", screen, reference)
    content, finish = asyncio.run(_stream(base_url, [{"role": "system", "content": SYSTEM}, first]))
    assert finish in ("stop", "length")
    for token in (
        "<|assistant|>",
        "<|user|>",
        "<|begin_of_image|>",
        "<|image|>",
        "[gMASK]",
        "</answer>",
    ):
        assert token not in content
    history = [
        {"role": "system", "content": SYSTEM},
        _without_images(first),
        {
            "role": "assistant",
            "content": '<think>打开设置</think><answer>do(action="Launch", app="设置")</answer>',
        },
        _user("** Screen Info **\n\nCurrent App: 设置", _png(216, 480, (40, 200, 90))),
    ]
    _content, finish = asyncio.run(_stream(base_url, history))
    assert finish in ("stop", "length")


def test_a_model_name_the_server_does_not_have_is_a_404_in_words(base_url: str) -> None:
    client = openai.OpenAI(base_url=base_url, api_key="EMPTY", max_retries=0, timeout=60)
    with pytest.raises(openai.NotFoundError) as caught:
        client.chat.completions.create(
            model="autoglm-phone-9b-multilingual",
            max_tokens=4,
            messages=[{"role": "user", "content": "hi"}],
        )
    assert "does not exist" in str(caught.value) and "autoglm-phone-9b" in str(caught.value)
