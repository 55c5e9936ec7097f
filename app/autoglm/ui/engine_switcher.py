"""Which engine the window chats with: the local model, or a remote OpenAI-compatible server.

``settings.appearance.remote_url`` set means remote mode: the window connects to that
server (``RemoteEngine.load()`` checks it answers and picks its model) instead of loading
a local GGUF. Clearing it, or choosing a local model in the model manager, goes back to
the local model. Qt-free on purpose: ``load_engine`` blocks and runs in a background job.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Any

from autoglm.core.settings import Settings, updated
from autoglm.core.types import ModelInfo

_LOGGER = logging.getLogger(__name__)
ProgressCallback = Callable[[float, str], None]


def remote_url(settings: Settings) -> str | None:
    """The remote server the window should use, or ``None`` for the local model."""
    url = (settings.appearance.remote_url or "").strip()
    return url or None


def engine_settings_changed(old: Settings, new: Settings) -> bool:
    """Whether going from ``old`` to ``new`` needs the engine loaded again."""
    return (old.model != new.model or remote_url(old) != remote_url(new)
            or (remote_url(new) is not None and old.appearance.remote_api_key != new.appearance.remote_api_key))


def without_remote(settings: Settings) -> Settings:
    """``settings`` in local mode (the remote address cleared, its key kept for next time)."""
    if remote_url(settings) is None:
        return settings
    return updated(settings, "appearance", remote_url=None)


def load_engine(runtime: Any, spec: str | None = None, progress: ProgressCallback | None = None) -> ModelInfo:
    """Connect to the remote server in remote mode, else load ``spec`` locally; blocks."""
    url = remote_url(runtime.settings)
    if url is None:
        return runtime.load_model(spec, progress=progress)
    from autoglm.core.remote_engine import RemoteEngine

    engine = RemoteEngine(url, api_key=runtime.settings.appearance.remote_api_key or None)
    try:
        info = engine.load(progress)
    except BaseException:
        engine.unload()
        raise
    runtime.use_engine(engine)
    _LOGGER.info("Chatting with %s at %s", info.model_id, engine.base_url)
    return info
