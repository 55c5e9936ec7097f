"""Flags in shared memory that the app writes and the engine worker reads between tokens.

A cancel must stop decoding within one token and abort a long prompt midway, and the
first words of a spoken reply must make the model pause: neither can wait for a message
to be read, because the worker's one thread is inside llama.cpp. So each is one byte of
shared memory (``multiprocessing.RawValue``, no lock: one writer, reads are atomic).
"""

from __future__ import annotations

import threading
import time
from typing import Any

_POLL_S = 0.001  # how often a waiting reader looks at the shared byte


class SharedCancel(threading.Event):
    """A ``threading.Event`` whose state is one byte of a shared array, so the engine's checks read it as they are.

    The worker hands one to ``LlamaEngine.submit`` as the request's cancel event: the
    token loop's ``is_set()`` and the abort watcher's ``wait()`` then see the app's
    cancel within a token (or within a millisecond while a prompt is evaluated). Each
    reply in flight has its own byte (``index``), so one can be cancelled alone.
    """

    def __init__(self, flags: Any, index: int = 0):
        super().__init__()
        self._flags = flags
        self._index = index

    def is_set(self) -> bool:
        """Whether the app asked to stop."""
        return bool(self._flags[self._index])

    def set(self) -> None:
        """Ask to stop."""
        self._flags[self._index] = 1

    def clear(self) -> None:
        """Re-arm for the next request."""
        self._flags[self._index] = 0

    def wait(self, timeout: float | None = None) -> bool:
        """Block until set or ``timeout`` passes; returns whether it is set."""
        deadline = None if timeout is None else time.monotonic() + timeout
        while not self._flags[self._index]:
            if deadline is not None and time.monotonic() >= deadline:
                return False
            time.sleep(_POLL_S)
        return True


class SharedForeground:
    """Mirrors the app's foreground-work count into shared memory for the worker to wait on."""

    def __init__(self, counter: Any):
        self._counter = counter

    def running(self) -> int:
        """Foreground jobs running in the app now."""
        return int(self._counter.value)

    def publish(self, running: int) -> None:
        """App side: the count changed."""
        self._counter.value = running
