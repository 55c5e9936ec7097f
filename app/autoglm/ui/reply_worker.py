"""Carries one ``ReplyStream`` to the GUI: a thread iterates it, a timer delivers batches.

The worker thread only appends events to a buffer (and saves the partial reply now and
then, off the GUI thread); a GUI-thread timer drains the buffer at most ~30 times a second
and emits one ``delta`` per drain, so a fast model cannot flood the event loop with repaints.
``cancel()`` stops delivery at once: nothing more is shown after Stop, even if the engine
needs another token to notice.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable

from PySide6.QtCore import QObject, QTimer, Signal

from autoglm.core.scheduler import ReplyStream
from autoglm.core.types import Completion, Delta, Notice

_LOGGER = logging.getLogger(__name__)
FRAME_INTERVAL_MS = 33
SAVE_INTERVAL_S = 1.0

PartialSaver = Callable[[str, str], None]


class ReplyStreamWorker(QObject):
    """Streams a reply to the GUI in batches; emits ``finished`` with the ``Completion``."""

    delta = Signal(str, str)
    """(content, reasoning) added since the last batch."""
    notice = Signal(object)
    finished = Signal(object)

    def __init__(
        self,
        stream: ReplyStream,
        save_partial: PartialSaver | None = None,
        parent: QObject | None = None,
    ) -> None:
        super().__init__(parent)
        self.stream = stream
        self._save_partial = save_partial
        self._lock = threading.Lock()
        self._save_lock = threading.Lock()
        self._content: list[str] = []
        self._reasoning: list[str] = []
        self._notices: list[Notice] = []
        self._completion: Completion | None = None
        self._cancelled = False
        self._done_emitted = False
        self.batches_delivered = 0
        self.tokens = 0
        """Pieces streamed so far (one per token), counted on the worker thread."""
        self.first_token_at: float | None = None
        self._timer = QTimer(self)
        self._timer.setInterval(FRAME_INTERVAL_MS)
        self._timer.timeout.connect(self._drain)
        self._thread = threading.Thread(target=self._pump, name="autoglm-reply", daemon=True)

    def start(self) -> None:
        """Begin streaming."""
        self._timer.start()
        self._thread.start()

    def cancel(self) -> None:
        """Stop now: the engine is told to stop; nothing more is delivered."""
        self.stream.cancel()
        with self._save_lock:  # after this no partial save can overwrite the final one
            self._cancelled = True
        self._timer.stop()

    @property
    def cancelled(self) -> bool:
        """Whether ``cancel()`` was called."""
        return self._cancelled

    def wait(self, timeout: float) -> bool:
        """Wait for the worker thread to end (shutdown)."""
        self._thread.join(timeout)
        return not self._thread.is_alive()

    # -- worker thread ---------------------------------------------------------------------
    def _pump(self) -> None:
        content: list[str] = []
        reasoning: list[str] = []
        last_save = time.monotonic()
        try:
            for event in self.stream:
                if isinstance(event, Delta):
                    if self.first_token_at is None:
                        self.first_token_at = time.monotonic()
                    self.tokens += 1
                    with self._lock:
                        if event.content:
                            self._content.append(event.content)
                        if event.reasoning:
                            self._reasoning.append(event.reasoning)
                    content.append(event.content)
                    reasoning.append(event.reasoning)
                    now = time.monotonic()
                    if self._save_partial is not None and now - last_save >= SAVE_INTERVAL_S:
                        last_save = now
                        self._save("".join(content), "".join(reasoning))
                elif isinstance(event, Notice):
                    with self._lock:
                        self._notices.append(event)
            completion = self.stream.result(timeout=5.0)
        except Exception as exc:  # turned into an error completion shown in words
            _LOGGER.exception("Streaming the reply failed")
            completion = Completion(
                content="".join(content),
                reasoning="".join(reasoning),
                finish_reason="error",
                error=str(exc),
            )
        with self._lock:
            self._completion = completion

    def _save(self, content: str, reasoning: str) -> None:
        with self._save_lock:
            if self._cancelled:
                return
            try:
                self._save_partial(content, reasoning)  # type: ignore[misc]
            except Exception:  # a failed partial save must not stop the reply
                _LOGGER.exception("Saving the partial reply failed")

    # -- GUI thread ------------------------------------------------------------------------
    def _drain(self) -> None:
        with self._lock:
            content, self._content = "".join(self._content), []
            reasoning, self._reasoning = "".join(self._reasoning), []
            notices, self._notices = self._notices, []
            completion = self._completion
        for item in notices:
            self.notice.emit(item)
        if content or reasoning:
            self.batches_delivered += 1
            self.delta.emit(content, reasoning)
        if completion is not None and not self._done_emitted:
            self._done_emitted = True
            self._timer.stop()
            self.finished.emit(completion)
