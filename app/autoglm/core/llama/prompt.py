"""Rendering a conversation with images through the model's own chat template.

Each image becomes llama.cpp's media marker (``<__media__>``) in the rendered text; mtmd
later replaces every marker with the image's chunk (plus whatever begin/end tokens the
projector needs, e.g. GLM-4.1V's ``<|begin_of_image|>``). Templates that take OpenAI-style
list content get the marker as a text part before the message's text, as llama.cpp's
server does; templates that cannot (most text-only ones, the starter model's included)
get the markers flattened into the message text.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from autoglm.core.chat_template import ChatTemplate, flatten_images, message_dict, tool_dicts
from autoglm.core.errors import InputError
from autoglm.core.types import ChatMessage, ImageInput, ToolSpec


@dataclass(frozen=True)
class MultimodalPrompt:
    """The rendered prompt cut at its media markers, and the images in marker order."""

    text_parts: list[str]
    images: list[ImageInput]
    opens_reasoning: bool

    def __post_init__(self) -> None:
        """Text parts surround the images: one more part than images."""
        assert len(self.text_parts) == len(self.images) + 1


def template_messages(
    messages: list[ChatMessage], marker: str, list_content: bool
) -> tuple[list[dict[str, Any]], list[ImageInput]]:
    """Messages as the template takes them, with one ``marker`` per image; and the images in order."""
    rendered: list[dict[str, Any]] = []
    images: list[ImageInput] = []
    for message in messages:
        text = message.content.replace(marker, "")  # typed text must never open an image slot
        content: Any = text
        if message.images:
            images.extend(message.images)
            if list_content:
                content = [{"type": "text", "text": marker} for _ in message.images]
                content.append({"type": "text", "text": text})
            else:
                content = flatten_images(text, len(message.images), marker)
        entry = message_dict(message)
        entry["content"] = content
        rendered.append(entry)
    return rendered, images


def render_multimodal(
    template: ChatTemplate,
    messages: list[ChatMessage],
    marker: str,
    thinking: bool = True,
    list_content: bool | None = None,
    tools: list[ToolSpec] | None = None,
) -> MultimodalPrompt:
    """Render ``messages`` (and ``tools``) with ``template``; images become ``marker`` in the text."""
    if list_content is None:
        list_content = template.accepts_list_content()
    plain, images = template_messages(messages, marker, list_content)
    extra: dict[str, Any] = {"tools": tool_dicts(tools)} if tools else {}
    rendered = template.render(plain, thinking=thinking, **extra)
    parts = rendered.text.split(marker)
    if len(parts) != len(images) + 1:
        raise InputError(
            f"The model's chat template kept {len(parts) - 1} of {len(images)} images; "
            "this model cannot take images in that place of the conversation."
        )
    return MultimodalPrompt(parts, images, rendered.opens_reasoning)
