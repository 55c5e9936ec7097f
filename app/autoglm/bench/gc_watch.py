"""Timing Python's cyclic garbage collections while a UI benchmark runs.

A collection on any thread holds the GIL, so a long one stalls the GUI thread even when
another thread started it. A stall that a heartbeat sees is only explained when the
collections beside it are known: how many of each generation, how long the longest took,
and the longest that ran on the GUI thread itself.
"""

from __future__ import annotations

import gc
import threading
import time
from typing import Any


class GcWatch:
    """Records every collection's generation, duration and thread between ``start`` and ``stop``."""

    def __init__(self) -> None:
        self._began: dict[int, float] = {}
        self._gui_thread = threading.get_ident()
        self.count = [0, 0, 0]
        self.total_s = [0.0, 0.0, 0.0]
        self.max_s = [0.0, 0.0, 0.0]
        self.max_gui_s = 0.0

    def start(self) -> None:
        """Begin recording (resets the figures); call on the GUI thread."""
        self.stop()
        self._gui_thread = threading.get_ident()
        self.count, self.total_s, self.max_s, self.max_gui_s = [0, 0, 0], [0.0] * 3, [0.0] * 3, 0.0
        gc.callbacks.append(self._callback)

    def stop(self) -> None:
        """Stop recording; the figures stay."""
        if self._callback in gc.callbacks:
            gc.callbacks.remove(self._callback)

    def _callback(self, phase: str, info: dict[str, Any]) -> None:
        thread = threading.get_ident()
        if phase == "start":
            self._began[thread] = time.perf_counter()
            return
        began = self._began.pop(thread, None)
        if began is None:
            return
        took, generation = time.perf_counter() - began, int(info["generation"])
        self.count[generation] += 1
        self.total_s[generation] += took
        self.max_s[generation] = max(self.max_s[generation], took)
        if thread == self._gui_thread:
            self.max_gui_s = max(self.max_gui_s, took)

    def figures(self, prefix: str) -> dict[str, Any]:
        """The counts and times in milliseconds, each key starting with ``prefix``."""
        return {
            f"{prefix}_gc_collections": list(self.count),
            f"{prefix}_gc_total_ms": [round(s * 1000, 1) for s in self.total_s],
            f"{prefix}_gc_longest_ms": [round(s * 1000, 1) for s in self.max_s],
            f"{prefix}_gc_longest_on_gui_thread_ms": round(self.max_gui_s * 1000, 1),
        }
