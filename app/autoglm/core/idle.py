"""Unloading a model after it has not been used for a while."""

from __future__ import annotations

import contextlib
import logging
import threading
from collections.abc import Callable, Iterator

_LOGGER = logging.getLogger(__name__)


class IdleUnloader:
    """Calls ``unload`` once ``idle_s`` seconds pass with no use (0 disables it)."""

    def __init__(self, idle_s: float, unload: Callable[[], None], what: str):
        self.idle_s = idle_s
        self._unload = unload
        self._what = what
        self._timer: threading.Timer | None = None
        self._lock = threading.Lock()
        self._users = 0

    def touch(self) -> None:
        """Restart the idle countdown."""
        with self._lock:
            if self._timer is not None:
                self._timer.cancel()
                self._timer = None
            if self.idle_s > 0 and self._users == 0:
                self._timer = threading.Timer(self.idle_s, self._fire)
                self._timer.daemon = True
                self._timer.start()

    @contextlib.contextmanager
    def busy(self) -> Iterator[None]:
        """Hold off unloading while the model is in use."""
        with self._lock:
            self._users += 1
            if self._timer is not None:
                self._timer.cancel()
                self._timer = None
        try:
            yield
        finally:
            with self._lock:
                self._users -= 1
            self.touch()

    def _fire(self) -> None:
        with self._lock:
            if self._users:
                return
            self._timer = None
        _LOGGER.info("Unloading the idle %s", self._what)
        self._unload()
