"""Starting the desktop app: QApplication, theme, language, error funnel, window, shutdown.

The window is shown first and the model loads afterwards in the background, so the app
is usable (conversations, settings) within about a second of starting.
"""

from __future__ import annotations

import argparse
import logging
import os
import sys
import time
from typing import TYPE_CHECKING

from PySide6.QtCore import QCoreApplication, Qt, QTimer
from PySide6.QtWidgets import QApplication

from autoglm.core.paths import APP_NAME
from autoglm.ui.error_funnel import ErrorFunnel
from autoglm.ui.gc_pauses import keep_garbage_collection_short
from autoglm.ui.i18n import LanguageSwitcher
from autoglm.ui.icons import app_icon
from autoglm.ui.theme import ThemeManager
from autoglm.ui.thread_switching import hand_over_the_gil_quickly

if TYPE_CHECKING:
    from autoglm.core.runtime import Runtime
    from autoglm.ui.main_window import MainWindow

_LOGGER = logging.getLogger(__name__)


def process_start_time() -> float:
    """When this process started (wall clock), for the cold-start figure."""
    try:
        import psutil

        return psutil.Process().create_time()
    except Exception:  # noqa: BLE001 - fall back to module import time
        return _IMPORTED_AT


_IMPORTED_AT = time.time()


def ensure_application(argv: list[str] | None = None) -> QApplication:
    """The QApplication (created once, with the app's names and icon)."""
    existing = QApplication.instance()
    if existing is None:
        QCoreApplication.setAttribute(Qt.ApplicationAttribute.AA_ShareOpenGLContexts)
        app = QApplication(argv or sys.argv[:1])
    elif isinstance(existing, QApplication):
        app = existing
    else:
        raise RuntimeError(
            "A QCoreApplication without widgets is running; the window needs a QApplication."
        )
    app.setApplicationName(APP_NAME)
    app.setOrganizationName("AutoGLM")
    app.setApplicationDisplayName(APP_NAME)
    app.setDesktopFileName("autoglm-desktop")
    app.setWindowIcon(app_icon())
    return app


def create_main_window(
    runtime: Runtime | None = None, app: QApplication | None = None, owns_process: bool = True
) -> MainWindow:
    """A ready ``MainWindow`` over ``runtime`` (a new ``Runtime`` if none), not yet shown.

    ``owns_process`` installs the exception hooks and ties shutdown to ``aboutToQuit``;
    tests that build several windows in one process pass ``False`` and call ``shutdown()``.
    """
    from autoglm.core.runtime import Runtime
    from autoglm.ui.main_window import MainWindow

    app = app or ensure_application()
    runtime = runtime or Runtime()
    if not runtime.has_speech:
        from autoglm.speech.factory import SpeechModelFactory

        runtime.use_speech(SpeechModelFactory())
    if runtime.embedder is None:
        from autoglm.knowledge.embedder import embedder_factory

        runtime.use_embedder(embedder_factory(runtime.settings))
    funnel = ErrorFunnel(app)
    if owns_process:
        funnel.install()
    theme = ThemeManager(app, runtime.settings.appearance.theme)
    theme.apply()
    languages = LanguageSwitcher()
    languages.apply(runtime.settings.appearance.language)
    window = MainWindow(runtime, theme=theme, languages=languages, funnel=funnel)
    if owns_process:
        app.aboutToQuit.connect(window.shutdown)
        app.aboutToQuit.connect(funnel.uninstall)
    keep_garbage_collection_short()
    hand_over_the_gil_quickly()
    return window


def run_gui(args: argparse.Namespace | None = None) -> int:
    """Open the desktop app and run until its window closes; returns the exit code."""
    from autoglm.core.runtime import Runtime
    from autoglm.core.settings_cli import overrides_from_args

    started = process_start_time()
    app = ensure_application()
    runtime = Runtime()
    if args is not None:
        runtime.settings = overrides_from_args(args, runtime.settings)
    window = create_main_window(runtime, app)
    exit_after = float(
        getattr(args, "exit_after_show", 0) or os.environ.get("AUTOGLM_EXIT_AFTER_SHOW", 0) or 0
    )

    def shown() -> None:
        elapsed = time.time() - started
        _LOGGER.info("Window visible %.3f s after process start", elapsed)
        if exit_after:
            sys.stdout.write(f"cold_start_window_s={elapsed:.4f}\n")
            sys.stdout.flush()
            QTimer.singleShot(int(exit_after * 1000), window.close)
        else:
            QTimer.singleShot(0, window.start)
            if runtime.settings.updates.check_on_start:
                QTimer.singleShot(3000, window.announce_update)

    window.firstPaint.connect(shown)
    window.show()
    return app.exec()
