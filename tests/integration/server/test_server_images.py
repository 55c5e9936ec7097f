"""Images through the API with a real (generated, random-weight) projector next to the starter model."""

from __future__ import annotations

import base64
import io

import openai
from PIL import Image


def data_uri(colour: tuple[int, int, int]) -> str:
    buffer = io.BytesIO()
    Image.new("RGB", (64, 48), colour).save(buffer, format="PNG")
    return "data:image/png;base64," + base64.b64encode(buffer.getvalue()).decode()


def test_image_parts_and_extra_images_reach_the_model(vision_api) -> None:
    client = openai.OpenAI(base_url=vision_api.v1, api_key="EMPTY", max_retries=0, timeout=300)
    text_only = client.chat.completions.create(
        model=vision_api.model_id,
        max_tokens=2,
        messages=[{"role": "user", "content": "Describe it."}],
    )
    with_part = client.chat.completions.create(
        model=vision_api.model_id,
        max_tokens=2,
        messages=[
            {
                "role": "user",
                "content": [
                    {"type": "image_url", "image_url": {"url": data_uri((250, 10, 10))}},
                    {"type": "text", "text": "Describe it."},
                ],
            }
        ],
    )
    with_extra = client.chat.completions.create(
        model=vision_api.model_id,
        max_tokens=2,
        messages=[{"role": "user", "content": "Describe it."}],
        extra_body={"images": [data_uri((10, 10, 250))]},
    )
    assert with_part.choices[0].finish_reason in ("stop", "length")
    # the projector makes 256 embeddings per image: they are in the prompt, not just a marker
    assert with_part.usage.prompt_tokens >= text_only.usage.prompt_tokens + 200
    assert with_extra.usage.prompt_tokens >= text_only.usage.prompt_tokens + 200


def test_undecodable_image_is_400(vision_api) -> None:
    client = openai.OpenAI(base_url=vision_api.v1, api_key="EMPTY", max_retries=0)
    try:
        client.chat.completions.create(
            model=vision_api.model_id,
            max_tokens=2,
            messages=[
                {
                    "role": "user",
                    "content": [
                        {"type": "image_url", "image_url": {"url": "data:image/png;base64,AAAA"}}
                    ],
                }
            ],
        )
    except openai.BadRequestError as error:
        assert "image" in error.body["message"].lower()
    else:
        raise AssertionError("a broken image was accepted")
