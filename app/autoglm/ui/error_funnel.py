"""One funnel for every error the user should hear about.

``sys.excepthook``, ``threading.excepthook`` and every worker's failure path end up in
``ErrorFunnel.report``, which emits ``errorReported`` on the GUI thread. The main window
shows it as a dismissible banner: a sentence for ``UserFacingError``s, a short summary
(with the trace in the log) for anything else.
"""

from __future__ import annotations

import logging
import sys
import threading
import traceback
from types import TracebackType

from PySide6.QtCore import QCoreApplication, QObject, Signal

from autoglm.core.errors import UserFacingError
from autoglm.ui.main_thread import run_on_main

_LOGGER = logging.getLogger(__name__)


def describe_error(error: BaseException) -> str:
    """The sentence shown to the user for ``error``."""
    if isinstance(error, UserFacingError):
        return str(error)
    detail = str(error) or type(error).__name__
    return QCoreApplication.translate("ErrorFunnel", "Something went wrong: {0}").format(detail)


class ErrorFunnel(QObject):
    """Collects errors from hooks and workers; emits them on the GUI thread."""

    errorReported = Signal(str)

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._previous_excepthook = sys.excepthook
        self._previous_thread_hook = threading.excepthook
        self._installed = False

    def install(self) -> None:
        """Route uncaught exceptions of every thread here."""
        if self._installed:
            return
        sys.excepthook = self._excepthook
        threading.excepthook = self._thread_excepthook
        self._installed = True

    def uninstall(self) -> None:
        """Put the previous hooks back."""
        if self._installed:
            sys.excepthook = self._previous_excepthook
            threading.excepthook = self._previous_thread_hook
            self._installed = False

    def report(self, error: BaseException | str) -> None:
        """Tell the user about ``error`` (from any thread)."""
        message = error if isinstance(error, str) else describe_error(error)
        run_on_main(lambda: self.errorReported.emit(message))

    def _excepthook(
        self, kind: type[BaseException], error: BaseException, trace: TracebackType | None
    ) -> None:
        if issubclass(kind, KeyboardInterrupt):
            self._previous_excepthook(kind, error, trace)
            return
        if not isinstance(error, UserFacingError):
            _LOGGER.error(
                "Uncaught error:\n%s", "".join(traceback.format_exception(kind, error, trace))
            )
        self.report(error)

    def _thread_excepthook(self, args: threading.ExceptHookArgs) -> None:
        if args.exc_value is None or issubclass(args.exc_type, SystemExit):
            return
        thread_name = args.thread.name if args.thread else "?"
        if not isinstance(args.exc_value, UserFacingError):
            _LOGGER.error(
                "Uncaught error in thread %s:\n%s",
                thread_name,
                "".join(
                    traceback.format_exception(args.exc_type, args.exc_value, args.exc_traceback)
                ),
            )
        self.report(args.exc_value)
