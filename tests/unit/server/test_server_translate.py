"""OpenAI chat requests to engine requests: thinking switches, sampling, messages, extras."""

from __future__ import annotations

import pytest

from autoglm.core.errors import InputError
from autoglm.core.settings import GenerationSettings
from autoglm.core.types import ImageInput
from autoglm.server.schemas import ChatCompletionRequest
from autoglm.server.translate import (
    asks_for_images,
    chat_messages,
    refuse_unsupported,
    sampling_params,
    thinking_choice,
)

PIXEL = ImageInput(1, 1, b"\x00\x00\x00", "abc")


def body(**fields: object) -> ChatCompletionRequest:
    return ChatCompletionRequest.model_validate(
        {"messages": [{"role": "user", "content": "hi"}], **fields}
    )


def no_images(url: str) -> ImageInput:
    raise AssertionError(f"no image expected, got {url}")


def no_audio(data: str, fmt: str) -> str:
    raise AssertionError("no audio expected")


@pytest.mark.parametrize(
    "fields, default, expected",
    [
        ({}, True, True),
        ({}, False, False),
        ({"enable_thinking": False}, True, False),
        ({"chat_template_kwargs": {"enable_thinking": True}}, False, True),
        (
            {"chat_template_kwargs": {"enable_thinking": True}, "enable_thinking": False},
            False,
            False,
        ),
        ({"chat_template_kwargs": {"enable_thinking": "yes"}}, False, False),
    ],
)
def test_thinking_switch_precedence(fields: dict, default: bool, expected: bool) -> None:
    assert thinking_choice(body(**fields), default).thinking is expected


def test_reasoning_is_returned_only_when_asked() -> None:
    assert thinking_choice(body(), True).return_reasoning is False
    assert thinking_choice(body(return_reasoning=True), True).return_reasoning is True


def test_sampling_takes_request_values_over_settings() -> None:
    defaults = GenerationSettings(temperature=0.7, max_tokens=512, seed=5)
    params = sampling_params(
        body(temperature=0, top_p=0.5, max_tokens=9, stop="END", seed=2**40 + 3), defaults
    )
    assert (params.temperature, params.top_p, params.max_tokens, params.stop) == (
        0,
        0.5,
        9,
        ["END"],
    )
    assert 0 <= params.seed < 2**31
    fallback = sampling_params(body(), defaults)
    assert (fallback.temperature, fallback.max_tokens, fallback.seed) == (0.7, 512, 5)
    assert sampling_params(body(max_tokens=9, max_completion_tokens=4), defaults).max_tokens == 4


def test_unsupported_sampling_is_refused_in_words() -> None:
    with pytest.raises(InputError, match="n=1"):
        refuse_unsupported(body(n=3))
    with pytest.raises(InputError, match="stop strings"):
        sampling_params(body(stop=[str(i) for i in range(17)]), GenerationSettings())


def test_parts_become_text_images_and_transcripts_in_order() -> None:
    request = ChatCompletionRequest.model_validate(
        {
            "messages": [
                {"role": "developer", "content": "Be brief."},
                {"role": "assistant", "content": None},
                {
                    "role": "user",
                    "content": [
                        {"type": "text", "text": "Look:"},
                        {"type": "image_url", "image_url": {"url": "data:image/png;base64,AA=="}},
                        {"type": "input_audio", "input_audio": {"data": "QUJD", "format": "wav"}},
                    ],
                },
            ]
        }
    )
    messages = chat_messages(
        request, lambda url: PIXEL, lambda data, fmt: f"<said {data} as {fmt}>"
    )
    assert [m.role for m in messages] == ["system", "assistant", "user"]
    assert messages[1].content == ""
    assert messages[2].content == "Look:\n<said QUJD as wav>"
    assert messages[2].images == [PIXEL]
    assert asks_for_images(request)


def test_extra_images_and_audios_join_the_last_user_turn() -> None:
    request = body(images=["data:image/png;base64,AA=="], audios=["data:audio/wav;base64,QQ=="])
    request.messages.append(
        request.messages[0].model_copy(update={"role": "assistant", "content": "ok"})
    )
    messages = chat_messages(request, lambda url: PIXEL, lambda data, fmt: "spoken words")
    assert messages[0].images == [PIXEL] and messages[0].content == "hi\nspoken words"
    assert messages[1].images == []
    assert asks_for_images(request) and not asks_for_images(body())


def test_a_conversation_needs_a_user_message() -> None:
    request = ChatCompletionRequest.model_validate(
        {"messages": [{"role": "system", "content": "x"}]}
    )
    with pytest.raises(InputError, match="user message"):
        chat_messages(request, no_images, no_audio)
    with pytest.raises(InputError, match="attach"):
        chat_messages(
            ChatCompletionRequest.model_validate(
                {"messages": [{"role": "system", "content": "x"}], "images": ["AA=="]}
            ),
            lambda u: PIXEL,
            no_audio,
        )
