"""Rendering a conversation with the model's own chat template (Jinja, from the GGUF).

The template decides the prompt's exact shape, so the engine never hand-writes ChatML or
GLM markers. Templates that cannot take list content (most text-only ones, the starter's
included) get their images as a media marker inside the text instead; see
``flatten_images``.
"""

from __future__ import annotations

import datetime
import json
import logging
from dataclasses import dataclass
from typing import Any

import jinja2
from jinja2.sandbox import ImmutableSandboxedEnvironment

from autoglm.core.types import ChatMessage, ToolSpec

_LOGGER = logging.getLogger(__name__)

CHATML_TEMPLATE = (
    "{% for message in messages %}<|im_start|>{{ message['role'] }}\n{{ message['content'] }}<|im_end|>\n"
    "{% endfor %}{% if add_generation_prompt %}<|im_start|>assistant\n{% endif %}"
)


# Where GLM-4.1V / AutoGLM-Phone-9B's reply ends: its generation_config's end tokens, as the
# reference vLLM deployment stops (llama.cpp's GGUF marks only the last two as end-of-generation).
GLM_STOP_STRINGS = ("</answer>", "<|user|>", "<|observation|>", "<|endoftext|>")


def _raise(message: str) -> None:
    raise jinja2.TemplateError(message)


def _tojson(
    value: Any,
    ensure_ascii: bool = False,
    indent: int | None = None,
    separators: tuple[str, str] | None = None,
    sort_keys: bool = False,
) -> str:
    """``tojson`` as Hugging Face templates expect it: plain JSON, no HTML escaping of ``<`` or ``&``."""
    return json.dumps(
        value, ensure_ascii=ensure_ascii, indent=indent, separators=separators, sort_keys=sort_keys
    )


def message_dict(message: ChatMessage) -> dict[str, Any]:
    """One message as chat templates read it (OpenAI's shape, call arguments as objects)."""
    data: dict[str, Any] = {"role": message.role, "content": message.content}
    if message.tool_calls:
        calls = []
        for call in message.tool_calls:
            try:
                arguments = json.loads(call.arguments) if call.arguments else {}
            except json.JSONDecodeError:
                arguments = call.arguments
            calls.append(
                {
                    "id": call.id,
                    "type": "function",
                    "function": {"name": call.name, "arguments": arguments},
                }
            )
        data["tool_calls"] = calls
    if message.role == "tool":
        data["tool_call_id"] = message.tool_call_id
        if message.name:
            data["name"] = message.name
    return data


def tool_dicts(tools: list[ToolSpec]) -> list[dict[str, Any]]:
    """Tools in OpenAI's ``{"type": "function", "function": {...}}`` shape, as templates expect them."""
    return [
        {
            "type": "function",
            "function": {"name": t.name, "description": t.description, "parameters": t.parameters},
        }
        for t in tools
    ]


@dataclass(frozen=True)
class RenderedPrompt:
    """The prompt text and whether the template already opened a ``<think>`` block."""

    text: str
    opens_reasoning: bool


class ChatTemplate:
    """A compiled chat template with the special tokens it refers to."""

    def __init__(self, source: str | None, bos_token: str = "", eos_token: str = ""):
        self.source = source or CHATML_TEMPLATE
        self.bos_token = bos_token
        self.eos_token = eos_token
        env = ImmutableSandboxedEnvironment(
            trim_blocks=True, lstrip_blocks=True, loader=jinja2.BaseLoader()
        )
        env.globals.update(
            raise_exception=_raise, strftime_now=lambda fmt: datetime.datetime.now().strftime(fmt)
        )
        env.filters["tojson"] = _tojson
        self._template = env.from_string(self.source)
        self.is_glm = "[gMASK]" in self.source and "<|assistant|>" in self.source
        # GLM-4.1V's template never writes <think>, yet the model opens its reply with one.
        self.mentions_thinking = (
            "<think>" in self.source or "enable_thinking" in self.source or self.is_glm
        )

    @property
    def stop_strings(self) -> tuple[str, ...]:
        """Text that ends a reply for this model family, beyond llama.cpp's end-of-generation tokens."""
        return GLM_STOP_STRINGS if self.is_glm else ()

    @property
    def images_before_text(self) -> bool:
        """Whether images go in as a marker line before the text (vLLM's string content, GLM's deployment)."""
        return self.is_glm

    def _render(
        self, messages: list[dict[str, Any]], add_generation_prompt: bool, **kwargs: Any
    ) -> str:
        return self._template.render(
            messages=messages,
            add_generation_prompt=add_generation_prompt,
            bos_token=self.bos_token,
            eos_token=self.eos_token,
            **kwargs,
        )

    def render(
        self,
        messages: list[dict[str, Any]],
        *,
        thinking: bool = True,
        add_generation_prompt: bool = True,
        **kwargs: Any,
    ) -> RenderedPrompt:
        """The prompt for ``messages``; with ``thinking`` off, a model that thinks is told not to."""
        text = self._render(messages, add_generation_prompt, enable_thinking=thinking, **kwargs)
        if add_generation_prompt and not thinking and self.mentions_thinking:
            with_thinking = self._render(
                messages, add_generation_prompt, enable_thinking=True, **kwargs
            )
            if (
                with_thinking == text
            ):  # the template ignores the switch: close an empty thought ourselves
                text += "<think></think>\n"
        stripped = text.rstrip()
        return RenderedPrompt(text, stripped.endswith("<think>"))

    def accepts_list_content(self) -> bool:
        """Whether the template renders OpenAI-style list content as text parts.

        Rendering the probe is not enough: a template that prints ``content`` verbatim
        shows the probe inside a Python list's repr, so a ``'type'`` key in the output
        means the list was not understood.
        """
        probe = [{"role": "user", "content": [{"type": "text", "text": "PROBE-7f3a"}]}]
        try:
            text = self._render(probe, True)
        except Exception:  # noqa: BLE001 - a template that chokes on lists does not accept them
            return False
        return "PROBE-7f3a" in text and "'type'" not in text and '"type"' not in text


def flatten_images(text: str, n_images: int, marker: str) -> str:
    """Text with one media ``marker`` per image before it, for templates without list content."""
    if n_images <= 0:
        return text
    return "".join(f"{marker}\n" for _ in range(n_images)) + text
