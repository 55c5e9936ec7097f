"""Keeping Python's cyclic garbage collector from pausing the GUI thread.

A full collection walks every tracked object that is not frozen. After start-up the
window keeps gaining long-lived objects (Pygments' lexers built by the warm-up, a long
reply's laid-out blocks), and full collections on the GUI thread took 20–60 ms in the
middle of a streaming reply. What has survived is frozen at calm moments (the warm-up
done, a reply finished), so a later full collection walks only what came after.
"""

from __future__ import annotations

import gc


def keep_garbage_collection_short() -> None:
    """Collect everything and freeze what is alive (once the window exists: 40–60 ms, before it shows)."""
    gc.collect()
    gc.freeze()


def freeze_survivors() -> None:
    """Collect the young generations (about a millisecond) and freeze the rest.

    Cycles already in the oldest generation are frozen with it and never collected, a few
    kilobytes at most: the price of never walking the whole heap while the window animates.
    """
    gc.collect(1)
    gc.freeze()
