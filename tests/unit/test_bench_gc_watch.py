"""bench ui's collection timer counts each generation and tells the GUI thread's own apart."""

from __future__ import annotations

import gc
import threading

from autoglm.bench.gc_watch import GcWatch


def test_collections_are_counted_by_generation_and_thread() -> None:
    watch = GcWatch()
    watch.start()
    try:
        gc.collect(0)
        gc.collect(2)
        other = threading.Thread(target=gc.collect, args=(1,))
        other.start()
        other.join()
    finally:
        watch.stop()
    figures = watch.figures("x")
    assert [min(n, 1) for n in figures["x_gc_collections"]] == [1, 1, 1]
    assert figures["x_gc_longest_ms"][2] > 0.0
    assert figures["x_gc_longest_on_gui_thread_ms"] >= figures["x_gc_longest_ms"][2] > 0.0
    before = list(watch.count)
    gc.collect(0)  # stopped: not counted
    assert watch.count == before
    assert watch._callback not in gc.callbacks
