"""Short jobs the user is waiting on ask the model to pause between two tokens.

On a laptop with two or four cores, llama.cpp's decode threads take every core. The first
words of a spoken reply are synthesised while the model goes on writing the rest, and
piper then shares the cores with decoding as an equal: a 4-word piece that takes 0.10 s
alone takes 0.15-0.19 s. Yet those words are what the user is waiting to hear, while the
rest of the reply has seconds before it is needed. So such a job runs inside
``FOREGROUND.running()``, and the engine, between two tokens, waits (at most
``MAX_PAUSE_S``) until no such job runs.

This is cooperative on purpose. Lowering the engine thread's nice value did the same for
piper, but a descheduled low-priority thread holding the GIL then stalled the GUI thread
(60-89 ms instead of 29-31 ms opening a 500-message chat, ``autoglm bench ui``), and it
only works on Linux.
"""

from __future__ import annotations

import contextlib
import threading
import time
from collections.abc import Callable, Iterator

MAX_PAUSE_S = 0.5  # the model never waits longer than this per token


class ForegroundWork:
    """Counts the foreground jobs running; ``wait_idle`` blocks while there are any."""

    def __init__(self) -> None:
        self._running = 0
        self._lock = threading.Lock()
        self._idle = threading.Event()
        self._idle.set()
        self.pauses = 0  # times the model waited (diagnostics and tests)
        self._mirrors: list[Callable[[int], None]] = []
        self._remote: Callable[[], int] | None = None

    def mirror_to(self, publish: Callable[[int], None]) -> None:
        """Also tell ``publish`` the count whenever it changes (an engine in another process reads it)."""
        with self._lock:
            self._mirrors.append(publish)
            publish(self._running)

    def stop_mirroring(self, publish: Callable[[int], None]) -> None:
        """Stop telling ``publish``."""
        with self._lock:
            if publish in self._mirrors:
                self._mirrors.remove(publish)

    def follow(self, running: Callable[[], int]) -> None:
        """In the engine's process: wait for the jobs another process counts (``running()``)."""
        self._remote = running

    def _changed(self) -> None:
        for publish in self._mirrors:
            publish(self._running)

    @contextlib.contextmanager
    def running(self) -> Iterator[None]:
        """Mark the block as foreground work: the model pauses at its next token until it ends."""
        with self._lock:
            self._running += 1
            self._idle.clear()
            self._changed()
        try:
            yield
        finally:
            with self._lock:
                self._running -= 1
                if self._running == 0:
                    self._idle.set()
                self._changed()

    def wait_idle(self, timeout: float = MAX_PAUSE_S) -> None:
        """Called by the engine between tokens: returns at once unless foreground work runs."""
        remote = self._remote
        if remote is not None and remote() > 0:
            self.pauses += 1
            deadline = time.monotonic() + timeout
            while remote() > 0 and time.monotonic() < deadline:
                time.sleep(0.001)
            return
        if self._idle.is_set():
            return
        self.pauses += 1
        self._idle.wait(timeout)


FOREGROUND = ForegroundWork()
"""The process's one arbiter: the engine pauses for any foreground job in the process."""
