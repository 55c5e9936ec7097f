"""Rendering work that is too slow for the GUI thread, done on one background thread.

Drawing a formula with matplotlib or compiling a Pygments lexer takes tens of milliseconds
(Python's lexer about a hundred), so when the GUI thread meets one that is not ready it
shows a stand-in (the TeX source, unhighlighted code) and asks for it here. When the
queue runs dry the listeners (the chat views) are told, from the background thread, to lay
their messages out again.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable, Hashable
from concurrent.futures import ThreadPoolExecutor

_LOGGER = logging.getLogger(__name__)
_lock = threading.Lock()
_pending: set[Hashable] = set()
_executor: ThreadPoolExecutor | None = None
_listeners: list[Callable[[], None]] = []


def add_listener(callback: Callable[[], None]) -> None:
    """Call ``callback`` (from the background thread) whenever requested work is done."""
    _listeners.append(callback)


def remove_listener(callback: Callable[[], None]) -> None:
    """Stop telling ``callback``."""
    if callback in _listeners:
        _listeners.remove(callback)


def on_gui_thread() -> bool:
    """Whether the caller is the GUI thread (which must never wait for this work)."""
    return threading.current_thread() is threading.main_thread()


def request(key: Hashable, job: Callable[[], object]) -> None:
    """Run ``job`` on the background thread unless the same ``key`` is queued already."""
    global _executor
    with _lock:
        if key in _pending:
            return
        _pending.add(key)
        if _executor is None:
            _executor = ThreadPoolExecutor(max_workers=1, thread_name_prefix="autoglm-render")
        executor = _executor

    def run() -> None:
        try:
            job()
        except Exception:  # a stand-in stays shown; the reply still reads
            _LOGGER.warning("Background rendering of %r failed", key, exc_info=True)
        finally:
            with _lock:
                _pending.discard(key)
                idle = not _pending
            if idle:
                for listener in list(_listeners):
                    listener()

    executor.submit(run)


def pending() -> bool:
    """Whether any requested work is still queued or running."""
    with _lock:
        return bool(_pending)
