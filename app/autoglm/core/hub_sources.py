"""Which hub a download goes through: Hugging Face (``core.hub``) or ModelScope (``core.modelscope``).

Kept apart from both because it knows both: ModelScope's hub is a ``Hub`` with other
calls, so the base module cannot also be the one that picks it.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from autoglm.core.errors import ModelError
from autoglm.core.hub import Hub
from autoglm.core.modelscope import ModelScopeHub

if TYPE_CHECKING:
    from autoglm.core.settings import ModelSettings


SOURCES = ("hf", "modelscope")


def open_hub(source: str = "hf", endpoint: str = "", timeout: float = 30.0) -> Hub:
    """The hub of ``source`` (``hf`` or ``modelscope``) at ``endpoint`` (empty: the source's default)."""
    if source == "modelscope":
        return ModelScopeHub(endpoint, timeout)
    if source != "hf":
        raise ModelError(f"'{source}' is not a model hub; choose one of: {', '.join(SOURCES)}.")
    return Hub(endpoint, timeout)


def hub_from_settings(settings: ModelSettings, source: str | None = None, endpoint: str | None = None) -> Hub:
    """The hub the settings choose (``source``/``endpoint`` override them), at that source's address."""
    source = source or settings.hub_source
    address = endpoint or (settings.modelscope_endpoint if source == "modelscope" else settings.hub_endpoint)
    return open_hub(source, address)
