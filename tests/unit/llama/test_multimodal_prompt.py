"""Multimodal prompts from the model's own chat template: list content or flattened markers."""

from __future__ import annotations

import pytest

from autoglm.core.chat_template import CHATML_TEMPLATE, ChatTemplate
from autoglm.core.errors import InputError
from autoglm.core.llama.prompt import render_multimodal
from autoglm.core.types import ChatMessage, ImageInput

MARKER = "<__media__>"
LIST_TEMPLATE = (
    "{% for m in messages %}<|{{ m.role }}|>"
    "{% if m.content is string %}{{ m.content }}{% else %}{% for p in m.content %}{{ p.text }}{% endfor %}{% endif %}"
    "{% endfor %}{% if add_generation_prompt %}<|assistant|>{% endif %}"
)
DROPPING_TEMPLATE = (
    "{% for m in messages %}{% if m.role == 'system' %}{{ m.content }}{% endif %}{% endfor %}"
)


def image(tag: str) -> ImageInput:
    return ImageInput(1, 1, b"\x00\x00\x00", tag * 64)


def test_template_without_list_content_gets_markers_flattened_in_order() -> None:
    template = ChatTemplate(CHATML_TEMPLATE)
    messages = [
        ChatMessage("user", "Compare these.", [image("a"), image("b")]),
        ChatMessage("assistant", "They differ."),
        ChatMessage("user", "And this one?", [image("c")]),
    ]
    prompt = render_multimodal(template, messages, MARKER, list_content=False)
    assert [i.sha256[0] for i in prompt.images] == ["a", "b", "c"]
    assert len(prompt.text_parts) == 4
    assert prompt.text_parts[0].endswith("<|im_start|>user\n")
    assert prompt.text_parts[2].startswith("\nCompare these.<|im_end|>")
    assert prompt.text_parts[3].startswith("\nAnd this one?")


def test_list_content_templates_get_the_marker_as_a_text_part() -> None:
    template = ChatTemplate(LIST_TEMPLATE)
    assert template.accepts_list_content()
    prompt = render_multimodal(template, [ChatMessage("user", "What is it?", [image("a")])], MARKER)
    assert prompt.text_parts == ["<|user|>", "What is it?<|assistant|>"]


def test_a_template_that_prints_the_list_repr_does_not_take_list_content() -> None:
    assert not ChatTemplate(
        CHATML_TEMPLATE
    ).accepts_list_content()  # ChatML prints "[{'type': ...}]"
    assert ChatTemplate(LIST_TEMPLATE).accepts_list_content()
    prompt = render_multimodal(
        ChatTemplate(CHATML_TEMPLATE), [ChatMessage("user", "Hi?", [image("a")])], MARKER
    )
    assert "'type'" not in "".join(prompt.text_parts)


def test_typed_markers_never_open_an_image_slot() -> None:
    template = ChatTemplate(CHATML_TEMPLATE)
    prompt = render_multimodal(
        template,
        [ChatMessage("user", f"look {MARKER} here", [image("a")])],
        MARKER,
        list_content=False,
    )
    assert len(prompt.images) == 1 and len(prompt.text_parts) == 2
    assert "look  here" in prompt.text_parts[1]


def test_a_template_that_drops_images_is_an_input_error() -> None:
    with pytest.raises(InputError, match="kept 0 of 1 images"):
        render_multimodal(
            ChatTemplate(DROPPING_TEMPLATE),
            [ChatMessage("user", "hi", [image("a")])],
            MARKER,
            list_content=False,
        )
