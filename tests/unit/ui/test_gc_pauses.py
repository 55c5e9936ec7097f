"""Freezing what survived keeps later full collections to what came after."""

from __future__ import annotations

import gc
import weakref

from autoglm.ui.gc_pauses import freeze_survivors


class _Node:
    def __init__(self) -> None:
        self.other: _Node | None = None


def test_survivors_are_frozen_and_young_garbage_is_still_collected() -> None:
    kept = [_Node() for _ in range(2000)]
    garbage = _Node()
    garbage.other = _Node()
    garbage.other.other = garbage  # a cycle only the collector frees
    gone = weakref.ref(garbage)
    del garbage
    frozen = gc.get_freeze_count()
    try:
        freeze_survivors()
        assert gc.get_freeze_count() >= frozen + len(kept)
        assert gone() is None  # collected, not frozen
        assert not any(
            thing is kept[0] for thing in gc.get_objects()
        )  # frozen: later collections skip it
    finally:
        gc.unfreeze()
