"""The self-test's window check: build the real main window, show it offscreen, see it paint.

A bundle can pass every headless step and still not open its window: a Qt platform plugin,
a QML/SVG image plugin or a font left out by PyInstaller shows only here. The check builds
the same ``MainWindow`` the app opens (without loading a model), shows it on Qt's
offscreen platform unless the caller chose another (so it runs on a build server with no
display), waits for its first paint and looks at the pixels: a window that painted
nothing but one colour failed to draw.
"""

from __future__ import annotations

import os
import time

from autoglm.core.errors import UserFacingError

FIRST_PAINT_TIMEOUT_S = 60.0


class WindowCheckFailure(UserFacingError):
    """The main window did not open or paint."""

    exit_code = 1


def open_window_offscreen(timeout_s: float = FIRST_PAINT_TIMEOUT_S) -> str:
    """Show the main window until its first paint; returns the words of ``selftest: window ok``."""
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    from PySide6.QtCore import QEventLoop, QTimer

    from autoglm.core.runtime import Runtime
    from autoglm.ui.app import create_main_window, ensure_application

    app = ensure_application()
    started = time.perf_counter()
    window = create_main_window(Runtime(), app, owns_process=False)
    try:
        loop = QEventLoop()
        painted: list[bool] = []

        def first_paint() -> None:
            painted.append(True)
            loop.quit()

        window.firstPaint.connect(first_paint)
        QTimer.singleShot(int(timeout_s * 1000), loop.quit)
        window.show()
        if not painted:
            loop.exec()
        if not painted:
            raise WindowCheckFailure(f"the main window did not paint within {timeout_s:.0f} s")
        image = window.grab().toImage()
        colours = {
            image.pixel(x, y)
            for x in range(0, image.width(), max(1, image.width() // 32))
            for y in range(0, image.height(), max(1, image.height() // 32))
        }
        if len(colours) < 2:
            raise WindowCheckFailure(
                f"the main window painted one flat colour ({image.width()}x{image.height()})"
            )
        return (
            f"{image.width()}x{image.height()} on the {app.platformName()} platform, "
            f"first paint after {time.perf_counter() - started:.1f} s"
        )
    finally:
        window.close()
        window.shutdown()
