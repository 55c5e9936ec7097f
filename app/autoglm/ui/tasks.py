"""Background jobs with a failure path (Anki's ``QueryOp`` idea on a ``QThreadPool``).

``BackgroundTask(fn).on_success(cb).on_failure(cb).start()`` runs ``fn`` on a pool thread;
the callbacks run on the GUI thread. Without ``on_failure`` the error goes to the funnel.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from typing import Any

import shiboken6
from PySide6.QtCore import QObject, QRunnable, QThreadPool, Signal

_LOGGER = logging.getLogger(__name__)
_RUNNING: set[BackgroundTask] = set()


class _TaskSignals(QObject):
    succeeded = Signal(object)
    failed = Signal(object)


class BackgroundTask(QRunnable):
    """Runs a callable off the GUI thread and reports back on it."""

    default_failure: Callable[[BaseException], None] | None = None
    """Where failures go when a task has no ``on_failure`` (set to the error funnel)."""

    def __init__(
        self, function: Callable[[], Any], name: str = "", owner: QObject | None = None
    ) -> None:
        """``owner``: when it has been deleted by the time the job ends, no callback runs."""
        super().__init__()
        self._owner = owner
        self.setAutoDelete(False)
        self._function = function
        self.name = name or getattr(function, "__name__", "task")
        self.signals = _TaskSignals()
        self._has_failure_path = False
        self.signals.succeeded.connect(self._forget)
        self.signals.failed.connect(self._forget)
        self.signals.failed.connect(self._default_failure)

    def on_success(self, callback: Callable[[Any], None]) -> BackgroundTask:
        """Call ``callback(result)`` on the GUI thread when the job returns."""
        self.signals.succeeded.connect(self._guarded(callback))
        return self

    def on_failure(self, callback: Callable[[BaseException], None]) -> BackgroundTask:
        """Call ``callback(error)`` on the GUI thread when the job raises."""
        self._has_failure_path = True
        self.signals.failed.connect(self._guarded(callback))
        return self

    def _guarded(self, callback: Callable[[Any], None]) -> Callable[[Any], None]:
        owner = self._owner
        if owner is None:
            return callback

        def call(value: Any) -> None:
            if shiboken6.isValid(owner):
                callback(value)
            else:
                _LOGGER.debug("Dropped the result of %s: its window is gone", self.name)

        return call

    def start(self, pool: QThreadPool | None = None, daemon: bool = False) -> BackgroundTask:
        """Queue the job on ``pool`` (the global pool by default).

        ``daemon`` runs it on its own daemon thread instead: for long jobs that cannot be
        interrupted (loading a model), so quitting never waits for them.
        """
        _RUNNING.add(self)
        if daemon:
            threading.Thread(target=self.run, name=f"autoglm-{self.name}", daemon=True).start()
        else:
            (pool or QThreadPool.globalInstance()).start(self)
        return self

    def run(self) -> None:
        """Pool thread: run the job and emit the outcome."""
        try:
            result = self._function()
        except BaseException as exc:  # noqa: BLE001 - every failure reaches the user
            if not isinstance(exc, Exception):
                _LOGGER.warning("Background job %s stopped: %r", self.name, exc)
            self.signals.failed.emit(exc)
            return
        self.signals.succeeded.emit(result)

    def _default_failure(self, error: BaseException) -> None:
        if self._has_failure_path:
            return
        _LOGGER.error("Background job %s failed", self.name, exc_info=error)
        if BackgroundTask.default_failure is not None:
            BackgroundTask.default_failure(error)

    def _forget(self, _value: object) -> None:
        _RUNNING.discard(self)
