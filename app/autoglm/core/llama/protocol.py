"""The messages between the app and the engine worker, sent pickled over one pipe.

Requests travel as the app's own dataclasses (``GenerationRequest`` with its messages,
images and sampling options), so a field added to them reaches the engine unchanged.
The worker answers a request with zero or more ``Event``/``Progress`` messages and then
exactly one ``Done`` or ``Failed``. Several requests are in flight at once (replies are
decoded together), so every message travels inside a ``Tagged`` naming its call.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

from autoglm.core.settings import ModelSettings
from autoglm.core.types import ChatMessage, GenerationRequest, ImageInput, StreamEvent, ToolSpec

ENGINE_RESTARTED = "engine_restarted"
"""The ``Notice`` kind of a reply cut short by the worker's death (the API answers it with 503)."""

# -- app -> worker --------------------------------------------------------------------------


@dataclass(frozen=True)
class Load:
    """Load this model (and projector) into the worker; ``state_dir`` keeps conversations' caches across restarts."""

    model_path: Path
    settings: ModelSettings
    model_id: str = ""
    mmproj_path: Path | None = None
    display_name: str = ""
    state_dir: Path | None = None


@dataclass(frozen=True)
class Tagged:
    """A command, or one answer to it, with the number of the call it belongs to."""

    tag: int
    message: Any


@dataclass(frozen=True)
class Generate:
    """Produce one reply; cancel through shared flag number ``cancel_slot``."""

    request: GenerationRequest
    cancel_slot: int = 0


@dataclass(frozen=True)
class CountTokens:
    """How many prompt tokens ``messages`` take."""

    messages: list[ChatMessage]
    thinking: bool = True
    tools: list[ToolSpec] | None = None


@dataclass(frozen=True)
class Render:
    """The prompt text the model's chat template makes of ``messages`` (a ``RenderedPrompt``)."""

    messages: list[ChatMessage]
    thinking: bool = True
    tools: list[ToolSpec] | None = None


@dataclass(frozen=True)
class PrepareImages:
    """Encode these images now (when attached), so the request that asks about them is quick."""

    images: list[ImageInput]


@dataclass(frozen=True)
class Stats:
    """What the engine's caches did since the model loaded (an ``EngineStats``)."""


@dataclass(frozen=True)
class Ping:
    """Are you there (and is a model loaded)?"""


@dataclass(frozen=True)
class Unload:
    """Free the model; the worker keeps running."""


@dataclass(frozen=True)
class Shutdown:
    """Free everything and exit."""


Command = Load | Generate | CountTokens | Render | PrepareImages | Stats | Ping | Unload | Shutdown

# -- worker -> app --------------------------------------------------------------------------


@dataclass(frozen=True)
class Event:
    """One streamed event of the reply being generated (a delta or a notice).

    ``sent_at`` is ``time.monotonic()`` in the worker (a system-wide clock), so the app
    can measure what the trip between the processes costs each token.
    """

    event: StreamEvent
    sent_at: float = 0.0


@dataclass(frozen=True)
class Progress:
    """Loading progress, as ``LlamaEngine.load`` reports it."""

    fraction: float
    message: str


@dataclass(frozen=True)
class Done:
    """The command finished; ``value`` is its result (a ``Completion``, ``ModelInfo``, count …)."""

    value: Any = None


@dataclass(frozen=True)
class Failed:
    """The command failed: ``kind`` is ``"input"``, ``"model"`` (said in words) or ``"bug"``."""

    kind: str
    message: str


@dataclass(frozen=True)
class EngineStats:
    """The engine's cache counters: prompt tokens reused from the KV cache, images encoded and reused."""

    prompts: int = 0
    prompt_tokens: int = 0
    cached_prompt_tokens: int = 0
    images_encoded: int = 0
    images_decoded: int = 0
    images_reused_from_kv: int = 0
    images_reused_embeddings: int = 0
    foreground_pauses: int = 0  # tokens the engine waited before, for the app's foreground work
    shared_steps: int = 0  # decode steps that held tokens of several replies (decoded together)
    preempted_steps: int = 0  # decode steps stopped midway for a voice turn (and decoded again)


Reply = Event | Progress | Done | Failed
