"""Projects and presets: a folder of chats with its own persona, default model and sampling.

A project gives every chat in it a system prompt (its persona), the model a new chat starts
with, and sampling that replaces the settings' defaults; a preset is a persona and sampling
saved under a name, to apply to any project. Both are stored by ``core.store``; this module
holds their records and checks what a user typed before it is saved.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from pydantic import ValidationError

from autoglm.core.errors import InputError
from autoglm.core.settings import GenerationSettings

_LOGGER = logging.getLogger(__name__)

SAMPLING_KEYS = ("temperature", "top_p", "top_k", "repeat_penalty", "max_tokens", "seed")
"""The sampling a project or preset may set; any other is left to the settings."""
NAME_MAX_CHARS = 120


@dataclass(frozen=True)
class ProjectRecord:
    """One project as stored: its name, persona, default model and sampling."""

    id: int
    name: str
    system_prompt: str = ""
    """The persona; empty: the settings' system prompt."""
    model_id: str = ""
    """The model a new chat in the project starts with; empty: whatever is loaded."""
    sampling: dict[str, Any] = field(default_factory=dict)
    """Values for some of ``SAMPLING_KEYS``; a missing key takes the settings' value."""
    created_at: float = 0.0
    updated_at: float = 0.0
    conversation_count: int = field(default=0, compare=False)
    """How many chats are filed under it when it was read (not part of its identity)."""


@dataclass(frozen=True)
class PresetRecord:
    """A persona and sampling saved under a name, reusable across projects."""

    id: int
    name: str
    system_prompt: str = ""
    sampling: dict[str, Any] = field(default_factory=dict)
    created_at: float = 0.0


def clean_name(name: str, kind: str = "project") -> str:
    """``name`` trimmed, or ``InputError`` in words when it is blank or too long."""
    cleaned = " ".join(str(name).split())
    if not cleaned:
        raise InputError(f"A {kind} needs a name.")
    if len(cleaned) > NAME_MAX_CHARS:
        raise InputError(f"A {kind} name can be at most {NAME_MAX_CHARS} characters long.")
    return cleaned


def clean_sampling(values: Mapping[str, Any] | None) -> dict[str, Any]:
    """``values`` checked against the settings' bounds; ``None`` values dropped.

    Raises ``InputError`` naming the first key that is unknown or out of range.
    """
    cleaned = {key: value for key, value in dict(values or {}).items() if value is not None}
    unknown = sorted(set(cleaned) - set(SAMPLING_KEYS))
    if unknown:
        raise InputError(
            f"'{unknown[0]}' is not a sampling setting a project can keep "
            f"(known: {', '.join(SAMPLING_KEYS)})."
        )
    try:
        checked = GenerationSettings.model_validate(cleaned)
    except ValidationError as error:
        first = error.errors()[0]
        where = ".".join(str(part) for part in first.get("loc", ())) or "sampling"
        raise InputError(
            f"The sampling setting '{where}' is not valid: {first.get('msg', error)}."
        ) from error
    return {key: getattr(checked, key) for key in cleaned}
