"""Waiting with the Qt event loop running: the UI benchmarks and screenshot scripts drive a
real window, which only paints and answers while its loop turns."""

from __future__ import annotations

import time
from typing import Any


def wait_until(condition: Any, timeout_s: float) -> bool:
    """Run the event loop until ``condition()`` is true or the time is up."""
    from PySide6.QtCore import QEventLoop, QTimer

    loop = QEventLoop()
    deadline = time.monotonic() + timeout_s
    poll = QTimer()
    poll.setInterval(10)
    poll.timeout.connect(
        lambda: loop.quit() if condition() or time.monotonic() > deadline else None
    )
    poll.start()
    loop.exec()
    poll.stop()
    return bool(condition())


def settle(seconds: float) -> None:
    """Keep the event loop running for ``seconds``."""
    end = time.monotonic() + seconds
    wait_until(lambda: time.monotonic() > end, seconds + 1)
