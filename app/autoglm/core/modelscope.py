"""Models from ModelScope (modelscope.cn, or a mirror of it), through the ``modelscope`` client.

The second source beside Hugging Face, for users whose network reaches it better
(mainland China). The client searches, lists a repository's files with the sizes and
sha256 ModelScope publishes, and names a file's address; the bytes then go through the
same resumable transfer and the same checks as the other hub's (``core.hub.Hub``), so a
download from here also resumes across restarts and is verified before it is used.
The client is imported on first use: the app starts without it. A catalog model is
looked for under the same repository names as on Hugging Face (ModelScope keeps many
GGUF conversions as ``owner/name`` too); any other repository is searched or named.
"""

from __future__ import annotations

import logging
import os
from typing import Any

from autoglm.core.errors import ModelError
from autoglm.core.hub import Hub, HubFile, HubModel, is_projector_name, quantization_of

DEFAULT_ENDPOINT = "https://modelscope.cn"
REVISION = "master"


def resolve_endpoint(setting: str = "") -> str:
    """The ModelScope to use: the setting, else ``MODELSCOPE_ENDPOINT``, else modelscope.cn."""
    return (setting or os.environ.get("MODELSCOPE_ENDPOINT") or DEFAULT_ENDPOINT).rstrip("/")


class ModelScopeHub(Hub):
    """ModelScope with the calls of ``Hub``; every failure is one sentence."""

    source = "modelscope"
    name = "ModelScope"
    mirror_hint = "set its address (Settings → Model → ModelScope address, or MODELSCOPE_ENDPOINT)"

    def __init__(self, endpoint: str = "", timeout: float = 30.0):
        self.endpoint = resolve_endpoint(endpoint)
        self.timeout = timeout
        self._client: Any = None

    @property
    def _ms(self) -> Any:
        """The client, made on first use (off the GUI thread: importing it takes a moment)."""
        if self._client is None:
            from modelscope.hub.api import HubApi

            logging.getLogger("modelscope_hub").setLevel(
                logging.ERROR
            )  # its retries are ours to report, once
            self._client = HubApi(
                endpoint=self.endpoint, timeout=max(1, int(self.timeout)), max_retries=1
            )
        return self._client

    def search(self, query: str, limit: int = 30) -> list[HubModel]:
        """Repositories whose name matches ``query`` (GGUF ones first), most downloaded first."""
        try:
            page = self._ms.list_repos(
                "model", search=query, sort="downloads", page_size=min(limit, 100)
            )
        except Exception as exc:
            raise self._unreachable(exc) from exc
        models = [
            HubModel(info.repo_id, int(info.downloads or 0), int(getattr(info, "likes", 0) or 0))
            for info in page.items
            if info.repo_id
        ]
        return sorted(models, key=lambda m: ("gguf" not in m.repo.lower(), -m.downloads))

    def gguf_files(self, repo: str) -> list[HubFile]:
        """The repository's GGUF files with the sizes and sha256 sums ModelScope publishes."""
        from modelscope.hub.errors import NotExistError

        try:
            listed = self._ms.list_repo_files(repo, "model", revision=REVISION)
        except NotExistError as exc:
            raise ModelError(f"There is no model '{repo}' on {self.endpoint}.") from exc
        except Exception as exc:
            if getattr(exc, "status_code", None) == 404:
                raise ModelError(f"There is no model '{repo}' on {self.endpoint}.") from exc
            raise self._unreachable(exc) from exc
        files = [
            HubFile(
                repo,
                info.path,
                int(info.size or 0),
                info.sha256 or None,
                quantization_of(info.path),
                is_projector_name(info.path),
            )
            for info in listed
            if str(info.path).lower().endswith(".gguf") and info.type != "tree"
        ]
        return sorted(files, key=lambda f: (f.is_projector, f.size))

    def file_url(self, file: HubFile) -> str:
        """ModelScope's address of the file (it answers ranges, so the transfer resumes)."""
        from modelscope.hub.file_download import get_file_download_url

        return str(
            get_file_download_url(file.repo, file.filename, REVISION, endpoint=self.endpoint)
        )

    def _unreachable(self, exc: Exception) -> ModelError:
        from modelscope.hub.errors import NetworkError

        if isinstance(exc, NetworkError):  # its text is a dump of urllib3's pool and the URL
            exc = ConnectionError(
                "no connection" if "timed out" not in str(exc).lower() else "timed out"
            )
        return super()._unreachable(exc)
