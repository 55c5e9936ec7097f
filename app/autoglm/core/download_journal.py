"""The model downloads that were started and have not finished, kept on disk.

A download's bytes survive a quit in its ``.partial`` file; this journal keeps what it
was fetching (which hub, which repository or catalog model, which file), so the next
start of the app can carry on by itself instead of waiting for the user to find the
same file again. A download the user paused is kept too, marked paused: it is offered,
not resumed unasked. Any front that downloads (the window, ``autoglm models download``)
writes the same journal.
"""

from __future__ import annotations

import json
import logging
import os
import threading
from dataclasses import asdict, dataclass, replace
from pathlib import Path

_LOGGER = logging.getLogger(__name__)
_LOCK = threading.Lock()


@dataclass(frozen=True)
class PendingDownload:
    """One unfinished download, as the hub functions were asked for it."""

    source: str  # ``hf`` or ``modelscope``
    endpoint: str  # the hub's address when it started
    model: str  # a catalog id, or a repository ``owner/name``
    filename: str = ""  # the repository's file; empty: the catalog's choice, or ``quantization``'s
    quantization: str = "Q4_K_M"
    paused: bool = False  # the user stopped it

    @property
    def key(self) -> str:
        """What makes two records the same download."""
        return f"{self.model}:{self.filename}"

    @property
    def label(self) -> str:
        """How the user names it: the file, else the model."""
        return self.filename or self.model


class DownloadJournal:
    """``downloads.json`` in the data folder; every change is written at once (atomically)."""

    def __init__(self, data_dir: Path):
        self.path = data_dir / "downloads.json"

    def pending(self) -> list[PendingDownload]:
        """Every unfinished download, oldest first (an unreadable journal is an empty one)."""
        try:
            raw = json.loads(self.path.read_text(encoding="utf-8"))
            return [PendingDownload(**item) for item in raw if isinstance(item, dict)]
        except FileNotFoundError:
            return []
        except (OSError, ValueError, TypeError) as exc:
            _LOGGER.warning("Ignoring the download journal %s: %s", self.path, exc)
            return []

    def started(self, item: PendingDownload) -> None:
        """``item`` is being fetched (again): recorded, not paused."""
        with _LOCK:
            self._write(
                [p for p in self.pending() if p.key != item.key] + [replace(item, paused=False)]
            )

    def finished(self, item: PendingDownload) -> None:
        """``item`` is on disk and verified, or can never be fetched: forgotten."""
        with _LOCK:
            self._write([p for p in self.pending() if p.key != item.key])

    def pause(self, model: str, filename: str = "") -> None:
        """The user stopped the download of ``model`` (``filename``): kept, but not resumed by itself."""
        with _LOCK:
            self._write(
                [
                    replace(p, paused=True)
                    if p.model == model and (not filename or p.filename == filename)
                    else p
                    for p in self.pending()
                ]
            )

    def _write(self, items: list[PendingDownload]) -> None:
        try:
            if not items:
                self.path.unlink(missing_ok=True)
                return
            self.path.parent.mkdir(parents=True, exist_ok=True)
            scratch = self.path.with_suffix(".tmp")
            scratch.write_text(
                json.dumps([asdict(item) for item in items], indent=1), encoding="utf-8"
            )
            os.replace(scratch, self.path)
        except OSError as exc:  # the download itself goes on; only resuming by itself is lost
            _LOGGER.warning("Could not write the download journal %s: %s", self.path, exc)
