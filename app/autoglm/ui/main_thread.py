"""``run_on_main``: any thread hands a closure to the GUI thread.

Closures go into a locked list and one queued signal wakes the GUI thread, which drains
the list in order. Widgets are only ever touched from there.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable

from PySide6.QtCore import QCoreApplication, QObject, Qt, QThread, Signal, Slot

_LOGGER = logging.getLogger(__name__)


class MainThreadDispatcher(QObject):
    """Runs queued closures on the thread it lives on (the GUI thread)."""

    _wake = Signal()

    def __init__(self) -> None:
        super().__init__()
        self._lock = threading.Lock()
        self._pending: list[Callable[[], object]] = []
        self._wake.connect(self._drain, Qt.ConnectionType.QueuedConnection)

    def post(self, closure: Callable[[], object]) -> None:
        """Queue ``closure``; it runs on the GUI thread soon, in posting order."""
        with self._lock:
            first = not self._pending
            self._pending.append(closure)
        if first:
            self._wake.emit()

    @Slot()
    def _drain(self) -> None:
        with self._lock:
            pending, self._pending = self._pending, []
        for closure in pending:
            try:
                closure()
            except Exception:  # noqa: BLE001 - goes to the exception funnel
                import sys

                sys.excepthook(*sys.exc_info())


_DISPATCHER: MainThreadDispatcher | None = None
_DISPATCHER_LOCK = threading.Lock()


def dispatcher() -> MainThreadDispatcher:
    """The process's dispatcher, created on the GUI thread the first time."""
    global _DISPATCHER
    with _DISPATCHER_LOCK:
        if _DISPATCHER is None:
            app = QCoreApplication.instance()
            if app is None:
                raise RuntimeError("run_on_main needs a QApplication")
            _DISPATCHER = MainThreadDispatcher()
            _DISPATCHER.moveToThread(app.thread())
        return _DISPATCHER


def run_on_main(closure: Callable[[], object]) -> None:
    """Run ``closure`` on the GUI thread (right away if already there)."""
    app = QCoreApplication.instance()
    if app is not None and QThread.currentThread() is app.thread():
        closure()
        return
    dispatcher().post(closure)
