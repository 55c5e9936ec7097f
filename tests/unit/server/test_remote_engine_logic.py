"""The remote engine's pure parts: addresses, message shapes, server errors in words."""

from __future__ import annotations

import base64

import pytest

from autoglm.core.errors import InputError, ModelError
from autoglm.core.remote_engine import (
    RemoteEngine,
    normalise_base_url,
    openai_messages,
    server_error_message,
)
from autoglm.core.types import ChatMessage, GenerationRequest, ImageInput, SamplingParams


@pytest.mark.parametrize("typed, expected", [
    ("http://gpu-box:8000", "http://gpu-box:8000/v1"),
    ("http://gpu-box:8000/", "http://gpu-box:8000/v1"),
    ("gpu-box:8000/v1", "http://gpu-box:8000/v1"),
    ("https://example.org/openai/v1/", "https://example.org/openai/v1"),
])
def test_base_url(typed: str, expected: str) -> None:
    assert normalise_base_url(typed) == expected


def test_bad_base_url() -> None:
    with pytest.raises(InputError):
        normalise_base_url("ftp://x")


def test_messages_with_images_become_parts() -> None:
    image = ImageInput(2, 1, bytes([255, 0, 0, 0, 255, 0]), "h")
    shaped = openai_messages([ChatMessage("system", "s"), ChatMessage("user", "what?", [image])])
    assert shaped[0] == {"role": "system", "content": "s"}
    parts = shaped[1]["content"]
    assert parts[-1] == {"type": "text", "text": "what?"}
    url = parts[0]["image_url"]["url"]
    assert url.startswith("data:image/png;base64,")
    assert base64.b64decode(url.split(",", 1)[1])[:8] == b"\x89PNG\r\n\x1a\n"


def test_server_errors_become_the_right_kind() -> None:
    key = server_error_message(401, b'{"error": {"message": "bad key"}}', "http://x/v1")
    assert isinstance(key, ModelError) and "API key" in str(key) and "bad key" in str(key)
    bad = server_error_message(400, b'{"detail": "messages missing"}', "http://x/v1")
    assert isinstance(bad, InputError) and "messages missing" in str(bad)
    broken = server_error_message(502, b"<html>gateway</html>", "http://x/v1")
    assert isinstance(broken, ModelError) and "gateway" in str(broken)


def test_payload_carries_sampling_and_thinking() -> None:
    engine = RemoteEngine("http://x:1", model="m", extra_body={"return_reasoning": True})
    request = GenerationRequest([ChatMessage("user", "hi")],
                                SamplingParams(temperature=0.1, max_tokens=7, stop=["\n"], seed=3), thinking=False)
    payload = engine.payload(request)
    assert payload["model"] == "m" and payload["stream"] is True and payload["max_tokens"] == 7
    assert payload["chat_template_kwargs"] == {"enable_thinking": False}
    assert payload["stop"] == ["\n"] and payload["seed"] == 3 and payload["return_reasoning"] is True
    engine.unload()
