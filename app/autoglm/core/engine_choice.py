"""Which engine answers: the local model, or a remote OpenAI-compatible server — decided here only.

``settings.remote.url`` set means remote mode: every front (window, ``autoglm chat``,
``autoglm serve``) talks to that server instead of loading a local GGUF. ``Runtime.start_engine``
acts on the choice; the fronts only change settings (the CLI's ``--remote``/``--local`` flags,
the window's Settings page and model manager) and ask it to start.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from autoglm.core.settings import Settings, updated


@dataclass(frozen=True)
class EngineChoice:
    """The local model to load (``mmproj``: a projector given for this run only), or the server to connect to."""

    local_model: str = ""
    mmproj: Path | None = None
    remote_url: str | None = None
    remote_api_key: str | None = None
    remote_model: str | None = None

    @property
    def is_remote(self) -> bool:
        """Whether a remote server answers instead of the local model."""
        return self.remote_url is not None


def remote_url(settings: Settings) -> str | None:
    """The remote server every front should use, or ``None`` for the local model."""
    url = (settings.remote.url or "").strip()
    return url or None


def choose_engine(
    settings: Settings, model: str | None = None, mmproj: Path | None = None
) -> EngineChoice:
    """The engine ``settings`` ask for; ``model`` names the local model, or in remote mode the served one."""
    url = remote_url(settings)
    if url is not None:
        return EngineChoice(
            remote_url=url,
            remote_api_key=settings.remote.api_key or None,
            remote_model=model or settings.remote.model or None,
        )
    return EngineChoice(local_model=model or settings.model.active_model, mmproj=mmproj)


# Model settings the engine never reads: where models are downloaded from.
_NOT_ENGINE = {"hub_source", "hub_endpoint", "modelscope_endpoint"}


def engine_settings_changed(old: Settings, new: Settings) -> bool:
    """Whether going from ``old`` to ``new`` needs the engine started again."""
    before, after = choose_engine(old), choose_engine(new)
    if after.is_remote:
        return before != after
    return before.is_remote or old.model.model_dump(exclude=_NOT_ENGINE) != new.model.model_dump(
        exclude=_NOT_ENGINE
    )


def with_remote(
    settings: Settings, url: str, api_key: str | None = None, model: str | None = None
) -> Settings:
    """``settings`` in remote mode (``url`` checked and normalised; ``ValueError`` in words if it is not one)."""
    values: dict[str, str | None] = {"url": url}
    if api_key is not None:
        values["api_key"] = api_key
    if model is not None:
        values["model"] = model
    return updated(settings, "remote", **values)


def without_remote(settings: Settings) -> Settings:
    """``settings`` in local mode (the remote address cleared, its key and model kept for next time)."""
    if remote_url(settings) is None:
        return settings
    return updated(settings, "remote", url=None)
