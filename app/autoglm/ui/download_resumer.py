"""Downloads the app was quit in the middle of carry on when it starts again.

The journal (``core.download_journal``) says what was being fetched; the ``.partial``
files hold what had arrived. At start each unfinished download resumes by itself, one
after another, with its progress in the status bar and its end in the banner; one the
user had paused is only mentioned, with where to resume it. Quitting again stops the
transfer at once, and the next start carries on from there.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from typing import TYPE_CHECKING

from PySide6.QtCore import QObject, Signal, Slot

from autoglm.core.download import DownloadCancelled, format_bytes
from autoglm.core.download_journal import DownloadJournal, PendingDownload
from autoglm.core.hub_sources import resume_download
from autoglm.ui.tasks import BackgroundTask

if TYPE_CHECKING:
    from autoglm.core.runtime import Runtime

_LOGGER = logging.getLogger(__name__)
TOPIC = "downloads"


class _Relay(QObject):
    """Carries a transfer's progress from its worker thread to the GUI thread."""

    transferred = Signal(object, object, float)


class DownloadResumer(QObject):
    """Resumes the journal's downloads; ``show_status(text)`` and ``show_message(text, topic)`` tell the user."""

    downloaded = Signal(str)  # the model id, verified and on the list
    idle = Signal()  # nothing (more) to resume

    def __init__(
        self,
        runtime: Runtime,
        show_status: Callable[[str], None],
        show_message: Callable[[str, str], None],
        parent: QObject | None = None,
    ) -> None:
        super().__init__(parent)
        self._repository = runtime.repository
        self._journal = DownloadJournal(runtime.repository.paths.data_dir)
        self._show_status = show_status
        self._show_message = show_message
        self._queue: list[PendingDownload] = []
        self._cancel = threading.Event()
        self.current: PendingDownload | None = None

    def resume_pending(self) -> list[PendingDownload]:
        """Start the unfinished downloads the user did not pause; mention the paused ones."""
        pending = self._journal.pending()
        paused = [item for item in pending if item.paused]
        if paused:
            self._show_message(
                self.tr(
                    "The download of {0} is paused; open the model manager (Discover…) and "
                    "press Download to resume it."
                ).format(", ".join(p.label for p in paused)),
                TOPIC,
            )
        self._queue = [item for item in pending if not item.paused]
        if self._queue:
            self._next()
        else:
            self.idle.emit()
        return list(self._queue)

    def shutdown(self) -> None:
        """The app is quitting: stop the transfer (it stays in the journal, to resume next time)."""
        self._cancel.set()
        self._queue = []

    def _next(self) -> None:
        if not self._queue or self._cancel.is_set():
            self.current = None
            self.idle.emit()
            return
        item = self.current = self._queue.pop(0)
        relay = _Relay(self)
        relay.transferred.connect(lambda done, total, rate: self._progress(item, done, total, rate))
        self._show_message(
            self.tr("Resuming the download of {0} that was under way when AutoGLM closed.").format(
                item.label
            ),
            TOPIC,
        )
        repository, cancel = self._repository, self._cancel
        BackgroundTask(
            lambda: resume_download(item, repository, relay.transferred.emit, cancel),
            f"resume {item.label}",
            owner=self,
        ).on_success(lambda model_id: self._finished(item, model_id)).on_failure(
            lambda error: self._failed(item, error)
        ).start()

    def _progress(self, item: PendingDownload, done: int, total: int | None, rate: float) -> None:
        share = (
            self.tr("{0} of {1}").format(format_bytes(done), format_bytes(total))
            if total
            else format_bytes(done)
        )
        text = self.tr("Downloading {0}: {1}").format(item.label, share)
        if rate > 0:
            text += " · " + self.tr("{0}/s").format(format_bytes(rate))
        self._show_status(text)

    @Slot(object)
    def _finished(self, item: PendingDownload, model_id: str) -> None:
        self._show_status("")
        self._show_message(
            self.tr(
                "Downloaded and verified {0}: choose {1} in the model picker to chat with it."
            ).format(item.label, model_id),
            TOPIC,
        )
        self.downloaded.emit(model_id)
        self._next()

    @Slot(object)
    def _failed(self, item: PendingDownload, error: BaseException) -> None:
        self._show_status("")
        if not isinstance(error, DownloadCancelled):
            _LOGGER.info("Resuming %s failed: %s", item.label, error)
            self._show_message(
                self.tr("The download of {0} could not be resumed: {1}").format(item.label, error),
                TOPIC,
            )
        self._next()
