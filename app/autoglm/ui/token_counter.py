"""Counts the context's tokens off the GUI thread, a moment after the user stops typing."""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import QObject, QTimer, Signal

from autoglm.core.types import ChatMessage, Priority
from autoglm.ui.main_thread import run_on_main

if TYPE_CHECKING:
    from autoglm.core.runtime import Runtime

_LOGGER = logging.getLogger(__name__)
DEBOUNCE_MS = 350


class TokenCounter(QObject):
    """Emits ``counted(tokens, limit)``; the count runs on the engine thread between replies."""

    counted = Signal(object, int)

    def __init__(
        self,
        runtime: Runtime,
        messages: Callable[[], list[ChatMessage]],
        parent: QObject | None = None,
    ) -> None:
        super().__init__(parent)
        self._runtime = runtime
        self._messages = messages
        self._generation = 0
        self._timer = QTimer(self)
        self._timer.setSingleShot(True)
        self._timer.setInterval(DEBOUNCE_MS)
        self._timer.timeout.connect(self._count)

    def schedule(self) -> None:
        """Count again soon (restarts the delay)."""
        self._timer.start()

    def _limit(self) -> int:
        info = self._runtime.model_info
        return int(getattr(info, "n_ctx", 0) or 0)

    def _count(self) -> None:
        engine = self._runtime.engine
        limit = self._limit()
        counter = getattr(engine, "count_tokens", None)
        if engine is None or counter is None or not limit:
            self.counted.emit(None, limit)
            return
        messages = self._messages()
        request = self._runtime.build_request(messages)
        self._generation += 1
        generation = self._generation
        future = self._runtime.scheduler.submit_call(
            lambda: counter(request.messages), Priority.INTERACTIVE
        )

        def done(result: Any) -> None:
            try:
                tokens = result.result()
            except Exception as exc:  # noqa: BLE001 - a count is informative only
                _LOGGER.debug("Token count failed: %s", exc)
                tokens = None
            run_on_main(lambda: self._deliver(generation, tokens, limit))

        future.add_done_callback(done)

    def _deliver(self, generation: int, tokens: int | None, limit: int) -> None:
        if generation == self._generation:
            self.counted.emit(tokens, limit)
