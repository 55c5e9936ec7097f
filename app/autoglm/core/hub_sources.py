"""Which hub a download goes through: Hugging Face (``core.hub``) or ModelScope (``core.modelscope``).

Kept apart from both because it knows both: ModelScope's hub is a ``Hub`` with other
calls, so the base module cannot also be the one that picks it.
"""

from __future__ import annotations

import threading
from typing import TYPE_CHECKING

from autoglm.core.catalog import ModelRepository
from autoglm.core.download import DownloadProgress
from autoglm.core.download_journal import PendingDownload
from autoglm.core.errors import ModelError
from autoglm.core.hub import Hub, download_catalog_model, download_repository
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


def hub_from_settings(
    settings: ModelSettings, source: str | None = None, endpoint: str | None = None
) -> Hub:
    """The hub the settings choose (``source``/``endpoint`` override them), at that source's address."""
    source = source or settings.hub_source
    address = endpoint or (
        settings.modelscope_endpoint if source == "modelscope" else settings.hub_endpoint
    )
    return open_hub(source, address)


def resume_download(
    item: PendingDownload,
    repository: ModelRepository,
    progress: DownloadProgress | None = None,
    cancel: threading.Event | None = None,
) -> str:
    """Carry on with a download the journal kept, from the hub it started on; return the model id."""
    hub = open_hub(item.source, item.endpoint)
    if not item.filename and repository.catalog.get(item.model) is not None:
        return download_catalog_model(hub, repository, item.model, progress, cancel)
    return download_repository(
        hub, repository, item.model, item.filename or None, item.quantization, progress, cancel
    )
